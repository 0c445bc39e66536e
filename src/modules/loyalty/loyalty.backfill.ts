/**
 * Backfilling past orders (docs/loyalty.md, "Backfilling past orders"): every order of the store
 * with a customer (placed on or after `since`, when given) that has no award yet gets the rows the
 * order events would have written — the award under `order:<id>:earn` (void for a cancelled order)
 * and a proportional claw-back per refund under `order:<id>:refund:<return id>`, drawn from the
 * order's own award — so the subscriber, seeing these orders' events later, finds its keys taken.
 *
 * Set-based: the orders are cut into chunks of `chunkSize` by id over the candidate orders (the
 * same cuts on every run), and each chunk is a few INSERT … SELECT statements in one transaction.
 * A chunk commits on its own, so a run killed midway keeps its finished chunks and a rerun skips
 * their orders: the ledger ends the same as after one uninterrupted run. The service runs it with
 * DuckDB's checkpoints held off until the end (Storage.bulk): each would rewrite the ledger's
 * whole indexes. DuckDB SQL (`//` integer
 * division, `to_days`, `to_months`).
 *
 * Rules beyond the event path's: each row's time is the time of what it records (the order's
 * placement, the refund's), so 12-month tier figures, inactivity expiry and the analytics periods
 * see the history where it happened; past orders earn the base rate (no tier multiplier: the tier
 * a customer would have held then is not known); a claw-back is taken from the order's own award
 * even when that award has lapsed since (at the refund it had not); a customer's earlier debt is
 * settled from the chunk's awards after the chunk, in the usual drawing order; tiers are
 * reconsidered once at the end for the customers whose figure now qualifies them higher.
 */
import { sql, type RawBuilder } from 'kysely';
import { minorExponent } from '../../lib/money.js';
import { addMonths } from './earning.js';
import { settleOwed } from './ledger.writer.js';
import type { LoyaltySettings } from './loyalty.settings.js';
import type { LoyaltyDb, LoyaltyTx } from './loyalty.table.js';
import { reconsiderTier } from './loyalty.tiers.js';
import { changedStore, type Transact } from './ledger.changes.js';

/**
 * Orders per chunk (one transaction each). At 10M orders, chunks of 500,000 took 41 s and chunks
 * of 250,000 took 53 s (each commit merges its rows into the ledger's indexes; fewer, larger
 * merges cost less), for a peak of 1.5 GB of memory against 2.2 GB with chunks of 1M.
 */
export const BACKFILL_CHUNK = 500_000;

/** Customers whose tier is reconsidered per transaction at the end. */
const TIERS_PER_TRANSACTION = 500;

export interface BackfillOptions {
  /** Only orders placed at or after this time. */
  since?: Date | undefined;
  chunkSize?: number | undefined;
  /** Told after each chunk has committed. */
  onChunk?: ((progress: BackfillProgress) => void) | undefined;
}

export interface BackfillProgress { chunk: number; chunks: number; orders: number; points: number }

export interface BackfillSummary {
  since: Date | null;
  /** Orders awarded now (not counting cancelled ones). */
  orders: number;
  points: number;
  /** Cancelled orders recorded with a void award (their key taken, no points). */
  voided: number;
  /** Claw-backs written for the awarded orders' refunds, and their points. */
  refunds: number;
  refunded_points: number;
  /** Customers moved up a tier after the backfill. */
  tier_changes: number;
  chunks: number;
  ms: number;
}

interface ChunkCounts { orders: number; points: number; voided: number; refunds: number; refunded_points: number }

/** Backfills the store's past orders, chunk by chunk; see the file's comment for the rules. */
export async function backfillOrders(db: LoyaltyDb, transact: Transact, storeId: string, settings: LoyaltySettings, options: BackfillOptions, now: Date): Promise<BackfillSummary> {
  const started = performance.now();
  const since = options.since ?? null;
  const bounds = await chunkBounds(db, storeId, since, options.chunkSize ?? BACKFILL_CHUNK);
  const units = await currencyUnits(db, storeId);
  const total: ChunkCounts = { orders: 0, points: 0, voided: 0, refunds: 0, refunded_points: 0 };
  for (let i = 0; i < bounds.length; i += 1) {
    const range = { after: i === 0 ? 0 : bounds[i - 1]!, upTo: bounds[i]! };
    const counts = await transact((tx) => backfillChunk(tx, storeId, settings, units, range, since, now));
    for (const key of Object.keys(total) as (keyof ChunkCounts)[]) total[key] += counts[key];
    options.onChunk?.({ chunk: i + 1, chunks: bounds.length, orders: total.orders, points: total.points });
  }
  const tierChanges = await raiseTiers(db, transact, storeId, settings, since, now);
  return { since, ...total, tier_changes: tierChanges, chunks: bounds.length, ms: Math.round(performance.now() - started) };
}

