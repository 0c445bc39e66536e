/**
 * The backtest: a flow's trigger, entry rule, exit conditions and steps run over the store's
 * history of the last N days, in SQL and in bulk — never customer by customer through the engine.
 *
 * Everyone the trigger would have enrolled is one population (customer, entry time, the triggering
 * order or row, and `reach_at`: when they would reach the current step). Walking the graph from the first
 * step, each step is one query over the population that arrives there: who would still be on their
 * way today, who would have left before it (ordered since entry, unsubscribed, an exit rule) and
 * who reaches it; the step then says when and where those who reach it go on (a wait adds its
 * duration, a wait for an event looks for that event in the history, a condition splits by its
 * rule). DuckDB SQL (`to_milliseconds`, `hash`, `json_extract_string`), so it lives in this file.
 *
 * Approximations (also returned with each result, and in docs/flows.md):
 * - conditions and exit rules are evaluated on today's values (a rule over predictions uses today's
 *   scores), not as they were when the customer would have reached the step;
 * - "unsubscribed" uses the customer's current consent and when it last changed;
 * - a wait's `until_time` is not simulated (the run goes on at the end of the duration);
 * - a random split divides by a hash of its own, in the same proportions but not the same customers;
 * - re-entry "after n days" keeps every entry at least n days after the customer's previous one.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Storage } from '../../../db/database.js';
import { AppError } from '../../../lib/errors.js';
import type { Clock } from '../../../lib/clock.js';
import { localDay } from '../../../lib/zoned-time.js';
import { storeSettings } from '../../accounts/index.js';
import type { SegmentsService } from '../../segments/index.js';
import { durationMs, type ExitCondition, type FlowDocument, type Step, type Trigger } from '../flow.schema.js';
import { dateMatches } from '../date-triggers.js';
import { BROWSE_PROGRESS_EVENTS, VIEW_EVENT } from '../flow-triggers.js';
import type { FlowsService } from '../flows.service.js';

export interface BacktestStep {
  id: string;
  type: Step['type'];
  name: string | null;
  /** Would have arrived at the step and run it. */
  reached: number;
  /** Would still be on their way to it today (a wait before it had not ended). */
  waiting: number;
  /** Would have left the flow just before it, by reason (`ordered`, `unsubscribed`, an exit rule's name). */
  exited: Record<string, number>;
  /** Where those who ran it went: `yes`/`no`, `event`/`timed_out`, `branch n`. */
  outcomes: Record<string, number>;
}

export interface BacktestResult {
  flow_id: string;
  days: number;
  from: Date;
  to: Date;
  /** Distinct customers who would have entered. */
  entrants: number;
  /** Entries (more than the entrants when the flow lets customers enter again). */
  entries: number;
  steps: BacktestStep[];
  /** Would have finished the flow (an exit step, or the end of a branch). */
  completed: number;
  /** Messages the send steps (email, SMS, webhook) would have sent, less the flow's holdout share. */
  messages: number;
  summary: string;
  approximations: string[];
}

export interface BacktestServices {
  flows: FlowsService;
  segments: SegmentsService;
}

type Population = RawBuilder<unknown>;
/** The steps that send the customer a message (every channel). */
const MESSAGE_STEPS: ReadonlySet<Step['type']> = new Set(['send_email', 'send_sms', 'send_webhook']);
type Rule = Parameters<SegmentsService['compile']>[1];

/** Arrivals followed through the graph at most; a loop through a wait is followed this many times. */
const MAX_ARRIVALS = 200;

export class FlowBacktestService {
  constructor(private readonly storage: Storage, private readonly clock: Clock, private readonly services: () => BacktestServices) {}

