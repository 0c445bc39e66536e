/**
 * When a campaign's recipients get it: at a wall-clock time on each recipient's own clock, or at
 * each one's usual hour (from their order and click times). Each message carries its not-before
 * time, which this test computes on its own with Intl, minute by minute; the send job sends it
 * then and not before; the results say over how many hours the campaign is spread.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
let segment: string;
let template: string;
const request = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(store.secretKey), ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });

const zones = { tokyo: 'Asia/Tokyo', newyork: 'America/New_York', nozone: 'Europe/London' } as const;
type Who = keyof typeof zones;

function clock(at: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}
function day(at: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}
/** The instant at which the clock in `zone` shows `date` `hhmm`, found minute by minute around it. */
function localInstant(date: string, hhmm: string, zone: string): Date {
  const guess = Date.parse(`${date}T${hhmm}:00Z`);
  for (let at = guess - 15 * 3_600_000; at <= guess + 15 * 3_600_000; at += 60_000) {
    if (day(new Date(at), zone) === date && clock(new Date(at), zone) === hhmm) return new Date(at);
  }
  throw new Error('no such local time');
}
/** The first whole minute at or after `from` at which the clock in `zone` shows `hhmm`. */
function nextClock(from: Date, zone: string, hhmm: string): Date {
  for (let at = Math.ceil(from.getTime() / 60_000) * 60_000; at < from.getTime() + 2 * 86_400_000; at += 60_000) {
    if (clock(new Date(at), zone) === hhmm) return new Date(at);
  }
  throw new Error('not found');
}
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Order times on each customer's clock: Tokyo around 19:30; New York twice around midnight (a click makes three); London only twice. */
const orderTimes: Record<Who, string[]> = {
  tokyo: ['19:10', '19:40', '20:05', '19:25'],
  newyork: ['23:30', '00:50'],
  nozone: ['07:00', '15:00'],
};

beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Clockwork', { timezone: 'Europe/London' });
  await t.services.commerce.write(store.storeId, {
    customers: (Object.keys(zones) as Who[]).map((who) => ({
      external_id: who, email: `${who}@example.com`, email_consent: { status: 'subscribed' as const }, ...(who !== 'nozone' && { timezone: zones[who] }),
    })),
    orders: (Object.keys(zones) as Who[]).flatMap((who) => orderTimes[who].map((time, k) => ({
      external_id: `${who}-${k}`, customer_external_id: who, placed_at: localInstant(isoDay(Date.UTC(2026, 5, 1 + k * 7)), time, zones[who]), currency: 'EUR',
      lines: [{ product_external_id: 'p-1', title: 'Tea', quantity: 1, unit_price: 1_000 }],
    }))),
  });
  segment = ((await request('POST', '/api/v1/segments', { name: 'Buyers', rule: { kind: 'orders', metric: 'count', op: 'gte', value: 1 } })).json() as { id: string }).id;
  template = ((await request('POST', '/api/v1/templates/from-starter', { starter: 'newsletter' })).json() as { id: string }).id;
  await t.services.messages.updateSettings(store.storeId, { frequency_cap_hours: 0 });
});
afterAll(async () => t.close());

async function customerIds(): Promise<Record<Who, number>> {
  const rows = await t.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', store.storeId).execute();
  return Object.fromEntries(rows.map((r) => [r.external_id, Number(r.id)])) as Record<Who, number>;
}

async function messagesOf(campaignId: string): Promise<Map<number, { id: number; state: string; not_before: string | null }>> {
  const page = (await request('GET', `/api/v1/messages?source=campaign:${campaignId}&limit=50`)).json() as { data: { id: number; customer_id: number; state: string; not_before: string | null }[] };
  return new Map(page.data.map((m) => [m.customer_id, m]));
}

