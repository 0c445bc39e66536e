/**
 * A small store whose every metric is worked out by hand in the tests (see reports.test.ts):
 * four customers, one guest order, a cancelled order, a return on an order and one without.
 */
import type { Storage } from '../../src/db/database.js';
import { AnalyticsBuilder } from '../builders/analytics.js';

export async function buildHandStore(storage: Storage, options: { inactivityDays?: number | null; slug?: string } = {}): Promise<AnalyticsBuilder> {
  const b = await AnalyticsBuilder.create(storage, { inactivityDays: options.inactivityDays ?? 30, ...(options.slug && { slug: options.slug }) });
  await b.product(10, { category: 'mugs', title: 'Mug' });
  await b.product(11, { category: 'tea', title: 'Green tea' });
  await b.product(12, { category: 'tea', title: 'Black tea' });
  await b.customer(1, { country: 'GB' });
  await b.customer(2, { country: 'FR' });
  await b.customer(3, { country: 'GB' });
  await b.customer(4, { country: 'US' });
  await b.order({ customer: 1, at: '2024-01-05', total: 10_000, products: [10], channel: 'email', discountCodes: ['WELCOME'], paymentMethod: 'paypal' });
  await b.order({ customer: 1, at: '2024-01-20', total: 5_000, products: [11], paymentMethod: 'card' });
  await b.order({ customer: 1, at: '2024-03-01', total: 3_000, products: [10] });
  const c2 = await b.order({ customer: 2, at: '2024-01-10', total: 20_000, products: [10, 11], lineTotals: [5_000, 15_000], channel: 'ads', paymentMethod: 'card' });
  await b.order({ customer: 3, at: '2024-02-15', total: 8_000, products: [12] });
  await b.order({ customer: 3, at: '2024-02-20', total: 99_900, products: [12], status: 'cancelled' });
  await b.order({ customer: 4, at: '2024-02-03', total: 6_000, products: [10], channel: 'email', paymentMethod: 'paypal' });
  await b.order({ customer: 4, at: '2024-02-10', total: 4_000, products: [12] });
  await b.order({ customer: null, at: '2024-01-07', total: 4_000, products: [10] });
  await b.returnOf({ order: c2, at: '2024-01-15', amount: 2_000 });
  await b.returnOf({ customer: 3, at: '2024-03-05', amount: 1_000 });
  return b;
}
