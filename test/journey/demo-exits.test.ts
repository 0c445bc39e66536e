/**
 * The demo store plants a slow delivery-information page that a share of later-lapsing customers
 * read in their last session (src/modules/demo/sessions.ts); the exit-page report finds it: the
 * page ranks first by lift among pages seen before a lapse, with an interval above 1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsService } from '../../src/modules/analytics/analytics.service.js';
import { CommerceService } from '../../src/modules/commerce/index.js';
import { planDemo, writeDemoData } from '../../src/modules/demo/demo.generator.js';
import { DELIVERY_PAGE } from '../../src/modules/demo/sessions.js';
import { openTestStore } from '../helpers/store.js';

describe('the demo store’s planted exit page', () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let analytics: AnalyticsService;

  beforeAll(async () => {
    store = await openTestStore();
    await store.write.insertInto('stores').values({
      id: 'st_demo', slug: 'demo', name: 'Demo', timezone: 'UTC', currency: 'USD', shopify_secret: null, inactivity_days: null, created_at: new Date(),
    }).execute();
    await writeDemoData(new CommerceService(store), 'st_demo', planDemo({ customers: 1_500, seed: 4, end: new Date('2026-11-23T00:00:00Z'), history: false }));
    analytics = new AnalyticsService(store.write, store.read);
  }, 120_000);
  afterAll(() => store.dispose());

  it('ranks the delivery-information page first among pages seen before a lapse', async () => {
    const r = await analytics.journey.exits('st_demo', { group: 'url' });
    const top = r.churn.rows[0]!;
    expect(top.page).toBe(DELIVERY_PAGE.path);
    expect(top.liftLow).toBeGreaterThan(1);
    expect(top.customers).toBeGreaterThanOrEqual(20);
    expect(r.churn.rows.slice(1).every((row) => (row.lift ?? 0) < top.lift!)).toBe(true);
    // Grouped by pattern, the same page is the "Delivery information" group.
    const grouped = await analytics.journey.exits('st_demo', {});
    expect(grouped.churn.rows[0]!.page).toBe('Delivery information');
  });
});
