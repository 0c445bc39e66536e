/**
 * Review analytics (docs/listen.md, "Review analytics"):
 * - review rate: of the orders delivered in the range, the share with at least one review naming
 *   the order (any source, rejected reviews excepted); the reviews of those orders are counted too;
 * - per product, over the reviews written in the range (rejected excepted): the count, the mean
 *   rating, and the month-by-month count and mean in the store's time zone — the trend.
 */
import { sql } from 'kysely';
import type { ReviewsDb } from './reviews.table.js';

export interface ProductRating {
  product_id: string;
  product_title: string | null;
  reviews: number;
  average: number;
  /** Months (YYYY-MM, store time) with reviews, oldest first. */
  months: { month: string; reviews: number; average: number }[];
}

export interface ReviewAnalytics {
  from: Date;
  to: Date;
  delivered_orders: number;
  reviewed_orders: number;
  /** reviewed_orders ÷ delivered_orders; null without deliveries. */
  review_rate: number | null;
  /** Reviews naming one of the delivered orders. */
  reviews_of_delivered_orders: number;
  products: ProductRating[];
}

const round = (value: number, places = 2) => Math.round(value * 10 ** places) / 10 ** places;

export async function reviewAnalytics(db: ReviewsDb, storeId: string, timeZone: string, from: Date, to: Date): Promise<ReviewAnalytics> {
  const { rows: rate } = await sql<{ delivered: number; reviewed: number; reviews: number }>`
    with delivered as (
      select distinct o.external_id from fulfillments f join orders o on o.store_id = f.store_id and o.id = f.order_id
      where f.store_id = ${storeId} and f.delivered_at >= ${from} and f.delivered_at < ${to}
    ), written as (
      select order_external_id, count(*) as n from reviews
      where store_id = ${storeId} and status <> 'rejected' and order_external_id is not null group by order_external_id
    )
    select count(*) as delivered, count(w.n) as reviewed, coalesce(sum(w.n), 0) as reviews
    from delivered d left join written w on w.order_external_id = d.external_id`.execute(db);
  const delivered = Number(rate[0]?.delivered ?? 0);
  const reviewed = Number(rate[0]?.reviewed ?? 0);

  const rows = await db.selectFrom('reviews').select(['product_external_id', 'product_title', 'rating', 'reviewed_at']).where('store_id', '=', storeId)
    .where('status', '<>', 'rejected').where('reviewed_at', '>=', from).where('reviewed_at', '<', to).execute();
  const monthOf = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' });
  const products = new Map<string, { title: string | null; sum: number; n: number; months: Map<string, { sum: number; n: number }> }>();
  for (const row of rows) {
    const product = products.get(row.product_external_id) ?? { title: null, sum: 0, n: 0, months: new Map() };
    product.title ??= row.product_title;
    product.sum += Number(row.rating);
    product.n += 1;
    const month = monthOf.format(row.reviewed_at).slice(0, 7);
    const bucket = product.months.get(month) ?? { sum: 0, n: 0 };
    bucket.sum += Number(row.rating);
    bucket.n += 1;
    product.months.set(month, bucket);
    products.set(row.product_external_id, product);
  }
  const titles = new Map((await db.selectFrom('products').select(['external_id', 'title']).where('store_id', '=', storeId)
    .where('external_id', 'in', products.size ? [...products.keys()] : ['']).execute()).map((p) => [p.external_id, p.title]));
  return {
    from, to, delivered_orders: delivered, reviewed_orders: reviewed, review_rate: delivered === 0 ? null : round(reviewed / delivered, 4),
    reviews_of_delivered_orders: Number(rate[0]?.reviews ?? 0),
    products: [...products].map(([id, p]) => ({
      product_id: id, product_title: titles.get(id) ?? p.title, reviews: p.n, average: round(p.sum / p.n),
      months: [...p.months].sort(([a], [b]) => a.localeCompare(b)).map(([month, b]) => ({ month, reviews: b.n, average: round(b.sum / b.n) })),
    })).sort((a, b) => b.reviews - a.reviews || a.product_id.localeCompare(b.product_id)),
  };
}
