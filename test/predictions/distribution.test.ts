/**
 * The predictions read API over hand-built prediction rows: the P(alive) and CLV histograms,
 * the churn-band counts, the valuable customers at risk, and the refit job's status — each
 * figure checked against a plain computation over the same rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AtRisk as AtRiskAnswer, PredictionDistribution } from '../../src/http/schemas/predictions.schemas.js';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';
import { insertPredictions, percentileCont, type HandPrediction } from './prediction-rows.js';

let t: TestApp;
let main: { storeId: string; secretKey: string };
let other: { storeId: string; secretKey: string };
let empty: { storeId: string; secretKey: string };
let rows: HandPrediction[];

type Distribution = PredictionDistribution;
type AtRisk = AtRiskAnswer;

const get = async <T>(url: string, key: string) => {
  const response = await t.app.inject({ method: 'GET', url, headers: bearer(key) });
  return { status: response.statusCode, body: response.json() as T, response };
};

beforeAll(async () => {
  t = await createTestApp();
  main = await t.newStore('Main');
  other = await t.newStore('Other');
  empty = await t.newStore('Empty');
  // 101 customers: CLV 0, 100, …, 9,900 cents plus one far above the rest; P(alive) spread over
  // 0…1 including exactly 1; bands from P(order in 365 days) as the scoring defines them.
  rows = Array.from({ length: 100 }, (_, i) => {
    const pOrder365 = (i % 25) / 25;
    return { pAlive: i / 99, pOrder365, clv: i * 100, risk: pOrder365 >= 0.5 ? 'low' : pOrder365 >= 0.2 ? 'medium' : 'high' } as HandPrediction;
  });
  rows.push({ pAlive: 0.05, pOrder365: 0.1, clv: 1_000_000, risk: 'high' });
  // Two customers without a spend model (no CLV).
  rows.push({ pAlive: 0.5, pOrder365: 0.05, clv: null, risk: 'high' }, { pAlive: 0.95, pOrder365: 0.9, clv: null, risk: 'low' });
  await insertPredictions(t.services.storage, main.storeId, rows, {
    orders: [
      { customer: 101, total: 5_000, placedAt: new Date('2026-01-10T10:00:00Z') },
      { customer: 101, total: 7_000, placedAt: new Date('2026-03-10T10:00:00Z') },
      { customer: 101, total: 9_999, status: 'cancelled', placedAt: new Date('2026-05-10T10:00:00Z') },
    ],
  });
  // Another store's customers must never be counted or listed.
  await insertPredictions(t.services.storage, other.storeId, [{ pAlive: 0.01, pOrder365: 0.01, clv: 5_000_000, risk: 'high' }], { idBase: 1000 });
}, 120_000);
afterAll(async () => t?.close());

describe('GET /api/v1/predictions/distribution', () => {
  it('bins P(alive) in tenths, with P(alive) = 1 in the last bin', async () => {
    const { status, body } = await get<Distribution>('/api/v1/predictions/distribution', main.secretKey);
    expect(status).toBe(200);
    expect(body.customers).toBe(rows.length);
    expect(body.p_alive.bins).toHaveLength(10);
    for (const [i, bin] of body.p_alive.bins.entries()) {
      const expected = rows.filter((r) => (i === 9 ? r.pAlive >= 0.9 : r.pAlive >= i / 10 && r.pAlive < (i + 1) / 10)).length;
      expect(bin.customers, `bin ${i}`).toBe(expected);
    }
    expect(body.p_alive.bins.reduce((s, b) => s + b.customers, 0)).toBe(rows.length);
    const alive = rows.map((r) => r.pAlive);
    expect(body.p_alive.mean).toBeCloseTo(alive.reduce((s, v) => s + v, 0) / alive.length, 10);
    expect(body.p_alive.median).toBeCloseTo(percentileCont(alive, 0.5), 10);
  });

  it('bins CLV up to its 99th percentile in round widths, with the far value in an open last bin', async () => {
    const { body } = await get<Distribution>('/api/v1/predictions/distribution', main.secretKey);
    const clvs = rows.map((r) => r.clv).filter((v): v is number => v !== null);
    expect(body.clv.customers).toBe(clvs.length);
    expect(body.clv.without_clv).toBe(2);
    expect(body.clv.total).toBe(clvs.reduce((s, v) => s + v, 0));
    // Money in whole minor units: the mean and the percentiles are rounded.
    expect(body.clv.mean).toBe(Math.round(clvs.reduce((s, v) => s + v, 0) / clvs.length));
    expect(body.clv.percentile_99).toBe(Math.round(percentileCont(clvs, 0.99)));
    // p99 = 9,900 cents → ten bins of $10.00, then one open bin holding the $10,000 customer.
    expect(body.clv.bins.map((b) => b.from)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000]);
    expect(body.clv.bins.at(-1)).toEqual({ from: 10000, to: null, customers: 1 });
    for (const bin of body.clv.bins) {
      const expected = clvs.filter((v) => v >= bin.from && (bin.to === null || v < bin.to)).length;
      expect(bin.customers, `bin from ${bin.from}`).toBe(expected);
    }
  });

  it('counts the churn-risk bands of this store only', async () => {
    const { body } = await get<Distribution>('/api/v1/predictions/distribution', main.secretKey);
    expect(body.churn_risk).toEqual({
      low: rows.filter((r) => r.risk === 'low').length,
      medium: rows.filter((r) => r.risk === 'medium').length,
      high: rows.filter((r) => r.risk === 'high').length,
    });
    const others = await get<Distribution>('/api/v1/predictions/distribution', other.secretKey);
    expect(others.body.customers).toBe(1);
    expect(others.body.clv.bins.reduce((s, b) => s + b.customers, 0)).toBe(1);
  });

  it('answers a store without predictions with zero customers and no bins', async () => {
    const { status, body } = await get<Distribution>('/api/v1/predictions/distribution', empty.secretKey);
    expect(status).toBe(200);
    expect(body.customers).toBe(0);
    expect(body.p_alive.bins).toEqual([]);
    expect(body.clv.bins).toEqual([]);
  });

  it('takes a bin count and refuses a bad one, naming the field', async () => {
    const five = await get<Distribution>('/api/v1/predictions/distribution?bins=5', main.secretKey);
    expect(five.body.p_alive.bins.map((b) => b.from)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    const bad = await get<unknown>('/api/v1/predictions/distribution?bins=1', main.secretKey);
    expect(bad.status).toBe(422);
    expect(errorOf(bad.response).details[0]?.path).toMatch(/bins/);
  });
});

describe('GET /api/v1/predictions/at-risk', () => {
  it('lists high-risk customers by predicted CLV, most valuable first, with what they bought', async () => {
    const { status, body } = await get<AtRisk>('/api/v1/predictions/at-risk?limit=5', main.secretKey);
    expect(status).toBe(200);
    const high = rows.map((r, i) => ({ ...r, id: i + 1 })).filter((r) => r.risk === 'high');
    expect(body.customers).toBe(high.length);
    expect(body.clv_total).toBe(high.reduce((s, r) => s + (r.clv ?? 0), 0));
    const expected = [...high].sort((a, b) => (b.clv ?? -1) - (a.clv ?? -1) || a.id - b.id).slice(0, 5).map((r) => r.id);
    expect(body.rows.map((r) => r.id)).toEqual(expected);
    expect(body.rows[0]).toMatchObject({ id: 101, name: 'Cust No101', clv_12m: 1_000_000, orders: 2, spent: 12_000, last_order_at: '2026-03-10T10:00:00.000Z' });
    expect(body.rows.every((r) => r.p_order_365d < 0.2)).toBe(true);
  });

  it('puts customers without a CLV last, and never lists another store\'s customers', async () => {
    const { body } = await get<AtRisk>('/api/v1/predictions/at-risk?limit=200', main.secretKey);
    expect(body.rows).toHaveLength(body.customers);
    expect(body.rows.at(-1)?.clv_12m).toBeNull();
    expect(body.rows.some((r) => r.id > 1000)).toBe(false);
  });

  it('reads another band and refuses unknown ones', async () => {
    const medium = await get<AtRisk>('/api/v1/predictions/at-risk?risk=medium&limit=200', main.secretKey);
    expect(medium.body.customers).toBe(rows.filter((r) => r.risk === 'medium').length);
    const bad = await get<unknown>('/api/v1/predictions/at-risk?risk=severe', main.secretKey);
    expect(bad.status).toBe(422);
    expect(errorOf(bad.response).details[0]?.path).toMatch(/risk/);
    const zero = await get<unknown>('/api/v1/predictions/at-risk?limit=0', main.secretKey);
    expect(zero.status).toBe(422);
  });
});

describe('refit job status', () => {
  it('queues a refit under the store and reports its state; other stores cannot see it', async () => {
    const queued = await t.app.inject({ method: 'POST', url: '/api/v1/predictions/refit', headers: bearer(main.secretKey), payload: {} });
    expect(queued.statusCode).toBe(202);
    const { job_id: jobId } = queued.json() as { job_id: number };
    const status = await get<{ id: number; kind: string; state: string; store_id: string }>(`/api/v1/predictions/refit/${jobId}`, main.secretKey);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ id: jobId, kind: 'predictions.refit', state: 'queued', store_id: main.storeId });
    const jobs = await get<{ data: { id: number }[] }>('/api/v1/jobs', main.secretKey);
    expect(jobs.body.data.map((j) => j.id)).toContain(jobId);
    const foreign = await get<unknown>(`/api/v1/predictions/refit/${jobId}`, other.secretKey);
    expect(foreign.status).toBe(404);
  });
});
