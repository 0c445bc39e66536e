/**
 * The outcomes of one experiment, per arm and window, as the sums the statistics need (n, Σy, Σy²,
 * Σy³, Σy⁴ and the CUPED cross-sums with the pre-period covariates) — aggregated in DuckDB, so a
 * million people cost one query, not a million rows in JavaScript.
 *
 * The sums are made in one pass over the assignments and their customers' orders and kept per arm
 * and eligibility time (`experiment_outcome_sums`), with a fingerprint of what they were made from
 * (`outcomeInputs`). A person's values do not depend on `now`, only whether their window has
 * elapsed does, and that depends on their eligibility time alone: so a result at any `now` and for
 * any period of eligibility is the sum of the kept groups, exact while the fingerprint holds.
 * People who became eligible at the same moment (a campaign's audience, a holdout turned on) share
 * one group; a flow's runs, each at its own moment, keep one group per moment.
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

/** Each metric's per-person value in a window of `d` days (columns of `person` below). */
const values: Record<OutcomeMetric, (d: number) => string> = {
  conversion: (d) => `(orders${d} > 0)::double`, orders_per_person: (d) => `orders${d}::double`, net_revenue_per_person: (d) => `revenue${d}::double`,
  retention: (d) => `(repeats${d} > 0)::double`, unsubscribes: (d) => `unsubscribed${d}::double`,
};

/** The kept sums: the covariates' once, then per window and metric (the columns of `experiment_outcome_sums`). */
const covariateSums: [string, string][] = [['x0', 'x0'], ['x1', 'x1'], ['x00', 'x0 * x0'], ['x01', 'x0 * x1'], ['x11', 'x1 * x1']];
const outcomeSums: [string, string][] = WINDOWS.flatMap((d) => outcomeMetrics.flatMap((m, i): [string, string][] => {
  const y = values[m](d);
  // Σy³ and Σy⁴ let the intervals of means allow for skewed, heavy-tailed revenue.
  return [[`y${i}_${d}`, y], [`yy${i}_${d}`, `${y} * ${y}`], [`yyy${i}_${d}`, `${y} * ${y} * ${y}`], [`yyyy${i}_${d}`, `${y} * ${y} * ${y} * ${y}`],
    [`x0y${i}_${d}`, `x0 * ${y}`], [`x1y${i}_${d}`, `x1 * ${y}`]];
}));
const keptColumns = [...covariateSums, ...outcomeSums].map(([name]) => name);

type Row = Record<string, number | string | boolean | null>;

/**
 * What the kept sums of an experiment were made from: its assignments, the store's orders (every
 * column an outcome reads), its returns and its consent changes. One aggregate scan of each; equal
 * fingerprints mean the kept sums are what making them again would give.
 */
export async function outcomeInputs(db: ExperimentsDb, storeId: string, experimentId: string): Promise<string> {
  const { rows } = await sql<Row>`select
    (select count(*) || ':' || coalesce(sum(hash(customer_id, arm, eligible_at)), 0) from experiment_assignments where store_id = ${storeId} and experiment_id = ${experimentId}) as assignments,
    (select count(*) || ':' || coalesce(sum(hash(id, customer_id, placed_at, total, status)), 0) from orders where store_id = ${storeId}) as orders,
    (select count(*) || ':' || coalesce(sum(hash(order_id, amount)), 0) from returns where store_id = ${storeId}) as returns,
    (select count(*) || ':' || coalesce(max(id), 0) from domain_events where store_id = ${storeId} and type = 'customer.consent_changed') as consent`.execute(db);
  const r = rows[0] ?? {};
  return [r.assignments, r.orders, r.returns, r.consent].map(String).join('/');
}

/** The fingerprint the experiment's kept sums were made from; undefined before the first time. */
export async function keptInputs(db: ExperimentsDb, storeId: string, experimentId: string): Promise<string | undefined> {
  return (await keptStates(db, storeId, [experimentId])).get(experimentId)?.fingerprint;
}

/** Of these experiments, those with kept sums: the fingerprint they were made from and when. */
export async function keptStates(db: ExperimentsDb, storeId: string, experimentIds: readonly string[]): Promise<Map<string, { fingerprint: string; computed_at: Date }>> {
  if (experimentIds.length === 0) return new Map();
  const { rows } = await sql<{ experiment_id: string; fingerprint: string; computed_at: Date }>`select experiment_id, fingerprint, computed_at from experiment_outcome_states
    where store_id = ${storeId} and experiment_id in (${sql.join([...experimentIds])})`.execute(db);
  return new Map(rows.map((r) => [r.experiment_id, { fingerprint: r.fingerprint, computed_at: r.computed_at }]));
}

/**
 * Makes the experiment's sums again and keeps them, replacing the old ones in one transaction: each
 * person's values from their orders, refunds and consent changes, then summed per arm and
 * eligibility time.
 */