/** The orders that may earn: a customer, a positive total, placed in the range asked for. */
function candidates(storeId: string, since: Date | null): RawBuilder<unknown> {
  return sql`o.store_id = ${storeId} and o.customer_id is not null and o.total > 0 ${since ? sql`and o.placed_at >= ${since}` : sql``}`;
}

/** The last order id of each chunk of `size` candidate orders, in id order. */
async function chunkBounds(db: LoyaltyDb, storeId: string, since: Date | null, size: number): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`select id from (
      select o.id, row_number() over (order by o.id) as n, count(*) over () as total from orders o where ${candidates(storeId, since)}
    ) where n % ${size} = 0 or n = total order by id`.execute(db);
  return rows.map((r) => Number(r.id));
}

/** Minor units per whole unit of each currency the store's orders are in (100 for EUR, 1 for JPY). */
async function currencyUnits(db: LoyaltyDb, storeId: string): Promise<RawBuilder<unknown>> {
  const { rows } = await sql<{ currency: string }>`select distinct currency from orders where store_id = ${storeId}`.execute(db);
  if (rows.length === 0) return sql`100`;
  return sql`case o.currency ${sql.join(rows.map((r) => sql`when ${r.currency} then ${10 ** minorExponent(r.currency)}`), sql` `)} end`;
}

/** One chunk, in one transaction: the awards, the refunds' claw-backs and their allocations, then earlier debts settled. */
async function backfillChunk(tx: LoyaltyTx, storeId: string, settings: LoyaltySettings, units: RawBuilder<unknown>, range: { after: number; upTo: number }, since: Date | null, now: Date): Promise<ChunkCounts> {
  // Rows of this chunk are the ones with ids above this mark (one writer connection, one sequence).
  const { rows: [marked] } = await sql<{ mark: number }>`select nextval('loyalty_entries_id_seq') as mark`.execute(tx);
  const mark = Number(marked!.mark);
  changedStore(tx, storeId);
  await insertAwards(tx, storeId, settings, units, range, since, now);
  await insertClawBacks(tx, storeId, range, mark);
  await sql`insert into loyalty_allocations (store_id, customer_id, entry_id, award_id, points, created_at)
    select c.store_id, c.customer_id, c.id, a.id, -c.points, c.created_at
    from loyalty_entries c join loyalty_entries a on a.store_id = c.store_id and a.order_id = c.order_id and a.id > ${mark} and a.kind = 'earn' and a.source = 'order'
    where c.store_id = ${storeId} and c.id > ${mark} and c.kind = 'reverse' and c.source = 'refund'`.execute(tx);
  for (const customerId of await indebted(tx, storeId, mark)) await settleOwed(tx, storeId, customerId, now);
  const { rows: [written] } = await sql<{ orders: number | null; points: number | null; voided: number | null; refunds: number | null; refunded_points: number | null }>`
    select count(*) filter (where kind = 'earn' and state <> 'void') as orders, sum(points) filter (where kind = 'earn' and state <> 'void') as points,
      count(*) filter (where kind = 'earn' and state = 'void') as voided,
      count(*) filter (where kind = 'reverse') as refunds, -sum(points) filter (where kind = 'reverse') as refunded_points
    from loyalty_entries where store_id = ${storeId} and id > ${mark}`.execute(tx);
  return {
    orders: Number(written?.orders ?? 0), points: Number(written?.points ?? 0), voided: Number(written?.voided ?? 0),
    refunds: Number(written?.refunds ?? 0), refunded_points: Number(written?.refunded_points ?? 0),
  };
}

