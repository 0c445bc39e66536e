/**
 * The experiments API over a real store: an experiment's results per window and arm, the Impact
 * page's programmes and total, the power calculator (also from a flow's or a segment's own data),
 * and bad input answered with a 4xx naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';

const DAY = 86_400_000;
let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
let segmentId = '';
let experimentId = '';
const request = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(store.secretKey), ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
const start = new Date(Math.floor((Date.now() - 100 * DAY) / 60_000) * 60_000);

beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Measured API', { currency: 'EUR' });
  const people = Array.from({ length: 200 }, (_, i) => `a${i}`);
  await t.services.commerce.write(store.storeId, {
    customers: people.map((p) => ({ external_id: p, email: `${p}@example.com`, created_at: new Date('2025-01-01T00:00:00Z'), email_consent: { status: 'subscribed' as const } })),
  });
  // Every third person orders 10 days after the start; every fifth once more 50 days after.
  await t.services.commerce.write(store.storeId, {
    orders: people.flatMap((p, i) => [
      ...(i % 3 === 0 ? [{ external_id: `o1-${p}`, customer_external_id: p, placed_at: new Date(start.getTime() + 10 * DAY), currency: 'EUR', lines: [{ product_external_id: 'p1', title: 'Mug', quantity: 1, unit_price: 2_000 }] }] : []),
      ...(i % 5 === 0 ? [{ external_id: `o2-${p}`, customer_external_id: p, placed_at: new Date(start.getTime() + 50 * DAY), currency: 'EUR', lines: [{ product_external_id: 'p1', title: 'Mug', quantity: 1, unit_price: 3_000 }] }] : []),
    ]),
  });
  const segment = (await request('POST', '/api/v1/segments', { name: 'All', rule: { kind: 'profile', field: 'email', op: 'starts_with', value: 'a' } })).json() as { id: string };
  segmentId = segment.id;
  const template = (await request('POST', '/api/v1/templates/from-starter', { starter: 'win_back', name: 'Back' })).json() as { id: string };
  const campaign = (await request('POST', '/api/v1/campaigns', { name: 'Spring', segment_ids: [segment.id], template_id: template.id, holdout_share: 0.25 })).json() as { id: string };
  await t.services.campaigns.start(store.storeId, campaign.id, start);
  experimentId = ((await request('GET', `/api/v1/experiments?source_id=${campaign.id}&kind=campaign`)).json() as { data: { id: string }[] }).data[0]!.id;
});
afterAll(async () => t?.close());

describe('an experiment\'s results', () => {
  it('compares the sent arm with the holdout per window and metric, counting only elapsed windows', async () => {
    const response = await request('GET', `/api/v1/experiments/${experimentId}`);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json() as {
      currency: string; control_arm: string; arms: { key: string; people: number }[];
      windows: { days: number; matured: Record<string, number>; still_open: number; comparisons: { arm: string; metrics: { metric: string; kind: string; treated_mean: number; control_mean: number; incremental: { value: number } }[] }[] }[];
    };
    expect(body.currency).toBe('EUR');
    expect(body.control_arm).toBe('holdout');
    const people = Object.fromEntries(body.arms.map((a) => [a.key, a.people]));
    expect(people.sent! + people.holdout!).toBe(200);
    expect(body.windows.map((w) => w.days)).toEqual([7, 30, 90]);
    // Started 100 days ago: every window has elapsed for everyone.
    for (const w of body.windows) {
      expect(w.still_open).toBe(0);
      expect(w.matured).toEqual(people);
      expect(w.comparisons.map((c) => c.arm)).toEqual(['sent']);
      expect(w.comparisons[0]!.metrics.map((m) => m.metric)).toEqual(['conversion', 'orders_per_person', 'net_revenue_per_person', 'retention', 'unsubscribes']);
    }
    // Nobody ordered in the first 7 days; in 30 days a third did (2,000 each); in 90 days a fifth also spent 3,000 more.
    const conversion = (days: number) => body.windows.find((w) => w.days === days)!.comparisons[0]!.metrics.find((m) => m.metric === 'conversion')!;
    expect(conversion(7).treated_mean).toBe(0);
    expect(conversion(7).control_mean).toBe(0);
    const revenue = body.windows.find((w) => w.days === 90)!.comparisons[0]!.metrics.find((m) => m.metric === 'net_revenue_per_person')!;
    expect(revenue.kind).toBe('mean');
    expect(revenue.treated_mean * people.sent! + revenue.control_mean * people.holdout!).toBeCloseTo(67 * 2_000 + 40 * 3_000, 6);
  });

  it('lists the campaign as a programme on the Impact page for the period its people became eligible in', async () => {
    const day = start.toISOString().slice(0, 10);
    const inside = (await request('GET', `/api/v1/experiments/impact?from=${day}&to=${day}&window=90`)).json() as { window_days: number; programmes: { experiment_id: string; people: number }[]; total: { incremental_orders: { value: number } } };
    expect(inside.window_days).toBe(90);
    expect(inside.programmes.map((p) => p.experiment_id)).toEqual([experimentId]);
    expect(inside.programmes[0]!.people).toBeGreaterThan(100);
    const before = new Date(start.getTime() - 10 * DAY).toISOString().slice(0, 10);
    const outside = (await request('GET', `/api/v1/experiments/impact?from=${before}&to=${before}`)).json() as { programmes: unknown[]; total: { incremental_revenue: { value: number } } };
    expect(outside.programmes).toEqual([]);
    expect(outside.total.incremental_revenue.value).toBe(0);
  });

  it('plans the power of an experiment from given figures or from a segment', async () => {
    const given = await request('POST', '/api/v1/experiments/power', { kind: 'proportion', baseline_mean: 0.05, holdout_share: 0.1, eligible_per_day: 50, minimum_effect: 0.01, window_days: 30 });
    expect(given.statusCode, given.body).toBe(200);
    expect(Object.keys(given.json()).sort()).toEqual(['days_to_enrol', 'days_to_result', 'holdout_needed', 'people_needed', 'reason']);
    const fromSegment = await request('POST', '/api/v1/experiments/power', { kind: 'proportion', holdout_share: 0.1, eligible_per_day: 10, minimum_effect: 0.05, window_days: 30, source: { segment_id: segmentId } });
    expect(fromSegment.statusCode, fromSegment.body).toBe(200);
  });
});

describe('an A/B test', () => {
  it('compares the variants of a campaign\'s test window, A as the control', async () => {
    const a = (await request('POST', '/api/v1/templates/from-starter', { starter: 'win_back', name: 'A' })).json() as { id: string };
    const b = (await request('POST', '/api/v1/templates/from-starter', { starter: 'win_back', name: 'B' })).json() as { id: string };
    const campaign = (await request('POST', '/api/v1/campaigns', {
      name: 'Subject test', segment_ids: [segmentId], template_id: a.id, holdout_share: 0.1,
      ab_test: { variants: [{ template_id: a.id }, { template_id: b.id }], test_share: 0.5, winner_metric: 'revenue', test_hours: 4 },
    })).json() as { id: string };
    await t.services.campaigns.start(store.storeId, campaign.id, start);
    const list = (await request('GET', `/api/v1/experiments?source_id=${campaign.id}`)).json() as { data: { id: string; kind: string; control_arm: string; arms: { key: string; share: number; people: number }[] }[] };
    expect(list.data.map((e) => e.kind).sort()).toEqual(['ab_test', 'campaign']);
    const test = list.data.find((e) => e.kind === 'ab_test')!;
    expect(test.control_arm).toBe('A');
    expect(test.arms.map((x) => [x.key, x.share])).toEqual([['A', 0.225], ['B', 0.225]]);
    const recipients = (await request('GET', `/api/v1/campaigns/${campaign.id}/recipients?limit=1000`)).json() as { data: { group: string }[] };
    expect(test.arms.map((x) => x.people)).toEqual(['A', 'B'].map((g) => recipients.data.filter((r) => r.group === g).length));
    const results = (await request('GET', `/api/v1/experiments/${test.id}`)).json() as { windows: { comparisons: { arm: string }[] }[] };
    expect(results.windows[0]!.comparisons.map((c) => c.arm)).toEqual(['B']);
  });
});

describe('bad input', () => {
  const cases: [string, 'GET' | 'POST' | 'PUT', string, unknown, number, string][] = [
    ['an unknown kind', 'GET', '/api/v1/experiments?kind=coupon', undefined, 422, 'query.kind'],
    ['an unknown window', 'GET', '/api/v1/experiments/impact?window=14', undefined, 422, 'query.window'],
    ['a day that is not one', 'GET', '/api/v1/experiments/impact?from=2026-13-01', undefined, 422, 'query.from'],
    ['a period that ends before it starts', 'GET', '/api/v1/experiments/impact?from=2026-05-01&to=2026-04-01', undefined, 422, 'query.to'],
    ['a power request without a kind', 'POST', '/api/v1/experiments/power', { baseline_mean: 0.05, holdout_share: 0.1, eligible_per_day: 5, minimum_effect: 0.01, window_days: 30 }, 422, 'kind'],
    ['a mean without its standard deviation', 'POST', '/api/v1/experiments/power', { kind: 'mean', baseline_mean: 5_000, holdout_share: 0.1, eligible_per_day: 5, minimum_effect: 100, window_days: 30 }, 422, 'baseline_sd'],
    ['no baseline and no source', 'POST', '/api/v1/experiments/power', { kind: 'proportion', holdout_share: 0.1, eligible_per_day: 5, minimum_effect: 0.01, window_days: 30 }, 422, 'baseline_mean'],
    ['a proportion above 1', 'POST', '/api/v1/experiments/power', { kind: 'proportion', baseline_mean: 5, holdout_share: 0.1, eligible_per_day: 5, minimum_effect: 0.01, window_days: 30 }, 422, 'baseline_mean'],
    ['no holdout', 'POST', '/api/v1/experiments/power', { kind: 'proportion', baseline_mean: 0.05, holdout_share: 0, eligible_per_day: 5, minimum_effect: 0.01, window_days: 30 }, 422, 'holdout_share'],
    ['an unknown flow', 'POST', '/api/v1/experiments/power', { kind: 'proportion', holdout_share: 0.1, minimum_effect: 0.01, window_days: 30, source: { flow_id: 'flw_nope' } }, 422, 'source.flow_id'],
    ['a share above 0.2', 'PUT', '/api/v1/experiments/global-holdout', { share: 0.5 }, 422, 'share'],
    ['too few calibration runs', 'POST', '/api/v1/experiments/calibration', { runs: 3 }, 422, 'runs'],
    ['a calibration window that is not one', 'POST', '/api/v1/experiments/calibration', { window_days: 14 }, 422, 'window_days'],
  ];
  for (const [what, method, url, payload, status, path] of cases) {
    it(`answers ${status} naming ${path} for ${what}`, async () => {
      const response = await request(method, url, payload);
      expect(response.statusCode, response.body).toBe(status);
      expect(errorOf(response).details.map((d) => d.path)).toContain(path);
    });
  }

  it('answers 404 for an experiment the store does not have', async () => {
    const other = await t.newStore('Other');
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/experiments/${experimentId}`, headers: bearer(other.secretKey) });
    expect(response.statusCode).toBe(404);
  });
});
