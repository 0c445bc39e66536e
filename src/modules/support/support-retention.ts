/**
 * Who comes back after a support contact: the share of customers who placed a (not cancelled)
 * order within 90 days after their first ticket of the period, by whether it was resolved within
 * 24 hours and by how fast the store first answered. Only tickets opened at least 90 days before
 * `asOf` are counted, so every customer had the whole window; each row gives its sample size and
 * Wilson's 95 % interval (lib/statistics/intervals.ts). These are associations in the store's own
 * data, not effects: customers with slow answers may differ in other ways.
 */
import { sql, type QueryExecutorProvider } from 'kysely';
import type { Db } from '../../db/database.js';
import { wilson } from '../../lib/statistics/index.js';

export const REPEAT_WINDOW_DAYS = 90;

export interface RetentionRow { group: string; customers: number; repeaters: number; rate: number | null; low: number | null; high: number | null }

export function retentionRows(groups: readonly string[], members: readonly { group: string; repeated: boolean }[]): RetentionRow[] {
  return groups.map((group) => {
    const inGroup = members.filter((m) => m.group === group);
    const repeaters = inGroup.filter((m) => m.repeated).length;
    const ci = inGroup.length ? wilson(repeaters, inGroup.length) : null;
    return { group, customers: inGroup.length, repeaters, rate: inGroup.length ? repeaters / inGroup.length : null, low: ci?.low ?? null, high: ci?.high ?? null };
  });
}

/** Customers' first moments (one per customer) and whether they ordered within the window after them. */
export async function repeatedAfter(db: QueryExecutorProvider, storeId: string, firsts: readonly { customer_id: number; at: Date }[]): Promise<Set<number>> {
  const repeated = new Set<number>();
  for (let i = 0; i < firsts.length; i += 500) {
    const slice = firsts.slice(i, i + 500);
    const values = sql.join(slice.map((f) => sql`(${f.customer_id}::bigint, ${f.at}::timestamp)`));
    const { rows } = await sql<{ customer_id: number }>`
      with firsts(customer_id, since) as (values ${values})
      select distinct f.customer_id from firsts f join orders o on o.store_id = ${storeId} and o.customer_id = f.customer_id
      where o.status <> 'cancelled' and o.placed_at > f.since and o.placed_at <= f.since + ${`${REPEAT_WINDOW_DAYS} days`}::interval`.execute(db);
    for (const r of rows) repeated.add(Number(r.customer_id));
  }
  return repeated;
}

export const responseBands = ['under_1h', '1h_to_4h', '4h_to_24h', 'over_24h', 'no_response'] as const;

function band(opened: Date, firstResponse: Date | null): (typeof responseBands)[number] {
  if (!firstResponse) return 'no_response';
  const hours = (firstResponse.getTime() - opened.getTime()) / 3_600_000;
  return hours < 1 ? 'under_1h' : hours < 4 ? '1h_to_4h' : hours < 24 ? '4h_to_24h' : 'over_24h';
}

export interface TicketRetention {
  as_of: Date;
  window_days: number;
  /** Resolved within 24 hours of opening (yes), or later or not at all (no). */
  resolved_within_24h: RetentionRow[];
  first_response: RetentionRow[];
}

export async function ticketRetention(db: Db, storeId: string, asOf: Date): Promise<TicketRetention> {
  const cutoff = new Date(asOf.getTime() - REPEAT_WINDOW_DAYS * 86_400_000);
  const { rows } = await sql<{ customer_id: number; opened_at: Date; first_response_at: Date | null; resolved_at: Date | null }>`
    select customer_id, opened_at, first_response_at, resolved_at from (
      select customer_id, opened_at, first_response_at, resolved_at, row_number() over (partition by customer_id order by opened_at, id) as n
      from support_tickets where store_id = ${storeId} and customer_id is not null and opened_at <= ${cutoff}) t where n = 1`.execute(db);
  const firsts = rows.map((r) => ({ ...r, customer_id: Number(r.customer_id) }));
  const repeated = await repeatedAfter(db, storeId, firsts.map((f) => ({ customer_id: f.customer_id, at: f.opened_at })));
  const within = (f: (typeof firsts)[number]) => f.resolved_at !== null && f.resolved_at.getTime() - f.opened_at.getTime() <= 24 * 3_600_000;
  return {
    as_of: asOf,
    window_days: REPEAT_WINDOW_DAYS,
    resolved_within_24h: retentionRows(['yes', 'no'], firsts.map((f) => ({ group: within(f) ? 'yes' : 'no', repeated: repeated.has(f.customer_id) }))),
    first_response: retentionRows(responseBands, firsts.map((f) => ({ group: band(f.opened_at, f.first_response_at), repeated: repeated.has(f.customer_id) }))),
  };
}
