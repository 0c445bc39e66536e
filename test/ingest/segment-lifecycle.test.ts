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
  t.app.inject({ method: 'POST', url: '/v1/track', headers: basic(t.serverKey), payload: { userId: 'cust-l1', event, properties, messageId: messageId(), timestamp: '2026-11-20T10:00:00Z', ...extra } });

const order = (id: string, extra: Record<string, unknown> = {}) => ({
  order_id: id, total: 22, revenue: 22, shipping: 0, tax: 0, currency: 'USD',
  products: [{ product_id: 'p-1', sku: 'MUG', name: 'Mug', price: 11, quantity: 2 }], ...extra,
});

describe('Segment lifecycle events', () => {
  it('Order Shipped and Order Delivered keep one fulfilment of the order, shipped and delivered at the events\' times', async () => {
    expect((await track('Order Completed', order('so-1'))).statusCode).toBe(200);
    const shipped = { order_id: 'so-1', carrier: 'DHL', tracking_number: 'JD0001', tracking_url: 'https://dhl.example/JD0001' };
    expect((await track('Order Shipped', shipped, { timestamp: '2026-11-21T08:00:00Z' })).json()).toMatchObject({ stored: 1, rejected: [] });
    expect((await track('Order Shipped', shipped, { timestamp: '2026-11-21T08:00:00Z' })).statusCode).toBe(200);
    expect((await track('Order Delivered', { order_id: 'so-1' }, { timestamp: '2026-11-23T16:00:00Z' })).statusCode).toBe(200);
    // A late Order Shipped (older than the delivery) changes nothing.
    expect((await track('Order Shipped', shipped, { timestamp: '2026-11-22T08:00:00Z' })).statusCode).toBe(200);
    const stored = await rows<{ external_id: string; carrier: string; tracking_number: string; shipped_at: Date; delivered_at: Date; shipment_status: string; order_id: number | null }>(t.services,
      'select external_id, carrier, tracking_number, shipped_at, delivered_at, shipment_status, order_id from fulfillments where store_id = ? and order_external_id = ?', t.storeId, 'so-1');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      external_id: 'so-1', carrier: 'DHL', tracking_number: 'JD0001', shipment_status: 'delivered',
      shipped_at: new Date('2026-11-21T08:00:00Z'), delivered_at: new Date('2026-11-23T16:00:00Z'),
    });
    expect(stored[0]!.order_id).not.toBeNull();
    const events = await rows<{ type: string }>(t.services, `select type from domain_events where store_id = ? and type like 'order.%' and data like '%so-1%' order by id`, t.storeId);
    expect(events.map((e) => e.type)).toEqual(['order.placed', 'order.fulfilled', 'order.shipped', 'order.delivered']);
  });

  it('Order Shipped needs its order_id and a web tracking URL: else the event is rejected naming the field', async () => {
    const missing = await track('Order Shipped', { carrier: 'DHL' });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().error.details[0]).toMatchObject({ path: 'properties.order_id' });
    const bad = await track('Order Shipped', { order_id: 'so-2', tracking_url: 'javascript:alert(1)' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details[0]).toMatchObject({ path: 'properties.tracking_url' });
  });

  it('Product Added builds an anonymous cart; Checkout Started replaces its items; Order Completed naming it completes it', async () => {
    const anonymous = { userId: undefined, anonymousId: 'anon-cart-1' };
    const add = (sku: string, price: number, at: string) => track('Product Added',
      { cart_id: 'cart-77', product_id: `p-${sku}`, sku, name: sku, price, quantity: 1, currency: 'EUR', url: 'https://shop.example/cart' }, { ...anonymous, timestamp: at });
    expect((await add('A', 5, '2026-11-20T10:00:00Z')).statusCode).toBe(200);
    expect((await add('B', 7.5, '2026-11-20T10:01:00Z')).statusCode).toBe(200);
    const cart = () => rows<{ external_id: string; value: number; currency: string; items: string; anonymous_id: string; customer_id: number | null; completed_at: Date | null; recovery_url: string | null }>(t.services,
      'select external_id, value, currency, items, anonymous_id, customer_id, completed_at, recovery_url from checkouts where store_id = ? and external_id = ?', t.storeId, 'cart-77');
    expect((await cart())[0]).toMatchObject({ value: 1250, currency: 'EUR', anonymous_id: 'anon-cart-1', customer_id: null, recovery_url: 'https://shop.example/cart' });
    expect((JSON.parse((await cart())[0]!.items) as { sku: string }[]).map((i) => i.sku)).toEqual(['A', 'B']);
    // Once the visitor is identified, the cart lists as the customer's.
    expect((await track('Signed In', {}, { anonymousId: 'anon-cart-1', userId: 'cust-l7' })).statusCode).toBe(200);
    const listed = (await t.services.checkouts.list(t.storeId, { limit: 10, status: 'open' })).data.find((c) => c.external_id === 'cart-77');
    expect(listed).toMatchObject({ customer_external_id: 'cust-l7' });

    const started = { cart_id: 'cart-77', value: 20, currency: 'EUR', products: [{ product_id: 'p-C', sku: 'C', name: 'C', price: 10, quantity: 2 }] };
    expect((await track('Checkout Started', started, { timestamp: '2026-11-20T10:05:00Z' })).statusCode).toBe(200);
    const [checkout] = await cart();
    expect(checkout).toMatchObject({ value: 2000, completed_at: null });
    expect(checkout!.customer_id).not.toBeNull();
    expect((JSON.parse(checkout!.items) as { sku: string }[]).map((i) => i.sku)).toEqual(['C']);

    expect((await track('Order Completed', order('so-77', { cart_id: 'cart-77', currency: 'EUR' }), { timestamp: '2026-11-20T10:10:00Z' })).statusCode).toBe(200);
    expect((await cart())[0]!.completed_at).toEqual(new Date('2026-11-20T10:10:00Z'));
  });

  it('an Order Completed before its Checkout Started completes the checkout when it arrives', async () => {
    expect((await track('Order Completed', order('so-88', { checkout_id: 'chk-88' }))).statusCode).toBe(200);
    expect((await track('Checkout Started', { checkout_id: 'chk-88', value: 22, currency: 'USD' }, { timestamp: '2026-11-20T09:55:00Z' })).statusCode).toBe(200);
    const [checkout] = await rows<{ completed_at: Date | null; order_id: number | null }>(t.services,
      'select completed_at, order_id from checkouts where store_id = ? and external_id = ?', t.storeId, 'chk-88');
    expect(checkout!.completed_at).toEqual(new Date('2026-11-20T10:00:00Z'));
    expect(checkout!.order_id).not.toBeNull();
  });
});
