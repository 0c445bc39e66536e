/** The JSON shape of a product and its variants (types only; rules are the writer's). */
import { z } from 'zod';
import type { ProductInput } from '../commerce/index.js';
import { externalId, isoInstant, minorUnits } from '../commerce/index.js';

const text = z.string().nullable().optional();
/** Units in stock (negative when oversold); null: not counted. */
const stock = z.number().int('must be a whole number of units').nullable().optional();

export const variantSchema = z.object({
  external_id: externalId,
  sku: text,
  title: text,
  price: minorUnits.nullable().optional(),
  inventory_quantity: stock,
}).strict();

export const productSchema = z.object({
  external_id: externalId,
  title: z.string(),
  category: text,
  price: minorUnits.nullable().optional(),
  currency: z.string().nullable().optional(),
  image_url: text,
  published: z.boolean().nullable().optional(),
  published_at: isoInstant.nullable().optional(),
  inventory_quantity: stock,
  variants: z.array(variantSchema).optional(),
}).strict();

type Assert<T extends true> = T;
export type ProductSchemaMatches = Assert<z.output<typeof productSchema> extends ProductInput ? true : false>;
