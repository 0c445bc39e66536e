import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, ingestApp, messageId, rows } from '../helpers/ingest.js';

type App = Awaited<ReturnType<typeof ingestApp>>;
let t: App;
beforeAll(async () => {
  t = await ingestApp();
});
afterAll(async () => {
  await t.close();
});

const track = (event: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  t.app.inject({ method: 'POST', url: '/v1/track', headers: basic(t.serverKey), payload: { userId: 'cust-e1', event, properties, messageId: messageId(), timestamp: '2026-11-20T10:00:00Z', ...extra } });

/** The example of Segment's ecommerce v2 spec for Order Completed. */
const orderCompleted = {
  checkout_id: 'fksdjfsdjfisjf9sdfjsd9f', order_id: '50314b8e9bcf000000000000', affiliation: 'Google Store',
  total: 27.5, subtotal: 22.5, revenue: 25.0, shipping: 3, tax: 2, discount: 2.5, coupon: 'hasbros', currency: 'USD',
  products: [
    { product_id: '507f1f77bcf86cd799439011', sku: '45790-32', name: 'Monopoly: 3rd Edition', price: 19, quantity: 1, category: 'Games' },
    { product_id: '505bd76785ebb509fc183733', sku: '46493-32', name: 'Uno Card Game', price: 3, quantity: 2, category: 'Games' },
  ],
};

describe('Segment ecommerce events', () => {
  it('Order Completed writes the order, its lines and discount codes once, however often it is sent', async () => {
    expect((await track('Order Completed', orderCompleted)).statusCode).toBe(200);
    // A retry with a new messageId (a different client) is still one order.
    expect((await track('Order Completed', orderCompleted)).statusCode).toBe(200);
    const orders = await rows<{ id: number; subtotal: number; discount: number; shipping: number; tax: number; total: number; discount_codes: string[]; currency: string; status: string; placed_at: Date; customer_id: number }>(t.services,
      'select id, subtotal, discount, shipping, tax, total, discount_codes, currency, status, placed_at, customer_id from orders where store_id = ? and external_id = ?', t.storeId, orderCompleted.order_id);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ subtotal: 2500, discount: 250, shipping: 300, tax: 200, total: 2750, discount_codes: ['hasbros'], currency: 'USD', status: 'paid' });
    expect(orders[0]!.placed_at.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    const lines = await rows<{ sku: string; quantity: number; unit_price: number; total: number }>(t.services,
      'select sku, quantity, unit_price, total from order_lines where store_id = ? and order_id = ? order by line_no', t.storeId, orders[0]!.id);
    expect(lines).toEqual([
      { sku: '45790-32', quantity: 1, unit_price: 1900, total: 1900 },
      { sku: '46493-32', quantity: 2, unit_price: 300, total: 600 },
    ]);
    const [customer] = await rows<{ id: number }>(t.services, 'select id from customers where store_id = ? and external_id = ?', t.storeId, 'cust-e1');
    expect(orders[0]!.customer_id).toBe(customer!.id);
    const timeline = await t.services.events.timelineOf(t.storeId, customer!.id);
    expect(timeline.filter((e) => e.name === 'Order Completed')).toHaveLength(2);
  });

  it('Order Refunded records a return and marks the order refunded; Order Cancelled cancels', async () => {
    expect((await track('Order Refunded', { order_id: orderCompleted.order_id, total: 27.5, currency: 'USD' })).statusCode).toBe(200);
    const returns = await rows<{ amount: number }>(t.services, 'select amount from returns where store_id = ?', t.storeId);
    expect(returns.map((r) => r.amount)).toEqual([2750]);
    let [order] = await rows<{ status: string }>(t.services, 'select status from orders where store_id = ? and external_id = ?', t.storeId, orderCompleted.order_id);
    expect(order!.status).toBe('refunded');

    const second = { ...orderCompleted, order_id: 'order-2' };
    await track('Order Completed', second);
    expect((await track('Order Cancelled', second)).statusCode).toBe(200);
    [order] = await rows<{ status: string }>(t.services, 'select status from orders where store_id = ? and external_id = ?', t.storeId, 'order-2');
    expect(order!.status).toBe('cancelled');
    const unknown = await track('Order Cancelled', { order_id: 'order-never-sent' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.details[0]).toMatchObject({ path: 'properties.order_id', reason: expect.stringMatching(/no order "order-never-sent" is stored/) });
  });

  it('Order Updated and Order Cancelled change what they name and keep the placed date; only order_id is enough', async () => {
    const id = 'order-life';
    const order = async () => (await rows<{ placed_at: Date; status: string; total: number; shipping: number; discount_codes: string[]; lines: number }>(t.services,
      `select placed_at, status, total, shipping, discount_codes, (select count(*) from order_lines l where l.store_id = o.store_id and l.order_id = o.id)::int as lines
       from orders o where store_id = ? and external_id = ?`, t.storeId, id))[0]!;
    const placed = new Date('2026-11-20T10:00:00Z').getTime();
    await track('Order Completed', { ...orderCompleted, order_id: id });

    // Days later the shop changes the status only: the order keeps its date, lines and amounts.
    expect((await track('Order Updated', { order_id: id, status: 'fulfilled' }, { timestamp: '2026-11-25T08:00:00Z' })).statusCode).toBe(200);
    expect(await order()).toMatchObject({ status: 'fulfilled', total: 2750, lines: 2 });
    expect((await order()).placed_at.getTime()).toBe(placed);

    // New lines replace the old ones; subtotal and total follow unless given.
    const edited = await track('Order Updated', { order_id: id, products: [{ product_id: 'p-edit', price: 10, quantity: 3 }] }, { timestamp: '2026-11-26T08:00:00Z' });
    expect(edited.statusCode).toBe(200);
    expect(await order()).toMatchObject({ lines: 1, shipping: 300, total: 3000 - 250 + 300 + 200, discount_codes: ['hasbros'] });
    expect((await order()).placed_at.getTime()).toBe(placed);

    expect((await track('Order Cancelled', { order_id: id }, { timestamp: '2026-11-28T08:00:00Z' })).statusCode).toBe(200);
    expect(await order()).toMatchObject({ status: 'cancelled', total: 3250, lines: 1 });
    expect((await order()).placed_at.getTime()).toBe(placed);

    const otherCurrency = await track('Order Updated', { order_id: id, currency: 'EUR', shipping: 4 });
    expect(otherCurrency.json().error.details[0]).toMatchObject({ path: 'properties.currency', reason: 'is EUR but order "order-life" is in USD' });
  });

  it('Order Updated for an order not stored yet, with its products and no currency, is written in the store\'s currency', async () => {
    const response = await track('Order Updated', { order_id: 'order-first-seen', products: [{ product_id: 'p-1', price: 12.5, quantity: 2 }] });
    expect(response.statusCode).toBe(200);
    const [order] = await rows<{ currency: string; total: number }>(t.services, 'select currency, total from orders where store_id = ? and external_id = ?', t.storeId, 'order-first-seen');
    expect(order).toEqual({ currency: 'USD', total: 2500 });
  });

  it('Completed then Cancelled in one batch: the cancellation applies to the order the batch just wrote', async () => {
    const id = 'order-batch-life';
    const response = await t.app.inject({ method: 'POST', url: '/v1/batch', headers: basic(t.serverKey), payload: { batch: [
      { type: 'track', userId: 'cust-e1', event: 'Order Completed', properties: { ...orderCompleted, order_id: id }, timestamp: '2026-11-01T10:00:00Z', messageId: messageId() },
      { type: 'track', userId: 'cust-e1', event: 'Order Cancelled', properties: { order_id: id }, timestamp: '2026-11-03T10:00:00Z', messageId: messageId() },
    ] } });
    expect(response.json()).toMatchObject({ stored: 2, rejected: [] });
    const [order] = await rows<{ placed_at: Date; status: string }>(t.services, 'select placed_at, status from orders where store_id = ? and external_id = ?', t.storeId, id);
    expect(order).toEqual({ placed_at: new Date('2026-11-01T10:00:00Z'), status: 'cancelled' });
  });

  it('Order Refunded with only order_id and an amount; a refund larger than what is left is rejected with the amounts', async () => {
    const id = 'order-refunds';
    await track('Order Completed', { ...orderCompleted, order_id: id });
    const first = { order_id: id, total: 20 };
    const firstId = messageId();
    expect((await track('Order Refunded', first, { messageId: firstId })).statusCode).toBe(200);
    // A retry of the same message is a duplicate, not a second refund and not a rejection.
    const retry = await track('Order Refunded', first, { messageId: firstId });
    expect(retry.json()).toMatchObject({ duplicates: 1, rejected: [] });

    const tooMuch = await track('Order Refunded', { order_id: id, total: 10 });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().error.details).toEqual([{ path: 'properties.total', reason: 'refunds $10.00, more than is left of order "order-refunds" ($7.50 of $27.50)' }]);
    expect((await track('Order Refunded', { order_id: id, total: 7.5 })).statusCode).toBe(200);
    const refunded = await rows<{ amount: number }>(t.services,
      'select r.amount from returns r join orders o on o.id = r.order_id and o.store_id = r.store_id where r.store_id = ? and o.external_id = ? order by r.amount', t.storeId, id);
    expect(refunded.map((r) => r.amount)).toEqual([750, 2000]);
    const [order] = await rows<{ status: string }>(t.services, 'select status from orders where store_id = ? and external_id = ?', t.storeId, id);
    expect(order!.status).toBe('refunded');
  });

  it('an order whose amounts do not add up is rejected as a whole, naming the field', async () => {
    const response = await track('Order Completed', { ...orderCompleted, order_id: 'order-bad', total: 99 });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.details[0]).toMatchObject({ path: 'properties.total' });
    const orders = await rows<{ n: number }>(t.services, 'select count(*) as n from orders where store_id = ? and external_id = ?', t.storeId, 'order-bad');
    const events = await rows<{ n: number }>(t.services, "select count(*) as n from events where store_id = ? and properties like '%order-bad%'", t.storeId);
    expect([Number(orders[0]!.n), Number(events[0]!.n)]).toEqual([0, 0]);
  });

  it('browsing events are stored with checked property types', async () => {
    for (const [event, properties] of [
      ['Product Viewed', { product_id: 'p1', price: 19.99 }], ['Product Added', { product_id: 'p1', quantity: 2, cart_id: 'c1' }],
      ['Product Removed', { product_id: 'p1' }], ['Cart Viewed', { cart_id: 'c1', products: [] }], ['Checkout Started', { order_id: 'o9', value: 20 }],
      ['Checkout Step Viewed', { checkout_id: 'k1', step: 2 }], ['Checkout Step Completed', { checkout_id: 'k1', step: 2 }],
      ['Products Searched', { query: 'blue hotpants' }], ['Product Reviewed', { product_id: 'p1', rating: 5, review_body: 'Great' }],
      ['Coupon Applied', { order_id: 'o9', coupon_id: 'SAVE10' }], ['Wishlist Shared', { anything: true }],
    ] as const) {
      const response = await track(event, properties, { userId: 'cust-e2' });
      expect(response.statusCode, event).toBe(200);
    }
    const badQuantity = await track('Product Added', { product_id: 'p1', quantity: 1.5 }, { userId: 'cust-e2' });
    expect(badQuantity.json().error.details[0]).toEqual({ path: 'properties.quantity', reason: 'must be a whole number ≥ 0' });
    const badRating = await track('Product Reviewed', { product_id: 'p1', rating: 9 }, { userId: 'cust-e2' });
    expect(badRating.json().error.details[0].path).toBe('properties.rating');
    const [customer] = await rows<{ id: number }>(t.services, 'select id from customers where store_id = ? and external_id = ?', t.storeId, 'cust-e2');
    const names = (await t.services.events.timelineOf(t.storeId, customer!.id)).map((e) => e.name);
    expect(names).toHaveLength(11);
    expect(names).toContain('Wishlist Shared');
  });
});
