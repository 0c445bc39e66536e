/**
 * Behavioural features of every buyer (a customer with at least one order that was not
 * cancelled), as of a date. Two kinds:
 * - **how they buy** (the clustering sees these): basket size, price level, share of orders with a
 *   discount, returns per order, share of orders in November–December, share of spend in each of
 *   the store's top categories, share of orders in each of its top channels, product views per
 *   order, and the median days between orders (repeat buyers only);
 * - **how much** (describing only): days since the last order, orders and spend. These are RFM;
 *   each persona already reports them through its size, revenue share, CLV and retention.
 * The orders/returns/events reads live here until those modules expose summaries through their services.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { DAY_MS } from '../../lib/time.js';

export interface FeatureDef {
  key: string;
  label: string;
  /** Clustering uses log1p of heavy-tailed counts, amounts and ratios, so a few whales do not form their own persona. */
  log: boolean;
  unit: 'days' | 'count' | 'money' | 'share' | 'per_customer' | 'ratio';
  /** False for the describing features (recency, orders, spend): shown beside each persona, not clustered on. */
  clustered: boolean;
  /** Known only for some buyers (the gap between orders needs two orders); missing values are NaN. */
  partial?: 'repeat_buyers';
}

export interface BuyerFeatures {
  customerIds: number[];
  defs: FeatureDef[];
  /** Raw values, one row per customer, columns as `defs`; NaN where a partial feature is unknown. */
  values: number[][];
  revenue: number[];
  firstOrderAt: Date[];
  lastOrderAt: Date[];
  currency: string;
}

/**
 * Each feature's weight in the clustering distance: 0 for the describing features; the category
 * mix and the channel mix are blocks of several shares each, scaled by 1/√(block size) so each block
 * weighs like one feature, or the clusters would split on product category alone.
 */
export function clusterWeights(defs: FeatureDef[]): number[] {
  const blockSize = (prefix: string) => defs.filter((d) => d.key.startsWith(prefix)).length;
  return defs.map((d) => {
    if (!d.clustered) return 0;
    const prefix = d.key.includes(':') ? d.key.slice(0, d.key.indexOf(':') + 1) : '';
    return prefix ? 1 / Math.sqrt(blockSize(prefix)) : 1;
  });
}

const TOP_CATEGORIES = 4;
const TOP_CHANNELS = 3;

interface BaseRow {
  customer_id: number; orders: number; revenue: number; aov: number; first_at: Date; last_at: Date;
  discount_share: number; holiday_share: number; gap_days: number | null; returns: number; views: number;
}

