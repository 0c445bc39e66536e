/**
 * Webhooks are not delivered in order: a refund that arrives before its order is kept with the
 * order's external id and attached when the order arrives — counted in the order's status and
 * refunds, and announced as order.refunded — instead of staying orphaned forever.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { Dispatcher, type DomainEvent } from '../../src/modules/domain-events/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
let dispatcher: Dispatcher;
const seen: DomainEvent[] = [];
beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Late Orders', { currency: 'EUR' });
  dispatcher = new Dispatcher(t.services.storage, silentLogger, { pollMs: 20 }).subscribe({ name: 'test', from: 'start', handle: async (events) => { seen.push(...events); } });
  await dispatcher.start();
});
afterAll(async () => {
  await dispatcher.stop();
  await t.close();
});

const auth = () => ({ authorization: `Bearer ${store.secretKey}` });
const order = (id: string, lines = [{ product_external_id: 'p', quantity: 1, unit_price: 5000 }]) => ({
  external_id: id, customer_external_id: 'c-late', placed_at: '2026-11-01T10:00:00Z', currency: 'EUR', lines,
});

describe('a refund before its order', () => {
  it('is attached when the order arrives, alone or in a batch, and the order counts it', async () => {
    const refund = await t.app.inject({ method: 'POST', url: '/api/v1/returns/batch', headers: auth(), payload: { returns: [
      { external_id: 'r-late-1', order_external_id: 'late-1', returned_at: '2026-11-03T10:00:00Z', currency: 'EUR', amount: 2000, reason: 'too big' },
      { external_id: 'r-late-2', order_external_id: 'late-2', returned_at: '2026-11-03T10:00:00Z', currency: 'EUR', amount: 5000 },
    ] } });
    expect(refund.statusCode).toBe(200);
    // The first order arrives alone (a webhook's order: the short way), the second in a batch (the merge).
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/orders/batch', headers: auth(), payload: { orders: [order('late-1')] } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/orders/batch', headers: auth(), payload: { orders: [order('late-2'), order('other')] } })).statusCode).toBe(200);
    const rows = await t.services.storage.read.selectFrom('orders as o').leftJoin('returns as r', (j) => j.onRef('r.order_id', '=', 'o.id'))
      .select(['o.external_id', 'o.status', 'r.external_id as return_id', 'r.customer_id as return_customer', 'o.customer_id'])
      .where('o.store_id', '=', store.storeId).orderBy('o.external_id').execute();
    expect(rows.map((r) => [r.external_id, r.status, r.return_id])).toEqual([
      ['late-1', 'partially_refunded', 'r-late-1'], ['late-2', 'refunded', 'r-late-2'], ['other', 'paid', null],
    ]);
    expect(rows.filter((r) => r.return_id).every((r) => r.return_customer === r.customer_id)).toBe(true);
    await dispatcher.idle();
    const refunded = seen.filter((e) => e.type === 'order.refunded').map((e) => e.data);
    expect(refunded).toEqual([
      expect.objectContaining({ external_id: 'late-1', status: 'partially_refunded', refunded: 2000 }),
      expect.objectContaining({ external_id: 'late-2', status: 'refunded', refunded: 5000 }),
    ]);
  });
});