  async run(storeId: string, flowId: string, days = 90): Promise<BacktestResult> {
    if (!Number.isInteger(days) || days < 1 || days > 730) throw new AppError('validation_failed', 'Invalid backtest', [{ path: 'days', reason: 'must be a whole number of days from 1 to 730' }]);
    const flow = await this.services().flows.get(storeId, flowId);
    const document = flow.document;
    const to = this.clock.now();
    const from = new Date(to.getTime() - days * 86_400_000);
    const read = this.storage.read;
    const approximations = approximationsOf(document);
    if (document.trigger.kind === 'segment_entered' || document.trigger.kind === 'segment_exited') {
      const segment = await this.services().segments.get(storeId, document.trigger.segment_id).catch(() => undefined);
      if (segment && segment.created_at > from) approximations.push(`the segment "${segment.name}" was created on ${segment.created_at.toISOString().slice(0, 10)}: its members then count as entering that day`);
    }

    const zone = (await storeSettings(read, storeId))?.timezone ?? 'UTC';
    const entries = entryPopulation(storeId, document, from, to, zone);
    const totals = await sql<{ entries: number; entrants: number }>`select count(*) as entries, count(distinct customer_id) as entrants from (${entries}) e`.execute(read);
    const ruleSql = new Map<string, RawBuilder<unknown>>();
    const matching = async (rule: Rule): Promise<RawBuilder<unknown>> => {
      const key = JSON.stringify(rule);
      let found = ruleSql.get(key);
      if (!found) {
        const { compiled } = await this.services().segments.compile(storeId, rule, to);
        found = sql`(select c.id from ${compiled.from} where c.store_id = ${storeId} and ${compiled.where})`;
        ruleSql.set(key, found);
      }
      return found;
    };

    const steps = new Map<string, BacktestStep>(document.steps.map((s) => [s.id, { id: s.id, type: s.type, name: s.name ?? null, reached: 0, waiting: 0, exited: {}, outcomes: {} }]));
    const byId = new Map(document.steps.map((s) => [s.id, s]));
    let completed = 0;
    let followed = 0;
    const queue: { stepId: string | undefined; population: Population }[] = [{ stepId: document.steps[0]!.id, population: entries }];
    while (queue.length) {
      const { stepId, population } = queue.shift()!;
      const step = stepId === undefined ? undefined : byId.get(stepId);
      if (!step) {
        completed += await count(read, population, to);
        continue;
      }
      if (++followed > MAX_ARRIVALS) {
        approximations.push(`the flow loops: arrivals were followed ${MAX_ARRIVALS} times, the rest not counted`);
        break;
      }
      const figures = steps.get(step.id)!;
      const classified = await classify(storeId, document.exit_when, population, to, document.trigger.kind === 'order_placed', matching);
      const outcomes = await sql<{ outcome: string; n: number }>`select outcome, count(*) as n from (${classified}) k group by outcome`.execute(read);
      for (const row of outcomes.rows) {
        const n = Number(row.n);
        if (row.outcome === 'reached') figures.reached += n;
        else if (row.outcome === 'pending') figures.waiting += n;
        else figures.exited[row.outcome] = (figures.exited[row.outcome] ?? 0) + n;
      }
      const reached: Population = sql`select customer_id, entered_at, entity_id, reach_at from (${classified}) k where outcome = 'reached'`;
      for (const branch of await branchesOf(storeId, flowId, step, reached, matching)) {
        if (branch.outcome) figures.outcomes[branch.outcome] = (figures.outcomes[branch.outcome] ?? 0) + (await count(read, branch.population, to));
        if (branch.completes) completed += await count(read, branch.population, to);
        else queue.push({ stepId: branch.next, population: branch.population });
      }
    }

    const entrants = Number(totals.rows[0]?.entrants ?? 0);
    // Every step that sends the customer a message counts, as the Flows list's `messages` does; a
    // note to the store's team (`notify_store`) is not a message to the customer.
    const sends = document.steps.filter((s) => MESSAGE_STEPS.has(s.type)).reduce((sum, s) => sum + steps.get(s.id)!.reached, 0);
    const result: BacktestResult = {
      flow_id: flowId, days, from, to, entrants, entries: Number(totals.rows[0]?.entries ?? 0),
      steps: [...steps.values()], completed, messages: Math.round(sends * (1 - document.holdout_share)), summary: '', approximations,
    };
    result.summary = summaryOf(result);
    return result;
  }
}

