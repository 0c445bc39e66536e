/**
 * Reading and appending the points ledger. Nothing here updates a row: an award's remainder is
 * its points minus what was drawn from it, a row's state follows from its times, a balance is a
 * sum over the rows (docs/loyalty.md, "The ledger").
 *
 * Each row has a *residual*: its points, minus what drawing rows took from it, plus what it gave
 * back or drew from others. An award's residual is its unspent remainder; a drawing row that
 * found nothing to draw from keeps a negative residual: points owed. Summed over a customer's
 * rows, the allocations cancel out, so the residuals add up to the ledger's sum of points.
 */
import { sql } from 'kysely';
import { unnested } from '../../db/unnested.js';
import { addResidual, type MemberBalance } from './balance.cache.js';
import { changed } from './ledger.changes.js';
import type { LoyaltyDb, LoyaltyTx, EntryKind, EntryState } from './loyalty.table.js';

type Reader = LoyaltyDb | LoyaltyTx;

/** A ledger row with what is derived from it. */
export interface Position {
  id: number;
  kind: EntryKind;
  points: number;
  order_id: number | null;
  /** The row's own time, or its release's. */
  available_at: Date | null;
  expires_at: Date | null;
  created_at: Date;
  residual: number;
}

/** Where a row's residual stands now. */
export type Standing = 'available' | 'pending' | 'lapsed' | 'owed' | 'settled';

export function standingOf(row: Pick<Position, 'residual' | 'available_at' | 'expires_at'>, now: Date): Standing {
  if (row.residual < 0) return 'owed';
  if (row.residual === 0) return 'settled';
  if (row.expires_at && row.expires_at <= now) return 'lapsed';
  if (row.available_at && row.available_at <= now) return 'available';
  return 'pending';
}

/** Awards are earned or added points; other positive rows give drawn points back. */
export const isAward = (row: Pick<Position, 'kind' | 'points'>): boolean => row.points > 0 && (row.kind === 'earn' || row.kind === 'adjust');

export interface Totals {
  /** Spendable now, less what is owed (negative only when something is owed). */
  available: number;
  pending: number;
  /** Past their expiry, waiting for the daily expiry to write it down. */
  lapsed: number;
  owed: number;
  /** The sum of every row's points: always available + pending + lapsed. */
  ledger: number;
}

export function totalsOf(rows: readonly Position[], now: Date): Totals {
  const totals: Totals = { available: 0, pending: 0, lapsed: 0, owed: 0, ledger: 0 };
  for (const row of rows) {
    totals.ledger += row.points;
    const standing = standingOf(row, now);
    if (standing === 'owed') totals.owed -= row.residual;
    else if (standing !== 'settled') totals[standing] += row.residual;
  }
  totals.available -= totals.owed;
  return totals;
}

/** Every counted row of a customer (void rows count nothing), oldest first. */
export async function positions(db: Reader, storeId: string, customerId: number): Promise<Position[]> {
  return (await positionsOf(db, storeId, [customerId])).get(customerId) ?? [];
}

/**
 * `positions` of several customers of the store in one query, by customer id. The rows are found
 * by the customer alone (an index DuckDB can look up: ids are unique across stores), materialised
 * before the store is checked, so the store's filter does not turn the lookup into a scan.
 */
export async function positionsOf(db: Reader, storeId: string, customerIds: readonly number[]): Promise<Map<number, Position[]>> {
  const found = new Map<number, Position[]>(customerIds.map((id) => [id, []]));
  if (customerIds.length === 0) return found;
  const ids = sql.join(customerIds.map((id) => sql`${id}`));
  const { rows } = await sql<{ id: number; customer_id: number; kind: EntryKind; points: number; order_id: number | null; available_at: Date | null; expires_at: Date | null; created_at: Date; residual: number }>`
    with mine as materialized (select * from loyalty_entries where customer_id in (${ids})),
      theirs as materialized (select store_id, entry_id, award_id, points from loyalty_allocations where customer_id in (${ids})),
      a as (select entry_id, award_id, points from theirs where store_id = ${storeId}),
      drawn as (select award_id, sum(points) as points from a group by award_id),
      given as (select entry_id, sum(points) as points from a group by entry_id)
    select e.id, e.customer_id, e.kind, e.points, e.order_id, coalesce(e.available_at, r.available_at) as available_at, e.expires_at, e.created_at,
      e.points - coalesce(drawn.points, 0) + coalesce(given.points, 0) as residual
    from mine e
    left join loyalty_releases r on r.store_id = e.store_id and r.award_id = e.id
    left join drawn on drawn.award_id = e.id
    left join given on given.entry_id = e.id
    where e.store_id = ${storeId} and e.state <> 'void'
    order by e.id`.execute(db);
  for (const { customer_id, ...row } of rows) {
    found.get(Number(customer_id))?.push({ ...row, id: Number(row.id), points: Number(row.points), order_id: row.order_id === null ? null : Number(row.order_id), residual: Number(row.residual) });
  }
  return found;
}

