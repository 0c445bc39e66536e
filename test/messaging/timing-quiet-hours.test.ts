/**
 * Quiet hours in each customer's own time zone: a marketing message due at night there is not
 * dropped but waits, still queued, for the end of the quiet window on that customer's clock, with
 * a send job booked then; transactional mail goes at once. When the time comes it reaches the
 * built-in SMTP catcher exactly once — also after a restart and a second run of the job. And the
 * weekly cap: at most N marketing messages per customer in 7 days.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
let owner: Record<string, string>;
const request = (method: 'GET' | 'PATCH', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: method === 'GET' ? bearer(store.secretKey) : owner, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });

beforeAll(async () => {
  t = await createTestApp();
  // The store's clock is Sydney's: a customer without a zone of their own is read on it.
  store = await t.newStore('Night Shop', { timezone: 'Australia/Sydney' });
  // Sending settings are the owner's to change.
  const { cookie, csrf } = await t.signIn(store.ownerEmail, store.ownerPassword);
  owner = { cookie, 'x-csrf-token': csrf, 'x-hearth-store': store.storeId };
  await t.services.commerce.write(store.storeId, {
    customers: [
      { external_id: 'tokyo', email: 'tokyo@example.com', timezone: 'Asia/Tokyo', email_consent: { status: 'subscribed' } },
      { external_id: 'newyork', email: 'ny@example.com', timezone: 'America/New_York', email_consent: { status: 'subscribed' } },
      { external_id: 'nozone', email: 'nozone@example.com', email_consent: { status: 'subscribed' } },
      { external_id: 'weekly', email: 'weekly@example.com', timezone: 'Europe/Paris', email_consent: { status: 'subscribed' } },
    ],
  });
});
afterAll(async () => {
  await t.close();
});

async function customerId(external: string): Promise<number> {
  const row = await t.services.storage.read.selectFrom('customers').select('id').where('store_id', '=', store.storeId).where('external_id', '=', external).executeTakeFirstOrThrow();
  return Number(row.id);
}

/** The hour and minute a wall clock in `zone` shows at an instant, read with Intl. */
function clock(at: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}

/** The first whole minute after `from` at which the clock in `zone` shows `hhmm` (a plain walk, minute by minute). */
function nextClock(from: Date, zone: string, hhmm: string): Date {
  for (let at = Math.ceil(from.getTime() / 60_000) * 60_000; at < from.getTime() + 2 * 86_400_000; at += 60_000) {
    if (clock(new Date(at), zone) === hhmm) return new Date(at);
  }
  throw new Error('not found');
}

/** 12:30 UTC on 15 January next year (in the future): 21:30 in Tokyo, 07:30 in New York, 23:30 in Sydney — night in all three. */
function winterNight(): Date {
  return new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 15, 12, 30));
}

const marketing = (sendKey: string, customerId: number) => ({
  sendKey, purpose: 'marketing' as const, customerId,
  build: (links: { unsubscribe_url: string }) => ({ subject: `Offer ${sendKey}`, preheader: '', html: `<p>Offer</p><a href="${links.unsubscribe_url}">Unsubscribe</a>`, text: 'Offer' }),
});

async function caughtFor(sendId: number): Promise<number> {
  const rows = await t.services.storage.read.selectFrom('caught_messages').select('id').where('store_id', '=', store.storeId).where('send_id', '=', sendId).execute();
  return rows.length;
}

async function sendJobsFor(sendId: number) {
  const rows = await t.services.storage.read.selectFrom('jobs').select(['id', 'payload', 'run_at', 'state']).where('kind', '=', 'messages.send').where('store_id', '=', store.storeId).execute();
  return rows.filter((r) => (JSON.parse(r.payload) as { ids: number[] }).ids.includes(sendId));
}

