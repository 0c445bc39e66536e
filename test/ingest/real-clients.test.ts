import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../helpers/ingest.js';
import { listeningServer } from '../helpers/ingest-server.js';

let live: Awaited<ReturnType<typeof listeningServer>>;
beforeAll(async () => {
  live = await listeningServer();
});
afterAll(async () => {
  await live.close();
});

const customerOf = async (externalId: string) =>
  (await rows<{ id: number; email: string; first_name: string }>(live.server.services, 'select id, email, first_name from customers where store_id = ? and external_id = ?', live.storeId, externalId))[0];

describe('real tracking clients', () => {
  it('@segment/analytics-node lands identify, page and Order Completed on the profile', async () => {
    const analytics = new SegmentAnalytics({ writeKey: live.serverKey, host: live.url, flushAt: 10, flushInterval: 50, maxRetries: 2 });
    const failures: unknown[] = [];
    analytics.on('error', (error) => failures.push(error));
    analytics.page({ anonymousId: 'seg-anon-1', name: 'Home', properties: { url: 'https://shop.test/' } });
    analytics.track({ anonymousId: 'seg-anon-1', event: 'Product Viewed', properties: { product_id: 'sku-1', price: 12.5 } });
    analytics.identify({ userId: 'seg-user-1', anonymousId: 'seg-anon-1', traits: { email: 'grace@example.com', firstName: 'Grace' } });
    analytics.track({ userId: 'seg-user-1', event: 'Order Completed', properties: { order_id: 'seg-o-1', total: 25, currency: 'USD', products: [{ product_id: 'sku-1', price: 12.5, quantity: 2 }] } });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(failures).toEqual([]);
    const customer = await customerOf('seg-user-1');
    expect(customer).toMatchObject({ email: 'grace@example.com', first_name: 'Grace' });
    const timeline = await live.server.services.events.timelineOf(live.storeId, customer!.id);
    expect(timeline.map((e) => e.name ?? e.type).sort()).toEqual(['Home', 'Order Completed', 'Product Viewed', 'identify']);
    expect(timeline.every((e) => e.source === 'segment')).toBe(true);
    const [order] = await rows<{ total: number; customer_id: number }>(live.server.services, 'select total, customer_id from orders where store_id = ? and external_id = ?', live.storeId, 'seg-o-1');
    expect(order).toEqual({ total: 2500, customer_id: customer!.id });
  });

  it('@rudderstack/rudder-sdk-node (gzip labelled as a form) lands its events too', async () => {
    const client = new RudderAnalytics(live.serverKey, { dataPlaneUrl: live.url, flushAt: 3, flushInterval: 50, logLevel: 'error' });
    const sent = (fn: (done: (error?: Error) => void) => void) => new Promise<void>((resolve, reject) => fn((error) => (error ? reject(error) : resolve())));
    await Promise.all([
      sent((done) => client.identify({ userId: 'rs-user-1', anonymousId: 'rs-anon-1', traits: { email: 'linus@example.com', name: 'Linus T' } }, done)),
      sent((done) => client.track({ anonymousId: 'rs-anon-1', event: 'Cart Viewed', properties: { cart_id: 'c-1' } }, done)),
      sent((done) => client.page({ userId: 'rs-user-1', name: 'Checkout', properties: { url: 'https://shop.test/checkout' } }, done)),
    ]);
    const customer = await customerOf('rs-user-1');
    expect(customer).toMatchObject({ email: 'linus@example.com', first_name: 'Linus' });
    const timeline = await live.server.services.events.timelineOf(live.storeId, customer!.id);
    expect(timeline.map((e) => e.name ?? e.type).sort()).toEqual(['Cart Viewed', 'Checkout', 'identify']);
    expect(new Set(timeline.map((e) => e.source))).toEqual(new Set(['rudderstack']));
  });
});
