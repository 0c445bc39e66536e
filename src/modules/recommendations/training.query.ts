/**
 * Trains the recommendation models of a store from its orders placed before a cutoff, in DuckDB
 * SQL: buyers and reorder figures per product, customer-level co-purchase pairs (cosine over
 * recency-weighted buyers, damped by the pair's count), and the products bought in the second
 * order after each first-order product. Counted orders: with a customer, not cancelled.
 */
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import { tuning, type CustomerHistory, type Neighbour, type ProductStats, type TrainedModel } from './model.types.js';

/** The order lines a model learns from: one row per customer, order and product, before the cutoff. */
export const linesBefore = (storeId: string, cutoff: string) => sql`
  select distinct o.customer_id, o.id as order_id, o.placed_at, l.product_id
  from orders o join order_lines l on l.store_id = o.store_id and l.order_id = o.id
  where o.store_id = ${storeId} and o.customer_id is not null and l.product_id is not null
    and o.status <> 'cancelled' and o.placed_at < cast(${cutoff} as timestamp)
`;

interface NeighbourRow { product_id: number; other_id: number; customers: number; score: number; confidence: number }
interface ProductRow { product_id: number; title: string; customers: number; weight: number; repeat_customers: number; returning: number; reorder_days: number | null }

async function productStats(storage: Storage, storeId: string, cutoff: string): Promise<ProductRow[]> {
  const result = await sql<ProductRow>`
    with lines as (${linesBefore(storeId, cutoff)}),
    days as (select distinct customer_id, product_id, cast(placed_at as date) as day from lines),
    comebacks as (select customer_id from lines group by customer_id having count(distinct cast(placed_at as date)) > 1),
    gaps as (
      select customer_id, product_id, day,
        date_diff('day', lag(day) over (partition by customer_id, product_id order by day), day) as gap
      from days
    ),
    per_customer as (
      select customer_id, product_id, max(day) as last_day, count(*) as purchase_days, median(gap) as gap
      from gaps group by customer_id, product_id
    )
    select pc.product_id, coalesce(p.title, p.external_id) as title,
      count(*) as customers,
      sum(pow(0.5, date_diff('day', pc.last_day, cast(cast(${cutoff} as timestamp) as date)) / ${tuning.halfLifeDays})) as weight,
      count(*) filter (where pc.purchase_days > 1) as repeat_customers,
      count(*) filter (where pc.customer_id in (select customer_id from comebacks)) as returning,
      median(pc.gap) as reorder_days
    from per_customer pc join products p on p.store_id = ${storeId} and p.id = pc.product_id
    group by pc.product_id, p.title, p.external_id
  `.execute(storage.read);
  return result.rows;
}

async function neighbours(storage: Storage, storeId: string, cutoff: string): Promise<NeighbourRow[]> {
  const result = await sql<NeighbourRow>`
    with lines as (${linesBefore(storeId, cutoff)}),
    items as (
      select customer_id, product_id,
        pow(0.5, date_diff('day', max(placed_at), cast(${cutoff} as timestamp)) / ${tuning.halfLifeDays}) as w,
        max(placed_at) as last_at
      from lines group by customer_id, product_id
      qualify row_number() over (partition by customer_id order by last_at desc, product_id) <= ${tuning.itemsPerCustomer}
    ),
    popularity as (select product_id, sum(w) as weight, count(*) as buyers from items group by product_id),
    everyone as (select count(distinct customer_id) as customers from items),
    pairs as (
      select a.product_id, b.product_id as other_id, count(*) as customers, sum(least(a.w, b.w)) as weight
      from items a join items b on a.customer_id = b.customer_id and a.product_id <> b.product_id
      group by a.product_id, b.product_id
    )
    select p.product_id, p.other_id, p.customers,
      p.weight / sqrt(pa.weight * pb.weight) * (p.customers / (p.customers + ${tuning.shrink})) as score,
      (p.customers + ${tuning.confidencePrior} * pb.buyers / e.customers) / (pa.buyers + ${tuning.confidencePrior}) as confidence
    from pairs p join popularity pa on pa.product_id = p.product_id join popularity pb on pb.product_id = p.other_id cross join everyone e
    qualify row_number() over (partition by p.product_id order by score desc, p.other_id) <= ${tuning.neighbours}
  `.execute(storage.read);
  return result.rows;
}

