/** The JSON shape of a customer as the admin API and JSONL files carry it (types only; rules are the writer's). */
import { z } from 'zod';
import type { CustomerInput } from '../commerce/index.js';
import { externalId, isoInstant } from '../commerce/index.js';
import { consentStatuses } from './customers.table.js';

const text = z.string().nullable().optional();

/** Consent on one channel as a source states it; `at` and `source` default to now and the writer's source. */
const consentSchema = z.object({
  status: z.enum(consentStatuses),
  at: isoInstant.nullable().optional(),
  source: z.string().max(100).nullable().optional(),
}).strict();

export const customerSchema = z.object({
  external_id: externalId,
  email: text,
  first_name: text,
  last_name: text,
  phone: text,
  country: text,
  city: text,
  accepts_marketing: z.boolean().optional(),
  email_consent: consentSchema.optional(),
  sms_consent: consentSchema.optional(),
  birthday: text,
  language: text,
  timezone: text,
  tags: z.array(z.string()).optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  created_at: isoInstant.optional(),
}).strict();

type Assert<T extends true> = T;
export type CustomerSchemaMatches = Assert<z.output<typeof customerSchema> extends CustomerInput ? true : false>;