/** The awards the order events would write now (base rate, no tier multiplier), each dated at its order. */
async function insertAwards(tx: LoyaltyTx, storeId: string, settings: LoyaltySettings, units: RawBuilder<unknown>, range: { after: number; upTo: number }, since: Date | null, now: Date): Promise<void> {
  const { earning, pending, expiry } = settings;
  const base = sql`greatest(0, o.subtotal - o.discount ${earning.include_shipping ? sql`+ o.shipping` : sql``} ${earning.include_tax ? sql`+ o.tax` : sql``})`;
  // orderPoints (earning.ts): floor(base in whole units × rate) + per order, the rate in hundredths.
  const points = sql`cast((cast(${base} as hugeint) * ${Math.round(earning.points_per_currency_unit * 100)}) // (100 * ${units}) as bigint) + ${earning.points_per_order}`;
  const days = sql`to_days(cast(${pending.days} as integer))`;
  const available = pending.from === 'payment'
    ? sql`case when o.status = 'pending' then null else o.placed_at + ${days} end`
    : sql`d.delivered_at + ${days}`;
  const expires = expiry.mode === 'per_award' ? sql`o.placed_at + to_months(cast(${expiry.months} as integer))` : sql`cast(null as timestamp)`;
  // The key is earnKey (loyalty.orders.ts) spelled in SQL; an order's award is the one `earn` row
  // of source `order` with its order id (awardOrder writes no other), found by a range scan.
  await sql`
    insert into loyalty_entries (store_id, id, customer_id, kind, points, state, available_at, expires_at, source, order_id, idempotency_key, created_at)
    with earned as (
      select o.id, o.customer_id, o.placed_at, o.status = 'cancelled' as cancelled, ${points} as points, ${available} as available_at, ${expires} as expires_at
      from orders o
      left join (select order_id, min(delivered_at) as delivered_at from fulfillments
        where store_id = ${storeId} and order_id > ${range.after} and order_id <= ${range.upTo} group by order_id) d on d.order_id = o.id
      left join (select order_id from loyalty_entries
        where store_id = ${storeId} and order_id > ${range.after} and order_id <= ${range.upTo} and kind = 'earn' and source = 'order') done on done.order_id = o.id
      where ${candidates(storeId, since)} and o.id > ${range.after} and o.id <= ${range.upTo} and done.order_id is null
    )
    select ${storeId}, nextval('loyalty_entries_id_seq'), customer_id, 'earn', points,
      case when cancelled then 'void' when available_at <= ${now} then 'available' else 'pending' end,
      available_at, expires_at, 'order', id, 'order:' || id || ':earn', placed_at
    from earned where points > 0`.execute(tx);
}

/**
 * A claw-back per refund of the chunk's new awards, as clawBackRefunds (loyalty.orders.ts) writes
 * it: after the k-th refund round-half-up(P × min(R_k, T) ÷ T) is due in all, less what the
 * earlier refunds took; the account in `reason` is the one the event path writes.
 */
async function insertClawBacks(tx: LoyaltyTx, storeId: string, range: { after: number; upTo: number }, mark: number): Promise<void> {
  await sql`
    insert into loyalty_entries (store_id, id, customer_id, kind, points, state, source, order_id, reason, idempotency_key, created_at)
    with awards as (
      select id, customer_id, order_id, points from loyalty_entries
      where store_id = ${storeId} and id > ${mark} and kind = 'earn' and source = 'order' and state <> 'void'
    ), refunds as (
      select r.id as return_id, r.order_id, r.returned_at, a.customer_id, a.points, o.total,
        sum(r.amount) over (partition by r.order_id order by r.returned_at, r.id rows between unbounded preceding and current row) as refunded
      from returns r join awards a on a.order_id = r.order_id join orders o on o.store_id = r.store_id and o.id = r.order_id
      where r.store_id = ${storeId} and r.order_id > ${range.after} and r.order_id <= ${range.upTo}
    ), so_far as (
      select *, least(refunded, total) as capped,
        case when refunded <= 0 then 0 else cast((2 * cast(points as hugeint) * least(refunded, total) + total) // (2 * total) as bigint) end as due_so_far
      from refunds
    ), due as (
      select *, due_so_far - greatest(0, coalesce(max(due_so_far) over (partition by order_id order by returned_at, return_id rows between unbounded preceding and 1 preceding), 0)) as due,
        floor(cast(capped as double) / cast(total as double) * 1000 + 0.5) as permille
      from so_far
    )
    select ${storeId}, nextval('loyalty_entries_id_seq'), customer_id, 'reverse', -due, 'available', 'refund', order_id,
      case when permille % 10 = 0 then cast(cast(permille // 10 as bigint) as varchar) else cast(permille / 10 as varchar) end
        || ' % of the order refunded: ' || due || ' points taken back (' || due || ' from the order''s award, 0 from other points)',
      'order:' || order_id || ':refund:' || return_id, returned_at
    from due where due > 0`.execute(tx);
}