/** Everyone the trigger would have enrolled in the window, after the entry rule: customer_id, entered_at, entity_id, reach_at. */
function entryPopulation(storeId: string, document: FlowDocument, from: Date, to: Date, zone: string): Population {
  const matches = triggerMatches(storeId, document.trigger, from, to, zone);
  const entry = document.entry;
  const kept = entry.re_entry === 'never'
    ? sql`select * from (${matches}) m qualify row_number() over (partition by customer_id order by entered_at, entity_id) = 1`
    : sql`select * from (${matches}) m qualify lag(entered_at) over (partition by customer_id order by entered_at, entity_id) is null
        or entered_at >= lag(entered_at) over (partition by customer_id order by entered_at, entity_id) + to_days(${entry.after_days ?? 1}::integer)`;
  return sql`select customer_id, entered_at, entity_id, entered_at as reach_at from (${kept}) k`;
}

const nobody: Population = sql`select null::bigint as customer_id, null::timestamp as entered_at, null::bigint as entity_id where false`;

/** The trigger's matches in history: customer_id, entered_at, entity_id (the triggering row, when there is one). */
function triggerMatches(storeId: string, trigger: Trigger, from: Date, to: Date, zone: string): Population {
  const within = (column: RawBuilder<unknown>) => sql`${column} > ${from} and ${column} <= ${to}`;
  switch (trigger.kind) {
    case 'segment_entered':
    case 'segment_exited':
      return sql`select customer_id, changed_at as entered_at, id as entity_id from segment_history
        where store_id = ${storeId} and segment_id = ${trigger.segment_id} and change = ${trigger.kind === 'segment_entered' ? 'entered' : 'exited'} and ${within(sql.ref('changed_at'))}`;
    case 'order_placed': {
      const product = trigger.product === undefined ? sql`true` : sql`exists (select 1 from order_lines l join products p on p.store_id = l.store_id and p.id = l.product_id
        where l.store_id = ${storeId} and l.order_id = r.entity_id and p.external_id = ${trigger.product})`;
      return sql`select customer_id, entered_at, entity_id from (
          select customer_id, placed_at as entered_at, id as entity_id, row_number() over (partition by customer_id order by placed_at, id) as rank
          from orders where store_id = ${storeId} and customer_id is not null and status <> 'cancelled') r
        where ${within(sql.ref('entered_at'))} and ${trigger.nth === undefined ? sql`true` : sql`rank = ${trigger.nth}`} and ${product}`;
    }
    case 'order_delivered':
      return sql`select customer_id, entered_at, entity_id from (
          select o.customer_id, d.delivered as entered_at, o.id as entity_id, row_number() over (partition by o.customer_id order by d.delivered, o.id) as rank
          from (select order_id, min(delivered_at) as delivered from fulfillments where store_id = ${storeId} and delivered_at is not null group by order_id) d
          join orders o on o.store_id = ${storeId} and o.id = d.order_id where o.customer_id is not null) r
        where ${within(sql.ref('entered_at'))} and ${trigger.nth === undefined ? sql`true` : sql`rank = ${trigger.nth}`}`;
    case 'event': {
      const filters = (trigger.where ?? []).map((f) => {
        const value = sql`json_extract_string(properties, ${`$.${f.property}`})`;
        if (f.op === 'eq') return sql`${value} = ${String(f.value)}`;
        if (f.op === 'neq') return sql`${value} is distinct from ${String(f.value)}`;
        if (f.op === 'contains') return sql`lower(${value}) like ${`%${String(f.value).toLowerCase()}%`}`;
        const op = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[f.op];
        return sql`try_cast(${value} as double) ${sql.raw(op)} ${Number(f.value)}`;
      });
      return sql`select customer_id, occurred_at as entered_at, id as entity_id from events
        where store_id = ${storeId} and customer_id is not null and name = ${trigger.name} and ${within(sql.ref('occurred_at'))}
        ${filters.length ? sql`and ${sql.join(filters, sql` and `)}` : sql``}`;
    }
    case 'checkout_started':
      return sql`select customer_id, started_at as entered_at, id as entity_id from checkouts
        where store_id = ${storeId} and customer_id is not null and ${within(sql.ref('started_at'))}
        ${trigger.min_value === undefined ? sql`` : sql`and coalesce(value, 0) >= ${trigger.min_value}`}`;
    case 'churn_risk_rose':
    case 'loyalty_tier_changed':
    case 'points_expiring':
    case 'referral_ordered': {
      const type = { churn_risk_rose: 'prediction.band_changed', loyalty_tier_changed: 'loyalty.tier_changed', points_expiring: 'loyalty.points_expiring', referral_ordered: 'loyalty.referral_ordered' }[trigger.kind];
      const filter = trigger.kind === 'churn_risk_rose'
        ? sql`and json_extract_string(data, '$.direction') = 'rose' ${trigger.to ? sql`and json_extract_string(data, '$.to') = ${trigger.to}` : sql``}`
        : trigger.kind === 'loyalty_tier_changed' && trigger.direction ? sql`and json_extract_string(data, '$.direction') = ${trigger.direction}` : sql``;
      return sql`select customer_id, occurred_at as entered_at, id as entity_id from domain_events
        where store_id = ${storeId} and type = ${type} and customer_id is not null and ${within(sql.ref('occurred_at'))} ${filter}`;
    }
    case 'return_created':
    case 'review_submitted':
    case 'survey_answered': {
      const type = { return_created: 'return.created', review_submitted: 'review.submitted', survey_answered: 'survey.answered' }[trigger.kind];
      const field = (name: string) => sql`json_extract_string(data, ${`$.${name}`})`;
      const filters: RawBuilder<unknown>[] = [];
      if (trigger.kind === 'return_created' && trigger.min_amount !== undefined) filters.push(sql`try_cast(${field('amount')} as bigint) >= ${trigger.min_amount}`);
      if (trigger.kind === 'review_submitted') {
        if (trigger.max_rating !== undefined) filters.push(sql`try_cast(${field('rating')} as integer) <= ${trigger.max_rating}`);
        if (trigger.min_rating !== undefined) filters.push(sql`try_cast(${field('rating')} as integer) >= ${trigger.min_rating}`);
      }
      if (trigger.kind === 'survey_answered') {
        if (trigger.survey !== undefined) filters.push(sql`${field('kind')} = ${trigger.survey}`);
        if (trigger.category !== undefined) filters.push(sql`${field('category')} = ${trigger.category}`);
      }
      return sql`select customer_id, occurred_at as entered_at, id as entity_id from domain_events
        where store_id = ${storeId} and type = ${type} and customer_id is not null and ${within(sql.ref('occurred_at'))}
        ${filters.length ? sql`and ${sql.join(filters, sql` and `)}` : sql``}`;
    }
    case 'browse_abandoned': {
      // Each view whose wait passed without a product added, a checkout or an order enters when the wait ends.
      const wait = durationMs(trigger.wait);
      const ends = sql`e.occurred_at + to_milliseconds(${wait}::bigint)`;
      const product = trigger.product === undefined ? sql`` : sql`and json_extract_string(e.properties, '$.product_id') = ${trigger.product}`;
      return sql`select e.customer_id, ${ends} as entered_at, e.id as entity_id from events e
        where e.store_id = ${storeId} and e.customer_id is not null and e.type = 'track' and e.name = ${VIEW_EVENT} ${product}
          and ${ends} > ${from} and ${ends} <= ${to}
          and not exists (select 1 from events a where a.store_id = ${storeId} and a.customer_id = e.customer_id and a.name in (${sql.join([...BROWSE_PROGRESS_EVENTS])})
            and a.occurred_at > e.occurred_at and a.occurred_at <= ${ends})
          and not exists (select 1 from checkouts k where k.store_id = ${storeId} and k.customer_id = e.customer_id and k.started_at > e.occurred_at and k.started_at <= ${ends})
          and not exists (select 1 from orders o where o.store_id = ${storeId} and o.customer_id = e.customer_id and o.placed_at > e.occurred_at and o.placed_at <= ${ends})`;
    }
    case 'date': {
      // Predicted and due dates of past days are not kept: those triggers have no history.
      if (trigger.date === 'next_order_predicted' || trigger.date === 'reorder_due') return nobody;
      // Each day's customers enter at the start of the store's day.
      return sql`select customer_id, entered_at, entity_id from (
          select customer_id, timezone('UTC', timezone(${zone}, day::timestamp)) as entered_at, entity_id
          from (${dateMatches(storeId, trigger, zone, localDay(from, zone), localDay(to, zone))}) m) d
        where ${within(sql.ref('entered_at'))}`;
    }
    case 'manual':
      return nobody;
  }
}

