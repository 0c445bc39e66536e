/**
 * Every write path records exactly one domain event per committed change, delivered to a
 * subscriber that reads the outbox from its start: the admin API, tracking, a Shopify webhook, a
 * streamed and a bulk file import. Nothing is recorded for a batch that rolls back.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { Dispatcher, type DomainEvent, type StoreChanges } from '../../src/modules/domain-events/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { realData } from '../helpers/imports.js';
import { shopifyHeaders, shopifyOrder } from '../helpers/shopify.js';

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
let dispatcher: Dispatcher;
const seen: DomainEvent[] = [];
const storeChanges: StoreChanges[] = [];
const countryChanges: StoreChanges[] = [];
const secret = 'shpss_outbox_test_secret_0123456789';

beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Outbox Store', { currency: 'USD' });
  await t.services.accounts.updateStore(store.storeId, { shopifySecret: secret });
  dispatcher = new Dispatcher(t.services.storage, silentLogger, { pollMs: 20 })
    .subscribe({ name: 'test-recorder', from: 'start', handle: async (events) => { seen.push(...events); } })
    .subscribe({ name: 'test-stores', from: 'start', customerTypes: ['customer.updated'], handleStores: async (changes) => { storeChanges.push(...changes); } })
    .subscribe({
      name: 'test-country', from: 'start', types: ['customer.updated'], customerTypes: ['customer.updated'], customerFields: ['country'],
      handleStores: async (changes) => { countryChanges.push(...changes); },
    });
  await dispatcher.start();
});
afterAll(async () => {
  await dispatcher.stop();
  await t.close();
});

/** The events delivered since the last call, once every committed one has been handled. */
let consumed = 0;
async function delivered(): Promise<DomainEvent[]> {
  await dispatcher.idle();
  const fresh = seen.slice(consumed);
  consumed = seen.length;
  return fresh;
}

const count = (events: DomainEvent[]) => {
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1;
  return counts;
};
const bearer = () => ({ authorization: `Bearer ${store.secretKey}` });