/** Per customer of the store (or of the listed ones): the same totals as `totalsOf`, in SQL. */
export async function totalsByCustomer(db: Reader, storeId: string, now: Date, page: { after?: number; limit?: number; customerIds?: readonly number[] } = {}): Promise<(Totals & { customer_id: number })[]> {
  const only = page.customerIds ? sql`and e.customer_id in (select unnest(${[...page.customerIds]}::bigint[]))` : sql``;
  const after = page.after !== undefined ? sql`and e.customer_id > ${page.after}` : sql``;
  const limit = page.limit !== undefined ? sql`limit ${page.limit}` : sql``;
  const { rows } = await sql<{ customer_id: number; available: number; pending: number; lapsed: number; owed: number; ledger: number }>`
    with a as (select entry_id, award_id, points from loyalty_allocations where store_id = ${storeId}),
      drawn as (select award_id, sum(points) as points from a group by award_id),
      given as (select entry_id, sum(points) as points from a group by entry_id),
      p as (
        select e.customer_id, e.points, e.expires_at, coalesce(e.available_at, r.available_at) as available_at,
          e.points - coalesce(drawn.points, 0) + coalesce(given.points, 0) as residual
        from loyalty_entries e
        left join loyalty_releases r on r.store_id = e.store_id and r.award_id = e.id
        left join drawn on drawn.award_id = e.id
        left join given on given.entry_id = e.id
        where e.store_id = ${storeId} and e.state <> 'void' ${only} ${after}
      )
    select customer_id,
      coalesce(sum(residual) filter (where residual > 0 and (expires_at is null or expires_at > ${now}) and available_at <= ${now}), 0)
        + coalesce(sum(residual) filter (where residual < 0), 0) as available,
      coalesce(sum(residual) filter (where residual > 0 and (expires_at is null or expires_at > ${now}) and (available_at is null or available_at > ${now})), 0) as pending,
      coalesce(sum(residual) filter (where residual > 0 and expires_at <= ${now}), 0) as lapsed,
      coalesce(-sum(residual) filter (where residual < 0), 0) as owed,
      sum(points) as ledger
    from p group by customer_id order by customer_id ${limit}`.execute(db);
  return rows.map((row) => ({
    customer_id: Number(row.customer_id), available: Number(row.available), pending: Number(row.pending),
    lapsed: Number(row.lapsed), owed: Number(row.owed), ledger: Number(row.ledger),
  }));
}

/** The rows the points-earned tier figure counts (loyalty.tiers.ts), as SQL. */
const earnedRow = sql`e.state <> 'void' and (e.kind = 'earn' or (e.kind = 'reverse' and e.source in ('refund', 'cancel', 'referral')))`;

/** A customer's rows the points-earned figure counts, at any time. */
export async function earnedRows(db: Reader, storeId: string, customerId: number): Promise<{ created_at: Date; points: number }[]> {
  const { rows } = await sql<{ created_at: Date; points: number }>`select e.created_at, e.points from loyalty_entries e
    where e.store_id = ${storeId} and e.customer_id = ${customerId} and ${earnedRow}`.execute(db);
  return rows.map((r) => ({ created_at: r.created_at, points: Number(r.points) }));
}

/**
 * Every member's balance inputs (balance.cache.ts) in one pass over the store: the ledger's sum,
 * the rows with a remainder (residuals as `positions` computes them), the rows the points figure
 * counts, and the current tier. The four reads may see different commits: the cache keeps no
 * customer changed after the load began, so the parts of those it keeps agree.
 */
