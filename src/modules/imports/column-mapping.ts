/**
 * The mapping file of the `csv` format: which entity the file holds, and which column feeds each
 * field, and optionally how a column's values translate (`values`: source value → Hearth's, matched
 * without regard to case, e.g. WooCommerce's statuses). Example: `{"entity":"orders","columns":
 * {"external_id":"Order","placed_at":"Date","quantity":"Qty","unit_price":"Price","status":"Status"},
 * "values":{"status":{"completed":"fulfilled","processing":"paid"}},"dateFormat":"D/M/YYYY H:mm","currency":"EUR"}`.
 * Orders may carry a refund (`refund_amount`, `refunded_at`): it becomes the order's return.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { isCurrency } from '../../lib/money.js';
import { compilePattern, dateFormatHelp } from './date-reader.js';

export const mappingFields = {
  customers: { required: ['external_id'], optional: ['email', 'first_name', 'last_name', 'phone', 'country', 'city', 'accepts_marketing',
    'email_consent', 'sms_consent', 'birthday', 'language', 'timezone', 'tags', 'created_at'] },
  products: { required: ['external_id', 'title'], optional: ['category', 'price', 'currency', 'image_url', 'sku', 'published', 'published_at', 'inventory_quantity'] },
  orders: {
    required: ['external_id', 'placed_at', 'quantity', 'unit_price'],
    optional: ['customer_external_id', 'currency', 'sku', 'product_external_id', 'title', 'line_total', 'discount', 'shipping', 'tax', 'total', 'status',
      'discount_codes', 'channel', 'payment_method', 'refund_amount', 'refunded_at', 'refund_reason'],
  },
} as const;

export type MappingEntity = keyof typeof mappingFields;

const schema = z.object({
  entity: z.enum(['customers', 'products', 'orders']),
  columns: z.record(z.string(), z.string().min(1)),
  /** Per field: source value → the value Hearth takes (case-insensitive on the source side). */
  values: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  dateFormat: z.string().optional(),
  currency: z.string().optional(),
  delimiter: z.string().length(1).optional(),
  /** Whether amounts are written `12.50` (major, the default) or `1250` (minor units). */
  amounts: z.enum(['major', 'minor']).optional(),
}).strict();

export type ColumnMapping = z.infer<typeof schema>;

const badMapping = (source: string, reason: string): AppError => new AppError('bad_request', `bad mapping ${source}: ${reason}`, [{ path: 'mapping', reason }]);

/** Checks a parsed mapping; throws `bad_request` with a one-line reason. */
export function checkMapping(value: unknown, source = '(mapping)'): ColumnMapping {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badMapping(source, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const mapping = parsed.data;
  const fields = mappingFields[mapping.entity];
  const known = new Set<string>([...fields.required, ...fields.optional]);
  const unknown = Object.keys(mapping.columns).filter((name) => !known.has(name));
  if (unknown.length) throw badMapping(source, `columns.${unknown[0]} is not a ${mapping.entity} field (fields: ${[...known].join(', ')})`);
  const missing = fields.required.filter((name) => !(name in mapping.columns));
  if (missing.length) throw badMapping(source, `columns must map ${missing.join(', ')} for ${mapping.entity}`);
  const unmapped = Object.keys(mapping.values ?? {}).filter((name) => !(name in mapping.columns));
  if (unmapped.length) throw badMapping(source, `values.${unmapped[0]} translates a field the columns do not map`);
  if (mapping.dateFormat && !['auto', 'iso', 'unix', 'unix_ms'].includes(mapping.dateFormat) && !compilePattern(mapping.dateFormat)) {
    throw badMapping(source, `dateFormat "${mapping.dateFormat}" is not one of: ${dateFormatHelp}`);
  }
  if (mapping.currency && !isCurrency(mapping.currency.toUpperCase())) throw badMapping(source, `currency "${mapping.currency}" is not an ISO 4217 code`);
  return mapping;
}

export function readMapping(file: string): ColumnMapping {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw badMapping(file, `cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badMapping(file, `not JSON (${(error as Error).message})`);
  }
  return checkMapping(value, file);
}
