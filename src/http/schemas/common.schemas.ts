/**
 * Building blocks of the API's response schemas. The schema files under `schemas/` import zod and
 * the domains' closed lists only, so the dashboard can import their types (`import type`).
 *
 * A response schema describes the body as sent: `z.input` of a schema is the JSON a client reads
 * (timestamps as ISO 8601 text), `z.output` what a handler returns (timestamps as Date). Shapes
 * registered with `component` appear once under `components/schemas` and are referenced.
 */
import { z } from 'zod';
import { errorCodes, type ErrorCode } from '../../lib/errors.js';

/** Named shapes of the OpenAPI document, by component name. */
export const components = new Map<string, z.ZodType>();

export function component<S extends z.ZodType>(name: string, schema: S): S {
  if (components.has(name) && components.get(name) !== schema) throw new Error(`Two schemas are named ${name}`);
  components.set(name, schema);
  return schema;
}

/** An instant: a Date in the server, ISO 8601 UTC text on the wire. */
export const timestamp = component('Timestamp', z.codec(z.iso.datetime(), z.date(), {
  decode: (text) => new Date(text),
  encode: (date) => date.toISOString(),
}).meta({ description: 'An instant in ISO 8601, UTC (2024-03-01T10:00:00.000Z)' }));

/** A calendar day in the store's time zone. */
export const day = z.iso.date().meta({ description: 'A day, YYYY-MM-DD' });

/** Money: an integer amount of the currency's minor units (cents for USD, yen for JPY). */
export const minorUnits = z.number().int().meta({ description: 'Integer minor units of the currency (cents for USD, yen for JPY)' });
export const currency = z.string().length(3).meta({ description: 'ISO 4217 currency code' });
/** A share between 0 and 1. */
export const ratio = z.number().min(0).max(1);
export const count = z.number().int().min(0);

export const errorBody = component('Error', z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.array(z.strictObject({
      path: z.string().meta({ description: 'Where the problem is: a JSON path (lines.0.quantity), query.<name>, a CSV line' }),
      reason: z.string(),
      line: z.number().int().min(1).optional().meta({ description: 'For a problem inside a text (a template body): the 1-based line' }),
      column: z.number().int().min(1).optional().meta({ description: 'With line: the 1-based column' }),
    })),
  }),
}).meta({ description: 'Every error answer: a code from a closed set, a message, and the bad fields with their reasons' }));

/** A page of a list, newest first; pass `next_cursor` as `cursor` for the next page. */
export function page<S extends z.ZodType>(item: S) {
  return z.strictObject({ data: z.array(item), next_cursor: z.string().nullable() });
}

export function list<S extends z.ZodType>(item: S) {
  return z.strictObject({ data: z.array(item) });
}

/**
 * The `Idempotency-Key` header of a route whose effect happens once per key; `missing` is the
 * reason given when it is absent (what the key stands for and what a retry gets).
 */
export function idempotencyHeader(missing: string) {
  return z.object({
    'idempotency-key': z.string({ error: missing }).min(1).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
  });
}
