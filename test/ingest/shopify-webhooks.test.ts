import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeepingIds } from '../../src/modules/ingest/shopify.webhooks.js';
import { ingestApp, rows } from '../helpers/ingest.js';
import { shopifyCustomer, shopifyHeaders, shopifyOrder, shopifyRefund } from '../helpers/shopify.js';

type App = Awaited<ReturnType<typeof ingestApp>>;
let t: App;
const secret = 'shpss_0123456789abcdef0123456789abcdef';

beforeAll(async () => {
  t = await ingestApp();
  await t.services.accounts.updateStore(t.storeId, { shopifySecret: secret });
});
afterAll(async () => {
  await t.close();
});

const deliver = (topic: string, payload: unknown, webhookId?: string, key = secret) => {
  const body = JSON.stringify(payload);
  return t.app.inject({ method: 'POST', url: `/webhooks/shopify/${t.storeId}`, headers: shopifyHeaders(key, topic, body, webhookId), payload: body });
};

const orderRow = (externalId: string) => rows<{ id: number; subtotal: number; discount: number; shipping: number; tax: number; total: number; status: string; discount_codes: string[]; customer_id: number | null; channel: string; placed_at: Date }>(t.services,
  'select id, subtotal, discount, shipping, tax, total, status, discount_codes, customer_id, channel, placed_at from orders where store_id = ? and external_id = ?', t.storeId, externalId);

