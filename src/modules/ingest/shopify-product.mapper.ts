/**
 * Shopify's `products/create` and `products/update` payloads (the Admin REST Product resource,
 * https://shopify.dev/docs/api/admin-rest/latest/resources/product) mapped to a product with its
 * variants, publication and stock.
 *
 * Published: `status` active and a `published_at` (Shopify clears it when the product is hidden
 * from the online store); draft and archived products are not published. A variant's stock counts
 * only when Shopify tracks it (`inventory_management` set) and stops selling at zero
 * (`inventory_policy` deny); otherwise it is not counted (null), so the product stays available.
 */
import type { ProductInput, VariantInput } from '../commerce/index.js';
import { Bad, httpUrl, idOf, isObject, money, text, time, type Obj } from './shopify.values.js';

const statuses = ['active', 'draft', 'archived'];

export function productOf(p: Obj, currency: string): ProductInput {
  const id = idOf(p.id);
  if (!id) throw new Bad('id', 'is required');
  const title = text(p.title);
  if (!title) throw new Bad('title', 'is required');
  const has = (key: string) => Object.prototype.hasOwnProperty.call(p, key);
  const product: ProductInput = { external_id: id, title, currency };
  if (has('product_type')) product.category = text(p.product_type);
  if (p.status !== undefined && !statuses.includes(p.status as string)) throw new Bad('status', `must be one of ${statuses.join(', ')}`);
  if (has('published_at')) product.published_at = p.published_at === null ? null : time(p.published_at, 'published_at');
  if (p.status !== undefined || has('published_at')) {
    product.published = (p.status === undefined || p.status === 'active') && (has('published_at') ? p.published_at !== null : true);
  }
  const image = isObject(p.image) ? p.image : Array.isArray(p.images) && isObject(p.images[0]) ? p.images[0] : undefined;
  if (image) product.image_url = httpUrl(image.src);
  if (Array.isArray(p.variants)) {
    product.variants = p.variants.map((v, j) => variantOf(v, j, currency));
    const first = product.variants[0];
    if (first?.price !== undefined) product.price = first.price;
  }
  return product;
}

function variantOf(v: unknown, j: number, currency: string): VariantInput {
  if (!isObject(v)) throw new Bad(`variants.${j}`, 'must be an object');
  const id = idOf(v.id);
  if (!id) throw new Bad(`variants.${j}.id`, 'is required');
  const variant: VariantInput = { external_id: id, sku: text(v.sku), title: text(v.title) };
  if (v.price !== undefined && v.price !== null) variant.price = money(v.price, currency, `variants.${j}.price`);
  const quantity = v.inventory_quantity;
  if (quantity !== undefined && quantity !== null && !Number.isSafeInteger(quantity)) throw new Bad(`variants.${j}.inventory_quantity`, 'must be a whole number');
  const counted = v.inventory_management !== null && v.inventory_policy !== 'continue';
  if (quantity !== undefined) variant.inventory_quantity = counted ? (quantity as number | null) : null;
  return variant;
}