describe('a campaign at a local time', () => {
  it('refuses a local time that is not one, or has passed everywhere', async () => {
    const bad = await request('POST', '/api/v1/campaigns', { name: 'Bad', segment_ids: [segment], delivery: { mode: 'local_time', local_time: '2026-02-30T10:00' } });
    expect(bad.statusCode).toBe(422);
    expect(errorOf(bad).details[0]!.path).toBe('delivery.local_time');
    const past = await request('POST', '/api/v1/campaigns', { name: 'Past', segment_ids: [segment], delivery: { mode: 'local_time', local_time: '2020-01-01T10:00' } });
    expect(past.statusCode).toBe(422);
    expect(errorOf(past).details).toEqual([{ path: 'delivery.local_time', reason: 'has already passed in every time zone' }]);
  });

  it("reaches each recipient at 10:00 on their own clock, or at once where 10:00 has passed", async () => {
    const date = isoDay(Date.now() + 4 * 86_400_000);
    const created = await request('POST', '/api/v1/campaigns', { name: 'Ten o\'clock', segment_ids: [segment], template_id: template, holdout_share: 0, delivery: { mode: 'local_time', local_time: `${date}T10:00` } });
    expect(created.statusCode, created.body).toBe(201);
    const campaign = created.json() as { id: string; status: string; send_at: string; delivery: unknown };
    // It starts where 10:00 comes first on Earth (UTC+14).
    expect(campaign).toMatchObject({ status: 'scheduled', delivery: { mode: 'local_time', local_time: `${date}T10:00` } });
    expect(campaign.send_at).toBe(new Date(Date.parse(`${date}T10:00:00Z`) - 14 * 3_600_000).toISOString());

    // Started late, when it is already past 10:00 in Tokyo but not in London or New York.
    const tenAt = Object.fromEntries((Object.keys(zones) as Who[]).map((who) => [who, localInstant(date, '10:00', zones[who])])) as Record<Who, Date>;
    const start = new Date(tenAt.tokyo.getTime() + 3_600_000);
    expect(start.getTime()).toBeLessThan(tenAt.nozone.getTime());
    await t.services.campaigns.start(store.storeId, campaign.id, start);
    const ids = await customerIds();
    const messages = await messagesOf(campaign.id);
    expect(messages.get(ids.tokyo)!.not_before).toBeNull();
    expect(messages.get(ids.nozone)!.not_before).toBe(tenAt.nozone.toISOString());
    expect(messages.get(ids.newyork)!.not_before).toBe(tenAt.newyork.toISOString());

    const all = [...messages.values()].map((m) => m.id);
    expect((await t.services.messages.sendBatch(store.storeId, all, undefined, start)).sent).toBe(1);
    expect((await t.services.messages.sendBatch(store.storeId, all, undefined, tenAt.nozone)).sent).toBe(1);
    expect((await t.services.messages.sendBatch(store.storeId, all, undefined, new Date(tenAt.newyork.getTime() - 60_000))).sent).toBe(0);
    expect((await t.services.messages.sendBatch(store.storeId, all, undefined, tenAt.newyork)).sent).toBe(1);

    const results = (await request('GET', `/api/v1/campaigns/${campaign.id}/results`)).json() as { schedule: { first_at: string; last_at: string; hours: number }; messages: { sent: number } };
    expect(results.messages.sent).toBe(3);
    expect(results.schedule.last_at).toBe(tenAt.newyork.toISOString());
    expect(results.schedule.hours).toBeCloseTo((Date.parse(results.schedule.last_at) - Date.parse(results.schedule.first_at)) / 3_600_000, 1);
    expect(results.schedule.hours).toBeGreaterThan(5);
  });
});

describe("a campaign at each recipient's usual hour", () => {
  it('sends at the hour their orders and clicks centre on, or at the default hour without enough history', async () => {
    const ids = await customerIds();
    // A click at 00:10 in New York, from an earlier message: New York's third observation (engagement rows are the redirect's record).
    await sql`insert into message_engagement (store_id, id, send_key, customer_id, kind, url, user_agent, occurred_at)
      values (${store.storeId}, nextval('message_engagement_id_seq'), 'earlier:newyork', ${ids.newyork}, 'click', 'https://shop.example/', null,
        ${localInstant('2026-07-01', '00:10', zones.newyork)})`.execute(t.services.storage.write);

    // The expected hours, computed here another way: a tight cluster's plain mean (New York's around midnight, unwrapped).
    const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));
    const meanHour = (times: string[], unwrap: boolean) => {
      const shifted = times.map((x) => (unwrap ? (minutes(x) + 720) % 1440 : minutes(x)));
      const mean = shifted.reduce((a, b) => a + b, 0) / shifted.length;
      return Math.floor((((unwrap ? mean - 720 : mean) + 1440) % 1440) / 60);
    };
    const expectedHour: Record<Who, number> = {
      tokyo: meanHour(orderTimes.tokyo, false),
      newyork: meanHour([...orderTimes.newyork, '00:10'], true),
      nozone: 9, // two orders are too few: the campaign's default hour
    };
    expect(expectedHour.tokyo).toBe(19);

    const created = (await request('POST', '/api/v1/campaigns', { name: 'Usual', segment_ids: [segment], template_id: template, holdout_share: 0, delivery: { mode: 'usual_hour', default_hour: 9 } })).json() as { id: string };
    const start = new Date(Date.now() + 86_400_000);
    await t.services.campaigns.start(store.storeId, created.id, start);
    const messages = await messagesOf(created.id);
    const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
    for (const who of Object.keys(zones) as Who[]) {
      expect(messages.get(ids[who])!.not_before, who).toBe(nextClock(start, zones[who], hh(expectedHour[who])).toISOString());
    }
    const results = (await request('GET', `/api/v1/campaigns/${created.id}/results`)).json() as { schedule: { hours: number } };
    const times = [...messages.values()].map((m) => Date.parse(m.not_before!));
    expect(results.schedule.hours).toBeCloseTo((Math.max(...times) - Math.min(...times)) / 3_600_000, 1);
  });
});