describe('Shopify webhooks', () => {
  it('keeps 64-bit ids exact', () => {
    const parsed = parseKeepingIds('{"id": 820982911946154508, "order_id":820982911946154509, "line_items":[{"id":466157049,"price":"1.00"}]}');
    expect(parsed).toEqual({ id: '820982911946154508', order_id: '820982911946154509', line_items: [{ id: 466157049, price: '1.00' }] });
  });

  it('refuses a delivery whose signature does not match, writing nothing', async () => {
    const response = await deliver('orders/create', shopifyOrder({ id: 1 }), undefined, 'another-secret-entirely');
    expect(response.statusCode).toBe(401);
    expect(await orderRow('1')).toHaveLength(0);
  });

  it('orders/create writes the order in minor units with its customer, once per webhook id', async () => {
    const first = await deliver('orders/create', shopifyOrder(), 'wh-1');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ status: 'stored', topic: 'orders/create' });
    const again = await deliver('orders/create', shopifyOrder(), 'wh-1');
    expect(again.json().status).toBe('duplicate');
    const orders = await orderRow('5912345678901');
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ subtotal: 59700, discount: 1000, shipping: 1000, tax: 1194, total: 60894, status: 'paid', discount_codes: ['TENOFF'], channel: 'web' });
    expect(orders[0]!.placed_at.toISOString()).toBe('2026-11-20T17:00:00.000Z');
    const [customer] = await rows<{ id: number; email: string; city: string; country: string; accepts_marketing: boolean; tags: string[] }>(t.services,
      'select id, email, city, country, accepts_marketing, tags from customers where store_id = ? and external_id = ?', t.storeId, '7123456789012');
    expect(customer).toMatchObject({ email: 'john@example.com', city: 'Ottawa', country: 'CA', accepts_marketing: true, tags: ['vip', 'newsletter'] });
    expect(orders[0]!.customer_id).toBe(customer!.id);
    const lines = await rows<{ sku: string; quantity: number; unit_price: number }>(t.services, 'select sku, quantity, unit_price from order_lines where store_id = ? and order_id = ? order by line_no', t.storeId, orders[0]!.id);
    expect(lines).toEqual([{ sku: 'IPOD2008GREEN', quantity: 1, unit_price: 19900 }, { sku: 'IPOD2008RED', quantity: 2, unit_price: 19900 }]);
  });

  it('refunds/create records the refund; orders/cancelled cancels; tax-inclusive totals still add up', async () => {
    expect((await deliver('refunds/create', shopifyRefund())).statusCode).toBe(200);
    const returns = await rows<{ external_id: string; amount: number; reason: string }>(t.services, 'select external_id, amount, reason from returns where store_id = ?', t.storeId);
    expect(returns).toEqual([{ external_id: '509562969', amount: 19900, reason: 'Damaged in transit' }]);
    expect((await orderRow('5912345678901'))[0]!.status).toBe('partially_refunded');

    const cancelled = shopifyOrder({ id: 777, cancelled_at: '2026-11-21T08:00:00-05:00', cancel_reason: 'customer', financial_status: 'voided' });
    expect((await deliver('orders/cancelled', cancelled)).statusCode).toBe(200);
    expect((await orderRow('777'))[0]!.status).toBe('cancelled');

    // In tax-inclusive shops (UK, EU) total_price = subtotal_price + shipping; the tax is inside the prices.
    const inclusive = shopifyOrder({ id: 778, currency: 'GBP', taxes_included: true, total_tax: '99.50', total_price: '597.00' });
    expect((await deliver('orders/updated', inclusive)).statusCode).toBe(200);
    expect((await orderRow('778'))[0]).toMatchObject({ total: 59700, tax: 0 });
  });

  it('customers/update changes the customer; unknown topics are acknowledged and ignored', async () => {
    expect((await deliver('customers/update', { ...shopifyCustomer, email: 'JOHN.SMITH@example.com', last_name: 'Smyth' })).statusCode).toBe(200);
    const [customer] = await rows<{ email: string; last_name: string }>(t.services, 'select email, last_name from customers where store_id = ? and external_id = ?', t.storeId, '7123456789012');
    expect(customer).toEqual({ email: 'john.smith@example.com', last_name: 'Smyth' });
    const ignored = await deliver('themes/publish', { id: 1 });
    expect(ignored.json()).toEqual({ status: 'ignored', topic: 'themes/publish' });
  });

  it('a payload that can never be stored is acknowledged as rejected, naming the field, and counted; its redelivery is a duplicate', async () => {
    const bad = shopifyOrder({ id: 779, line_items: [{ id: 1, quantity: 'two', price: '1.00' }] });
    const response = await deliver('orders/create', bad, 'wh-bad');
    // Any other answer than 2xx makes Shopify retry for hours and then delete the webhook.
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'rejected', topic: 'orders/create', error: { path: 'line_items.0.quantity', reason: 'must be a whole number ≥ 0' } });
    expect((await deliver('orders/create', bad, 'wh-bad')).json().status).toBe('duplicate');
    const status = await t.services.ingest.status(t.storeId);
    const shopify = status.sources.find((s) => s.source === 'shopify')!;
    expect(shopify).toMatchObject({ received: 8, stored: 5, deduplicated: 2, rejected: 1 });
    expect(shopify.topRejections[0]!.reason).toBe('line_items.N.quantity: must be a whole number ≥ N');
    expect(await orderRow('779')).toHaveLength(0);
  });

  it('an order whose amounts overflow is rejected, not retried forever', async () => {
    const huge = shopifyOrder({ id: 780, line_items: [{ id: 1, product_id: 1, quantity: 2147483647, price: '90071992547409.91' }], total_price: '9999999999999999999.00' });
    const response = await deliver('orders/create', huge);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'rejected', error: { path: expect.stringMatching(/^(line_items|total_price|lines)/) } });
    expect(await orderRow('780')).toHaveLength(0);
  });

  it('an order whose embedded customer lacks redacted fields and consent leaves the stored customer as it was', async () => {
    const customer = { ...shopifyCustomer, id: 7123456789099, email: 'kept@example.com', first_name: 'Kept', phone: '+15550100',
      email_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in', consent_updated_at: '2026-10-01T09:15:00-04:00' } };
    expect((await deliver('customers/create', customer)).statusCode).toBe(200);
    // Shopify redacts protected fields for apps without protected-data access and often omits the consent.
    const { email: _e, first_name: _f, last_name: _l, phone: _p, email_marketing_consent: _c, default_address: _a, ...redacted } = customer;
    const order = shopifyOrder({ id: 5912345678999, name: '#1099', email: undefined, customer: redacted });
    expect((await deliver('orders/create', order)).statusCode).toBe(200);
    const [stored] = await rows<{ email: string; first_name: string; last_name: string; phone: string; accepts_marketing: boolean; city: string }>(t.services,
      'select email, first_name, last_name, phone, accepts_marketing, city from customers where store_id = ? and external_id = ?', t.storeId, '7123456789099');
    expect(stored).toEqual({ email: 'kept@example.com', first_name: 'Kept', last_name: 'Smith', phone: '+15550100', accepts_marketing: true, city: 'Ottawa' });
    const [placed] = await orderRow('5912345678999');
    expect(placed!.customer_id).not.toBeNull();
  });

  it('an order line\'s variant is created under its product and linked, not dropped', async () => {
    const order = shopifyOrder({ id: 5912345670001, name: '#1201', line_items: [
      { id: 1, product_id: 777000111, variant_id: 888000111, sku: 'BAG-RED', title: 'Bag', variant_title: 'red', quantity: 1, price: '30.00' },
      { id: 2, product_id: 777000111, variant_id: 888000222, sku: 'BAG-BLUE', title: 'Bag', variant_title: 'blue', quantity: 1, price: '30.00' },
    ], total_price: '71.94', subtotal_price: '60.00', total_discounts: '0.00', discount_codes: [], total_tax: '1.94' });
    expect((await deliver('orders/create', order)).statusCode).toBe(200);
    const lines = await rows<{ sku: string; variant: string; product: string }>(t.services,
      `select l.sku, v.external_id as variant, p.external_id as product from order_lines l join orders o on o.id = l.order_id
       join variants v on v.id = l.variant_id join products p on p.id = v.product_id
       where o.store_id = ? and o.external_id = ? order by l.line_no`, t.storeId, '5912345670001');
    expect(lines).toEqual([{ sku: 'BAG-RED', variant: '888000111', product: '777000111' }, { sku: 'BAG-BLUE', variant: '888000222', product: '777000111' }]);
  });

  it('a refund whose transaction names no currency takes its order\'s, not the store\'s', async () => {
    const order = shopifyOrder({ id: 5912345670099, name: '#1299', currency: 'EUR', presentment_currency: 'EUR' });
    expect((await deliver('orders/create', order)).statusCode).toBe(200);
    const refund = shopifyRefund({ id: 509562099, order_id: 5912345670099, transactions: [{ id: 1, order_id: 5912345670099, kind: 'refund', status: 'success', amount: '10.00', currency: null }] });
    expect((await deliver('refunds/create', refund)).statusCode).toBe(200);
    const [row] = await rows<{ currency: string; amount: number }>(t.services, 'select currency, amount from returns where store_id = ? and external_id = ?', t.storeId, '509562099');
    expect(row).toEqual({ currency: 'EUR', amount: 1000 });
  });

  it('an older orders/updated delivered after orders/cancelled does not revert the order', async () => {
    const id = 5912345670777;
    const at = (minute: number) => `2026-11-20T12:${String(minute).padStart(2, '0')}:00-05:00`;
    expect((await deliver('orders/create', shopifyOrder({ id, name: '#1777', updated_at: at(0) }))).statusCode).toBe(200);
    expect((await deliver('orders/cancelled', shopifyOrder({ id, name: '#1777', updated_at: at(30), cancelled_at: at(30), financial_status: 'voided' }))).statusCode).toBe(200);
    // Shopify retries deliveries and does not order them: the 12:10 update arrives last.
    expect((await deliver('orders/updated', shopifyOrder({ id, name: '#1777', updated_at: at(10), shipping_lines: [], total_shipping_price_set: undefined, total_price: '598.94' }))).statusCode).toBe(200);
    expect((await orderRow(String(id)))[0]).toMatchObject({ status: 'cancelled', total: 60894 });
    // A newer update still applies.
    expect((await deliver('orders/updated', shopifyOrder({ id, name: '#1777', updated_at: at(45), cancelled_at: null, financial_status: 'paid' }))).statusCode).toBe(200);
    expect((await orderRow(String(id)))[0]).toMatchObject({ status: 'paid' });
  });
});

