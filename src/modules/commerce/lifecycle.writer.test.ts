import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anOrder } from '../../../test/builders/data.js';
import { openTestStore } from '../../../test/helpers/store.js';
import type { Storage } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import { CommerceWriter } from './commerce.writer.js';

let store: Storage & { dispose: () => Promise<void> };
let writer: CommerceWriter;
let storeSeq = 0;
const newStoreId = () => `st_lifecycle_${(storeSeq += 1)}`;

beforeAll(async () => {
  store = await openTestStore();
  writer = new CommerceWriter(store);
});
afterAll(async () => store.dispose());

const fulfillmentsOf = (storeId: string) => store.read.selectFrom('fulfillments').selectAll().where('store_id', '=', storeId).orderBy('id').execute();
const checkoutsOf = (storeId: string) => store.read.selectFrom('checkouts').selectAll().where('store_id', '=', storeId).orderBy('id').execute();
const eventsOf = async (storeId: string) => (await store.read.selectFrom('domain_events').select(['type', 'entity', 'entity_id', 'customer_id', 'data'])
  .where('store_id', '=', storeId).orderBy('id').execute()).map((e) => ({ ...e, data: JSON.parse(e.data) as Record<string, unknown> }));
const lifecycleEvents = async (storeId: string) => (await eventsOf(storeId)).filter((e) => /^(order\.(fulfilled|shipped|delivered)|checkout\.)/.test(e.type));

const t = (iso: string) => new Date(iso);

describe('fulfilments', () => {
  it('are stored once, attach to an order that arrives later, and record their events then', async () => {
    const storeId = newStoreId();
    const shipment = {
      external_id: 'f-1', order_external_id: 'o-1', carrier: 'UPS', tracking_number: '1Z999', tracking_url: 'https://ups.example/1Z999',
      shipped_at: t('2026-11-02T10:00:00Z'), shipment_status: 'in_transit', source_updated_at: t('2026-11-02T10:00:00Z'),
    };
    const first = await writer.write(storeId, { fulfillments: [shipment] });
    expect(first.fulfillments).toEqual({ created: 1, updated: 0, unchanged: 0 });
    expect(await lifecycleEvents(storeId)).toEqual([]);
    const again = await writer.write(storeId, { fulfillments: [shipment] });
    expect(again.fulfillments).toEqual({ created: 0, updated: 0, unchanged: 1 });
    expect(await fulfillmentsOf(storeId)).toHaveLength(1);
    expect((await fulfillmentsOf(storeId))[0]).toMatchObject({ order_id: null, status: 'success' });

    await writer.write(storeId, { orders: [anOrder('o-1')] });
    const [stored] = await fulfillmentsOf(storeId);
    const [order] = await store.read.selectFrom('orders').select(['id', 'customer_id']).where('store_id', '=', storeId).execute();
    expect(stored!.order_id).toBe(order!.id);
    const events = await lifecycleEvents(storeId);
    expect(events.map((e) => e.type)).toEqual(['order.fulfilled', 'order.shipped']);
    expect(events[1]).toMatchObject({ entity: 'order', entity_id: order!.id, customer_id: order!.customer_id });
    expect(events[1]!.data).toMatchObject({ external_id: 'o-1', fulfillment_id: 'f-1', carrier: 'UPS', tracking_number: '1Z999', shipped_at: '2026-11-02T10:00:00.000Z', delivered_at: null });

    // Delivered, then a late in_transit update: stays delivered, one order.delivered.
    const delivered = { ...shipment, shipment_status: 'delivered', source_updated_at: t('2026-11-04T09:00:00Z') };
    expect((await writer.write(storeId, { fulfillments: [delivered] })).fulfillments).toEqual({ created: 0, updated: 1, unchanged: 0 });
    await writer.write(storeId, { fulfillments: [{ ...shipment, shipment_status: 'out_for_delivery', source_updated_at: t('2026-11-03T09:00:00Z') }] });
    // Even a newer update cannot take the delivery back.
    await writer.write(storeId, { fulfillments: [{ ...shipment, shipment_status: 'in_transit', source_updated_at: t('2026-11-05T09:00:00Z') }] });
    const [after] = await fulfillmentsOf(storeId);
    expect(after).toMatchObject({ shipment_status: 'delivered', delivered_at: t('2026-11-04T09:00:00Z'), shipped_at: t('2026-11-02T10:00:00Z') });
    expect((await lifecycleEvents(storeId)).map((e) => e.type)).toEqual(['order.fulfilled', 'order.shipped', 'order.delivered']);
  });

  it('given inside their order, in the same batch, record their events once', async () => {
    const storeId = newStoreId();
    const order = { ...anOrder('o-2'), fulfillments: [{ external_id: 'f-2', shipped_at: t('2026-11-02T10:00:00Z'), delivered_at: t('2026-11-05T10:00:00Z') }] };
    const summary = await writer.write(storeId, { orders: [order] });
    expect(summary.fulfillments).toEqual({ created: 1, updated: 0, unchanged: 0 });
    expect((await lifecycleEvents(storeId)).map((e) => e.type)).toEqual(['order.fulfilled', 'order.shipped', 'order.delivered']);
    await writer.write(storeId, { orders: [order] });
    expect(await lifecycleEvents(storeId)).toHaveLength(3);
  });

  it('are checked like everything else: the field is named and nothing is written', async () => {
    const storeId = newStoreId();
    const error = await writer.write(storeId, {
      orders: [anOrder('o-3')],
      fulfillments: [{ external_id: 'f-3', order_external_id: 'o-3', status: 'shipped' as never, tracking_url: 'javascript:alert(1)' }],
    }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).details.map((d) => d.path)).toEqual(['fulfillments.0.status', 'fulfillments.0.tracking_url']);
    expect(await store.read.selectFrom('orders').select('id').where('store_id', '=', storeId).execute()).toHaveLength(0);
  });
});

