/**
 * A campaign's results against its holdout. Every person is counted in the group the hash gave
 * them when the campaign started (intent to treat): a bounced or unopened message still counts as
 * sent, so the comparison is between two random halves of the same audience. An order counts when
 * it was placed in the attribution window (start … start + N days) and not cancelled; revenue is
 * net of the refunds recorded against those orders. People in the store's global holdout when the
 * campaign started are left out of every group: they got no message whichever group the hash gave
 * them, so counting them as sent would dilute the lift.
 */
import { sql } from 'kysely';
import { meanDifference, proportionDifference, type Interval, type Moments } from '../../lib/statistics/index.js';
import type { CampaignsDb } from './campaigns.table.js';
import type { MessageFigures } from './campaigns.service.js';
import { windowEnd, type CampaignView } from './campaign.view.js';

export interface GroupResult {
  /** `sent` (every variant and the rest together), `holdout`, or a variant `A`, `B`, … */
  group: string;
  people: number;
  /** People with at least one order in the window. */
  buyers: number;
  orders: number;
  /** Net revenue in the window, in minor units of the store's currency. */
  revenue: number;
  conversion: number;
  revenue_per_person: number;
}

export interface Lift {
  /** Conversion (sent) − conversion (holdout), with its 95 % interval (Newcombe). */
  conversion_difference: number;
  conversion_interval: Interval;
  /** Extra buyers the campaign brought: the difference × people sent, with its interval. */
  incremental_buyers: number;
  incremental_buyers_interval: Interval;
  /** Revenue per person (sent) − (holdout), minor units, 95 % interval (Welch). */
  revenue_per_person_difference: number;
  revenue_per_person_interval: Interval;
  /** Extra revenue: the difference × people sent, minor units, with its interval. */
  incremental_revenue: number;
  incremental_revenue_interval: Interval;
  /** Whether the conversion interval excludes zero. */
  significant: boolean;
}

export interface CampaignResults {
  campaign_id: string;
  currency: string;
  started_at: Date | null;
  window_ends_at: Date | null;
  /** False while the attribution window is still open: the figures can still change. */
  complete: boolean;
  groups: GroupResult[];
  /** Null until the campaign started with a holdout of at least one person. */
  lift: Lift | null;
  /** What happened to the messages (null when nothing was sent by this server). */
  messages: MessageFigures | null;
  /**
   * Orders a click led to: placed by a recipient within the attribution window after their first
   * click. A last-touch view the email tools show; the holdout comparison is the measure of effect.
   */
  attributed: { buyers: number; orders: number; revenue: number } | null;
  /**
   * When the messages are planned to go out (each at its not-before time — local time, usual hour,
   * quiet hours — or when queued): the first, the last, and the hours between.
   */
  schedule: { first_at: Date; last_at: Date; hours: number } | null;
}

interface Row { group_kind: string; variant: number | null; people: number; buyers: number; orders: number; revenue: number; revenue_squares: number }

