/** Shopify webhook payloads in the shapes of Shopify's Admin REST resources (Order, Refund, Customer, Fulfillment, Abandoned checkout). */
import { createHmac, randomUUID } from 'node:crypto';

export const shopifyCustomer = {
  id: 7123456789012, email: 'john@example.com', created_at: '2026-10-01T09:15:00-04:00', updated_at: '2026-11-20T12:00:00-05:00',
  first_name: 'John', last_name: 'Smith', state: 'enabled', note: null, verified_email: true, phone: '+16136120707',
  tags: 'vip, newsletter', currency: 'USD', orders_count: 1, total_spent: '608.94',
  email_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in', consent_updated_at: '2026-10-01T09:15:00-04:00' },
  default_address: { id: 1, customer_id: 7123456789012, first_name: 'John', last_name: 'Smith', address1: '123 Elm St.', city: 'Ottawa', province: 'Ontario', country: 'Canada', zip: 'K2P 1L4', country_code: 'CA', default: true },
};

export function shopifyOrder(overrides: Record<string, unknown> = {}) {
  return {
    id: 5912345678901, admin_graphql_api_id: 'gid://shopify/Order/5912345678901', name: '#1001', order_number: 1001,
    email: 'john@example.com', created_at: '2026-11-20T12:00:00-05:00', processed_at: '2026-11-20T12:00:00-05:00', updated_at: '2026-11-20T12:00:05-05:00',
    currency: 'USD', presentment_currency: 'USD', financial_status: 'paid', fulfillment_status: null, cancelled_at: null, cancel_reason: null,
    taxes_included: false, source_name: 'web', test: false,
    subtotal_price: '587.00', total_line_items_price: '597.00', total_discounts: '10.00', total_tax: '11.94', total_price: '608.94',
    total_shipping_price_set: { shop_money: { amount: '10.00', currency_code: 'USD' }, presentment_money: { amount: '10.00', currency_code: 'USD' } },
    discount_codes: [{ code: 'TENOFF', amount: '10.00', type: 'fixed_amount' }],
    line_items: [
      { id: 466157049, product_id: 632910392, variant_id: 39072856, sku: 'IPOD2008GREEN', title: 'IPod Nano - 8gb', variant_title: 'green', name: 'IPod Nano - 8gb - green', quantity: 1, price: '199.00', total_discount: '0.00', taxable: true },
      { id: 518995019, product_id: 632910392, variant_id: 49148385, sku: 'IPOD2008RED', title: 'IPod Nano - 8gb', variant_title: 'red', name: 'IPod Nano - 8gb - red', quantity: 2, price: '199.00', total_discount: '0.00', taxable: true },
    ],
    shipping_lines: [{ id: 271878346, title: 'Standard', price: '10.00', code: 'Standard' }],
    customer: { ...shopifyCustomer },
    refunds: [],
    ...overrides,
  };
}

export function shopifyRefund(overrides: Record<string, unknown> = {}) {
  return {
    id: 509562969, order_id: 5912345678901, created_at: '2026-11-22T10:00:00-05:00', processed_at: '2026-11-22T10:00:00-05:00',
    note: 'Damaged in transit', restock: true,
    refund_line_items: [
      { id: 104689539, line_item_id: 466157049, quantity: 1, restock_type: 'return', subtotal: 199.0, total_tax: 3.98,
        line_item: { id: 466157049, product_id: 632910392, variant_id: 39072856, sku: 'IPOD2008GREEN', title: 'IPod Nano - 8gb', quantity: 1, price: '199.00' } },
    ],
    transactions: [{ id: 179259969, order_id: 5912345678901, kind: 'refund', status: 'success', amount: '199.00', currency: 'USD', gateway: 'bogus' }],
    order_adjustments: [],
    ...overrides,
  };
}

/** A fulfilment as `fulfillments/create` and `fulfillments/update` deliver it (and as orders carry it in `fulfillments`). */
export function shopifyFulfillment(overrides: Record<string, unknown> = {}) {
  return {
    id: 4903115767987, order_id: 5912345678901, status: 'success', created_at: '2026-11-21T09:30:00-05:00', service: 'manual',
    updated_at: '2026-11-21T09:30:00-05:00', tracking_company: 'UPS', shipment_status: null, location_id: 905684977, origin_address: null,
    email: 'john@example.com', destination: { first_name: 'John', last_name: 'Smith', address1: '123 Elm St.', city: 'Ottawa', zip: 'K2P 1L4', country: 'Canada' },
    line_items: [
      { id: 466157049, product_id: 632910392, variant_id: 39072856, sku: 'IPOD2008GREEN', title: 'IPod Nano - 8gb', quantity: 1, price: '199.00', fulfillment_status: 'fulfilled' },
    ],
    tracking_number: '1Z2345', tracking_numbers: ['1Z2345'], tracking_url: 'https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1Z2345',
    tracking_urls: ['https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1Z2345'], receipt: {}, name: '#1001.1',
    admin_graphql_api_id: 'gid://shopify/Fulfillment/4903115767987',
    ...overrides,
  };
}

/** A checkout as `checkouts/create` and `checkouts/update` deliver it (the Abandoned checkout resource). */
export function shopifyCheckout(overrides: Record<string, unknown> = {}) {
  return {
    id: 9818200792555, token: '123123123', cart_token: 'eeafa272cebfd4b22385bc4b645e762c', email: 'john@example.com', gateway: null,
    buyer_accepts_marketing: false, created_at: '2026-11-19T20:05:00-05:00', updated_at: '2026-11-19T20:10:00-05:00', landing_site: null, note: null,
    note_attributes: [], referring_site: null, shipping_lines: [], taxes_included: false, total_weight: 200, currency: 'USD',
    completed_at: null, closed_at: null, user_id: null, location_id: null, source_identifier: null, source_url: null, device_id: null,
    phone: null, customer_locale: 'en', name: '#9818200792555', source: null, source_name: 'web', presentment_currency: 'USD',
    abandoned_checkout_url: 'https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token',
    discount_codes: [], tax_lines: [], buyer_accepts_sms_marketing: false, sms_marketing_phone: null,
    total_discounts: '0.00', total_line_items_price: '398.00', total_price: '398.00', total_tax: '0.00', subtotal_price: '398.00', total_duties: null,
    line_items: [
      { key: 'cb2c5c4bc3c0b5e1', product_id: 632910392, variant_id: 49148385, sku: 'IPOD2008RED', title: 'IPod Nano - 8gb', variant_title: 'red',
        presentment_title: 'IPod Nano - 8gb', quantity: 2, price: '199.00', line_price: '398.00', requires_shipping: true, taxable: true, vendor: 'Apple' },
    ],
    customer: { ...shopifyCustomer },
    ...overrides,
  };
}

/** The headers Shopify sends with a delivery, signed with the shared secret. */
export function shopifyHeaders(secret: string, topic: string, body: string, webhookId: string = randomUUID()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-shopify-topic': topic,
    'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
    'x-shopify-shop-domain': 'hearth-test.myshopify.com',
    'x-shopify-api-version': '2025-10',
    'x-shopify-webhook-id': webhookId,
    'x-shopify-triggered-at': new Date().toISOString(),
  };
}
