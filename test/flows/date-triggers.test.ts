/**
 * Date triggers under the real scheduler, job queue and engine: on the store's calendar day (its
 * time zone, not UTC) the customers whose birthday, first-order anniversary, custom date, predicted
 * next order or product reorder is due enter the flow — each once per day, however often the hourly
 * job runs — and the others do not. `offset_days` moves the day; a bad date trigger is refused
 * naming the field; the backtest of a birthday flow counts the birthdays of its window.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/jobs/scheduler.js';
import { silentLogger } from '../../src/lib/logger.js';
import { localDay, zonedInstant } from '../../src/lib/zoned-time.js';
import { FLOW_DATES_JOB } from '../../src/modules/flows/index.js';
import { errorOf } from '../helpers/app.js';
import { addressOf, DAY, flowHarness, type FlowHarness, HOUR, liveFlow } from './flow-harness.js';

// Auckland is 12 or 13 hours ahead of UTC: its days start on the previous UTC day.
const ZONE = 'Pacific/Auckland';
let h: FlowHarness;
let today: string;
let ids: Map<string, number>;

/** The day `n` days after `day` (YYYY-MM-DD). */
const shift = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const monthDay = (day: string) => day.slice(5);
/** 00:30 on `day` in the store's zone: still the day before in UTC. */
const earlyOn = (day: string) => zonedInstant({ year: Number(day.slice(0, 4)), month: Number(day.slice(5, 7)), day: Number(day.slice(8, 10)), hour: 0, minute: 30 }, ZONE);
const lastYear = (day: string) => `${Number(day.slice(0, 4)) - 1}-${monthDay(day)}`;

beforeAll(async () => {
  h = await flowHarness('Date Store');
  await h.services.accounts.updateStore(h.storeId, { timezone: ZONE });
  today = localDay(h.clock.now(), ZONE);
  const order = (id: string, customer: string, at: Date, product = 'p-mug') => ({
    external_id: id, customer_external_id: customer, placed_at: at, currency: 'EUR', status: 'paid' as const, lines: [{ product_external_id: product, title: product, quantity: 1, unit_price: 2_000 }],
  });
  const people = {
    ann: { birthday: `1990-${monthDay(today)}` }, // her birthday is today
    bo: { birthday: `--${monthDay(shift(today, 7))}` }, // in a week
    cy: { birthday: `1985-${monthDay(shift(today, 1))}` }, // tomorrow
    ed: {}, fay: {}, // first orders: a year ago today (early in the store's day), and today
    gus: { attributes: { renewal_on: today } }, hal: { attributes: { renewal_on: shift(today, 1) } },
    kim: {}, lee: {}, // predicted to order today; lee ordered since
    ivy: {}, jo: {}, max: {}, // food: due today by her own interval; bought once 30 days ago (the usual); bought once 10 days ago
    r1: {}, r2: {}, r3: {}, // regular food buyers long ago: the product's usual interval is 30 days
  };
  const now = h.clock.now();
  const dayAgo = (n: number) => new Date(now.getTime() - n * DAY);
  await h.services.commerce.write(h.storeId, {
    customers: Object.entries(people).map(([name, extra]) => ({ external_id: name, email: `${name}@example.com`, first_name: name, email_consent: { status: 'subscribed' as const }, ...extra })),
    orders: [
      order('o-ed', 'ed', earlyOn(lastYear(today))), order('o-fay', 'fay', earlyOn(today)),
      order('o-lee', 'lee', dayAgo(0.01)),
      order('o-ivy-1', 'ivy', dayAgo(40), 'p-food'), order('o-ivy-2', 'ivy', dayAgo(20), 'p-food'),
      order('o-jo', 'jo', dayAgo(30), 'p-food'), order('o-max', 'max', dayAgo(10), 'p-food'),
      ...['r1', 'r2', 'r3'].flatMap((r) => [200, 170, 140].map((n) => order(`o-${r}-${n}`, r, dayAgo(n), 'p-food'))),
    ],
  });
  const rows = await h.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', h.storeId).execute();
  ids = new Map(rows.map((r) => [r.external_id!, Number(r.id)]));
  // The predictions' current scores, as a refit writes them: kim and lee are expected to order today.
  for (const name of ['kim', 'lee']) {
    await sql`insert into customer_predictions (store_id, customer_id, fit_id, p_alive, expected_orders_30d, expected_orders_90d, expected_orders_365d,
        p_order_30d, p_order_90d, p_order_365d, expected_order_value, clv_12m, next_order_on, churn_risk, scored_at)
      values (${h.storeId}, ${ids.get(name)!}, 'fit-test', 0.9, 1, 2, 5, 0.6, 0.8, 0.95, 2000, 9000, ${today}::date, 'low', ${dayAgo(1)})`.execute(h.services.storage.write);
  }
  await h.settle();
}, 60_000);
afterAll(async () => h.close());