describe('Shopify consent, language and payment method', () => {
  const customerRow = (externalId: string) => rows<Record<string, unknown>>(t.services,
    `select email_consent, email_consent_at, email_consent_source, sms_consent, sms_consent_at, language, accepts_marketing
     from customers where store_id = ? and external_id = ?`, t.storeId, externalId);

  it('keeps email and SMS consent per channel with Shopify\'s time; a change of state moves it, a repeat does not', async () => {
    const customer = {
      ...shopifyCustomer, id: 9100000001, email: 'consent@example.com',
      email_marketing_consent: { state: 'subscribed', opt_in_level: 'confirmed_opt_in', consent_updated_at: '2026-10-01T09:15:00-04:00' },
      sms_marketing_consent: { state: 'not_subscribed', opt_in_level: 'single_opt_in', consent_updated_at: null, consent_collected_from: 'OTHER' },
    };
    expect((await deliver('customers/create', customer)).statusCode).toBe(200);
    expect((await customerRow('9100000001'))[0]).toMatchObject({
      email_consent: 'subscribed', email_consent_at: new Date('2026-10-01T13:15:00Z'), email_consent_source: 'shopify', sms_consent: 'never_asked', accepts_marketing: true,
    });
    // The same state again (an unrelated update) keeps when consent was given.
    await deliver('customers/update', { ...customer, first_name: 'Changed', email_marketing_consent: { ...customer.email_marketing_consent, consent_updated_at: '2026-11-01T00:00:00Z' } });
    expect((await customerRow('9100000001'))[0]).toMatchObject({ email_consent_at: new Date('2026-10-01T13:15:00Z') });

    await deliver('customers/update', { ...customer, email_marketing_consent: { state: 'unsubscribed', opt_in_level: null, consent_updated_at: '2026-11-20T08:00:00Z' },
      sms_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in', consent_updated_at: '2026-11-20T08:00:00Z', consent_collected_from: 'SHOPIFY' } });
    expect((await customerRow('9100000001'))[0]).toMatchObject({
      email_consent: 'unsubscribed', email_consent_at: new Date('2026-11-20T08:00:00Z'), sms_consent: 'subscribed', sms_consent_at: new Date('2026-11-20T08:00:00Z'), accepts_marketing: false,
    });
  });

  it('records the payment gateway and the customer\'s language from an order', async () => {
    const order = shopifyOrder({ id: 9200000001, payment_gateway_names: ['shopify_payments'], customer_locale: 'fr-CA', customer: { ...shopifyCustomer, id: 9100000002, email: 'lang@example.com' } });
    expect((await deliver('orders/create', order)).statusCode).toBe(200);
    const [row] = await rows<{ payment_method: string }>(t.services, 'select payment_method from orders where store_id = ? and external_id = ?', t.storeId, '9200000001');
    expect(row!.payment_method).toBe('shopify_payments');
    expect((await customerRow('9100000002'))[0]).toMatchObject({ language: 'fr-CA' });
  });
});
