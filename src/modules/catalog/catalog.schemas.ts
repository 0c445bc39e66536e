/** The JSON shape of a product and its variants (types only; rules are the writer's). */
import { z } from 'zod';
import type { ProductInput } from '../commerce/index.js';
import { externalId, minorUnits } from '../commerce/index.js';

const text = z.string().nullable().optional();

export const variantSchema = z.object({
  external_id: externalId,
  sku: text,
  title: text,
  price: minorUnits.nullable().optional(),
}).strict();

export const productSchema = z.object({
  external_id: externalId,
  title: z.string(),
  category: text,
  price: minorUnits.nullable().optional(),
  currency: z.string().nullable().optional(),
  image_url: text,
  variants: z.array(variantSchema).optional(),
}).strict();

type Assert<T extends true> = T;
export type ProductSchemaMatches = Assert<z.output<typeof productSchema> extends ProductInput ? true : false>;
