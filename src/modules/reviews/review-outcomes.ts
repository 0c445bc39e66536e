/**
 * What ratings say about what happens next (docs/listen.md, "Ratings, returns and repeat
 * purchases"), in the store's own data up to `asOf`, rejected reviews left out:
 *
 * - repeat rate within 90 days after each customer's first review, by the rating it gave;
 * - return rate by rating: of the reviews naming their order, the share whose product came back
 *   from that order;
 * - per reviewed product: its mean rating, the share of its order lines returned and the share of
 *   its buyers who ordered again within 90 days of their first purchase of it, each with Wilson's
 *   interval and compared with the rest of the store; and across the products with enough
 *   reviews, Spearman's correlation of the mean rating with each rate.
 *
 * An order line counts as returned when a return of its order lists the product, or lists no
 * lines at all (a refund of the whole order). These are associations, not effects.
 */
import { sql } from 'kysely';
import { spearman, wilson, type RankCorrelation } from '../../lib/statistics/index.js';
import { REPEAT_WINDOW_DAYS, repeatedAfter, retentionRows, type RetentionRow } from '../support/index.js';
import type { ReviewsDb } from './reviews.table.js';

export const REVIEW_OUTCOMES_NOTE = 'Associations in this store\'s data, not effects: a low rating and a return often have the same cause.';

/** A product enters the correlations with at least this many reviews. */
export const MIN_PRODUCT_REVIEWS = 5;
const RATINGS = ['5', '4', '3', '2', '1'] as const;
const DAY = 86_400_000;

export interface Rate { count: number; of: number; rate: number | null; low: number | null; high: number | null }

export interface ProductOutcome {
  product_id: string;
  product_title: string | null;
  reviews: number;
  average: number;
  /** Orders with the product (not cancelled) and how many sent it back. */
  returns: Rate;
  /** Buyers whose first purchase of the product is 90 days old, and how many ordered again within them. */
  repeat: Rate;
  /** The return rate's interval lies above the rest of the store's rate. */
  more_returns: boolean;
  /** The repeat rate's interval lies below the rest of the store's rate. */
  less_repeat: boolean;
}

export interface ReviewOutcomes {
  as_of: Date;
  window_days: number;
  min_reviews: number;
  /** Repeat rate within 90 days after each customer's first review, by its rating (5 … 1). */
  repeat_by_rating: RetentionRow[];
  /** Of the reviews naming their order, the share whose product was returned from it, by rating. */
  returns_by_rating: (Rate & { rating: number })[];
  /** Over every product's order lines and buyers. */
  store: { returns: Rate; repeat: Rate };
  /** Across the products with at least min_reviews reviews: the mean rating against each rate. */
  rating_vs_returns: RankCorrelation | null;
  rating_vs_repeat: RankCorrelation | null;
  /** Reviewed products, those flagged first, then the lowest rated. */
  products: ProductOutcome[];
}

function rate(count: number, of: number): Rate {
  if (of === 0) return { count, of, rate: null, low: null, high: null };
  const ci = wilson(count, of);
  return { count, of, rate: count / of, low: ci.low, high: ci.high };
}

/** Each customer's first review up to the cutoff, by its rating, and whether they ordered within 90 days after it. */
export async function reviewRatingRetention(db: ReviewsDb, storeId: string, asOf: Date): Promise<RetentionRow[]> {
  const cutoff = new Date(asOf.getTime() - REPEAT_WINDOW_DAYS * DAY);
  const { rows } = await sql<{ customer_id: number; rating: number; reviewed_at: Date }>`
    select customer_id, rating, reviewed_at from (
      select customer_id, rating, reviewed_at, row_number() over (partition by customer_id order by reviewed_at, id) as n
      from reviews where store_id = ${storeId} and status <> 'rejected' and customer_id is not null and reviewed_at <= ${cutoff}) r where n = 1`.execute(db);
  const firsts = rows.map((r) => ({ customer_id: Number(r.customer_id), at: r.reviewed_at, rating: Number(r.rating) }));
  const repeated = await repeatedAfter(db, storeId, firsts);
  return retentionRows(RATINGS, firsts.map((f) => ({ group: String(f.rating), repeated: repeated.has(f.customer_id) })));
}

