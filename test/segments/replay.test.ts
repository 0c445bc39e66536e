/**
 * Replaying a segment's history: every entry and exit is dated at the first evaluation that saw it,
 * checked against membership computed here from the orders themselves.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/jobs/queue.js';
import { compileRule } from '../../src/modules/segments/segment.compiler.js';
import { SegmentsService } from '../../src/modules/segments/segments.service.js';
import { DAY_MS } from '../../src/lib/time.js';
import { StoreBuilder } from '../helpers/segments-data.js';
import { openTestStore } from '../helpers/store.js';

const STORE = 'st_replay';
const NOW = new Date('2026-06-01T00:00:00Z');
const FROM = new Date('2026-01-01T00:00:00Z');
const EVERY = 7;

let store: Awaited<ReturnType<typeof openTestStore>>;
let service: SegmentsService;
const orders = new Map<number, Date[]>();

/** A small deterministic generator, so the store is the same on every run. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

beforeAll(async () => {
  store = await openTestStore();
  service = new SegmentsService(store, new JobQueue(store.write, store.read));
  const b = new StoreBuilder(store, STORE);
  const random = lcg(7);
  for (let i = 0; i < 40; i += 1) {
    const id = await b.customer({ external_id: `c-${i}`, email: `c${i}@example.com`, created_at: new Date('2025-06-01T00:00:00Z') });
    const count = Math.floor(random() * 4);
    const dates: Date[] = [];
    for (let k = 0; k < count; k += 1) {
      // Orders between 2025-10-01 and 2026-05-31.
      const at = new Date(Date.UTC(2025, 9, 1) + Math.floor(random() * 242) * DAY_MS + 3_600_000);
      dates.push(at);
      await b.order(id, { external_id: `o-${i}-${k}`, placed_at: at, total: 1_000 + k });
    }
    orders.set(id, dates);
  }
});
afterAll(async () => store.dispose());

/** The evaluation times of a replay: every `EVERY` days from FROM, then NOW. */
function steps(): Date[] {
  const times: Date[] = [];
  for (let t = FROM.getTime(); t < NOW.getTime(); t += EVERY * DAY_MS) times.push(new Date(t));
  return [...times, NOW];
}

/** Entries and exits expected from membership at each step, computed from the orders here. */
function expectedChanges(member: (dates: Date[], at: Date) => boolean): string[] {
  const changes: string[] = [];
  for (const [id, dates] of orders) {
    let inside = false;
    for (const at of steps()) {
      const now = member(dates, at);
      if (now !== inside) changes.push(`${id} ${now ? 'entered' : 'exited'} ${at.toISOString()}`);
      inside = now;
    }
  }
  return changes.sort();
}

async function recordedChanges(segmentId: string): Promise<string[]> {
  const { rows } = await sql<{ customer_id: number; change: string; changed_at: Date }>`select customer_id, change, changed_at from segment_history
    where store_id = ${STORE} and segment_id = ${segmentId}`.execute(store.read);
  return rows.map((r) => `${r.customer_id} ${r.change} ${r.changed_at.toISOString()}`).sort();
}

describe('replaying segment history', () => {
  it('dates each entry and exit at the first evaluation that saw it, without domain events', async () => {
    const repeat = await service.create(STORE, { name: 'Repeat', rule: { kind: 'orders', metric: 'count', op: 'gte', value: 2 } }, { asOf: NOW });
    const recent = await service.create(STORE, { name: 'Ordered in the last 30 days', rule: { kind: 'orders', metric: 'count', op: 'gte', value: 1, within_days: 30 } }, { asOf: NOW });
    const eventsBefore = await sql<{ n: number }>`select count(*)::int as n from domain_events where store_id = ${STORE}`.execute(store.read);

    const result = await service.replayHistory(STORE, FROM, EVERY, NOW);
    expect(result.replayed.sort()).toEqual(['Ordered in the last 30 days', 'Repeat']);

    const repeatExpected = expectedChanges((dates, at) => dates.filter((d) => d <= at).length >= 2);
    expect(repeatExpected.length).toBeGreaterThan(5);
    expect(await recordedChanges(repeat.id)).toEqual(repeatExpected);
    const recentExpected = expectedChanges((dates, at) => dates.some((d) => d <= at && d.getTime() >= at.getTime() - 30 * DAY_MS));
    expect(recentExpected.some((c) => c.includes('exited'))).toBe(true);
    expect(await recordedChanges(recent.id)).toEqual(recentExpected);

    // Members end as the present evaluation has them, each dated when it last entered.
    const segment = await service.get(STORE, repeat.id);
    expect(segment.created_at.toISOString()).toBe(FROM.toISOString());
    const { rows: members } = await sql<{ customer_id: number; entered_at: Date }>`select customer_id, entered_at from segment_members
      where store_id = ${STORE} and segment_id = ${repeat.id}`.execute(store.read);
    const present = [...orders].filter(([, dates]) => dates.length >= 2).map(([id]) => id).sort((a, b) => a - b);
    expect(members.map((m) => m.customer_id).sort((a, b) => a - b)).toEqual(present);
    expect(new Set(members.map((m) => m.entered_at.toISOString())).size).toBeGreaterThan(3);

    const eventsAfter = await sql<{ n: number }>`select count(*)::int as n from domain_events where store_id = ${STORE}`.execute(store.read);
    expect(eventsAfter.rows[0]!.n).toBe(eventsBefore.rows[0]!.n);
  });

  it('refuses to evaluate predictions, RFM scores or personas in the past, naming the condition', () => {
    const past = { storeId: STORE, asOf: FROM, segments: new Map(), historical: true };
    const rule = { kind: 'all' as const, rules: [{ kind: 'orders' as const, metric: 'count', op: 'gte' as const, value: 1 }, { kind: 'prediction' as const, field: 'churn_risk', op: 'eq' as const, value: 'high' }] };
    expect(() => compileRule(rule, past)).toThrow(expect.objectContaining({ details: [{ path: 'rule.rules.1', reason: 'predictions exist only for the present' }] }));
    expect(() => compileRule({ kind: 'rfm', field: 'segment', op: 'eq', value: 'Champions' }, past)).toThrow(/past/);
    expect(() => compileRule(rule, { ...past, historical: false })).not.toThrow();
  });
});
