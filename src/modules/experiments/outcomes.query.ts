/**
 * The outcomes of one experiment, per arm and window, as the sums the statistics need (n, Σy, Σy²,
 * Σy³, Σy⁴ and the CUPED cross-sums with the pre-period covariates) — aggregated in DuckDB in one pass over
 * the assignments and their customers' orders, so a million people cost one query, not a million
 * rows in JavaScript.
 *
 * For each person, counted from their eligibility (`eligible_at`), over [eligible, eligible + days):
 * - conversion: placed an order that is not cancelled (0/1);
 * - orders: how many such orders;
 * - net revenue: their totals minus the refunds recorded against them, in minor units;
 * - retention: one of those orders was not the customer's first order ever (0/1);
 * - unsubscribes: their email consent changed to `unsubscribed` (the `customer.consent_changed`
 *   domain event, recorded with every consent change) (0/1).
 * Covariates: x0 = orders and x1 = net revenue in the 365 days before eligibility.
 * Only people whose window has fully elapsed by `now` count; the others are `still_open`.
 */
import { sql } from 'kysely';
import type { ExperimentsDb } from './experiments.table.js';

export const WINDOWS = [7, 30, 90] as const;
export type WindowDays = (typeof WINDOWS)[number];

export const outcomeMetrics = ['conversion', 'orders_per_person', 'net_revenue_per_person', 'retention', 'unsubscribes'] as const;
export type OutcomeMetric = (typeof outcomeMetrics)[number];
export const metricKinds: Record<OutcomeMetric, 'proportion' | 'mean'> = {
  conversion: 'proportion', orders_per_person: 'mean', net_revenue_per_person: 'mean', retention: 'proportion', unsubscribes: 'proportion',
};

/** The same shape as the statistics' `ArmSums`. */
export interface Sums {
  n: number;
  y: number;
  yy: number;
  yyy: number;
  yyyy: number;
  x: number[];
  xx: number[][];
  xy: number[];
}

export interface ArmOutcome {
  days: WindowDays;
  arm: string;
  /** People whose window has elapsed (they are counted). */
  matured: number;
  /** People still inside their window (not counted yet). */
  still_open: number;
  metrics: Record<OutcomeMetric, Sums>;
}

/** Each metric's per-person value (columns of `q` below). */
const values: Record<OutcomeMetric, string> = {
  conversion: '(orders_w > 0)::int', orders_per_person: 'orders_w', net_revenue_per_person: 'revenue_w', retention: '(repeats_w > 0)::int', unsubscribes: 'unsubscribed_w::int',
};

// Σy³ and Σy⁴ let the intervals of means allow for skewed, heavy-tailed revenue.
const metricColumns = outcomeMetrics.map((_, i) => `sum(y${i}) as y${i}, sum(y${i} * y${i}) as yy${i}, sum(y${i} * y${i} * y${i}) as yyy${i}, sum(y${i} * y${i} * y${i} * y${i}) as yyyy${i}, sum(x0 * y${i}) as x0y${i}, sum(x1 * y${i}) as x1y${i}`).join(',\n    ');
const metricValues = outcomeMetrics.map((m, i) => `(${values[m]})::double as y${i}`).join(', ');

type Row = Record<string, number | string | boolean | null>;

