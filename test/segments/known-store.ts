/**
 * A store whose segment memberships are known by construction. The clock for every rule is
 * AS_OF (2026-06-01). A second store holds a copy of Ann, who must never appear in the first.
 */
import type { Storage } from '../../src/db/database.js';
import { day, StoreBuilder } from '../helpers/segments-data.js';

export const AS_OF = new Date('2026-06-01T00:00:00Z');
export const STORE = 'st_known';
export const OTHER_STORE = 'st_other';

export type KnownIds = Record<'ann' | 'bob' | 'cat' | 'dan' | 'fay', number>;

export async function buildKnownStore(storage: Storage, storeId = STORE, otherStoreId = OTHER_STORE): Promise<{ ids: KnownIds; builder: StoreBuilder }> {
  const b = new StoreBuilder(storage, storeId);
  await b.product('P-SHOE', 'shoes');
  await b.product('P-BOOK', 'books');
  await b.product('P-TOY', 'toys');

  const ann = await b.customer({
    external_id: 'c-ann', email: 'ann@example.com', first_name: 'Ann', last_name: 'Archer', country: 'US', accepts_marketing: true,
    tags: ['vip', 'wholesale'], attributes: { plan: 'gold', age: 34, newsletter: true },
  });
  const o1 = await b.order(ann, { external_id: 'o-ann-1', placed_at: day('2025-02-01'), total: 10_000, discount: 1_000, discount_codes: ['SUMMER10'], products: ['P-SHOE'] });
  await b.order(ann, { external_id: 'o-ann-2', placed_at: day('2026-01-10'), total: 5_000, products: ['P-BOOK'] });
  await b.order(ann, { external_id: 'o-ann-3', placed_at: day('2026-05-25'), total: 20_000, products: ['P-SHOE', 'P-BOOK'] });
  await b.return(ann, o1, day('2026-05-28'), 3_000);
  await b.event(ann, 'Product Viewed', day('2026-05-27'), { category: 'shoes', price: 80 });
  await b.event(ann, 'Product Viewed', day('2026-05-30'), { category: 'shoes', price: 120 });

  const bob = await b.customer({ external_id: 'c-bob', email: 'bob@gmail.com', first_name: 'Bob', country: 'GB', attributes: { plan: 'free', age: 'unknown' } });
  await b.order(bob, { external_id: 'o-bob-1', placed_at: day('2026-05-20'), total: 4_000, products: ['P-BOOK'] });
  for (const d of ['2026-05-26', '2026-05-28', '2026-05-31']) await b.event(bob, 'Product Viewed', day(d), { category: 'shoes', price: 60 });
  await b.event(bob, 'Product Viewed', day('2026-05-29'), { category: 'books', price: 15 });

  const cat = await b.customer({ external_id: 'c-cat', email: 'Cat@Gmail.com', first_name: 'Cat', country: 'US', created_at: day('2026-05-15') });
  await b.event(cat, 'Product Viewed', day('2026-05-30'), { category: 'shoes', price: 70 });
  await b.event(cat, 'Product Viewed', day('2026-04-01'), { category: 'shoes', price: 70 });

  const dan = await b.customer({ external_id: 'c-dan', email: null, first_name: 'Dan', country: 'DE' });
  await b.order(dan, { external_id: 'o-dan-1', placed_at: day('2024-03-01'), total: 50_000, products: ['P-TOY'] });
  await b.order(dan, { external_id: 'o-dan-2', placed_at: day('2026-05-30'), total: 9_000, status: 'cancelled', products: ['P-SHOE'] });

  const fay = await b.customer({ external_id: 'c-fay', email: 'fay@example.com', first_name: 'Fay', country: 'US', accepts_marketing: true, tags: ['wholesale'] });
  await b.order(fay, { external_id: 'o-fay-1', placed_at: day('2026-05-10'), total: 3_000, products: ['P-TOY'] });
  await b.order(fay, { external_id: 'o-fay-2', placed_at: day('2026-05-15'), total: 6_000, discount: 500, discount_codes: ['WELCOME'], products: ['P-BOOK'] });

  // A guest order counts for nobody.
  await b.order(null, { external_id: 'o-guest', placed_at: day('2026-05-29'), total: 99_000, products: ['P-SHOE'] });

  const other = new StoreBuilder(storage, otherStoreId);
  const eve = await other.customer({ external_id: 'c-ann', email: 'ann@example.com', first_name: 'Ann', country: 'US', accepts_marketing: true, tags: ['vip'] });
  await other.order(eve, { external_id: 'o-ann-1', placed_at: day('2026-05-25'), total: 20_000 });

  return { ids: { ann, bob, cat, dan, fay }, builder: b };
}
