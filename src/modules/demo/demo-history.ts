/**
 * The demo's last months replayed through the flow engine and the loyalty programme. The demo's
 * data arrives at once, so its flows and its programme are given the history they would have had
 * if the store had switched them on when the window began: a clock that the walk sets moves from
 * the window's first day to its last, and each day
 * - the segments the flows listen to are evaluated on the data as it stood that day, and their
 *   entries (domain events) enrol customers;
 * - the domain events the demo's data recorded (orders placed and delivered, refunds, checkouts
 *   left open, sign-ups) reach the loyalty service, the offers' redemptions and the flows' enrolment on the day they
 *   happened (not when the data was written), with the programme's own events (tier changes,
 *   delivered the day after they are recorded);
 * - the flows' date triggers enrol the day's birthdays;
 * - the programme's daily job runs (birthday points among it), and members redeem;
 * - the due `flows.step` jobs run as the worker runs them, each at its own due time.
 * Nothing is written into the flows' or the ledger's tables behind their services. The win-back
 * flow's planted effect (demo-win-back.ts) adds its orders as each day's entrants arrive, so the
 * engine sees them and those runs exit on the order.
 */
import { sql } from 'kysely';
import { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { DAY_MS } from '../../lib/time.js';
import type { DomainEvent, DomainEventType } from '../domain-events/index.js';
import { FLOW_DATE_JOB, FLOW_STEP_JOB, FlowsService, type DateEnrolment } from '../flows/index.js';
import type { Services } from '../../services.js';
import { installDemoFlows, type DemoFlows } from './demo-flows.js';
import { DEMO_LOYALTY_SETTINGS, loyaltyDay, referralDay } from './demo-loyalty.js';
import { newWinBackLedger, plantWinBackOrders, type WinBackLedger } from './demo-win-back.js';
import { addDemoReviewPhotos } from './reviews.js';

/** How far back the flows and the programme were switched on, at most. */
export const HISTORY_DAYS = 90;
/**
 * Orders the replayed window holds at most. Every event goes through the services one by one (as
 * the subscribers deliver them), which costs milliseconds each: a large demo store gets a shorter
 * window (at least MIN_HISTORY_DAYS) so that building it stays quick.
 */
const ORDER_BUDGET = 1_500;
const MIN_HISTORY_DAYS = 7;

/** The window's days: HISTORY_DAYS, or fewer when the store's last HISTORY_DAYS days hold more than ORDER_BUDGET orders. */
export async function historyDays(services: Services, storeId: string, end: Date): Promise<number> {
  const row = await services.storage.read.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('store_id', '=', storeId)
    .where('placed_at', '>=', new Date(end.getTime() - HISTORY_DAYS * DAY_MS)).where('placed_at', '<', end).executeTakeFirstOrThrow();
  const orders = Number(row.n);
  return orders <= ORDER_BUDGET ? HISTORY_DAYS : Math.max(MIN_HISTORY_DAYS, Math.floor((HISTORY_DAYS * ORDER_BUDGET) / orders));
}
const TYPES: readonly DomainEventType[] = [
  'customer.created', 'order.placed', 'order.delivered', 'order.refunded', 'checkout.started',
  'segment.entered', 'segment.exited', 'loyalty.tier_changed', 'loyalty.points_expiring',
];

/** The walk's clock: what the flow engine and its job queue read while the history is replayed. */
class WalkClock implements Clock {
  constructor(public at: Date) {}
  now(): Date {
    return this.at;
  }
}

interface TimedEvent { event: DomainEvent; at: number }

/**
 * The store's domain events after `after` (from `from` on, when given), each with the time it
 * happened: the data's own time for what the demo's data recorded, else the time recorded (the
 * walk's own events), never later than `now`.
 */
async function eventsAfter(services: Services, storeId: string, after: number, now: Date, from?: Date): Promise<{ events: TimedEvent[]; last: number }> {
  const newest = await sql<{ id: number | null }>`select max(id) as id from domain_events where store_id = ${storeId}`.execute(services.storage.read);
  const { rows } = await sql<{ id: number; type: string; entity: string; entity_id: number | null; customer_id: number | null; data: string; occurred_at: Date; happened_at: Date | null }>`
    select * from (select d.id, d.type, d.entity, d.entity_id, d.customer_id, d.data, d.occurred_at,
      case d.type
        when 'order.placed' then o.placed_at
        when 'order.delivered' then cast(json_extract_string(d.data, '$.delivered_at') as timestamp)
        when 'order.refunded' then (select max(r.returned_at) from returns r where r.store_id = d.store_id and r.order_id = d.entity_id)
        when 'checkout.started' then k.started_at
        when 'customer.created' then c.created_at
      end as happened_at
    from domain_events d
    left join orders o on d.entity = 'order' and o.store_id = d.store_id and o.id = d.entity_id
    left join checkouts k on d.entity = 'checkout' and k.store_id = d.store_id and k.id = d.entity_id
    left join customers c on d.entity = 'customer' and c.store_id = d.store_id and c.id = d.entity_id
    where d.store_id = ${storeId} and d.id > ${after} and d.type in (${sql.join([...TYPES])}))
    where ${from ? sql`happened_at >= ${from}` : sql`true`}
    order by id`.execute(services.storage.read);
  const events = rows.map((r) => ({
    at: (r.happened_at ?? (r.occurred_at <= now ? r.occurred_at : now)).getTime(),
    event: {
      id: Number(r.id), storeId, type: r.type as DomainEventType, entity: r.entity, entityId: r.entity_id === null ? null : Number(r.entity_id),
      customerId: r.customer_id === null ? null : Number(r.customer_id), data: JSON.parse(r.data) as DomainEvent['data'], occurredAt: r.occurred_at,
    },
  }));
  return { events, last: Math.max(after, Number(newest.rows[0]?.id ?? 0)) };
}

export interface DemoHistory {
  flows: DemoFlows;
  winBack: WinBackLedger;
  /** When the flows and the programme were switched on. */
  start: Date;
}

/** Replays the last days before `end` (a day boundary) through the flows and the programme. */
export async function replayDemoHistory(services: Services, storeId: string, end: Date, currency: string): Promise<DemoHistory | undefined> {
  // Flows send email; the demo's addresses are made up, so never through a configured SMTP server.
  if (services.config.smtpUrl) return undefined;
  const days = await historyDays(services, storeId, end);
  const start = new Date(end.getTime() - days * DAY_MS);
  const clock = new WalkClock(start);
  const jobs = new JobQueue(services.storage.write, services.storage.read, clock);
  const flows = new FlowsService(services.storage, jobs, clock, () => services, services.logger);
  // Events from before the switch-on day are history the programme and the flows never saw.
  const before = await eventsAfter(services, storeId, 0, start, start);
  const pending = before.events;
  await services.loyalty.saveSettings(storeId, DEMO_LOYALTY_SETTINGS, 'owner@demo-outfitters.example', start);
  // The tracked reviews (loaded in bulk, without domain events) become the store's reviews.
  await services.reviews.fromStoredEvents(storeId);
  await addDemoReviewPhotos(services.reviews, storeId);
  const installed = await installDemoFlows(services, flows, storeId, start);
  for (const id of installed.segmentIds) await services.segments.refreshAsOf(storeId, id, start, { start: true });
  // The set-up's own events (segments created today) are not history.
  let seen = (await eventsAfter(services, storeId, before.last, start)).last;
  const winBack = newWinBackLedger();

  const deliver = async (now: Date) => {
    const fresh = await eventsAfter(services, storeId, seen, now);
    seen = fresh.last;
    pending.push(...fresh.events);
    pending.sort((a, b) => a.at - b.at || a.event.id - b.event.id);
    let due = 0;
    while (due < pending.length && pending[due]!.at <= now.getTime()) due += 1;
    const batch = pending.splice(0, due).map((e) => e.event);
    if (batch.length === 0) return;
    await services.loyalty.handleEvents(batch, now);
    await services.offers.handleEvents(batch, now);
    await flows.handleEvents(batch);
  };
  // As the worker does: the earliest due `flows.step` job first, run at its own due time (an
  // hour's wait ends an hour later, not at the next day).
  const runDueSteps = async (until: Date) => {
    for (let job = await jobs.lease([FLOW_STEP_JOB], 60_000, until); job; job = await jobs.lease([FLOW_STEP_JOB], 60_000, until)) {
      if (job.run_at > clock.at) clock.at = job.run_at;
      await jobs.complete(job.id, await flows.runStepJob(JSON.parse(job.payload) as { storeId: string }));
    }
    clock.at = until;
  };
  // As the scheduler does each hour: the day's date-trigger enrolments (birthdays), then the jobs they queue.
  const enrolDates = async (now: Date) => {
    await flows.runDateTriggers({ storeId });
    for (let job = await jobs.lease([FLOW_DATE_JOB], 60_000, now); job; job = await jobs.lease([FLOW_DATE_JOB], 60_000, now)) {
      await jobs.complete(job.id, await flows.runDateEnrolment(JSON.parse(job.payload) as DateEnrolment));
    }
  };

  // The switch-on day's own birthdays (the hourly job runs on the day a flow goes live).
  await enrolDates(start);
  for (let day = 1; day <= days; day += 1) {
    const now = new Date(start.getTime() + day * DAY_MS);
    // The day's steps up to its end, then what the day brought (the last day's only its steps, so
    // every planted order falls inside the data).
    await runDueSteps(now);
    if (day === days) break;
    for (const id of installed.segmentIds) await services.segments.refreshAsOf(storeId, id, now);
    await deliver(now);
    await enrolDates(now);
    await plantWinBackOrders(services, flows, storeId, { flowId: installed.ids.win_back, offerId: installed.offerId }, winBack, { now, end, currency });
    await services.loyalty.runDaily(storeId, now);
    await referralDay(services, storeId, now, day);
    if (day % 7 === 0 || day % 30 === 15) await loyaltyDay(services, storeId, now, day, { redeem: day % 7 === 0, adjust: day % 30 === 15 });
  }
  return { flows: installed, winBack, start };
}