export async function storeMembers(db: LoyaltyDb, storeId: string): Promise<Map<number, MemberBalance>> {
  const members = new Map<number, MemberBalance>();
  const member = (id: unknown): MemberBalance => {
    const key = Number(id);
    let found = members.get(key);
    if (!found) members.set(key, found = { open: [], owed: 0, ledger: 0, earned: [], tier: { tier: null, since: null } });
    return found;
  };
  const sums = await sql<{ customer_id: number; ledger: number }>`select customer_id, sum(points) as ledger from loyalty_entries
    where store_id = ${storeId} and state <> 'void' group by customer_id`.execute(db);
  for (const row of sums.rows) member(row.customer_id).ledger = Number(row.ledger);
  const open = await sql<{ customer_id: number; residual: number; available_at: Date | null; expires_at: Date | null }>`
    with a as (select entry_id, award_id, points from loyalty_allocations where store_id = ${storeId}),
      drawn as (select award_id, sum(points) as points from a group by award_id),
      given as (select entry_id, sum(points) as points from a group by entry_id),
      p as (
        select e.id, e.customer_id, coalesce(e.available_at, r.available_at) as available_at, e.expires_at,
          e.points - coalesce(drawn.points, 0) + coalesce(given.points, 0) as residual
        from loyalty_entries e
        left join loyalty_releases r on r.store_id = e.store_id and r.award_id = e.id
        left join drawn on drawn.award_id = e.id
        left join given on given.entry_id = e.id
        where e.store_id = ${storeId} and e.state <> 'void'
      )
    select customer_id, residual, available_at, expires_at from p where residual <> 0 order by customer_id, id`.execute(db);
  for (const row of open.rows) addResidual(member(row.customer_id), Number(row.residual), row.available_at, row.expires_at);
  const earned = await sql<{ customer_id: number; created_at: Date; points: number }>`select e.customer_id, e.created_at, e.points from loyalty_entries e
    where e.store_id = ${storeId} and ${earnedRow}`.execute(db);
  for (const row of earned.rows) member(row.customer_id).earned.push(row.created_at.getTime(), Number(row.points));
  const tiers = await sql<{ customer_id: number; tier: string | null; since: Date }>`select customer_id, arg_max(tier, changed_at) as tier, max(changed_at) as since
    from loyalty_tier_changes where store_id = ${storeId} group by customer_id`.execute(db);
  for (const row of tiers.rows) member(row.customer_id).tier = { tier: row.tier, since: row.since };
  return members;
}

export interface NewEntry {
  storeId: string;
  customerId: number;
  kind: EntryKind;
  points: number;
  state: EntryState;
  availableAt?: Date | null;
  expiresAt?: Date | null;
  source: string;
  orderId?: number | null;
  redemptionId?: string | null;
  reason?: string | null;
  actor?: string | null;
  key: string;
  at: Date;
}