/** The population arriving at a step, each row with its outcome: pending (not there yet today), an exit reason, or reached. */
async function classify(
  storeId: string, conditions: readonly ExitCondition[], population: Population, now: Date, triggeredByOrder: boolean,
  matching: (rule: Rule) => Promise<RawBuilder<unknown>>,
): Promise<Population> {
  const cases: RawBuilder<unknown>[] = [sql`when p.reach_at > ${now} then 'pending'`];
  for (const condition of conditions) {
    if (condition.kind === 'ordered') {
      cases.push(sql`when exists (select 1 from orders o where o.store_id = ${storeId} and o.customer_id = p.customer_id and o.status <> 'cancelled'
        and o.placed_at > p.entered_at and o.placed_at <= p.reach_at ${triggeredByOrder ? sql`and o.id <> p.entity_id` : sql``}) then 'ordered'`);
    } else if (condition.kind === 'unsubscribed') {
      cases.push(sql`when exists (select 1 from customers c where c.store_id = ${storeId} and c.id = p.customer_id
        and coalesce(c.email_consent, 'never_asked') <> 'subscribed' and (c.email_consent_at is null or c.email_consent_at <= p.reach_at)) then 'unsubscribed'`);
    } else {
      cases.push(sql`when p.customer_id in ${await matching(condition.rule as Rule)} then ${condition.name}`);
    }
  }
  return sql`select p.customer_id, p.entered_at, p.entity_id, p.reach_at, case ${sql.join(cases, sql` `)} else 'reached' end as outcome from (${population}) p`;
}

