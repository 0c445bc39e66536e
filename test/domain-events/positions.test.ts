/**
 * Subscriber positions: a subscriber that handles events writes its position after each span it
 * handled; one whose spans hold none of its types moves in memory at once but writes its position
 * at most every few seconds, and when the dispatcher stops — so a stream of events it does not
 * want costs no write per commit, and a restart still starts it past them.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { Dispatcher, recordEvents, type NewDomainEvent } from '../../src/modules/domain-events/index.js';
import { openTestStore } from '../helpers/store.js';

let store: Awaited<ReturnType<typeof openTestStore>>;
beforeAll(async () => { store = await openTestStore(); });
afterAll(async () => { await store?.dispose(); });

const event = (type: 'customer.created' | 'order.placed', n: number) =>
  ({ storeId: 'st_a', type, entityId: n, customerId: n, data: { n } }) as unknown as NewDomainEvent;

const saved = async (name: string) =>
  (await store.read.selectFrom('event_subscriptions').select(['position', 'updated_at']).where('name', '=', name).executeTakeFirst());

describe('subscriber positions', () => {
  it('are written after handling, and only now and then past spans of other types', async () => {
    const handled: number[] = [];
    const dispatcher = new Dispatcher(store, silentLogger, { pollMs: 10 })
      .subscribe({ name: 'orders', types: ['order.placed'], from: 'start', handle: async (events) => { handled.push(...events.map((e) => e.id)); } })
      .subscribe({ name: 'everything', from: 'start', handle: async () => undefined });
    await dispatcher.start();
    const start = await saved('orders');

    // Ten commits of events the orders subscriber does not want, one at a time.
    for (let n = 0; n < 10; n += 1) {
      await recordEvents(store.write, [event('customer.created', n)]);
      await dispatcher.idle(10_000);
    }
    const last = Number((await store.read.selectFrom('domain_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow()).id);
    expect(dispatcher.position('orders')).toBe(last);
    // The one that handled them wrote each position; the other wrote none of the ten.
    expect(Number((await saved('everything'))!.position)).toBe(last);
    expect(await saved('orders')).toEqual(start);

    // An event it wants: handled, and its position written at once.
    await recordEvents(store.write, [event('order.placed', 99)]);
    await dispatcher.idle(10_000);
    expect(handled).toHaveLength(1);
    expect(Number((await saved('orders'))!.position)).toBe(handled[0]);

    // Past more events of other types, then stopped: the position is written on the way out.
    await recordEvents(store.write, [event('customer.created', 100), event('customer.created', 101)]);
    await dispatcher.idle(10_000);
    expect(Number((await saved('orders'))!.position)).toBe(handled[0]);
    await dispatcher.stop();
    expect(Number((await saved('orders'))!.position)).toBe(handled[0]! + 2);
  });

  it('cross a long run of ids drawn by writes that rolled back, in spans, to the events after it', async () => {
    const handled: number[] = [];
    const dispatcher = new Dispatcher(store, silentLogger, { pollMs: 10, batchIds: 1_000 })
      .subscribe({ name: 'after-gap', types: ['order.placed'], from: 'end', handle: async (events) => { handled.push(...events.map((e) => e.id)); } });
    await dispatcher.start();
    const before = Number((await store.read.selectFrom('domain_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow()).id);
    // 5,500 ids drawn from the outbox's sequence by a write that rolled back: none of them is an event.
    await store.write.transaction().execute(async (tx) => {
      await sql`select nextval('domain_events_id_seq') from range(5500)`.execute(tx);
      throw new Error('rolled back');
    }).catch(() => undefined);
    await recordEvents(store.write, [event('order.placed', 7)]);
    await dispatcher.idle(10_000);
    const [id] = handled;
    expect(handled).toHaveLength(1);
    expect(id).toBeGreaterThan(before + 5_500);
    expect(id).toBe(Number((await store.read.selectFrom('domain_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow()).id));
    await dispatcher.stop();
  });
});
