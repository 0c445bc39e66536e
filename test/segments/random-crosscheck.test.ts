/**
 * Segment membership on random data against a plain JavaScript evaluation of the same rules over
 * the generated facts, with order metrics both computed from orders and read from the summary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/jobs/queue.js';
import { AnalyticsService } from '../../src/modules/analytics/analytics.service.js';
import { seededRandom } from '../../src/modules/personas/clustering.js';
import { SegmentsService } from '../../src/modules/segments/segments.service.js';
import { StoreBuilder } from '../helpers/segments-data.js';
import { openTestStore } from '../helpers/store.js';

const STORE = 'st_random';
const AS_OF = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
interface Fact { id: number; country: string; marketing: boolean; tags: string[]; orders: { at: number; total: number; cancelled: boolean; code: string | null }[]; views: number[] }

const facts: Fact[] = [];
let store: Awaited<ReturnType<typeof openTestStore>>;
let analytics: AnalyticsService;

beforeAll(async () => {
  store = await openTestStore();
  await store.write.insertInto('stores').values({ id: STORE, slug: 'random', name: 'Random', timezone: 'UTC', currency: 'USD', shopify_secret: null, inactivity_days: null, created_at: AS_OF }).execute();
  const b = new StoreBuilder(store, STORE);
  const random = seededRandom(2024);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  for (let i = 0; i < 80; i += 1) {
    const f: Fact = { id: 0, country: pick(['US', 'GB', 'DE', 'FR']), marketing: random() < 0.5, tags: random() < 0.3 ? ['vip'] : [], orders: [], views: [] };
    f.id = await b.customer({ external_id: `r${i}`, country: f.country, accepts_marketing: f.marketing, tags: f.tags });
    const n = Math.floor(random() ** 2 * 6);
    for (let k = 0; k < n; k += 1) {
      // Noon UTC, so day-level and time-level recency agree.
      const at = AS_OF.getTime() - (1 + Math.floor(random() * 500)) * DAY + DAY / 2;
      const order = { at, total: 500 + Math.floor(random() * 30_000), cancelled: random() < 0.1, code: random() < 0.25 ? pick(['A', 'B']) : null };
      f.orders.push(order);
      await b.order(f.id, { external_id: `r${i}-${k}`, placed_at: new Date(at), total: order.total, status: order.cancelled ? 'cancelled' : 'paid', discount_codes: order.code ? [order.code] : [] });
    }
    f.views = Array.from({ length: Math.floor(random() * 4) }, () => AS_OF.getTime() - Math.floor(random() * 20) * DAY - 3_600_000);
    await b.events(f.id, 'Product Viewed', f.views.map((t) => new Date(t)));
    facts.push(f);
  }
  analytics = new AnalyticsService(store.write, store.read);
});
afterAll(async () => store.dispose());

const paid = (f: Fact, days?: number) => f.orders.filter((o) => !o.cancelled && (days === undefined || o.at >= AS_OF.getTime() - days * DAY));
const revenue = (f: Fact, days?: number) => paid(f, days).reduce((s, o) => s + o.total, 0);
const last = (f: Fact) => Math.max(...paid(f).map((o) => o.at));

const rules: [string, unknown, (f: Fact) => boolean][] = [
  ['2+ orders in the US or GB', { kind: 'all', rules: [{ kind: 'profile', field: 'country', op: 'in', value: ['US', 'GB'] }, { kind: 'orders', metric: 'count', op: 'gte', value: 2 }] },
    (f) => ['US', 'GB'].includes(f.country) && paid(f).length >= 2],
  ['revenue ≥ 200.00 or tagged vip', { kind: 'any', rules: [{ kind: 'orders', metric: 'revenue', op: 'gte', value: 20_000 }, { kind: 'profile', field: 'tags', op: 'contains', value: 'vip' }] },
    (f) => revenue(f) >= 20_000 || f.tags.includes('vip')],
  ['no order in 90 days but bought before', { kind: 'all', rules: [{ kind: 'orders', metric: 'count', op: 'gte', value: 1 }, { kind: 'not', rule: { kind: 'orders', metric: 'count', op: 'gte', value: 1, within_days: 90 } }] },
    (f) => paid(f).length >= 1 && paid(f, 90).length === 0],
  ['last order within 120 days, marketing', { kind: 'all', rules: [{ kind: 'orders', metric: 'last_order_at', op: 'within_last_days', value: 120 }, { kind: 'profile', field: 'accepts_marketing', op: 'eq', value: true }] },
    (f) => paid(f).length > 0 && last(f) >= AS_OF.getTime() - 120 * DAY && f.marketing],
  ['year revenue between 50.00 and 250.00', { kind: 'orders', metric: 'revenue', op: 'between', value: [5_000, 25_000], within_days: 365 },
    (f) => revenue(f, 365) >= 5_000 && revenue(f, 365) <= 25_000],
  ['used code A', { kind: 'discount_code', code: 'A' }, (f) => paid(f).some((o) => o.code === 'A')],
  ['viewed 2+ times in 10 days, never ordered', { kind: 'all', rules: [{ kind: 'event', name: 'Product Viewed', count: { op: 'gte', value: 2 }, within_days: 10 }, { kind: 'orders', metric: 'count', op: 'eq', value: 0 }] },
    (f) => f.views.filter((t) => t >= AS_OF.getTime() - 10 * DAY).length >= 2 && paid(f).length === 0],
  ['AOV under 100.00', { kind: 'orders', metric: 'average_order_value', op: 'lt', value: 10_000 }, (f) => paid(f).length > 0 && revenue(f) / paid(f).length < 10_000],
];

describe.each([['from orders', false], ['from the analytics summary', true]] as const)('random store (%s)', (_label, withSummary) => {
  it.each(rules)('%s', async (_title, rule, expected) => {
    const service = new SegmentsService(store, new JobQueue(store.write, store.read), withSummary ? () => analytics.summaries : undefined);
    const preview = await service.preview(STORE, rule, { asOf: AS_OF, sampleSize: 100 });
    const want = facts.filter(expected).map((f) => f.id).sort((a, b) => a - b);
    expect(preview.sample.map((s) => s.id)).toEqual(want);
    expect(preview.count).toBe(want.length);
  });
});