interface Branch { outcome?: string; next?: string; completes?: boolean; population: Population }

/** Where those who ran a step go on, and when. */
async function branchesOf(storeId: string, flowId: string, step: Step, reached: Population, matching: (rule: Rule) => Promise<RawBuilder<unknown>>): Promise<Branch[]> {
  const after = (ms: number) => sql`select customer_id, entered_at, entity_id, reach_at + to_milliseconds(${ms}::bigint) as reach_at from (${reached}) r`;
  switch (step.type) {
    case 'wait':
      return [{ next: step.next, population: after(step.duration ? durationMs(step.duration) : 0) }];
    case 'wait_for_event': {
      const timeout = durationMs(step.timeout);
      const waited = sql`select r.*, (select min(e.occurred_at) from events e where e.store_id = ${storeId} and e.customer_id = r.customer_id and e.name = ${step.event}
        and e.occurred_at > r.reach_at and e.occurred_at <= r.reach_at + to_milliseconds(${timeout}::bigint)) as event_at from (${reached}) r`;
      return [
        { outcome: 'event', next: step.next, population: sql`select customer_id, entered_at, entity_id, event_at as reach_at from (${waited}) w where event_at is not null` },
        { outcome: 'timed_out', next: step.timeout_next, population: sql`select customer_id, entered_at, entity_id, reach_at + to_milliseconds(${timeout}::bigint) as reach_at from (${waited}) w where event_at is null` },
      ];
    }
    case 'condition': {
      const members = await matching(step.rule as Rule);
      return [
        { outcome: 'yes', next: step.yes, population: sql`select * from (${reached}) r where customer_id in ${members}` },
        { outcome: 'no', next: step.no, population: sql`select * from (${reached}) r where customer_id not in ${members}` },
      ];
    }
    case 'split': {
      const total = step.branches.reduce((sum, b) => sum + b.weight, 0);
      let start = 0;
      return step.branches.map((branch, i) => {
        const low = start;
        start += branch.weight;
        return { outcome: `branch ${i + 1}`, next: branch.next, population: sql`select * from (${reached}) r where hash(${`${flowId}:${step.id}:`} || customer_id::varchar) % ${total} >= ${low} and hash(${`${flowId}:${step.id}:`} || customer_id::varchar) % ${total} < ${start}` };
      });
    }
    case 'exit':
      return [{ completes: true, population: reached }];
    default:
      return step.next === undefined ? [{ completes: true, population: reached }] : [{ next: step.next, population: reached }];
  }
}

