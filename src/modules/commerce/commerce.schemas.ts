/**
 * JSON shapes of orders and returns as the admin API and JSONL files carry them: money in integer
 * minor units, times as ISO-8601 strings (parsed to Dates). These check types only; the rules
 * (known currency, no negative amounts, totals that add up) are the writer's, so every source
 * gets the same ones (`data-validation.ts`).
 */
import { z } from 'zod';
import { parseInstant } from '../../lib/time.js';
import type { FulfillmentInput, OrderInput, ReturnInput } from './commerce.input.js';
import { fulfillmentStatuses, orderStatuses } from '../orders/index.js';

/** An ISO-8601 date or date-time (a bare date is midnight UTC), as a Date. */
export const isoInstant = z.string().transform((text, ctx) => {
  const date = parseInstant(text);
  if (!date) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 date-time such as 2024-05-01T12:00:00Z' });
    return z.NEVER;
  }
  return date;
});

export const minorUnits = z.number({ error: 'must be an integer amount in minor units (e.g. cents)' })
  .int({ error: 'must be an integer amount in minor units (e.g. cents)' });
export const externalId = z.string().min(1, 'must not be empty').max(255);
const text = z.string().nullable().optional();

export const orderLineSchema = z.object({
  product_external_id: externalId.nullable().optional(),
  variant_external_id: externalId.nullable().optional(),
  sku: text,
  title: text,
  quantity: z.number().int('must be an integer'),
  unit_price: minorUnits,
  total: minorUnits.optional(),
}).strict();

export const orderSchema = z.object({
  external_id: externalId,
  customer_external_id: externalId.nullable().optional(),
  placed_at: isoInstant,
  currency: z.string(),
  subtotal: minorUnits.optional(),
  discount: minorUnits.optional(),
  shipping: minorUnits.optional(),
  tax: minorUnits.optional(),
  total: minorUnits.optional(),
  discount_codes: z.array(z.string()).optional(),
  channel: text,
  payment_method: text,
  status: z.enum(orderStatuses).optional(),
  lines: z.array(orderLineSchema),
}).strict();

export const returnLineSchema = z.object({
  product_external_id: externalId.nullable().optional(),
  sku: text,
  quantity: z.number().int('must be an integer'),
  amount: minorUnits,
}).strict();

export const returnSchema = z.object({
  external_id: externalId,
  order_external_id: externalId.nullable().optional(),
  customer_external_id: externalId.nullable().optional(),
  returned_at: isoInstant,
  currency: z.string(),
  amount: minorUnits,
  reason: text,
  lines: z.array(returnLineSchema).optional(),
}).strict();

// The schemas must produce exactly the writer's input shapes.
type Assert<T extends true> = T;
export type OrderSchemaMatches = Assert<z.output<typeof orderSchema> extends OrderInput ? true : false>;
export type ReturnSchemaMatches = Assert<z.output<typeof returnSchema> extends ReturnInput ? true : false>;

/** A fulfilment as the admin API takes it, its ids from the URL (`PUT /api/v1/orders/{id}/fulfillments/{fulfillment_id}`). */
export const fulfillmentSchema = z.object({
  status: z.enum(fulfillmentStatuses).optional(),
  shipment_status: text,
  carrier: text,
  tracking_number: text,
  tracking_url: text,
  shipped_at: isoInstant.nullable().optional(),
  delivered_at: isoInstant.nullable().optional(),
  lines: z.array(z.object({
    product_external_id: externalId.nullable().optional(),
    variant_external_id: externalId.nullable().optional(),
    sku: text,
    quantity: z.number().int('must be an integer'),
  }).strict()).optional(),
  source_updated_at: isoInstant.nullable().optional(),
}).strict();
export type FulfillmentSchemaMatches = Assert<z.output<typeof fulfillmentSchema> extends Omit<FulfillmentInput, 'external_id' | 'order_external_id'> ? true : false>;
