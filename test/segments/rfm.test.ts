import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/jobs/queue.js';
import { AppError } from '../../src/lib/errors.js';
import { AnalyticsService } from '../../src/modules/analytics/analytics.service.js';
import { SegmentsService } from '../../src/modules/segments/segments.service.js';
import { day, StoreBuilder } from '../helpers/segments-data.js';
import { openTestStore } from '../helpers/store.js';

let store: Awaited<ReturnType<typeof openTestStore>>;
let service: SegmentsService;
let storeId: string;
const buyers: { id: number; last: string; orders: number; revenue: number }[] = [];

beforeAll(async () => {
  store = await openTestStore();
  const accounts = new (await import('../../src/modules/accounts/accounts.service.js')).AccountsService(store.write, store.read);
  storeId = (await accounts.createStore({ name: 'RFM shop', timezone: 'UTC', currency: 'USD' })).id;
  const b = new StoreBuilder(store, storeId);
  // 25 buyers with distinct last-order days, order counts and spend, so every quintile is populated.
  for (let i = 0; i < 25; i += 1) {
    const id = await b.customer({ external_id: `c${i}` });
    const orders = 1 + (i * 7) % 5;
    let revenue = 0;
    let last = '';
    for (let k = 0; k < orders; k += 1) {
      const placed = new Date(Date.UTC(2026, 0, 1 + ((i * 11) % 25) * 5 + k));
      const total = 1_000 + ((i * 13) % 25) * 700;
      revenue += total;
      last = placed.toISOString().slice(0, 10);
      await b.order(id, { external_id: `o${i}-${k}`, placed_at: placed, total });
    }
    buyers.push({ id, last, orders, revenue });
  }
  await b.customer({ external_id: 'no-orders' });
  await b.order(null, { external_id: 'guest', placed_at: day('2026-03-01'), total: 5_000 });
  service = new SegmentsService(store, new JobQueue(store.write, store.read));
});
afterAll(async () => store.dispose());

/** 1 + floor(5 × percent rank), percent rank = (rank − 1) / (n − 1) with ties at the lower rank. */
function scores<T>(items: T[], key: (item: T) => number | string): Map<T, number> {
  const values = items.map(key);
  return new Map(items.map((item, i) => {
    const below = values.filter((v) => v < values[i]!).length;
    return [item, Math.min(5, 1 + Math.floor((5 * below) / (items.length - 1)))];
  }));
}

describe('RFM conditions', () => {
  it('are refused until the analytics summaries exist', async () => {
    const error = await service.preview(storeId, { kind: 'rfm', field: 'recency_score', op: 'gte', value: 4 }).catch((e: unknown) => e) as AppError;
    expect(error.details[0]).toEqual({ path: 'rule', reason: expect.stringMatching(/not available until the analytics summaries/) });
  });

  it('select the customers whose scores an independent computation gives', async () => {
    await new AnalyticsService(store.write, store.read).refreshSummaries(storeId);
    const r = scores(buyers, (b) => b.last);
    const f = scores(buyers, (b) => b.orders);
    const m = scores(buyers, (b) => b.revenue);
    const ids = async (rule: unknown) => (await service.preview(storeId, rule, { sampleSize: 100 })).sample.map((s) => s.id).sort((a, z) => a - z);
    const expected = (pick: (b: (typeof buyers)[number]) => boolean) => buyers.filter(pick).map((b) => b.id).sort((a, z) => a - z);
    expect(await ids({ kind: 'rfm', field: 'recency_score', op: 'gte', value: 4 })).toEqual(expected((b) => r.get(b)! >= 4));
    expect(await ids({ kind: 'rfm', field: 'frequency_score', op: 'eq', value: 1 })).toEqual(expected((b) => f.get(b)! === 1));
    expect(await ids({ kind: 'rfm', field: 'monetary_score', op: 'lte', value: 2 })).toEqual(expected((b) => m.get(b)! <= 2));
    const champions = expected((b) => r.get(b)! === 5 && Math.floor((f.get(b)! + m.get(b)! + 1) / 2) >= 4);
    expect(await ids({ kind: 'rfm', field: 'segment', op: 'eq', value: 'Champions' })).toEqual(champions);
    expect(champions.length).toBeGreaterThan(0);
    const first = buyers[0]!;
    expect(await service.rfmOf(storeId, first.id)).toMatchObject({ r: r.get(first), f: f.get(first), m: m.get(first) });
  });

  it('refuses an RFM segment name that does not exist, naming the known ones', async () => {
    const error = await service.preview(storeId, { kind: 'rfm', field: 'segment', op: 'eq', value: 'Champs' }).catch((e: unknown) => e) as AppError;
    expect(error.details).toEqual([{ path: 'rule.value', reason: expect.stringMatching(/unknown RFM segment "Champs"; known: Champions/) }]);
  });
});
