import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestApp, rows } from '../helpers/ingest.js';
import { shopifyCheckout, shopifyFulfillment, shopifyHeaders, shopifyOrder } from '../helpers/shopify.js';

type App = Awaited<ReturnType<typeof ingestApp>>;
let t: App;
const secret = 'shpss_lifecycle0123456789abcdef0123456789';

beforeAll(async () => {
  t = await ingestApp();
  await t.services.accounts.updateStore(t.storeId, { shopifySecret: secret });
});
afterAll(async () => {
  await t.close();
});

const deliver = async (topic: string, payload: unknown, webhookId?: string) => {
  const body = JSON.stringify(payload);
  const response = await t.app.inject({ method: 'POST', url: `/webhooks/shopify/${t.storeId}`, headers: shopifyHeaders(secret, topic, body, webhookId), payload: body });
  return { status: response.statusCode, body: response.json<{ status: string }>() };
};

interface FulfillmentRow { external_id: string; order_id: number | null; status: string; shipment_status: string | null; carrier: string | null; tracking_number: string | null; tracking_url: string | null; shipped_at: Date | null; delivered_at: Date | null; lines: string }
const fulfillments = (orderExternalId: string) => rows<FulfillmentRow>(t.services,
  `select external_id, order_id, status, shipment_status, carrier, tracking_number, tracking_url, shipped_at, delivered_at, lines
   from fulfillments where store_id = ? and order_external_id = ? order by id`, t.storeId, orderExternalId);
interface CheckoutRow { external_id: string; cart_id: string | null; customer_id: number | null; email: string | null; currency: string; value: number; items: string; recovery_url: string | null; completed_at: Date | null; order_id: number | null; deleted_at: Date | null; started_at: Date }
const checkouts = (externalId: string) => rows<CheckoutRow>(t.services,
  `select external_id, cart_id, customer_id, email, currency, value, items, recovery_url, completed_at, order_id, deleted_at, started_at
   from checkouts where store_id = ? and external_id = ?`, t.storeId, externalId);
const eventTypes = async (types: string) => (await rows<{ type: string; data: string }>(t.services,
  `select type, data from domain_events where store_id = ? and type in (${types.split(',').map((type) => `'${type}'`).join(', ')}) order by id`, t.storeId));

describe('Shopify fulfilments', () => {
  it('fulfillments/create before its order is kept, attached when orders/create arrives, once whatever the webhook ids', async () => {
    const fulfillment = shopifyFulfillment({ id: 4903115760001, order_id: 5912345600001 });
    expect(await deliver('fulfillments/create', fulfillment, 'ful-1')).toMatchObject({ status: 200, body: { status: 'stored' } });
    expect((await deliver('fulfillments/create', fulfillment, 'ful-1')).body.status).toBe('duplicate');
    // Shopify may deliver the same content again under a new webhook id.
    expect((await deliver('fulfillments/create', fulfillment, 'ful-1-retry')).body.status).toBe('stored');
    const [before] = await fulfillments('5912345600001');
    expect(before).toMatchObject({
      external_id: '4903115760001', order_id: null, status: 'success', carrier: 'UPS', tracking_number: '1Z2345',
      tracking_url: 'https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1Z2345', shipped_at: new Date('2026-11-21T14:30:00Z'), delivered_at: null,
    });
    expect(JSON.parse(before!.lines)).toEqual([{ product_external_id: '632910392', variant_external_id: '39072856', sku: 'IPOD2008GREEN', quantity: 1 }]);

    expect((await deliver('orders/create', shopifyOrder({ id: 5912345600001, name: '#2001' }))).status).toBe(200);
    const stored = await fulfillments('5912345600001');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.order_id).not.toBeNull();
    const events = await eventTypes('order.fulfilled,order.shipped,order.delivered');
    expect(events.map((e) => e.type)).toEqual(['order.fulfilled', 'order.shipped']);
    expect(JSON.parse(events[1]!.data)).toMatchObject({ external_id: '5912345600001', fulfillment_id: '4903115760001', carrier: 'UPS' });
  });

  it('fulfillments/update to delivered records the delivery; a late in_transit update does not regress it', async () => {
    const base = { id: 4903115760002, order_id: 5912345600002 };
    expect((await deliver('orders/create', shopifyOrder({ id: 5912345600002, name: '#2002' }))).status).toBe(200);
    expect((await deliver('fulfillments/create', shopifyFulfillment(base))).status).toBe(200);
    const delivered = shopifyFulfillment({ ...base, shipment_status: 'delivered', updated_at: '2026-11-24T15:00:00-05:00' });
    expect((await deliver('fulfillments/update', delivered)).status).toBe(200);
    const inTransit = shopifyFulfillment({ ...base, shipment_status: 'in_transit', updated_at: '2026-11-22T08:00:00-05:00' });
    expect((await deliver('fulfillments/update', inTransit)).status).toBe(200);
    expect((await fulfillments('5912345600002'))[0]).toMatchObject({ shipment_status: 'delivered', delivered_at: new Date('2026-11-24T20:00:00Z') });
    const delivering = (await eventTypes('order.delivered')).filter((e) => (JSON.parse(e.data) as { external_id: string }).external_id === '5912345600002');
    expect(delivering).toHaveLength(1);
  });

  it('orders/fulfilled carries the order with its fulfilments; the order is fulfilled', async () => {
    const order = shopifyOrder({
      id: 5912345600003, name: '#2003', fulfillment_status: 'fulfilled',
      fulfillments: [shopifyFulfillment({ id: 4903115760003, order_id: 5912345600003, tracking_company: 'DHL Express', tracking_number: 'JD014600003' })],
    });
    expect((await deliver('orders/fulfilled', order)).status).toBe(200);
    expect((await deliver('orders/fulfilled', order)).status).toBe(200);
    const stored = await fulfillments('5912345600003');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ carrier: 'DHL Express', tracking_number: 'JD014600003' });
    const [orderRow] = await rows<{ status: string }>(t.services, 'select status from orders where store_id = ? and external_id = ?', t.storeId, '5912345600003');
    expect(orderRow!.status).toBe('fulfilled');
  });

  it('a fulfilment without its order id is acknowledged as rejected, naming the field (Shopify would retry anything else)', async () => {
    const response = await deliver('fulfillments/create', shopifyFulfillment({ id: 4903115760009, order_id: null }));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'rejected', error: { path: 'order_id', reason: 'is required' } });
  });
});