export async function buyerFeatures(db: Db, storeId: string, asOf: Date): Promise<BuyerFeatures> {
  const base = await sql<BaseRow>`
    with o as (
      select customer_id, placed_at, total, discount, discount_codes from orders
      where store_id = ${storeId} and customer_id is not null and status <> 'cancelled' and placed_at <= ${asOf}
    ), per as (
      select customer_id, count(*) as orders, sum(total) as revenue, avg(total) as aov, min(placed_at) as first_at, max(placed_at) as last_at,
        avg(case when discount > 0 or len(discount_codes) > 0 then 1.0 else 0.0 end) as discount_share,
        avg(case when month(placed_at) in (11, 12) then 1.0 else 0.0 end) as holiday_share
      from o group by customer_id
    ), gaps as (
      select customer_id, date_diff('second', lag(placed_at) over (partition by customer_id order by placed_at), placed_at) / 86400.0 as gap from o
    ), g as (
      select customer_id, median(gap) as gap_days from gaps where gap is not null group by customer_id
    ), r as (
      select customer_id, count(*) as n from returns where store_id = ${storeId} and customer_id is not null and returned_at <= ${asOf} group by customer_id
    ), e as (
      select customer_id, count(*) as n from events
      where store_id = ${storeId} and customer_id is not null and occurred_at <= ${asOf} and name = 'Product Viewed' group by customer_id
    )
    select per.*, g.gap_days, coalesce(r.n, 0) as returns, coalesce(e.n, 0) as views
    from per left join g using (customer_id) left join r using (customer_id) left join e using (customer_id)
    order by per.customer_id`.execute(db);

  const categories = await sql<{ customer_id: number; category: string; share: number }>`
    with spend as (
      select o.customer_id, p.category, sum(l.total) as amount
      from orders o join order_lines l on l.store_id = o.store_id and l.order_id = o.id
      join products p on p.store_id = l.store_id and p.id = l.product_id
      where o.store_id = ${storeId} and o.customer_id is not null and o.status <> 'cancelled' and o.placed_at <= ${asOf} and p.category is not null
      group by 1, 2
    ), top as (select category from spend group by category order by sum(amount) desc, category limit ${TOP_CATEGORIES})
    select s.customer_id, s.category, s.amount / sum(s.amount) over (partition by s.customer_id) as share
    from spend s qualify s.category in (select category from top)`.execute(db);

  // Price level: what the buyer paid per item against the median item price of the same category
  // (lines without a category are compared with the other uncategorised lines), weighted by
  // quantity: 1 = the category's typical price, 2 = twice it. Discounts are not in unit prices,
  // so this is the shelf price of what they choose, not what they paid after codes.
  const prices = await sql<{ customer_id: number; price_level: number }>`
    with l as (
      select o.customer_id, coalesce(p.category, '') as category, l.unit_price, l.quantity
      from orders o join order_lines l on l.store_id = o.store_id and l.order_id = o.id
      left join products p on p.store_id = l.store_id and p.id = l.product_id
      where o.store_id = ${storeId} and o.customer_id is not null and o.status <> 'cancelled' and o.placed_at <= ${asOf}
        and l.unit_price > 0 and l.quantity > 0
    ), m as (select category, median(unit_price) as median_price from l group by category)
    select customer_id, sum(unit_price * quantity) / sum(median_price * quantity) as price_level
    from l join m using (category) group by customer_id`.execute(db);

  const channels = await sql<{ customer_id: number; channel: string; share: number }>`
    with c as (
      select customer_id, coalesce(channel, 'unknown') as channel, count(*) as n from orders
      where store_id = ${storeId} and customer_id is not null and status <> 'cancelled' and placed_at <= ${asOf} group by 1, 2
    ), top as (select channel from c group by channel order by sum(n) desc, channel limit ${TOP_CHANNELS})
    select customer_id, channel, n / sum(n) over (partition by customer_id) as share from c qualify channel in (select channel from top)`.execute(db);

  const currency = await sql<{ currency: string }>`select currency from orders where store_id = ${storeId} group by currency order by count(*) desc limit 1`.execute(db);

  const categoryNames = [...new Set(categories.rows.map((r) => r.category))].sort();
  const channelNames = [...new Set(channels.rows.map((r) => r.channel))].sort();
  const defs: FeatureDef[] = [
    { key: 'recency_days', label: 'days since last order', log: true, unit: 'days', clustered: false },
    { key: 'orders', label: 'orders', log: true, unit: 'count', clustered: false },
    { key: 'revenue', label: 'spend', log: true, unit: 'money', clustered: false },
    { key: 'aov', label: 'average order', log: true, unit: 'money', clustered: true },
    { key: 'price_level', label: 'item price against the category median', log: true, unit: 'ratio', clustered: true },
    { key: 'discount_share', label: 'orders with a discount', log: false, unit: 'share', clustered: true },
    { key: 'return_rate', label: 'returns per order', log: false, unit: 'per_customer', clustered: true },
    { key: 'holiday_share', label: 'orders in Nov–Dec', log: false, unit: 'share', clustered: true },
    { key: 'order_gap_days', label: 'days between orders', log: true, unit: 'days', clustered: true, partial: 'repeat_buyers' },
    { key: 'views_per_order', label: 'product views per order', log: true, unit: 'per_customer', clustered: true },
    ...categoryNames.map((c) => ({ key: `category:${c}`, label: `spend on ${c}`, log: false, unit: 'share' as const, clustered: true })),
    // One channel alone separates nobody.
    ...(channelNames.length > 1 ? channelNames.map((c) => ({ key: `channel:${c}`, label: `orders via ${c}`, log: false, unit: 'share' as const, clustered: true })) : []),
  ];
  const column = new Map(defs.map((d, i) => [d.key, i]));
  const rowOf = new Map<number, number[]>();
  const customerIds: number[] = [];
  const values: number[][] = [];
  const revenue: number[] = [];
  const firstOrderAt: Date[] = [];
  const lastOrderAt: Date[] = [];
  for (const r of base.rows) {
    const row = new Array<number>(defs.length).fill(0);
    const orders = Number(r.orders);
    row[column.get('recency_days')!] = Math.max(0, (asOf.getTime() - r.last_at.getTime()) / DAY_MS);
    row[column.get('orders')!] = orders;
    row[column.get('revenue')!] = r.revenue;
    row[column.get('aov')!] = r.aov;
    row[column.get('discount_share')!] = r.discount_share;
    row[column.get('return_rate')!] = Number(r.returns) / orders;
    row[column.get('holiday_share')!] = r.holiday_share;
    // A one-order buyer has no gap: unknown, not 0 (which would read as "buys twice a day").
    row[column.get('order_gap_days')!] = r.gap_days === null ? Number.NaN : r.gap_days;
    row[column.get('views_per_order')!] = Number(r.views) / orders;
    // Until their lines are known (no lines, or only free items) a buyer is at the typical price.
    row[column.get('price_level')!] = 1;
    rowOf.set(r.customer_id, row);
    customerIds.push(r.customer_id);
    values.push(row);
    revenue.push(r.revenue);
    firstOrderAt.push(r.first_at);
    lastOrderAt.push(r.last_at);
  }
  for (const r of prices.rows) {
    const row = rowOf.get(r.customer_id);
    if (row && Number.isFinite(r.price_level)) row[column.get('price_level')!] = r.price_level;
  }
  for (const r of categories.rows) {
    const row = rowOf.get(r.customer_id);
    if (row) row[column.get(`category:${r.category}`)!] = r.share;
  }
  for (const r of channels.rows) {
    const row = rowOf.get(r.customer_id);
    const at = column.get(`channel:${r.channel}`);
    if (row && at !== undefined) row[at] = r.share;
  }
  return { customerIds, defs, values, revenue, firstOrderAt, lastOrderAt, currency: currency.rows[0]?.currency ?? 'USD' };
}