describe('checkouts', () => {
  const started = {
    external_id: 'c-1', cart_id: 'cart-1', customer_external_id: 'cust-1', email: 'Ann@Example.com', currency: 'EUR',
    items: [{ product_external_id: 'p-1', sku: 'P1', title: 'Mug', quantity: 2, unit_price: 1250 }],
    recovery_url: 'https://shop.example/checkouts/c-1/recover', updated_at: t('2026-11-01T10:00:00Z'),
  };

  it('start, update, and complete when their order arrives; replays change nothing', async () => {
    const storeId = newStoreId();
    expect((await writer.write(storeId, { checkouts: [started] })).checkouts).toEqual({ created: 1, updated: 0, unchanged: 0 });
    expect((await writer.write(storeId, { checkouts: [started] })).checkouts).toEqual({ created: 0, updated: 0, unchanged: 1 });
    const [stored] = await checkoutsOf(storeId);
    expect(stored).toMatchObject({ value: 2500, email: 'ann@example.com', started_at: t('2026-11-01T10:00:00Z'), completed_at: null, source: 'api' });
    expect(stored!.customer_id).not.toBeNull();
    // An older update is skipped; a newer one applies.
    await writer.write(storeId, { checkouts: [{ ...started, email: 'old@example.com', updated_at: t('2026-11-01T09:00:00Z') }] });
    await writer.write(storeId, { checkouts: [{ ...started, value: 3000, updated_at: t('2026-11-01T11:00:00Z') }] });
    expect((await checkoutsOf(storeId))[0]).toMatchObject({ email: 'ann@example.com', value: 3000, updated_at: t('2026-11-01T11:00:00Z') });

    await writer.write(storeId, { orders: [{ ...anOrder('o-1'), checkout_ids: ['cart-1'] }] });
    const [done] = await checkoutsOf(storeId);
    const [order] = await store.read.selectFrom('orders').select(['id', 'placed_at']).where('store_id', '=', storeId).execute();
    expect(done).toMatchObject({ order_id: order!.id, completed_at: order!.placed_at });
    expect((await lifecycleEvents(storeId)).map((e) => e.type)).toEqual(['checkout.started', 'checkout.updated', 'checkout.completed']);
    expect((await lifecycleEvents(storeId))[2]!.data).toMatchObject({ external_id: 'c-1', status: 'completed', order_external_id: 'o-1', value: 3000 });
    // A late update of the checkout does not reopen it.
    await writer.write(storeId, { checkouts: [{ ...started, updated_at: t('2026-11-01T12:00:00Z') }] });
    expect((await checkoutsOf(storeId))[0]!.completed_at).toEqual(order!.placed_at);
  });

  it('complete at once when their order came first', async () => {
    const storeId = newStoreId();
    await writer.write(storeId, { orders: [{ ...anOrder('o-9'), checkout_ids: ['c-1'] }] });
    await writer.write(storeId, { checkouts: [started] });
    const [stored] = await checkoutsOf(storeId);
    expect(stored!.completed_at).not.toBeNull();
    expect((await lifecycleEvents(storeId)).map((e) => e.type)).toEqual(['checkout.started', 'checkout.completed']);
  });

  it('accumulate added items, in one batch and across batches', async () => {
    const storeId = newStoreId();
    const add = (sku: string, price: number) => ({ external_id: 'cart-9', anonymous_id: 'anon-1', currency: 'EUR', add_items: true, items: [{ sku, quantity: 1, unit_price: price }] });
    await writer.write(storeId, { checkouts: [add('A', 100), add('B', 200)] });
    await writer.write(storeId, { checkouts: [add('C', 300)] });
    const [stored] = await checkoutsOf(storeId);
    expect(stored!.value).toBe(600);
    expect((JSON.parse(stored!.items) as { sku: string }[]).map((i) => i.sku)).toEqual(['A', 'B', 'C']);
    expect(stored!.anonymous_id).toBe('anon-1');
  });
});