describe('quiet hours', () => {
  it('are off by default, turn on with 21:00–08:00, and refuse a time that is not one', async () => {
    const before = (await request('GET', '/api/v1/messaging/settings')).json() as { quiet_hours: unknown; weekly_cap: number };
    expect(before.quiet_hours).toEqual({ enabled: false, start: '21:00', end: '08:00' });
    expect(before.weekly_cap).toBe(0);
    const bad = await request('PATCH', '/api/v1/messaging/settings', { quiet_hours: { enabled: true, start: '25:00' } });
    expect(bad.statusCode).toBe(422);
    expect(errorOf(bad).details[0]!.path).toBe('quiet_hours.start');
    const on = await request('PATCH', '/api/v1/messaging/settings', { quiet_hours: { enabled: true }, frequency_cap_hours: 0 });
    expect(on.statusCode).toBe(200);
    expect((on.json() as { quiet_hours: unknown }).quiet_hours).toEqual({ enabled: true, start: '21:00', end: '08:00' });
  });

  it("defer marketing mail to 08:00 on each customer's own clock, then deliver it once through the catcher", async () => {
    const night = winterNight();
    const people = { tokyo: { zone: 'Asia/Tokyo' }, newyork: { zone: 'America/New_York' }, nozone: { zone: 'Australia/Sydney' } };
    for (const { zone } of Object.values(people)) expect(Number(clock(night, zone).slice(0, 2)) >= 21 || Number(clock(night, zone).slice(0, 2)) < 8).toBe(true);

    const ids = { tokyo: await customerId('tokyo'), newyork: await customerId('newyork'), nozone: await customerId('nozone') };
    const queued = await t.services.messages.queueEmails(store.storeId, [
      marketing('quiet:tokyo', ids.tokyo), marketing('quiet:newyork', ids.newyork), marketing('quiet:nozone', ids.nozone),
      { ...marketing('receipt:tokyo', ids.tokyo), purpose: 'transactional' as const },
    ]);
    const sendId = Object.fromEntries(queued.sends.map((s) => [s.send_key, s.id]));
    const all = Object.values(sendId);

    const first = await t.services.messages.sendBatch(store.storeId, all, undefined, night);
    // The receipt is transactional: it goes in quiet hours.
    expect(first).toMatchObject({ sent: 1, deferred: 3 });
    expect(await caughtFor(sendId['receipt:tokyo']!)).toBe(1);

    for (const [who, { zone }] of Object.entries(people)) {
      const id = sendId[`quiet:${who}`]!;
      const expected = nextClock(night, zone, '08:00');
      const message = (await request('GET', `/api/v1/messages/${id}`)).json() as { message: { state: string; reason: string; not_before: string; detail: string } };
      expect(message.message).toMatchObject({ state: 'queued', reason: 'quiet_hours', not_before: expected.toISOString() });
      expect(message.message.detail).toContain(zone);
      const jobs = await sendJobsFor(id);
      expect(jobs.filter((j) => j.state === 'queued' && j.run_at.getTime() === expected.getTime())).toHaveLength(1);
      expect(await caughtFor(id)).toBe(0);
    }

    // A restart requeues the queued messages; their not-before time holds.
    await t.services.messages.recoverInterrupted();
    const early = await t.services.messages.sendBatch(store.storeId, all, undefined, new Date(night.getTime() + 60_000));
    expect(early).toMatchObject({ sent: 0, deferred: 3 });

    // Each one's time comes: a minute before it nothing goes; at it, its job sends it, once.
    for (const [who, { zone }] of Object.entries(people)) {
      const id = sendId[`quiet:${who}`]!;
      const due = nextClock(night, zone, '08:00');
      expect((await t.services.messages.sendBatch(store.storeId, [id], undefined, new Date(due.getTime() - 60_000))).sent).toBe(0);
      const job = (await sendJobsFor(id)).find((j) => j.run_at.getTime() === due.getTime())!;
      const payload = JSON.parse(job.payload) as { ids: number[] };
      expect(payload.ids).toEqual([id]);
      expect((await t.services.messages.sendBatch(store.storeId, payload.ids, undefined, due)).sent).toBe(1);
      expect((await t.services.messages.sendBatch(store.storeId, [id], undefined, new Date(due.getTime() + 3_600_000))).sent).toBe(0);
      expect(await caughtFor(id)).toBe(1);
    }
    // Every job run again, a day later, sends nothing more.
    expect((await t.services.messages.sendBatch(store.storeId, all, undefined, new Date(night.getTime() + 3 * 86_400_000))).sent).toBe(0);
    for (const id of all) expect(await caughtFor(id)).toBe(1);
    const states = (await request('GET', '/api/v1/messages?limit=10')).json() as { data: { send_key: string; state: string; not_before: string | null }[] };
    for (const m of states.data.filter((d) => d.send_key.startsWith('quiet:'))) expect([m.state, m.not_before]).toEqual(['sent', null]);
  });
});

describe('the weekly cap', () => {
  it('suppresses a marketing message beyond N in 7 days, and lets one through a week later', async () => {
    await request('PATCH', '/api/v1/messaging/settings', { weekly_cap: 2, frequency_cap_hours: 0, quiet_hours: { enabled: false } });
    const id = await customerId('weekly');
    const now = new Date();
    const results = [];
    for (const n of [1, 2, 3]) {
      const queued = await t.services.messages.queueEmails(store.storeId, [marketing(`weekly:${n}`, id)]);
      results.push(await t.services.messages.sendBatch(store.storeId, [queued.sends[0]!.id], undefined, now));
    }
    expect(results.map((r) => [r.sent, r.suppressed])).toEqual([[1, 0], [1, 0], [0, 1]]);
    const third = (await request('GET', '/api/v1/messages?limit=1')).json() as { data: { state: string; reason: string }[] };
    expect(third.data[0]).toMatchObject({ state: 'suppressed', reason: 'weekly_cap' });
    const later = await t.services.messages.queueEmails(store.storeId, [marketing('weekly:4', id)]);
    const nextWeek = new Date(now.getTime() + 7 * 86_400_000 + 60_000);
    expect((await t.services.messages.sendBatch(store.storeId, [later.sends[0]!.id], undefined, nextWeek)).sent).toBe(1);
  });
});