async function nextProducts(storage: Storage, storeId: string, cutoff: string): Promise<NeighbourRow[]> {
  const result = await sql<NeighbourRow>`
    with lines as (${linesBefore(storeId, cutoff)}),
    ranked as (
      select customer_id, product_id, dense_rank() over (partition by customer_id order by placed_at, order_id) as nth from lines
    ),
    firsts as (select distinct customer_id, product_id from ranked where nth = 1),
    seconds as (select distinct customer_id, product_id from ranked where nth = 2),
    starters as (select product_id, count(*) as customers from firsts group by product_id),
    links as (
      select f.product_id, s.product_id as other_id, count(*) as customers
      from firsts f join seconds s on s.customer_id = f.customer_id
      group by f.product_id, s.product_id
    )
    select l.product_id, l.other_id, l.customers, l.customers / (st.customers + ${tuning.shrink}) as score,
      l.customers / (st.customers + ${tuning.shrink}) as confidence
    from links l join starters st on st.product_id = l.product_id
    qualify row_number() over (partition by l.product_id order by score desc, l.other_id) <= ${tuning.neighbours}
  `.execute(storage.read);
  return result.rows;
}

/**
 * Co-views: products viewed by the same customers (`Product Viewed` track events of known
 * customers whose `product_id` property names a product's external id, in the `viewDays` before
 * the cutoff; each customer's `viewsPerCustomer` most recently viewed products). Scored like
 * co-purchases — a cosine over viewers damped by the pair's count — and the confidence is the
 * share of a product's viewers who viewed the other, shrunk towards its base rate.
 */
async function coViews(storage: Storage, storeId: string, cutoff: string): Promise<NeighbourRow[]> {
  const since = new Date(new Date(cutoff).getTime() - tuning.viewDays * 86_400_000).toISOString();
  const result = await sql<NeighbourRow>`
    with views as (
      select e.customer_id, p.id as product_id, max(e.occurred_at) as last_at
      from events e join products p on p.store_id = e.store_id and p.external_id = json_extract_string(e.properties, '$.product_id')
      where e.store_id = ${storeId} and e.name = 'Product Viewed' and e.customer_id is not null
        and e.occurred_at < cast(${cutoff} as timestamp) and e.occurred_at >= cast(${since} as timestamp)
      group by e.customer_id, p.id
      qualify row_number() over (partition by e.customer_id order by last_at desc, p.id) <= ${tuning.viewsPerCustomer}
    ),
    viewers as (select product_id, count(*) as viewers from views group by product_id),
    everyone as (select count(distinct customer_id) as customers from views),
    pairs as (
      select a.product_id, b.product_id as other_id, count(*) as customers
      from views a join views b on a.customer_id = b.customer_id and a.product_id <> b.product_id
      group by a.product_id, b.product_id
    )
    select p.product_id, p.other_id, p.customers,
      p.customers / sqrt(va.viewers * vb.viewers) * (p.customers / (p.customers + ${tuning.shrink})) as score,
      (p.customers + ${tuning.confidencePrior} * vb.viewers / e.customers) / (va.viewers + ${tuning.confidencePrior}) as confidence
    from pairs p join viewers va on va.product_id = p.product_id join viewers vb on vb.product_id = p.other_id cross join everyone e
    qualify row_number() over (partition by p.product_id order by score desc, p.other_id) <= ${tuning.neighbours}
  `.execute(storage.read);
  return result.rows;
}

