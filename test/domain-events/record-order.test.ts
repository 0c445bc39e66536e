/**
 * `recordEvents` writes a batch with one list per column: every event arrives as given — its
 * store, type, entity and customer (NULLs among the values included) and data — and the outbox
 * ids follow the order of the batch, which subscribers rely on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvents, type NewDomainEvent } from '../../src/modules/domain-events/index.js';
import { openTestStore } from '../helpers/store.js';

let store: Awaited<ReturnType<typeof openTestStore>>;
beforeAll(async () => { store = await openTestStore(); });
afterAll(async () => { await store?.dispose(); });

describe('recordEvents', () => {
  it('keeps a batch of 3,000 events whole and in order', async () => {
    const events: NewDomainEvent[] = Array.from({ length: 3000 }, (_, i) => ({
      storeId: i % 3 === 0 ? 'st_a' : 'st_b', type: i % 2 ? 'loyalty.tier_changed' : 'customer.created',
      entityId: i % 5 === 0 ? null : i, customerId: i % 7 === 0 ? null : 10_000 + i, data: { n: i, text: `it's "${i}"` },
    }) as unknown as NewDomainEvent);
    const at = new Date('2026-05-06T07:08:09Z');
    await recordEvents(store.write, events, at);
    const rows = await store.read.selectFrom('domain_events').select(['store_id', 'type', 'entity', 'entity_id', 'customer_id', 'data', 'occurred_at']).orderBy('id').execute();
    expect(rows).toEqual(events.map((e) => ({
      store_id: e.storeId, type: e.type, entity: e.type.split('.')[0], entity_id: e.entityId, customer_id: e.customerId, data: JSON.stringify(e.data), occurred_at: at,
    })));
  });
});