/** `eligible`: only people who became eligible in [from, to) (the Impact page's period). */
export async function experimentOutcomes(db: ExperimentsDb, storeId: string, experimentId: string, now: Date, eligible?: { from: Date; to: Date }): Promise<ArmOutcome[]> {
  const period = eligible ? sql`and eligible_at >= ${eligible.from} and eligible_at < ${eligible.to}` : sql``;
  const windows = sql.raw(WINDOWS.map((d) => `(${d})`).join(', '));
  const perWindow = (column: string) => sql.raw(`case w.days ${WINDOWS.map((d) => `when ${d} then ${column}${d}`).join(' ')} end`);
  const inWindow = (days: number) => sql.raw(`o.placed_at >= a.eligible_at and o.placed_at < a.eligible_at + interval ${days} day`);
  const { rows } = await sql<Row>`
    with a as (
      select customer_id, arm, eligible_at from experiment_assignments where store_id = ${storeId} and experiment_id = ${experimentId} ${period}
    ),
    refunds as (select order_id, sum(amount) as refunded from returns where store_id = ${storeId} and order_id is not null group by order_id),
    placed as (
      select o.id, o.customer_id, o.placed_at, (o.total - coalesce(r.refunded, 0))::double as net
      from orders o left join refunds r on r.order_id = o.id
      where o.store_id = ${storeId} and o.status <> 'cancelled' and o.customer_id in (select customer_id from a)
    ),
    firsts as (select customer_id, arg_min(id, placed_at) as first_id from placed group by customer_id),
    o as (select p.*, p.id <> f.first_id as is_repeat from placed p join firsts f on f.customer_id = p.customer_id),
    unsubscribes as (
      select customer_id, occurred_at from domain_events
      where store_id = ${storeId} and type = 'customer.consent_changed' and customer_id in (select customer_id from a)
        and json_extract_string(data, '$.email') = 'unsubscribed' and coalesce(json_extract_string(data, '$.previous_email'), '') <> 'unsubscribed'
    ),
    first_unsubscribe as (
      select a.customer_id, min(u.occurred_at) as at from a join unsubscribes u on u.customer_id = a.customer_id and u.occurred_at >= a.eligible_at group by a.customer_id
    ),
    p as (
      select a.customer_id, any_value(a.arm) as arm, any_value(a.eligible_at) as eligible_at,
        count(o.id) filter (where o.placed_at < a.eligible_at)::double as x0,
        coalesce(sum(o.net) filter (where o.placed_at < a.eligible_at), 0)::double as x1,
        ${sql.join(WINDOWS.map((d) => sql`count(o.id) filter (where ${inWindow(d)}) as orders${sql.raw(String(d))},
          coalesce(sum(o.net) filter (where ${inWindow(d)}), 0) as revenue${sql.raw(String(d))},
          count(o.id) filter (where ${inWindow(d)} and o.is_repeat) as repeats${sql.raw(String(d))}`))}
      from a left join o on o.customer_id = a.customer_id
        and o.placed_at >= a.eligible_at - interval 365 day and o.placed_at < a.eligible_at + interval ${sql.raw(String(Math.max(...WINDOWS)))} day
      group by a.customer_id
    ),
    q as (
      select w.days, p.arm, p.x0, p.x1, p.eligible_at + to_days(w.days) <= ${now} as matured,
        ${perWindow('orders')} as orders_w, ${perWindow('revenue')} as revenue_w, ${perWindow('repeats')} as repeats_w,
        coalesce(u.at < p.eligible_at + to_days(w.days), false) as unsubscribed_w
      from p left join first_unsubscribe u on u.customer_id = p.customer_id cross join (values ${windows}) w(days)
    ),
    y as (select days, arm, matured, x0, x1, ${sql.raw(metricValues)} from q)
    -- Grouped by whether the window has elapsed (cheaper than a filter on every sum); the open rows give still_open only.
    select days, arm, matured, count(*) as people, sum(x0) as x0, sum(x1) as x1, sum(x0 * x0) as x00, sum(x0 * x1) as x01, sum(x1 * x1) as x11,
      ${sql.raw(metricColumns)}
    from y group by days, arm, matured order by days, arm`.execute(db);
  const num = (v: number | string | boolean | null | undefined) => Number(v ?? 0);
  const byArm = new Map<string, { days: number; arm: string; open: number; row: Row | undefined }>();
  for (const r of rows) {
    const key = `${num(r.days)}\u0000${String(r.arm)}`;
    const entry = byArm.get(key) ?? { days: num(r.days), arm: String(r.arm), open: 0, row: undefined };
    if (r.matured === true) entry.row = r;
    else entry.open = num(r.people);
    byArm.set(key, entry);
  }
  return [...byArm.values()].map(({ days, arm, open, row }) => {
    const r: Row = row ?? {};
    const x = [num(r.x0), num(r.x1)];
    const xx = [[num(r.x00), num(r.x01)], [num(r.x01), num(r.x11)]];
    const metrics = Object.fromEntries(outcomeMetrics.map((m, i) => [m, {
      n: num(r.people), y: num(r[`y${i}`]), yy: num(r[`yy${i}`]), yyy: num(r[`yyy${i}`]), yyyy: num(r[`yyyy${i}`]), x, xx, xy: [num(r[`x0y${i}`]), num(r[`x1y${i}`])],
    }])) as Record<OutcomeMetric, Sums>;
    return { days: days as WindowDays, arm, matured: num(r.people), still_open: open, metrics };
  });
}