function groupNeighbours(rows: NeighbourRow[]): Map<number, Neighbour[]> {
  const out = new Map<number, Neighbour[]>();
  for (const row of rows) {
    const list = out.get(Number(row.product_id)) ?? [];
    list.push({ productId: Number(row.other_id), customers: Number(row.customers), score: Number(row.score), confidence: Number(row.confidence) });
    out.set(Number(row.product_id), list);
  }
  for (const list of out.values()) list.sort((a, b) => b.score - a.score || a.productId - b.productId);
  return out;
}

/**
 * A product's reorder rate: among its buyers who came back at all, the share who bought it again,
 * shrunk towards the store's rate with `reorderPrior` pseudo-buyers. With no returning customer in
 * the store there is no evidence either way, and the rate is one half.
 */
export function reorderRates(rows: { repeatCustomers: number; returning: number }[]): number[] {
  const repeats = rows.reduce((s, r) => s + r.repeatCustomers, 0);
  const returning = rows.reduce((s, r) => s + r.returning, 0);
  const storeRate = returning > 0 ? repeats / returning : 0.5;
  return rows.map((r) => (r.repeatCustomers + tuning.reorderPrior * storeRate) / (r.returning + tuning.reorderPrior));
}

/** Trains every model on the store's orders placed before `cutoff` (an ISO instant or day). */
export async function trainModels(storage: Storage, storeId: string, cutoff: string): Promise<TrainedModel> {
  const [rows, together, next, counted, viewed] = await Promise.all([
    productStats(storage, storeId, cutoff), neighbours(storage, storeId, cutoff), nextProducts(storage, storeId, cutoff),
    sql<{ customers: number }>`with lines as (${linesBefore(storeId, cutoff)}) select count(distinct customer_id) as customers from lines`.execute(storage.read),
    coViews(storage, storeId, cutoff),
  ]);
  const rates = reorderRates(rows.map((r) => ({ repeatCustomers: Number(r.repeat_customers), returning: Number(r.returning) })));
  const products = new Map<number, ProductStats>();
  rows.forEach((r, i) => products.set(Number(r.product_id), {
    productId: Number(r.product_id), title: r.title, customers: Number(r.customers), weight: Number(r.weight),
    repeatCustomers: Number(r.repeat_customers), reorderDays: r.reorder_days === null ? null : Number(r.reorder_days), reorderRate: rates[i]!,
  }));
  const popular = [...products.values()].sort((a, b) => b.weight - a.weight || b.customers - a.customers || a.productId - b.productId).map((p) => p.productId);
  return {
    trainedBefore: new Date(cutoff), customers: Number(counted.rows[0]?.customers ?? 0), products,
    together: groupNeighbours(together), next: groupNeighbours(next), coviews: groupNeighbours(viewed), popular,
  };
}

/** The orders before `cutoff` of the given customers (all of the store's when `customerIds` is null), grouped per customer. */
export async function customerHistories(storage: Storage, storeId: string, cutoff: string, customerIds: number[] | null): Promise<Map<number, CustomerHistory>> {
  const filter = customerIds === null ? sql`true` : customerIds.length === 0 ? sql`false`
    : sql`customer_id in (${sql.join(customerIds.map((id) => sql`${id}`))})`;
  const result = await sql<{ customer_id: number; order_id: number; placed_at: Date; product_id: number }>`
    with lines as (${linesBefore(storeId, cutoff)})
    select customer_id, order_id, placed_at, product_id from lines where ${filter}
    order by customer_id, placed_at, order_id, product_id
  `.execute(storage.read);
  const out = new Map<number, CustomerHistory>();
  let lastOrder = -1;
  for (const row of result.rows) {
    const customerId = Number(row.customer_id);
    const history = out.get(customerId) ?? { customerId, orders: [] };
    out.set(customerId, history);
    if (Number(row.order_id) !== lastOrder || history.orders.length === 0) {
      history.orders.push({ placedAt: new Date(row.placed_at), products: [] });
      lastOrder = Number(row.order_id);
    }
    history.orders.at(-1)!.products.push(Number(row.product_id));
  }
  return out;
}
