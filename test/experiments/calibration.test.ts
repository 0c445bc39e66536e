/**
 * Calibration on the demo store's own customers (resampled, as the docs say): their real 30-day
 * outcomes split at random 1,000 times with no treatment. The 95 % intervals cover zero 93–97 % of
 * the time, CUPED's are narrower and still calibrated, and the always-valid monitor looked at
 * after each of 60 days of enrolment rejects in at most 5 % of the experiments. The people simulated
 * are checked against a computation from the orders themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommerceService } from '../../src/modules/commerce/index.js';
import { planDemo, writeDemoData } from '../../src/modules/demo/demo.generator.js';
import { calibrate } from '../../src/modules/experiments/calibration/calibration.js';
import { calibrationPopulations } from '../../src/modules/experiments/calibration/calibration.query.js';
import { openTestStore } from '../helpers/store.js';

const END = new Date('2026-11-23T00:00:00Z');
const DAY = 86_400_000;
let store: Awaited<ReturnType<typeof openTestStore>>;

beforeAll(async () => {
  store = await openTestStore();
  await writeDemoData(new CommerceService(store), 'st_demo', planDemo({ end: END, customers: 6_000, seed: 5 }));
}, 120_000);
afterAll(async () => store.dispose());

describe('calibration on the demo store', () => {
  it('simulates the customers who had ordered before their day, with outcomes and covariates from their orders', async () => {
    const people = await calibrationPopulations(store, 'st_demo', { windowDays: 30, spanDays: 60 });
    const orders = await store.read.selectFrom('orders').select(['id', 'customer_id', 'placed_at', 'total'])
      .where('store_id', '=', 'st_demo').where('status', '<>', 'cancelled').where('customer_id', 'is not', null).execute();
    const refunds = new Map<number, number>();
    for (const r of await store.read.selectFrom('returns').select(['order_id', 'amount']).where('store_id', '=', 'st_demo').execute()) {
      if (r.order_id !== null) refunds.set(Number(r.order_id), (refunds.get(Number(r.order_id)) ?? 0) + Number(r.amount));
    }
    const last = Math.max(...orders.map((o) => o.placed_at.getTime()));
    const first = last - 90 * DAY;
    // Independently: per customer, their day from the population order (customer id order).
    const byCustomer = new Map<number, { at: number; net: number }[]>();
    for (const o of orders) {
      const list = byCustomer.get(Number(o.customer_id)) ?? [];
      list.push({ at: o.placed_at.getTime(), net: Number(o.total) - (refunds.get(Number(o.id)) ?? 0) });
      byCustomer.set(Number(o.customer_id), list);
    }
    const position = new Map([...people.customers].map((id, i) => [id, i]));
    let sums = { converted: 0, people: 0 };
    for (const [id, list] of byCustomer) {
      const i = position.get(id);
      // Everyone who had ordered before their day is in; nobody else.
      if (i === undefined) {
        // Their day is unknown here, so it is enough that their first order is inside the 90 days.
        expect(Math.min(...list.map((o) => o.at))).toBeGreaterThanOrEqual(first);
        continue;
      }
      const at = first + people.converted.day[i]! * DAY;
      expect(Math.min(...list.map((o) => o.at))).toBeLessThan(at);
      const inWindow = list.filter((o) => o.at >= at && o.at < at + 30 * DAY);
      const before = list.filter((o) => o.at < at && o.at >= at - 365 * DAY);
      expect(people.converted.y[i]).toBe(inWindow.length > 0 ? 1 : 0);
      expect(people.orders.y[i]).toBe(inWindow.length);
      expect(people.revenue.y[i]).toBeCloseTo(inWindow.reduce((a, o) => a + o.net, 0), 6);
      expect(people.converted.x[0]![i]).toBe(before.length);
      expect(people.converted.x[1]![i]).toBeCloseTo(before.reduce((a, o) => a + o.net, 0), 6);
      sums = { converted: sums.converted + (inWindow.length > 0 ? 1 : 0), people: sums.people + 1 };
    }
    expect(sums.people).toBe(people.converted.y.length);
    expect(sums.people).toBeGreaterThan(1_500);
    expect(sums.converted).toBeGreaterThan(50);
  });

  it('finds the 95 % intervals calibrated and daily monitoring within 5 % false positives', async () => {
    const result = await calibrate(store, 'st_demo', { runs: 1_000 });
    expect(result.metrics.map((m) => m.metric)).toEqual(['conversion', 'orders', 'revenue']);
    for (const m of result.metrics) {
      expect(m.coverage, m.metric).toBeGreaterThanOrEqual(0.93);
      expect(m.coverage, m.metric).toBeLessThanOrEqual(0.97);
      expect(m.cuped_coverage, m.metric).toBeGreaterThanOrEqual(0.93);
      expect(m.cuped_coverage, m.metric).toBeLessThanOrEqual(0.97);
      expect(m.cuped_mean_width, m.metric).toBeLessThanOrEqual(m.mean_width);
    }
    const conversion = result.metrics[0]!;
    expect(conversion.peeking_rejections).toBeLessThanOrEqual(0.05);
    expect(conversion.naive_peeking_rejections).toBeGreaterThan(conversion.peeking_rejections!);
  }, 120_000);
});