describe('domain events per write path', () => {
  it('the admin API: placed, updated, cancelled, refunded; nothing for an unchanged retry', async () => {
    const order = (n: number, total = 2500, status?: string) => ({
      external_id: `api-${n}`, customer_external_id: 'api-customer', placed_at: '2026-10-0' + n + 'T10:00:00Z', currency: 'USD', ...(status ? { status } : {}),
      lines: [{ product_external_id: 'mug', quantity: 1, unit_price: total }],
    });
    const first = await t.app.inject({ method: 'POST', url: '/api/v1/orders/batch', headers: bearer(), payload: { orders: [order(1), order(2)] } });
    expect(first.statusCode).toBe(200);
    let events = await delivered();
    expect(count(events)).toEqual({ 'customer.created': 1, 'order.placed': 2 });
    const placed = events.filter((e) => e.type === 'order.placed');
    expect(placed.map((e) => (e.data as { external_id: string }).external_id).sort()).toEqual(['api-1', 'api-2']);
    const customerId = events.find((e) => e.type === 'customer.created')!.customerId;
    expect(placed.every((e) => e.customerId === customerId && e.storeId === store.storeId)).toBe(true);
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));

    const retry = await t.app.inject({ method: 'POST', url: '/api/v1/orders/batch', headers: bearer(), payload: { orders: [order(1), order(2)] } });
    expect(retry.statusCode).toBe(200);
    expect(await delivered()).toEqual([]);

    await t.app.inject({ method: 'POST', url: '/api/v1/orders/batch', headers: bearer(), payload: { orders: [order(1, 3000), order(2, 2500, 'cancelled')] } });
    events = await delivered();
    expect(count(events)).toEqual({ 'order.updated': 1, 'order.cancelled': 1 });
    expect(events.find((e) => e.type === 'order.cancelled')!.data).toMatchObject({ external_id: 'api-2', previous_status: 'paid' });

    const refund = await t.app.inject({ method: 'PUT', url: '/api/v1/returns/ret-1', headers: bearer(), payload: {
      order_external_id: 'api-1', returned_at: '2026-10-20T10:00:00Z', currency: 'USD', amount: 1000, reason: 'too small',
    } });
    expect(refund.statusCode).toBeLessThan(300);
    events = await delivered();
    expect(count(events)).toEqual({ 'return.created': 1, 'order.refunded': 1 });
    expect(events.find((e) => e.type === 'order.refunded')!.data).toMatchObject({ external_id: 'api-1', status: 'partially_refunded', refunded: 1000, total: 3000 });
  });

  it('customers: created, updated with the fields that changed, consent changes', async () => {
    const put = (body: Record<string, unknown>) => t.app.inject({ method: 'PUT', url: '/api/v1/customers/cust-9', headers: bearer(), payload: body });
    await put({ email: 'nine@example.com', first_name: 'Nina', accepts_marketing: false });
    expect(count(await delivered())).toEqual({ 'customer.created': 1 });
    await put({ email: 'nine@example.com', first_name: 'Nine', accepts_marketing: true });
    const events = await delivered();
    expect(count(events)).toEqual({ 'customer.updated': 1, 'customer.consent_changed': 1 });
    expect(events.find((e) => e.type === 'customer.updated')!.data).toMatchObject({ external_id: 'cust-9', changed: ['first_name', 'accepts_marketing', 'email_consent', 'email_consent_at'] });
    expect(events.find((e) => e.type === 'customer.consent_changed')!.data).toMatchObject({
      accepts_marketing: true, previous: false, email: 'subscribed', previous_email: 'unsubscribed', sms: 'never_asked', previous_sms: 'never_asked',
    });
    await put({ email: 'nine@example.com', first_name: 'Nine', accepts_marketing: true });
    expect(await delivered()).toEqual([]);
    // A store subscriber gets the same changes folded per store, naming the updated customer.
    const updatedId = events.find((e) => e.type === 'customer.updated')!.customerId!;
    const folded = storeChanges.filter((change) => change.storeId === store.storeId);
    expect(folded.flatMap((change) => change.customerIds)).toContain(updatedId);
    expect(folded.flatMap((change) => change.types)).toEqual(expect.arrayContaining(['customer.created', 'customer.updated', 'customer.consent_changed']));
    // A store subscriber that reads only the country is not woken by a change of name and consent, and is by the country.
    expect(countryChanges.filter((change) => change.storeId === store.storeId)).toEqual([]);
    await put({ email: 'nine@example.com', first_name: 'Nine', accepts_marketing: true, country: 'PT' });
    expect(count(await delivered())).toEqual({ 'customer.updated': 1 });
    expect(countryChanges.filter((change) => change.storeId === store.storeId).flatMap((change) => change.customerIds)).toEqual([updatedId]);
  });

  it('tracking: one event.received per stored event, none for a retried batch', async () => {
    const auth = { authorization: `Basic ${Buffer.from(`${store.writeKey}:`).toString('base64')}` };
    const batch = { batch: [
      { type: 'identify', userId: 'trk-1', anonymousId: 'anon-1', traits: { email: 'trk@example.com' }, messageId: 'm-1' },
      { type: 'track', event: 'Product Viewed', anonymousId: 'anon-1', userId: 'trk-1', properties: { product_id: 'mug' }, messageId: 'm-2' },
      { type: 'page', name: 'Home', anonymousId: 'anon-2', messageId: 'm-3' },
    ] };
    expect((await t.app.inject({ method: 'POST', url: '/v1/batch', headers: auth, payload: batch })).statusCode).toBe(200);
    const events = await delivered();
    expect(count(events)).toEqual({ 'customer.created': 1, 'event.received': 3 });
    const received = events.filter((e) => e.type === 'event.received');
    expect(received.map((e) => e.data)).toEqual([
      expect.objectContaining({ type: 'identify' }), expect.objectContaining({ type: 'track', name: 'Product Viewed' }), expect.objectContaining({ type: 'page', anonymous_id: 'anon-2' }),
    ]);
    const customerId = events.find((e) => e.type === 'customer.created')!.customerId;
    expect(received[1]!.customerId).toBe(customerId);
    expect(received[2]!.customerId).toBeNull();
    expect((await t.app.inject({ method: 'POST', url: '/v1/batch', headers: auth, payload: batch })).statusCode).toBe(200);
    expect(await delivered()).toEqual([]);
  });

  it('a Shopify webhook: the order and its new customer, once however often it is delivered', async () => {
    const body = JSON.stringify(shopifyOrder({ id: 777001, name: '#7771' }));
    const send = () => t.app.inject({ method: 'POST', url: `/webhooks/shopify/${store.storeId}`, headers: shopifyHeaders(secret, 'orders/create', body, 'wh-777001'), payload: body });
    expect((await send()).statusCode).toBe(200);
    expect(count(await delivered())).toEqual({ 'customer.created': 1, 'order.placed': 1 });
    expect((await send()).statusCode).toBe(200);
    expect(await delivered()).toEqual([]);
  });

  it('streamed and bulk imports: one event per created row, then import.finished', async () => {
    const file = realData('online-retail/online-retail-2010-12-01_02.csv');
    const rejectsDir = join(t.services.config.dataDir, 'imports');
    const streamed = await t.services.imports.run({ files: [file], format: 'online-retail', rejectsDir, store: store.storeId });
    let events = await delivered();
    expect(count(events)).toMatchObject({
      'customer.created': streamed.customers.created, 'order.placed': streamed.orders.created, 'import.finished': 1,
    });
    expect(events.at(-1)!.type).toBe('import.finished');
    expect(new Set(events.filter((e) => e.type === 'order.placed').map((e) => e.entityId)).size).toBe(streamed.orders.created);

    // The same file into a new store through the bulk path (DuckDB reads the file whole).
    const other = await t.newStore('Bulk Store', { currency: 'GBP' });
    const bulk = await t.services.imports.run({ files: [file], format: 'online-retail', rejectsDir, store: other.storeId }, { bulkBytes: 0 });
    expect(bulk.orders.created).toBe(streamed.orders.created);
    events = await delivered();
    expect(events.every((e) => e.storeId === other.storeId)).toBe(true);
    expect(count(events)['order.placed']).toBe(bulk.orders.created);
    expect(count(events)['customer.created']).toBe(bulk.customers.created);
    expect(count(events)['import.finished']).toBe(1);
    // Refunds of the file's cancellations: one order.refunded per refunded order.
    expect(count(events)['return.created'] ?? 0).toBe(bulk.returns.created);
  });

  it('records nothing for a write that rolls back', async () => {
    const before = seen.length;
    await expect(t.services.commerce.writeStaged(store.storeId, async () => {
      throw new Error('the file could not be read');
    })).rejects.toThrow('could not be read');
    const invalid = await t.app.inject({ method: 'POST', url: '/api/v1/orders/batch', headers: bearer(), payload: { orders: [{ external_id: 'bad' }] } });
    expect(invalid.statusCode).toBe(422);
    expect(await delivered()).toEqual([]);
    expect(seen.length).toBe(before);
  });
});