export async function reviewOutcomes(db: ReviewsDb, storeId: string, asOf: Date): Promise<ReviewOutcomes> {
  const cutoff = new Date(asOf.getTime() - REPEAT_WINDOW_DAYS * DAY);
  const returned = sql`
    returned as (
      select distinct r.order_id, rl.product_id from returns r left join return_lines rl on rl.store_id = r.store_id and rl.return_id = r.id
      where r.store_id = ${storeId} and r.order_id is not null and r.returned_at <= ${asOf}
    ), lines as (
      select distinct ol.product_id, o.id as order_id, o.external_id as order_external_id, o.customer_id, o.placed_at,
        exists (select 1 from returned x where x.order_id = o.id and (x.product_id = ol.product_id or x.product_id is null)) as returned
      from order_lines ol join orders o on o.store_id = ol.store_id and o.id = ol.order_id
      where ol.store_id = ${storeId} and ol.product_id is not null and o.status <> 'cancelled' and o.placed_at <= ${asOf}
    )`;
  const [byRating, perProduct, reviewed, repeatByRating] = await Promise.all([
    sql<{ rating: number; reviews: number; returned: number }>`
      with ${returned}
      select v.rating, count(*) as reviews, count(*) filter (where l.returned) as returned
      from reviews v join products p on p.store_id = v.store_id and p.external_id = v.product_external_id
      join lines l on l.order_external_id = v.order_external_id and l.product_id = p.id
      where v.store_id = ${storeId} and v.status <> 'rejected' and v.reviewed_at <= ${asOf}
      group by v.rating`.execute(db),
    sql<{ product_id: number; lines: number; returned: number; buyers: number; repeaters: number }>`
      with ${returned}, firsts as (
        select product_id, customer_id, min(placed_at) as at from lines where customer_id is not null group by product_id, customer_id
      ), repeat as (
        select f.product_id, count(*) as buyers,
          count(*) filter (where exists (select 1 from orders o where o.store_id = ${storeId} and o.customer_id = f.customer_id and o.status <> 'cancelled'
            and o.placed_at > f.at and o.placed_at <= f.at + ${`${REPEAT_WINDOW_DAYS} days`}::interval)) as repeaters
        from firsts f where f.at <= ${cutoff} group by f.product_id
      ), product_returns as (
        select product_id, count(*) as lines, count(*) filter (where returned) as returned from lines group by product_id
      )
      select r.product_id, r.lines, r.returned, coalesce(p.buyers, 0) as buyers, coalesce(p.repeaters, 0) as repeaters
      from product_returns r left join repeat p on p.product_id = r.product_id`.execute(db),
    sql<{ product_id: number | null; external_id: string; title: string | null; reviews: number; average: number }>`
      select p.id as product_id, v.product_external_id as external_id, coalesce(p.title, max(v.product_title)) as title, count(*) as reviews, avg(v.rating) as average
      from reviews v left join products p on p.store_id = v.store_id and p.external_id = v.product_external_id
      where v.store_id = ${storeId} and v.status <> 'rejected' and v.reviewed_at <= ${asOf}
      group by p.id, v.product_external_id, p.title`.execute(db),
    reviewRatingRetention(db, storeId, asOf),
  ]);

  const counts = new Map(perProduct.rows.map((r) => [Number(r.product_id), { lines: Number(r.lines), returned: Number(r.returned), buyers: Number(r.buyers), repeaters: Number(r.repeaters) }]));
  const total = { lines: 0, returned: 0, buyers: 0, repeaters: 0 };
  for (const c of counts.values()) for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += c[key];

  const products = reviewed.rows.map((row): ProductOutcome => {
    const c = (row.product_id === null ? undefined : counts.get(Number(row.product_id))) ?? { lines: 0, returned: 0, buyers: 0, repeaters: 0 };
    const returns = rate(c.returned, c.lines);
    const repeat = rate(c.repeaters, c.buyers);
    // Compared with the rest of the store, so a product with most of the sales is not compared with itself.
    const otherReturns = total.lines - c.lines ? (total.returned - c.returned) / (total.lines - c.lines) : null;
    const otherRepeat = total.buyers - c.buyers ? (total.repeaters - c.repeaters) / (total.buyers - c.buyers) : null;
    return {
      product_id: row.external_id, product_title: row.title, reviews: Number(row.reviews), average: Math.round(Number(row.average) * 100) / 100, returns, repeat,
      more_returns: returns.low !== null && otherReturns !== null && returns.low > otherReturns,
      less_repeat: repeat.high !== null && otherRepeat !== null && repeat.high < otherRepeat,
    };
  });
  const flagged = (p: ProductOutcome) => Number(p.more_returns) + Number(p.less_repeat);
  products.sort((a, b) => flagged(b) - flagged(a) || a.average - b.average || b.reviews - a.reviews || a.product_id.localeCompare(b.product_id));

  const correlate = (pick: (p: ProductOutcome) => number | null) => {
    const pairs = products.filter((p) => p.reviews >= MIN_PRODUCT_REVIEWS && pick(p) !== null);
    return spearman(pairs.map((p) => p.average), pairs.map((p) => pick(p)!));
  };
  const ratings = new Map(byRating.rows.map((r) => [Number(r.rating), r]));
  return {
    as_of: asOf, window_days: REPEAT_WINDOW_DAYS, min_reviews: MIN_PRODUCT_REVIEWS,
    repeat_by_rating: repeatByRating,
    returns_by_rating: [5, 4, 3, 2, 1].map((rating) => ({ rating, ...rate(Number(ratings.get(rating)?.returned ?? 0), Number(ratings.get(rating)?.reviews ?? 0)) })),
    store: { returns: rate(total.returned, total.lines), repeat: rate(total.repeaters, total.buyers) },
    rating_vs_returns: correlate((p) => p.returns.rate),
    rating_vs_repeat: correlate((p) => p.repeat.rate),
    products,
  };
}
