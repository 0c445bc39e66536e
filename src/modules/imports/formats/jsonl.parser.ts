/**
 * JSON Lines: one object per line, `{"type":"customer"|"product"|"order"|"return", ...}`, each in
 * the shape the admin API takes (money in integer minor units, times as ISO-8601 text). A line
 * that is not JSON or not a valid object is rejected with the field and the reason; the other
 * lines are imported.
 */
import { z } from 'zod';
import type { CustomerInput, OrderInput, ProductInput, ReturnInput } from '../../commerce/index.js';
import { orderStatuses } from '../../orders/index.js';
import { consentStatuses } from '../../customers/index.js';
import { originOf, type FormatParser, type ImportFormat } from './format.js';

const instant = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO-8601 date-time').transform((text) => {
  // A time without an offset is read as UTC, like the API does.
  const withZone = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text}Z` : text;
  return new Date(withZone);
});
const id = z.string().trim().min(1).max(255);
const money = z.number().int().min(0);
const text = z.string().nullish();

const consent = z.object({ status: z.enum(consentStatuses), at: instant.nullish(), source: z.string().max(100).nullish() });

const customer = z.object({
  type: z.literal('customer'), external_id: id, email: text, first_name: text, last_name: text, phone: text, country: text, city: text,
  accepts_marketing: z.boolean().optional(), tags: z.array(z.string()).optional(), attributes: z.record(z.string(), z.unknown()).optional(),
  created_at: instant.optional(),
  email_consent: consent.optional(), sms_consent: consent.optional(), birthday: text, language: text, timezone: text,
});
const product = z.object({
  type: z.literal('product'), external_id: id, title: z.string().min(1), category: text, price: money.nullish(), currency: text, image_url: text,
  published: z.boolean().nullish(), published_at: instant.nullish(), inventory_quantity: z.number().int().nullish(),
  variants: z.array(z.object({ external_id: id, sku: text, title: text, price: money.nullish(), inventory_quantity: z.number().int().nullish() })).optional(),
});
const orderLine = z.object({
  product_external_id: id.nullish(), variant_external_id: id.nullish(), sku: text, title: text,
  quantity: z.number().int().min(0), unit_price: money, total: money.optional(),
});
const order = z.object({
  type: z.literal('order'), external_id: id, customer_external_id: id.nullish(), placed_at: instant, currency: z.string().length(3),
  subtotal: money.optional(), discount: money.optional(), shipping: money.optional(), tax: money.optional(), total: money.optional(),
  discount_codes: z.array(z.string()).optional(), channel: text, payment_method: text, status: z.enum(orderStatuses).optional(),
  lines: z.array(orderLine).min(1),
});
const returned = z.object({
  type: z.literal('return'), external_id: id, order_external_id: id.nullish(), customer_external_id: id.nullish(), returned_at: instant,
  currency: z.string().length(3), amount: money, reason: text,
  lines: z.array(z.object({ product_external_id: id.nullish(), sku: text, quantity: z.number().int().min(0), amount: money })).optional(),
});
const entity = z.discriminatedUnion('type', [customer, product, order, returned]);

export const jsonl: ImportFormat = {
  name: 'jsonl',
  parser(): FormatParser {
    return {
      syntax: 'lines',
      row(record, out) {
        let value: unknown;
        try {
          value = JSON.parse(record.fields[0]!);
        } catch (error) {
          return out.reject(record.line, `not JSON: ${(error as Error).message}`, record.raw);
        }
        const parsed = entity.safeParse(value);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          return out.reject(record.line, `${issue.path.join('.') || 'type'}: ${issue.message}`, record.raw);
        }
        const origin = originOf(record);
        const { type, ...data } = parsed.data;
        if (type === 'customer') return out.customer(data as CustomerInput, origin);
        if (type === 'product') return out.product(data as ProductInput, origin);
        if (type === 'order') {
          const input = { ...(data as OrderInput), currency: (data as OrderInput).currency.toUpperCase() };
          // Every line of the file is a whole entity, so a repeated id replaces nothing written earlier: it is refused.
          const added = out.order(input.external_id, origin, () => input);
          if (added !== input) return out.reject(record.line, `order ${input.external_id} appears twice in the file`, record.raw);
          out.addedLine(input, input.lines.length);
          return out.close();
        }
        const input = { ...(data as ReturnInput), currency: (data as ReturnInput).currency.toUpperCase() };
        const added = out.return(input.external_id, origin, () => input);
        if (added !== input) return out.reject(record.line, `return ${input.external_id} appears twice in the file`, record.raw);
        out.addedLine(input, input.lines?.length ?? 0);
        out.close();
      },
    };
  },
};
