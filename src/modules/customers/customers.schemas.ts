/** The JSON shape of a customer as the admin API and JSONL files carry it (types only; rules are the writer's). */
import { z } from 'zod';
import type { CustomerInput } from '../commerce/index.js';
import { externalId, isoInstant } from '../commerce/index.js';

const text = z.string().nullable().optional();

export const customerSchema = z.object({
  external_id: externalId,
  email: text,
  first_name: text,
  last_name: text,
  phone: text,
  country: text,
  city: text,
  accepts_marketing: z.boolean().optional(),
  tags: z.array(z.string()).optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  created_at: isoInstant.optional(),
}).strict();

type Assert<T extends true> = T;
export type CustomerSchemaMatches = Assert<z.output<typeof customerSchema> extends CustomerInput ? true : false>;
