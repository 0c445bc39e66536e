/**
 * How the programme is doing over a period (docs/loyalty.md, "Analytics"):
 * - points issued (earned on orders, rules and referrals, and added by hand), redeemed (net of
 *   cancelled redemptions), expired and taken back on refunds; the **redemption rate** = redeemed ÷
 *   issued and the **breakage** = expired ÷ issued, both over the rows written in the period;
 * - redemptions and the members who made them;
 * - members against other customers who ordered: repeat rate (two orders or more), orders and net
 *   revenue per customer, over every order placed before the period's end. A comparison, not an
 *   effect: members joined because they buy (the measurement module gives causal effects);
 * - the members by their current tier, and the tier changes in the period.
 */
import { sql } from 'kysely';
import type { LoyaltyDb } from './loyalty.table.js';

export interface LoyaltyAnalytics {
  from: Date;
  to: Date;
  points: { issued: number; redeemed: number; expired: number; taken_back: number };
  /** Redeemed ÷ issued; null when nothing was issued. */
  redemption_rate: number | null;
  /** Expired ÷ issued; null when nothing was issued. */
  breakage: number | null;
  redemptions: { count: number; members: number };
  comparison: { members: Cohort; others: Cohort };
  tiers: { tier: string | null; members: number }[];
  movements: { from: string | null; to: string | null; customers: number }[];
}

interface Cohort {
  /** Customers with at least one order (not cancelled) placed before the period's end. */
  customers: number;
  /** Share of them with two orders or more; null without customers. */
  repeat_rate: number | null;
  orders_per_customer: number | null;
  /** Net of refunds, minor units. */
  revenue_per_customer: number | null;
}

type Row = Record<string, number | string | null>;
const num = (v: unknown) => Number(v ?? 0);
const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);

export async function loyaltyAnalytics(db: LoyaltyDb, storeId: string, period: { from: Date; to: Date }): Promise<LoyaltyAnalytics> {
  const { from, to } = period;
  const { rows: [points] } = await sql<Row>`select
      coalesce(sum(points) filter (where (kind = 'earn' and state <> 'void') or (kind = 'adjust' and points > 0)), 0) as issued,
      coalesce(-sum(points) filter (where kind = 'redeem' or (kind = 'reverse' and source = 'reward')), 0) as redeemed,
      coalesce(-sum(points) filter (where kind = 'expire'), 0) as expired,
      coalesce(-sum(points) filter (where (kind = 'reverse' and source <> 'reward') or (kind = 'adjust' and points < 0)), 0) as taken_back
    from loyalty_entries where store_id = ${storeId} and created_at >= ${from} and created_at < ${to}`.execute(db);
  const { rows: [redemptions] } = await sql<Row>`select count(*) as count, count(distinct customer_id) as members from loyalty_redemptions
    where store_id = ${storeId} and created_at >= ${from} and created_at < ${to}`.execute(db);
  const { rows: cohorts } = await sql<Row>`
    with members as (select distinct customer_id from loyalty_entries where store_id = ${storeId} and created_at < ${to}),
    refunds as (select order_id, sum(amount) as refunded from returns where store_id = ${storeId} and order_id is not null group by order_id),
    buyers as (
      select o.customer_id, count(*) as orders, sum(o.total - coalesce(r.refunded, 0)) as revenue
      from orders o left join refunds r on r.order_id = o.id
      where o.store_id = ${storeId} and o.customer_id is not null and o.status <> 'cancelled' and o.placed_at < ${to}
      group by o.customer_id
    )
    select b.customer_id in (select customer_id from members) as member, count(*) as customers, count(*) filter (where b.orders >= 2) as repeaters,
      sum(b.orders) as orders, sum(b.revenue) as revenue
    from buyers b group by all`.execute(db);
  const cohort = (member: boolean): Cohort => {
    const row = cohorts.find((r) => Boolean(r.member) === member);
    const customers = num(row?.customers);
    return {
      customers, repeat_rate: share(num(row?.repeaters), customers), orders_per_customer: share(num(row?.orders), customers),
      revenue_per_customer: customers > 0 ? Math.round(num(row?.revenue) / customers) : null,
    };
  };
  const { rows: tiers } = await sql<Row>`
    with members as (select distinct customer_id from loyalty_entries where store_id = ${storeId} and created_at < ${to}),
    latest as (select customer_id, arg_max(tier, changed_at) as tier from loyalty_tier_changes where store_id = ${storeId} and changed_at < ${to} group by customer_id)
    select l.tier, count(*) as members from members m left join latest l on l.customer_id = m.customer_id group by all order by members desc, tier nulls last`.execute(db);
  const { rows: movements } = await sql<Row>`select previous_tier, tier, count(*) as customers from loyalty_tier_changes
    where store_id = ${storeId} and changed_at >= ${from} and changed_at < ${to} group by all order by customers desc, previous_tier nulls first, tier nulls first`.execute(db);
  const issued = num(points?.issued);
  return {
    from, to,
    points: { issued, redeemed: num(points?.redeemed), expired: num(points?.expired), taken_back: num(points?.taken_back) },
    redemption_rate: share(num(points?.redeemed), issued),
    breakage: share(num(points?.expired), issued),
    redemptions: { count: num(redemptions?.count), members: num(redemptions?.members) },
    comparison: { members: cohort(true), others: cohort(false) },
    tiers: tiers.map((t) => ({ tier: t.tier === null ? null : String(t.tier), members: num(t.members) })),
    movements: movements.map((m) => ({ from: m.previous_tier === null ? null : String(m.previous_tier), to: m.tier === null ? null : String(m.tier), customers: num(m.customers) })),
  };
}