/** `until` ends the window early (an A/B test's window); by default it is the attribution window. */
export async function campaignResults(db: CampaignsDb, storeId: string, campaign: CampaignView, options: {
  currency: string; now: Date; until?: Date; messages?: MessageFigures; clicks?: { customer_id: number; clicked_at: Date }[];
  spread?: { first_at: Date | null; last_at: Date | null };
  /** Customers in the global holdout at the start, left out. */
  heldOut?: number[] | undefined;
}): Promise<CampaignResults> {
  const { currency, now } = options;
  const end = options.until ?? windowEnd(campaign);
  const base = {
    campaign_id: campaign.id, currency, started_at: campaign.started_at, window_ends_at: end, complete: Boolean(end && now >= end),
    messages: options.messages ?? null, schedule: scheduleOf(options.spread), attributed: options.clicks ? await attributed(db, storeId, options.clicks, campaign.attribution_days) : null,
  };
  if (!campaign.started_at || !end) return { ...base, groups: [], lift: null };
  const { rows } = await sql<Row>`
    with spend as (
      select o.customer_id, count(*) as orders, sum(o.total - coalesce(r.refunded, 0)) as revenue
      from orders o
      left join (select order_id, sum(amount) as refunded from returns where store_id = ${storeId} and order_id is not null group by order_id) r on r.order_id = o.id
      where o.store_id = ${storeId} and o.customer_id is not null and o.status <> 'cancelled'
        and o.placed_at >= ${campaign.started_at} and o.placed_at < ${end}
      group by o.customer_id
    )
    select p.group_kind, p.variant, count(*)::int as people, count(s.customer_id)::int as buyers,
      coalesce(sum(s.orders), 0)::bigint as orders, coalesce(sum(s.revenue), 0)::bigint as revenue,
      coalesce(sum(s.revenue::double * s.revenue::double), 0)::double as revenue_squares
    from campaign_recipients p left join spend s on s.customer_id = p.customer_id
    where p.store_id = ${storeId} and p.campaign_id = ${campaign.id}
      ${options.heldOut?.length ? sql`and p.customer_id not in (select unnest(${options.heldOut}::bigint[]))` : sql``}
    group by p.group_kind, p.variant order by p.group_kind, p.variant`.execute(db);
  const shaped = rows.map((r) => ({ ...r, people: Number(r.people), buyers: Number(r.buyers), orders: Number(r.orders), revenue: Number(r.revenue), revenue_squares: Number(r.revenue_squares) }));
  const sum = (list: typeof shaped): Row => list.reduce((a, r) => ({
    ...a, people: a.people + r.people, buyers: a.buyers + r.buyers, orders: a.orders + r.orders, revenue: a.revenue + r.revenue, revenue_squares: a.revenue_squares + r.revenue_squares,
  }), { group_kind: '', variant: null, people: 0, buyers: 0, orders: 0, revenue: 0, revenue_squares: 0 });
  const sent = sum(shaped.filter((r) => r.group_kind !== 'holdout'));
  const holdout = sum(shaped.filter((r) => r.group_kind === 'holdout'));
  const result = (group: string, r: Row): GroupResult => ({
    group, people: r.people, buyers: r.buyers, orders: r.orders, revenue: r.revenue,
    conversion: r.people ? r.buyers / r.people : 0, revenue_per_person: r.people ? Math.round(r.revenue / r.people) : 0,
  });
  const variants = shaped.filter((r) => r.group_kind === 'variant' && (campaign.ab_test?.variants.length ?? 1) > 1)
    .map((r) => result(String.fromCharCode(65 + (r.variant ?? 0)), r));
  const groups = [result('sent', sent), result('holdout', holdout), ...variants];
  return { ...base, groups, lift: holdout.people > 0 && sent.people > 0 ? lift(sent, holdout) : null };
}

async function attributed(db: CampaignsDb, storeId: string, clicks: { customer_id: number; clicked_at: Date }[], days: number): Promise<{ buyers: number; orders: number; revenue: number }> {
  if (!clicks.length) return { buyers: 0, orders: 0, revenue: 0 };
  const { rows } = await sql<{ buyers: number; orders: number; revenue: number }>`
    with clicked as (select unnest(${clicks.map((c) => c.customer_id)}::bigint[]) as customer_id, unnest(${clicks.map((c) => c.clicked_at.toISOString())}::timestamp[]) as at)
    select count(distinct o.customer_id)::int as buyers, count(*)::int as orders, coalesce(sum(o.total - coalesce(r.refunded, 0)), 0)::bigint as revenue
    from orders o join clicked k on k.customer_id = o.customer_id
    left join (select order_id, sum(amount) as refunded from returns where store_id = ${storeId} and order_id is not null group by order_id) r on r.order_id = o.id
    where o.store_id = ${storeId} and o.status <> 'cancelled' and o.placed_at >= k.at and o.placed_at < k.at + to_days(${days}::integer)`.execute(db);
  const row = rows[0]!;
  return { buyers: Number(row.buyers), orders: Number(row.orders), revenue: Number(row.revenue) };
}

function lift(sent: Row, holdout: Row): Lift {
  const conversion = proportionDifference(sent.buyers, sent.people, holdout.buyers, holdout.people);
  const moments = (r: Row): Moments => ({ n: r.people, sum: r.revenue, sumSquares: r.revenue_squares });
  const revenue = meanDifference(moments(sent), moments(holdout));
  const scale = (i: Interval, by: number, round: (v: number) => number = (v) => v): Interval => ({ low: round(i.low * by), high: round(i.high * by) });
  return {
    conversion_difference: conversion.difference,
    conversion_interval: { low: conversion.low, high: conversion.high },
    incremental_buyers: Math.round(conversion.difference * sent.people),
    incremental_buyers_interval: scale(conversion, sent.people, Math.round),
    revenue_per_person_difference: Math.round(revenue.difference),
    revenue_per_person_interval: scale(revenue, 1, Math.round),
    incremental_revenue: Math.round(revenue.difference * sent.people),
    incremental_revenue_interval: scale(revenue, sent.people, Math.round),
    significant: conversion.low > 0 || conversion.high < 0,
  };
}

function scheduleOf(spread: { first_at: Date | null; last_at: Date | null } | undefined): CampaignResults['schedule'] {
  if (!spread?.first_at || !spread.last_at) return null;
  return { first_at: spread.first_at, last_at: spread.last_at, hours: Math.round((spread.last_at.getTime() - spread.first_at.getTime()) / 360_000) / 10 };
}