export async function keepOutcomeSums(db: ExperimentsDb, storeId: string, experimentId: string, fingerprint: string, now: Date): Promise<void> {
  const inWindow = (days: number) => sql.raw(`o.placed_at >= a.eligible_at and o.placed_at < a.eligible_at + interval ${days} day`);
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('experiment_outcome_sums').where('store_id', '=', storeId).where('experiment_id', '=', experimentId).execute();
    await sql`
      insert into experiment_outcome_sums (store_id, experiment_id, arm, eligible_at, people, ${sql.raw(keptColumns.join(', '))})
      with a as (
        select customer_id, arm, eligible_at from experiment_assignments where store_id = ${storeId} and experiment_id = ${experimentId}
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
          coalesce(sum((o.placed_at < a.eligible_at)::double), 0) as x0,
          coalesce(sum(case when o.placed_at < a.eligible_at then o.net else 0 end), 0)::double as x1,
          ${sql.join(WINDOWS.map((d) => sql`coalesce(sum((${inWindow(d)})::double), 0) as orders${sql.raw(String(d))},
            coalesce(sum(case when ${inWindow(d)} then o.net else 0 end), 0) as revenue${sql.raw(String(d))},
            coalesce(sum((${inWindow(d)} and o.is_repeat)::double), 0) as repeats${sql.raw(String(d))}`))}
        from a left join o on o.customer_id = a.customer_id
          and o.placed_at >= a.eligible_at - interval 365 day and o.placed_at < a.eligible_at + interval ${sql.raw(String(Math.max(...WINDOWS)))} day
        group by a.customer_id
      ),
      person as (
        select p.*, ${sql.join(WINDOWS.map((d) => sql`coalesce(u.at < p.eligible_at + interval ${sql.raw(String(d))} day, false) as ${sql.raw(`unsubscribed${d}`)}`))}
        from p left join first_unsubscribe u on u.customer_id = p.customer_id
      )
      select ${storeId}, ${experimentId}, arm, eligible_at, count(*), ${sql.raw([...covariateSums, ...outcomeSums].map(([name, y]) => `sum(${y}) as ${name}`).join(', '))}
      from person group by arm, eligible_at`.execute(tx);
    await sql`insert or replace into experiment_outcome_states (store_id, experiment_id, fingerprint, computed_at) values (${storeId}, ${experimentId}, ${fingerprint}, ${now})`.execute(tx);
  });
}

/**
 * The sums per arm and window from the kept sums (kept up to date by the caller), adding the groups
 * whose window has elapsed by `now`. `eligible`: only people who became eligible in [from, to)
 * (the Impact page's period).
 */
export async function experimentOutcomes(db: ExperimentsDb, storeId: string, experimentId: string, now: Date, eligible?: { from: Date; to: Date }): Promise<ArmOutcome[]> {
  return (await experimentOutcomesOf(db, storeId, [experimentId], now, eligible)).get(experimentId)!;
}

/** `experimentOutcomes` of several experiments, in one query. */
export async function experimentOutcomesOf(db: ExperimentsDb, storeId: string, experimentIds: readonly string[], now: Date, eligible?: { from: Date; to: Date }): Promise<Map<string, ArmOutcome[]>> {
  if (experimentIds.length === 0) return new Map();
  const period = eligible ? sql`and eligible_at >= ${eligible.from} and eligible_at < ${eligible.to}` : sql``;
  const { rows } = await sql<Row>`
    select experiment_id, arm, ${sql.join(WINDOWS.map((d) => sql`eligible_at + interval ${sql.raw(String(d))} day <= ${now} as ${sql.raw(`matured${d}`)}`))},
      sum(people) as people, ${sql.raw(keptColumns.map((c) => `sum(${c}) as ${c}`).join(', '))}
    from experiment_outcome_sums where store_id = ${storeId} and experiment_id in (${sql.join([...experimentIds])}) ${period}
    group by all order by all`.execute(db);
  const num = (v: number | string | boolean | null | undefined) => Number(v ?? 0);
  return new Map(experimentIds.map((experimentId) => {
    const own = rows.filter((r) => String(r.experiment_id) === experimentId);
    const arms = [...new Set(own.map((r) => String(r.arm)))];
    return [experimentId, WINDOWS.flatMap((d) => arms.map((arm) => {
      const mine = own.filter((r) => String(r.arm) === arm);
      const matured = mine.filter((r) => r[`matured${d}`] === true);
      const total = (column: string) => matured.reduce((sum, r) => sum + num(r[column]), 0);
      const n = total('people');
      const x = [total('x0'), total('x1')];
      const xx = [[total('x00'), total('x01')], [total('x01'), total('x11')]];
      const metrics = Object.fromEntries(outcomeMetrics.map((m, i) => [m, {
        n, y: total(`y${i}_${d}`), yy: total(`yy${i}_${d}`), yyy: total(`yyy${i}_${d}`), yyyy: total(`yyyy${i}_${d}`), x, xx, xy: [total(`x0y${i}_${d}`), total(`x1y${i}_${d}`)],
      }])) as Record<OutcomeMetric, Sums>;
      const open = mine.filter((r) => r[`matured${d}`] !== true).reduce((sum, r) => sum + num(r.people), 0);
      return { days: d, arm, matured: n, still_open: open, metrics };
    }))];
  }));
}