const scheduler = () => new Scheduler(h.services.jobs, async () => [h.storeId], [{ kind: FLOW_DATES_JOB, everyMs: HOUR }], silentLogger);
/** The hourly job as the server's scheduler queues it, then everything it leads to. */
const hourly = async () => {
  await scheduler().tick(h.clock.now().getTime());
  await h.settle();
};
const entrants = async (flowId: string) => {
  const runs = ((await h.request('GET', `/api/v1/flows/${flowId}/runs?limit=1000`)).json() as { data: { customer_id: number; trigger_kind: string }[] }).data;
  const names = new Map([...ids].map(([name, id]) => [id, name]));
  return runs.map((r) => names.get(r.customer_id)!).sort();
};
const dateFlow = (name: string, trigger: Record<string, unknown>) => liveFlow(h, name, {
  trigger: { kind: 'date', ...trigger }, entry: { re_entry: 'after', after_days: 300 }, holdout_share: 0,
  steps: [{ id: 'wait', type: 'wait', duration: { days: 2 }, next: 'done' }, { id: 'done', type: 'exit' }],
});

describe('date triggers', () => {
  it('enrols on the store’s day the customers whose date it is, once however often the job runs', async () => {
    const template = (await h.request('POST', '/api/v1/templates/from-starter', { starter: 'birthday', name: 'Happy birthday' })).json() as { id: string };
    const birthday = await liveFlow(h, 'Birthday', {
      trigger: { kind: 'date', date: 'birthday' }, entry: { re_entry: 'after', after_days: 300 }, holdout_share: 0,
      steps: [{ id: 'wishes', type: 'send_email', template_id: template.id }],
    });
    const weekBefore = await dateFlow('A week before the birthday', { date: 'birthday', offset_days: -7 });
    const anniversary = await dateFlow('Anniversary', { date: 'first_order_anniversary' });
    const renewal = await dateFlow('Renewal', { date: 'attribute', attribute: 'renewal_on' });
    const predicted = await dateFlow('Expected today', { date: 'next_order_predicted' });
    const reorder = await dateFlow('Food runs out', { date: 'reorder_due', product: 'p-food' });

    await hourly();
    expect(await entrants(birthday.id)).toEqual(['ann']);
    expect(await entrants(weekBefore.id)).toEqual(['bo']);
    expect(await entrants(anniversary.id)).toEqual(['ed']);
    expect(await entrants(renewal.id)).toEqual(['gus']);
    expect(await entrants(predicted.id)).toEqual(['kim']);
    expect(await entrants(reorder.id)).toEqual(['ivy', 'jo']);
    expect((await h.sink.parsed()).filter((m) => /birthday/i.test(m.subject ?? '')).map(addressOf)).toEqual(['ann@example.com']);

    // The job again the same day (the next hours, a restart) enrols nobody again. The clock stays
    // put, so that the store's day is the same whatever the time the test runs.
    for (let i = 0; i < 3; i += 1) {
      expect(await h.services.flows.runDateTriggers({ storeId: h.storeId })).toEqual({ queued: 0 });
      await h.settle();
    }
    expect(await entrants(birthday.id)).toEqual(['ann']);
    expect(await entrants(reorder.id)).toEqual(['ivy', 'jo']);

    // A day later: tomorrow's birthday.
    h.clock.advance(DAY);
    await hourly();
    expect(await entrants(birthday.id)).toEqual(['ann', 'cy']);
    expect(await entrants(renewal.id)).toEqual(['gus', 'hal']);
    expect((await h.sink.parsed()).filter((m) => /birthday/i.test(m.subject ?? '')).map(addressOf).sort()).toEqual(['ann@example.com', 'cy@example.com']);
  });

  it('refuses a date trigger that does not hold together, naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ date: 'attribute' }, 'trigger.attribute'],
      [{ date: 'birthday', attribute: 'renewal_on' }, 'trigger.attribute'],
      [{ date: 'birthday', yearly: true }, 'trigger.yearly'],
      [{ date: 'birthday', product: 'p-food' }, 'trigger.product'],
      [{ date: 'birthday', offset_days: 400 }, 'trigger.offset_days'],
      [{ date: 'name_day' }, 'trigger.date'],
    ];
    for (const [trigger, path] of cases) {
      const answer = await h.request('POST', '/api/v1/flows', { name: 'Bad', document: { trigger: { kind: 'date', ...trigger }, steps: [{ id: 'done', type: 'exit' }] } });
      expect(answer.statusCode, JSON.stringify(trigger)).toBe(422);
      expect(errorOf(answer).details.map((d) => d.path), JSON.stringify(trigger)).toContain(path);
    }
  });

  it('backtests a birthday flow: everyone whose birthday came in the window', async () => {
    const flow = await dateFlow('Birthday backtest', { date: 'birthday' });
    const result = (await h.request('POST', `/api/v1/flows/${flow.id}/backtest`, { days: 30 })).json() as { entrants: number; approximations: string[] };
    // An independent count: the stored birthdays whose day came in the last 30 days of the store's calendar (today included).
    const now = localDay(h.clock.now(), ZONE);
    const window = new Set(Array.from({ length: 30 }, (_, i) => monthDay(shift(now, -i))));
    const rows = await h.services.storage.read.selectFrom('customers').select('birthday').where('store_id', '=', h.storeId).where('birthday', 'is not', null).execute();
    const expected = rows.filter((r) => window.has(r.birthday!.slice(-5))).length;
    expect(expected).toBeGreaterThanOrEqual(2);
    expect(result.entrants).toBe(expected);
    expect(result.approximations.join(' ')).toContain('start of the store');
  });
});