describe('Shopify checkouts', () => {
  it('checkouts/create stores the cart with its customer, items, value and recovery URL; replays change nothing', async () => {
    const checkout = shopifyCheckout({ id: 9818200792001 });
    expect((await deliver('checkouts/create', checkout, 'chk-1')).status).toBe(200);
    expect((await deliver('checkouts/create', checkout, 'chk-1-again')).status).toBe(200);
    const stored = await checkouts('9818200792001');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      cart_id: 'eeafa272cebfd4b22385bc4b645e762c', email: 'john@example.com', currency: 'USD', value: 39800, completed_at: null, deleted_at: null,
      recovery_url: 'https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token', started_at: new Date('2026-11-20T01:05:00Z'),
    });
    expect(stored[0]!.customer_id).not.toBeNull();
    expect(JSON.parse(stored[0]!.items)).toEqual([
      { product_external_id: '632910392', variant_external_id: '49148385', sku: 'IPOD2008RED', title: 'IPod Nano - 8gb', quantity: 2, unit_price: 19900 },
    ]);
    expect((await eventTypes('checkout.started')).length).toBe(1);
  });

  it('checkouts/update changes it; an older update is skipped; the order naming it completes it', async () => {
    const id = 9818200792002;
    expect((await deliver('checkouts/create', shopifyCheckout({ id, cart_token: 'cart-2002' }))).status).toBe(200);
    const more = shopifyCheckout({ id, cart_token: 'cart-2002', updated_at: '2026-11-19T20:20:00-05:00', total_price: '597.00',
      line_items: [{ product_id: 632910392, variant_id: 49148385, sku: 'IPOD2008RED', title: 'IPod Nano - 8gb', quantity: 3, price: '199.00' }] });
    expect((await deliver('checkouts/update', more)).status).toBe(200);
    expect((await deliver('checkouts/update', shopifyCheckout({ id, cart_token: 'cart-2002', updated_at: '2026-11-19T20:15:00-05:00', total_price: '1.00' }))).status).toBe(200);
    expect((await checkouts(String(id)))[0]!.value).toBe(59700);

    const order = shopifyOrder({ id: 5912345600004, name: '#2004', checkout_id: id, checkout_token: '123123123', cart_token: 'cart-2002' });
    expect((await deliver('orders/create', order)).status).toBe(200);
    const [done] = await checkouts(String(id));
    expect(done!.completed_at).toEqual(new Date('2026-11-20T17:00:00Z'));
    expect(done!.order_id).not.toBeNull();
    const completed = await eventTypes('checkout.completed');
    expect(completed.map((e) => JSON.parse(e.data) as Record<string, unknown>)).toContainEqual(expect.objectContaining({ external_id: String(id), order_external_id: '5912345600004' }));
  });

  it('a checkout whose order came first is completed at once; checkouts/delete marks one deleted', async () => {
    const order = shopifyOrder({ id: 5912345600005, name: '#2005', checkout_id: 9818200792005, cart_token: 'cart-2005' });
    expect((await deliver('orders/create', order)).status).toBe(200);
    expect((await deliver('checkouts/update', shopifyCheckout({ id: 9818200792005, cart_token: 'cart-2005' }))).status).toBe(200);
    expect((await checkouts('9818200792005'))[0]!.completed_at).toEqual(new Date('2026-11-20T17:00:00Z'));

    expect((await deliver('checkouts/create', shopifyCheckout({ id: 9818200792006, cart_token: 'cart-2006' }))).status).toBe(200);
    expect((await deliver('checkouts/delete', { id: 9818200792006 })).status).toBe(200);
    const [deleted] = await checkouts('9818200792006');
    expect(deleted!.deleted_at).not.toBeNull();
    expect(deleted!.value).toBe(39800);
  });
});