/** Rows of a population (those already there by `now`, when given). */
async function count(read: Storage['read'], population: Population, now: Date | null): Promise<number> {
  const result = await sql<{ n: number }>`select count(*) as n from (${population}) p ${now ? sql`where p.reach_at <= ${now}` : sql``}`.execute(read);
  return Number(result.rows[0]?.n ?? 0);
}

function approximationsOf(document: FlowDocument): string[] {
  const notes = ['conditions and exit rules are evaluated on today\'s values (rules over predictions use today\'s scores)'];
  if (document.exit_when.some((c) => c.kind === 'unsubscribed')) notes.push('"unsubscribed" uses each customer\'s current consent and when it last changed');
  if (document.steps.some((s) => s.type === 'wait' && s.until_time)) notes.push('a wait\'s until_time is not simulated: the run goes on at the end of its duration');
  if (document.steps.some((s) => s.type === 'split')) notes.push('random splits divide in the same proportions, not the same customers as the live flow');
  if (document.entry.re_entry === 'after') notes.push(`re-entry: every entry at least ${document.entry.after_days} days after the customer's previous one counts`);
  if (document.trigger.kind === 'browse_abandoned') notes.push('browse abandonment: every abandoned view counts; live, views during a wait already running add nothing');
  if (document.trigger.kind === 'manual') notes.push('a manual trigger has no history: nobody would have entered');
  if (document.trigger.kind === 'date') {
    notes.push(document.trigger.date === 'next_order_predicted' || document.trigger.date === 'reorder_due'
      ? 'predicted and due dates of past days are not kept: nobody would have entered'
      : 'each day\'s customers enter at the start of the store\'s day, with today\'s birthdays, attributes and first orders');
  }
  return notes;
}

const number = (n: number) => n.toLocaleString('en-US');

/** "In the last 90 days, 1,240 customers would have entered; 310 would have exited at step 2 (wait) because they ordered." */
export function summaryOf(result: Pick<BacktestResult, 'days' | 'entrants' | 'steps' | 'messages'>): string {
  const head = `In the last ${result.days} days, ${number(result.entrants)} ${result.entrants === 1 ? 'customer' : 'customers'} would have entered`;
  let biggest: { n: number; index: number; reason: string } | undefined;
  result.steps.forEach((step, index) => {
    for (const [reason, n] of Object.entries(step.exited)) if (!biggest || n > biggest.n) biggest = { n, index, reason };
  });
  const why = (reason: string) => (reason === 'ordered' ? 'they ordered' : reason === 'unsubscribed' ? 'they unsubscribed' : `of "${reason}"`);
  const exits = biggest ? `; ${number(biggest.n)} would have exited at step ${biggest.index + 1} (${result.steps[biggest.index]!.id}) because ${why(biggest.reason)}` : '';
  return `${head}${exits}; ${number(result.messages)} ${result.messages === 1 ? 'message' : 'messages'} would have been sent.`;
}