/** Appends one row; returns its id. The caller has checked the key (unique per store). */
export async function appendEntry(tx: LoyaltyTx, entry: NewEntry): Promise<number> {
  changed(tx, entry.storeId, entry.customerId);
  const row = await tx.insertInto('loyalty_entries').values(entryRow(entry, sql<number>`nextval('loyalty_entries_id_seq')`)).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/** The ledger's columns but its id, as `unnested` lists them. */
const ENTRY_COLUMNS = {
  store_id: 'varchar', customer_id: 'bigint', kind: 'varchar', points: 'bigint', state: 'varchar', available_at: 'timestamp', expires_at: 'timestamp',
  source: 'varchar', order_id: 'bigint', redemption_id: 'varchar', reason: 'varchar', actor: 'varchar', idempotency_key: 'varchar', created_at: 'timestamp',
} as const;

/** Appends rows in one statement (a list per column); returns their ids, in order. The caller has checked the keys. */
export async function appendEntries(tx: LoyaltyTx, entries: readonly NewEntry[]): Promise<number[]> {
  if (entries.length === 0) return [];
  for (const entry of entries) changed(tx, entry.storeId, entry.customerId);
  const names = Object.keys(ENTRY_COLUMNS) as (keyof typeof ENTRY_COLUMNS)[];
  const { rows } = await sql<{ id: number; store_id: string; idempotency_key: string }>`
    insert into loyalty_entries (id, ${sql.join(names.map((n) => sql.ref(n)))})
    select nextval('loyalty_entries_id_seq'), ${sql.join(names.map((n) => sql.ref(`v.${n}`)))} from ${unnested(ENTRY_COLUMNS, entries.map((entry) => entryRow(entry, 0)))} v
    returning id, store_id, idempotency_key`.execute(tx);
  // Keys are unique per store: they say which id each row got, whatever order the rows come back in.
  const ids = new Map(rows.map((r) => [`${r.store_id}\n${r.idempotency_key}`, Number(r.id)]));
  return entries.map((entry) => ids.get(`${entry.storeId}\n${entry.key}`)!);
}

function entryRow(entry: NewEntry, id: number | ReturnType<typeof sql<number>>) {
  return {
    store_id: entry.storeId, id, customer_id: entry.customerId,
    kind: entry.kind, points: entry.points, state: entry.state, available_at: entry.availableAt ?? null, expires_at: entry.expiresAt ?? null,
    source: entry.source, order_id: entry.orderId ?? null, redemption_id: entry.redemptionId ?? null, reason: entry.reason ?? null,
    actor: entry.actor ?? null, idempotency_key: entry.key, created_at: entry.at,
  };
}

export interface Allocation { award_id: number; points: number }

export async function appendAllocations(tx: LoyaltyTx, storeId: string, customerId: number, entryId: number, allocations: readonly Allocation[], at: Date): Promise<void> {
  await appendAllocationsOf(tx, storeId, [{ customerId, entryId, allocations, at }]);
}

const ALLOCATION_COLUMNS = { store_id: 'varchar', customer_id: 'bigint', entry_id: 'bigint', award_id: 'bigint', points: 'bigint', created_at: 'timestamp' } as const;

/** The allocations of several rows of the store in one statement (a list per column). */
export async function appendAllocationsOf(tx: LoyaltyTx, storeId: string, groups: readonly { customerId: number; entryId: number; allocations: readonly Allocation[]; at: Date }[]): Promise<void> {
  const rows = groups.flatMap((g) => g.allocations.filter((a) => a.points !== 0).map((a) => ({
    store_id: storeId, customer_id: g.customerId, entry_id: g.entryId, award_id: a.award_id, points: a.points, created_at: g.at,
  })));
  if (rows.length === 0) return;
  for (const row of rows) changed(tx, storeId, row.customer_id);
  await sql`insert into loyalty_allocations (store_id, customer_id, entry_id, award_id, points, created_at) select * from ${unnested(ALLOCATION_COLUMNS, rows)} v`.execute(tx);
}

/** The row written under this key, if any. */
export async function entryByKey(db: Reader, storeId: string, key: string): Promise<{ id: number; customer_id: number; points: number; state: EntryState; available_at: Date | null; order_id: number | null } | undefined> {
  const row = await db.selectFrom('loyalty_entries').select(['id', 'customer_id', 'points', 'state', 'available_at', 'order_id'])
    .where('store_id', '=', storeId).where('idempotency_key', '=', key).executeTakeFirst();
  return row && { ...row, id: Number(row.id), customer_id: Number(row.customer_id), points: Number(row.points), order_id: row.order_id === null ? null : Number(row.order_id) };
}

/**
 * Takes `points` from the awards in the given order (earliest expiry first is the caller's
 * order); what they cannot cover is the shortfall.
 */
export function drawFrom(awards: readonly Position[], points: number): { allocations: Allocation[]; shortfall: number } {
  const allocations: Allocation[] = [];
  let left = points;
  for (const award of awards) {
    if (left <= 0) break;
    const take = Math.min(award.residual, left);
    if (take <= 0) continue;
    allocations.push({ award_id: award.id, points: take });
    left -= take;
  }
  return { allocations, shortfall: left };
}

/** First to expire first; without an expiry last; then the earliest available, then the oldest. */
export function byExpiry(a: Position, b: Position): number {
  const ea = a.expires_at?.getTime() ?? Number.POSITIVE_INFINITY;
  const eb = b.expires_at?.getTime() ?? Number.POSITIVE_INFINITY;
  if (ea !== eb) return ea - eb;
  const aa = a.available_at?.getTime() ?? Number.POSITIVE_INFINITY;
  const ab = b.available_at?.getTime() ?? Number.POSITIVE_INFINITY;
  if (aa !== ab) return aa - ab;
  return a.id - b.id;
}
