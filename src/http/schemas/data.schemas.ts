/** Answers of the data API: customers, products, orders, returns, and the writer's counts. */
import { z } from 'zod';
import { consentStatuses } from '../../modules/customers/index.js';
import { fulfillmentStatuses, orderStatuses } from '../../modules/orders/index.js';
import { churnRisks } from '../../modules/predictions/index.js';
import { component, count, currency, day, minorUnits, page, ratio, timestamp } from './common.schemas.js';

export const orderStatus = z.enum(orderStatuses);

const channelConsent = z.strictObject({
  status: z.enum(consentStatuses),
  at: timestamp.nullable().describe('When the customer subscribed or unsubscribed, as the source says'),
  source: z.string().nullable().describe('Where the consent came from: shopify, segment, import, api, unsubscribe…'),
});
/** Marketing consent per channel. */
export const consentSchema = component('Consent', z.strictObject({ email: channelConsent, sms: channelConsent }));

export const customerSchema = component('Customer', z.strictObject({
  id: z.number().int(),
  external_id: z.string().nullable(),
  email: z.string().nullable(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  phone: z.string().nullable(),
  country: z.string().nullable(),
  city: z.string().nullable(),
  accepts_marketing: z.boolean().describe('Subscribed to email marketing (the same as consent.email.status = subscribed)'),
  consent: consentSchema,
  birthday: z.string().nullable().describe("YYYY-MM-DD, or --MM-DD when the year is not known"),
  language: z.string().nullable().describe('BCP 47 tag (en, fr-CA)'),
  timezone: z.string().nullable().describe('IANA time zone (Europe/Paris)'),
  tags: z.array(z.string()),
  attributes: z.record(z.string(), z.unknown()),
  created_at: timestamp,
  updated_at: timestamp,
}));

/** A customer in the list, with the figures a marketer sorts and filters by. */
export const customerListItemSchema = component('CustomerListItem', customerSchema.extend({
  orders: count.describe('Orders placed, not counting cancelled ones'),
  revenue: minorUnits.describe('Net revenue: what the orders came to, less returns'),
  last_order_on: day.nullable().describe("The day of the last order, in the store's time zone; null without orders"),
  predicted_clv: minorUnits.nullable().describe('Predicted value over the next 12 months (discounted); null until predictions are fitted'),
  p_alive: ratio.nullable().describe('Probability that the customer is still active; null until predictions are fitted'),
  churn_risk: z.enum(churnRisks).nullable().describe('Churn-risk band from P(alive); null until predictions are fitted'),
}));

export const productSchema = component('Product', z.strictObject({
  id: z.number().int(),
  external_id: z.string(),
  title: z.string(),
  category: z.string().nullable(),
  price: minorUnits.nullable(),
  currency: currency.nullable(),
  image_url: z.string().nullable(),
  published: z.boolean().nullable().meta({ description: 'Whether the store shows it for sale; null: not said (taken as published)' }),
  published_at: timestamp.nullable().meta({ description: 'When it was or will be published; a time still to come means not yet published' }),
  inventory_quantity: z.number().int().nullable().meta({ description: 'Units in stock (negative when oversold); null: not counted (taken as available)' }),
  created_at: timestamp,
  updated_at: timestamp,
  variants: z.array(z.strictObject({
    id: z.number().int(),
    external_id: z.string(),
    sku: z.string().nullable(),
    title: z.string().nullable(),
    price: minorUnits.nullable(),
    inventory_quantity: z.number().int().nullable().meta({ description: 'Units in stock; null: not counted' }),
    created_at: timestamp,
  })),
}));

export const orderLineSchema = component('OrderLine', z.strictObject({
  line_no: z.number().int(),
  product_id: z.number().int().nullable(),
  product_external_id: z.string().nullable(),
  variant_id: z.number().int().nullable(),
  variant_external_id: z.string().nullable(),
  sku: z.string().nullable(),
  title: z.string().nullable(),
  quantity: z.number().int(),
  unit_price: minorUnits,
  total: minorUnits,
}));

export const fulfillmentSchema = component('Fulfillment', z.strictObject({
  id: z.number().int(),
  external_id: z.string(),
  order_id: z.number().int().nullable().meta({ description: 'Null until the order is known' }),
  order_external_id: z.string(),
  status: z.enum(fulfillmentStatuses),
  shipment_status: z.string().nullable().meta({ description: "The carrier's status: in_transit, out_for_delivery, delivered, …" }),
  carrier: z.string().nullable(),
  tracking_number: z.string().nullable(),
  tracking_url: z.string().nullable(),
  shipped_at: timestamp.nullable(),
  delivered_at: timestamp.nullable(),
  lines: z.array(z.strictObject({
    product_external_id: z.string().nullable(),
    variant_external_id: z.string().nullable(),
    sku: z.string().nullable(),
    quantity: z.number().int(),
  })),
  created_at: timestamp,
  updated_at: timestamp,
}));

export const orderSchema = component('Order', z.strictObject({
  id: z.number().int(),
  external_id: z.string(),
  customer_id: z.number().int().nullable(),
  customer_external_id: z.string().nullable(),
  placed_at: timestamp,
  currency,
  subtotal: minorUnits,
  discount: minorUnits,
  shipping: minorUnits,
  tax: minorUnits,
  total: minorUnits,
  discount_codes: z.array(z.string()),
  channel: z.string().nullable(),
  payment_method: z.string().nullable().describe('How the customer paid, as the source names it (shopify_payments, paypal, card…)'),
  status: orderStatus,
  source: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
  lines: z.array(orderLineSchema).optional().meta({ description: 'Present on a single order, not in lists' }),
  fulfillments: z.array(fulfillmentSchema).optional().meta({ description: 'Present on a single order, not in lists' }),
}));

export const checkoutStatus = z.enum(['open', 'completed', 'abandoned', 'deleted']);

export const checkoutSchema = component('Checkout', z.strictObject({
  id: z.number().int(),
  external_id: z.string().meta({ description: 'The checkout id, or the cart id of a bare cart' }),
  cart_id: z.string().nullable(),
  status: checkoutStatus.meta({ description: 'abandoned: open with no change for idle_minutes' }),
  customer_id: z.number().int().nullable(),
  customer_external_id: z.string().nullable(),
  anonymous_id: z.string().nullable(),
  email: z.string().nullable(),
  currency: currency.nullable(),
  value: minorUnits.nullable(),
  items: z.array(z.strictObject({
    product_external_id: z.string().nullable(),
    variant_external_id: z.string().nullable(),
    sku: z.string().nullable(),
    title: z.string().nullable(),
    quantity: z.number().int(),
    unit_price: minorUnits,
  })),
  recovery_url: z.string().nullable(),
  source: z.string(),
  started_at: timestamp,
  updated_at: timestamp.meta({ description: 'The last change, by the source\'s clock' }),
  completed_at: timestamp.nullable(),
  order_id: z.number().int().nullable(),
  order_external_id: z.string().nullable(),
  deleted_at: timestamp.nullable(),
}));

export const returnSchema = component('Return', z.strictObject({
  id: z.number().int(),
  external_id: z.string(),
  order_id: z.number().int().nullable(),
  order_external_id: z.string().nullable(),
  customer_id: z.number().int().nullable(),
  returned_at: timestamp,
  currency,
  amount: minorUnits,
  reason: z.string().nullable(),
  created_at: timestamp,
  lines: z.array(z.strictObject({
    line_no: z.number().int(),
    product_id: z.number().int().nullable(),
    product_external_id: z.string().nullable(),
    sku: z.string().nullable(),
    quantity: z.number().int(),
    amount: minorUnits,
  })),
}));

export const writeCountsSchema = component('WriteCounts', z.strictObject({ created: count, updated: count, unchanged: count }));
export const writeSummarySchema = component('WriteSummary', z.strictObject({
  customers: writeCountsSchema, products: writeCountsSchema, orders: writeCountsSchema, returns: writeCountsSchema,
  fulfillments: writeCountsSchema.optional().meta({ description: 'Present when the batch carried fulfilments' }),
  checkouts: writeCountsSchema.optional().meta({ description: 'Present when the batch carried checkouts' }),
}));
/** A batch: the counts of its own section, and the summary of everything the writer touched. */
export const batchResultSchema = component('BatchResult', writeCountsSchema.extend({ summary: writeSummarySchema }));

/** A PUT: what happened (201 when created, 200 otherwise) and the item as stored. */
export function upsertResult<S extends z.ZodType>(item: S) {
  return z.strictObject({ result: z.enum(['created', 'updated', 'unchanged']), data: item });
}

export const customerListPage = z.strictObject({
  data: z.array(customerListItemSchema),
  next_cursor: z.string().nullable(),
  total: count.describe('Customers the filters select, on every page'),
});
export const productPage = page(productSchema);
export const orderPage = page(orderSchema);
export const returnPage = page(returnSchema);
export const checkoutPage = page(checkoutSchema);

export type OrderStatus = z.infer<typeof orderStatus>;
export type Customer = z.input<typeof customerSchema>;
export type CustomerListItem = z.input<typeof customerListItemSchema>;
export type CustomerListPage = z.input<typeof customerListPage>;
export type Product = z.input<typeof productSchema>;
export type Order = z.input<typeof orderSchema>;
export type Return = z.input<typeof returnSchema>;
export type Fulfillment = z.input<typeof fulfillmentSchema>;
export type Checkout = z.input<typeof checkoutSchema>;
export type WriteCounts = z.input<typeof writeCountsSchema>;
export type WriteSummary = z.input<typeof writeSummarySchema>;
