import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/jobs/queue.js';
import { AppError } from '../../src/lib/errors.js';
import { AnalyticsService } from '../../src/modules/analytics/analytics.service.js';
import { SegmentsService } from '../../src/modules/segments/segments.service.js';
import { openTestStore } from '../helpers/store.js';
import { AS_OF, buildKnownStore, STORE, type KnownIds } from './known-store.js';

let store: Awaited<ReturnType<typeof openTestStore>>;
let service: SegmentsService;
let ids: KnownIds;
let names: Map<number, string>;

async function who(rule: unknown): Promise<string[]> {
  const preview = await service.preview(STORE, rule, { asOf: AS_OF, sampleSize: 100 });
  expect(preview.sample.length).toBe(preview.count);
  return preview.sample.map((s) => names.get(s.id) ?? `?${s.id}`).sort();
}

const within7 = { kind: 'orders', metric: 'count', op: 'gte', value: 1, within_days: 7 };
const viewedShoesTwice = { kind: 'event', name: 'Product Viewed', where: [{ property: 'category', op: 'eq', value: 'shoes' }], count: { op: 'gte', value: 2 }, within_days: 7 };

/** Every case runs twice: order metrics computed from the orders, and read from the analytics summary. */
describe.each([['from orders', false], ['from the analytics summary', true]] as const)('segment conditions on a store with known membership (%s)', (_label, withSummary) => {
  beforeAll(async () => {
    store = await openTestStore();
    await store.write.insertInto('stores').values({ id: STORE, slug: 'known', name: 'Known', timezone: 'UTC', currency: 'USD', shopify_secret: null, inactivity_days: null, created_at: AS_OF }).execute();
    ({ ids } = await buildKnownStore(store));
    names = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
    const analytics = new AnalyticsService(store.write, store.read);
    service = new SegmentsService(store, new JobQueue(store.write, store.read), withSummary ? () => analytics.summaries : undefined);
  });
  afterAll(async () => store.dispose());

  it(withSummary ? 'reads lifetime order metrics from the summary' : 'computes order metrics from the orders', async () => {
    const { compiled } = await service.compile(STORE, { kind: 'orders', metric: 'count', op: 'gte', value: 2 }, AS_OF);
    expect(compiled.uses.summary).toBe(withSummary);
  });

  const cases: [string, unknown, string[]][] = [
    ['country is US', { kind: 'profile', field: 'country', op: 'eq', value: 'US' }, ['ann', 'cat', 'fay']],
    ['country is not US', { kind: 'profile', field: 'country', op: 'neq', value: 'US' }, ['bob', 'dan']],
    ['country in GB, DE', { kind: 'profile', field: 'country', op: 'in', value: ['GB', 'DE'] }, ['bob', 'dan']],
    ['email contains gmail (any case)', { kind: 'profile', field: 'email', op: 'contains', value: 'GMAIL' }, ['bob', 'cat']],
    ['no email', { kind: 'profile', field: 'email', op: 'is_not_set' }, ['dan']],
    ['accepts marketing', { kind: 'profile', field: 'accepts_marketing', op: 'eq', value: true }, ['ann', 'fay']],
    ['tagged wholesale', { kind: 'profile', field: 'tags', op: 'contains', value: 'wholesale' }, ['ann', 'fay']],
    ['not tagged vip', { kind: 'profile', field: 'tags', op: 'not_contains', value: 'vip' }, ['bob', 'cat', 'dan', 'fay']],
    ['customer for under 30 days', { kind: 'profile', field: 'created_at', op: 'within_last_days', value: 30 }, ['cat']],
    ['attribute plan is gold', { kind: 'attribute', name: 'plan', op: 'eq', value: 'gold' }, ['ann']],
    ['numeric attribute age ≥ 30 (text ages never match)', { kind: 'attribute', name: 'age', type: 'number', op: 'gte', value: 30 }, ['ann']],
    ['boolean attribute', { kind: 'attribute', name: 'newsletter', op: 'eq', value: true }, ['ann']],
    ['2+ orders (cancelled orders do not count)', { kind: 'orders', metric: 'count', op: 'gte', value: 2 }, ['ann', 'fay']],
    ['no orders', { kind: 'orders', metric: 'count', op: 'eq', value: 0 }, ['cat']],
    ['revenue ≥ 300.00', { kind: 'orders', metric: 'revenue', op: 'gte', value: 30_000 }, ['ann', 'dan']],
    ['ordered in the last 30 days', { kind: 'orders', metric: 'count', op: 'gte', value: 1, within_days: 30 }, ['ann', 'bob', 'fay']],
    ['last order over a year ago', { kind: 'orders', metric: 'last_order_at', op: 'more_than_days_ago', value: 365 }, ['dan']],
    ['first order in the last 30 days', { kind: 'orders', metric: 'first_order_at', op: 'within_last_days', value: 30 }, ['bob', 'fay']],
    ['first order in 2025', { kind: 'orders', metric: 'first_order_at', op: 'between', value: ['2025-01-01', '2025-12-31'] }, ['ann']],
    ['AOV above 50.00', { kind: 'orders', metric: 'average_order_value', op: 'gt', value: 5_000 }, ['ann', 'dan']],
    ['returned something in 30 days', { kind: 'orders', metric: 'returns', op: 'gte', value: 1, within_days: 30 }, ['ann']],
    ['returned amount > 0', { kind: 'orders', metric: 'returned_amount', op: 'gt', value: 0 }, ['ann']],
    ['ordered with a discount', { kind: 'orders', metric: 'discounted_orders', op: 'gte', value: 1 }, ['ann', 'fay']],
    ['top 50 % of buyers by revenue', { kind: 'orders', metric: 'revenue', op: 'top_percent', value: 50 }, ['ann', 'dan']],
    ['used code SUMMER10', { kind: 'discount_code', code: 'SUMMER10' }, ['ann']],
    ['used any code in 30 days', { kind: 'discount_code', within_days: 30 }, ['fay']],
    ['bought shoes (cancelled orders do not count)', { kind: 'purchased', category: 'shoes' }, ['ann']],
    ['first order had toys', { kind: 'purchased', category: 'toys', first_order_only: true }, ['dan', 'fay']],
    ['bought P-BOOK in 30 days', { kind: 'purchased', product: 'P-BOOK', within_days: 30 }, ['ann', 'bob', 'fay']],
    ['viewed shoes twice in 7 days', viewedShoesTwice, ['ann', 'bob']],
    ['viewed shoes twice in 7 days and did not order', { kind: 'all', rules: [viewedShoesTwice, { kind: 'not', rule: within7 }] }, ['bob']],
    ['viewed something over 100', { kind: 'event', name: 'Product Viewed', where: [{ property: 'price', op: 'gt', value: 100 }] }, ['ann']],
    ['any of DE, tagged vip', { kind: 'any', rules: [{ kind: 'profile', field: 'country', op: 'eq', value: 'DE' }, { kind: 'profile', field: 'tags', op: 'contains', value: 'vip' }] }, ['ann', 'dan']],
    ['not US', { kind: 'not', rule: { kind: 'profile', field: 'country', op: 'eq', value: 'US' } }, ['bob', 'dan']],
  ];
  for (const [title, rule, expected] of cases) {
    it(title, async () => expect(await who(rule)).toEqual(expected));
  }

  it('shows why each sampled customer is in the segment', async () => {
    const preview = await service.preview(STORE, { kind: 'all', rules: [{ kind: 'orders', metric: 'count', op: 'gte', value: 2 }, { kind: 'profile', field: 'country', op: 'eq', value: 'US' }] }, { asOf: AS_OF });
    const ann = preview.sample.find((s) => s.id === ids.ann)!;
    expect(ann.why).toEqual({ Orders: 3, Country: 'US' });
    expect(ann.name).toBe('Ann Archer');
    expect(preview.refresh_mode).toBe('on_change');
  });

  it('marks rules that read the clock for scheduled refresh', async () => {
    expect((await service.preview(STORE, within7, { asOf: AS_OF })).refresh_mode).toBe('scheduled');
  });

  it('includes another segment by reference, and refuses a loop', async () => {
    const us = await service.create(STORE, { name: 'US', rule: { kind: 'profile', field: 'country', op: 'eq', value: 'US' } }, { asOf: AS_OF });
    expect(us.member_count).toBe(3);
    expect(await who({ kind: 'all', rules: [{ kind: 'segment', segment_id: us.id }, { kind: 'orders', metric: 'count', op: 'gte', value: 2 }] })).toEqual(['ann', 'fay']);
    const repeatUs = await service.create(STORE, { name: 'Repeat US', rule: { kind: 'all', rules: [{ kind: 'segment', segment_id: us.id }, { kind: 'orders', metric: 'count', op: 'gte', value: 2 }] } }, { asOf: AS_OF });
    const loop = await service.update(STORE, us.id, { rule: { kind: 'segment', segment_id: repeatUs.id } }).catch((e: unknown) => e);
    expect(loop).toBeInstanceOf(AppError);
    expect((loop as AppError).details[0]!.reason).toMatch(/loop/);
    await expect(service.remove(STORE, us.id)).rejects.toThrow(/used by "Repeat US"/);
  });

  it('reads predictions once they are fitted, and refuses them before', async () => {
    const rule = { kind: 'all', rules: [{ kind: 'profile', field: 'country', op: 'eq', value: 'US' }, { kind: 'prediction', field: 'p_alive', op: 'lt', value: 0.5 }] };
    const before = await service.preview(STORE, rule, { asOf: AS_OF }).catch((e: unknown) => e) as AppError;
    expect(before.code).toBe('validation_failed');
    expect(before.details).toEqual([{ path: 'rule.rules.1', reason: expect.stringMatching(/not available until predictions are fitted/) }]);
    const predictions: [number, number, number, string][] = [[ids.ann, 0.9, 40_000, 'low'], [ids.fay, 0.3, 8_000, 'high'], [ids.bob, 0.45, 5_000, 'medium'], [ids.dan, 0.05, 1_000, 'high']];
    for (const [customerId, pAlive, clv, risk] of predictions) {
      await store.write.insertInto('customer_predictions' as never).values({
        store_id: STORE, customer_id: customerId, fit_id: 'fit_1', p_alive: pAlive, expected_orders_30d: 0, expected_orders_90d: 0, expected_orders_365d: 0,
        p_order_30d: 0, p_order_90d: 0, p_order_365d: 0, expected_order_value: null, clv_12m: clv, next_order_on: null, churn_risk: risk, scored_at: AS_OF,
      } as never).execute();
    }
    expect(await who(rule)).toEqual(['fay']);
    expect(await who({ kind: 'prediction', field: 'churn_risk', op: 'eq', value: 'high' })).toEqual(['dan', 'fay']);
    expect(await who({ kind: 'prediction', field: 'predicted_clv', op: 'top_percent', value: 25 })).toEqual(['ann']);
  });
});