/** Customers of the chunk's awards who owed points before it (a drawing row not fully allocated). */
async function indebted(tx: LoyaltyTx, storeId: string, mark: number): Promise<number[]> {
  const { rows } = await sql<{ customer_id: number }>`
    with chunk as (select distinct customer_id from loyalty_entries where store_id = ${storeId} and id > ${mark} and kind = 'earn' and state <> 'void'),
      given as (select entry_id, sum(points) as points from loyalty_allocations where store_id = ${storeId} and customer_id in (select customer_id from chunk) group by entry_id)
    select distinct e.customer_id from loyalty_entries e left join given g on g.entry_id = e.id
    where e.store_id = ${storeId} and e.points < 0 and e.state <> 'void' and e.customer_id in (select customer_id from chunk) and e.points + coalesce(g.points, 0) < 0
    order by e.customer_id`.execute(tx);
  return rows.map((r) => Number(r.customer_id));
}

/**
 * Moves up the customers with orders in the backfill whose 12-month figure (tiers.ts) now reaches
 * a higher tier than the one they hold; found in one query, then moved by reconsiderTier.
 */
async function raiseTiers(db: LoyaltyDb, transact: Transact, storeId: string, settings: LoyaltySettings, since: Date | null, now: Date): Promise<number> {
  const levels = settings.tiers.levels;
  if (levels.length === 0) return 0;
  const from = addMonths(now, -12);
  const figures = settings.tiers.basis === 'points_earned'
    ? sql`select customer_id, sum(points) as figure from loyalty_entries where store_id = ${storeId} and created_at > ${from} and created_at <= ${now} and state <> 'void'
        and (kind = 'earn' or (kind = 'reverse' and source in ('refund', 'cancel', 'referral'))) group by customer_id`
    : sql`select o.customer_id, sum(o.total - coalesce(r.refunded, 0)) as figure from orders o
        left join (select order_id, sum(amount) as refunded from returns where store_id = ${storeId} group by order_id) r on r.order_id = o.id
        where o.store_id = ${storeId} and o.customer_id is not null and o.status <> 'cancelled' and o.placed_at > ${from} and o.placed_at <= ${now} group by o.customer_id`;
  const qualified = sql`case ${sql.join(levels.map((l, i) => sql`when f.figure >= ${l.threshold} then ${i}`).reverse(), sql` `)} else -1 end`;
  const held = sql`case ${sql.join(levels.map((l, i) => sql`when t.tier = ${l.name} then ${i}`), sql` `)} else -1 end`;
  const { rows } = await sql<{ customer_id: number }>`
    with f as (${figures}),
      t as (select customer_id, arg_max(tier, changed_at) as tier from loyalty_tier_changes where store_id = ${storeId} group by customer_id),
      scope as (select distinct o.customer_id from orders o where ${candidates(storeId, since)})
    select f.customer_id from f join scope s on s.customer_id = f.customer_id left join t on t.customer_id = f.customer_id
    where ${qualified} > ${held} order by f.customer_id`.execute(db);
  let changed = 0;
  for (let start = 0; start < rows.length; start += TIERS_PER_TRANSACTION) {
    const slice = rows.slice(start, start + TIERS_PER_TRANSACTION);
    changed += await transact(async (tx) => {
      let moved = 0;
      for (const { customer_id } of slice) if ((await reconsiderTier(tx, storeId, Number(customer_id), settings.tiers, now)) !== undefined) moved += 1;
      return moved;
    });
  }
  return changed;
}
