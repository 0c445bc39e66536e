/**
 * The demo writes through the commerce writer, so its writes record their domain events in the
 * same transaction like every other source: one customer.created per customer, one order.placed
 * per order (source `demo`), one return.created and one order.refunded per return.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommerceService } from '../../src/modules/commerce/index.js';
import { planDemo, writeDemoData, type DemoCounts } from '../../src/modules/demo/demo.generator.js';
import { openTestStore } from '../helpers/store.js';

const STORE = 'st_demo';
let store: Awaited<ReturnType<typeof openTestStore>>;
let counts: DemoCounts;

beforeAll(async () => {
  store = await openTestStore();
  counts = await writeDemoData(new CommerceService(store), STORE, planDemo({ customers: 600, seed: 3, end: new Date('2026-11-23T00:00:00Z'), eventsPerCustomer: 4 }));
}, 120_000);
afterAll(async () => store.dispose());

const count = async (query: string) => Number((await sql<{ n: number }>`${sql.raw(query)}`.execute(store.read)).rows[0]!.n);

describe('the demo records domain events', () => {
  it('one per customer, order and return it writes', async () => {
    const rows = (await sql<{ type: string; n: number }>`select type, count(*) as n from domain_events where store_id = ${STORE} group by type`.execute(store.read)).rows;
    const byType = Object.fromEntries(rows.map((r) => [r.type, Number(r.n)]));
    expect(counts.customers).toBe(600);
    expect(counts.returns).toBeGreaterThan(0);
    expect(byType).toEqual({
      'customer.created': counts.customers,
      'order.placed': counts.orders,
      'return.created': counts.returns,
      // Each demo return refunds its own order.
      'order.refunded': counts.returns,
      // Shipments (every one shipped, most delivered) and the carts left open.
      'order.fulfilled': counts.fulfillments,
      'order.shipped': counts.fulfillments,
      'order.delivered': await count(`select count(*) as n from fulfillments where store_id = '${STORE}' and delivered_at is not null`),
      'checkout.started': counts.checkouts,
    });
    expect(await count(`select count(*) as n from customers where store_id = '${STORE}'`)).toBe(counts.customers);
    expect(await count(`select count(*) as n from orders where store_id = '${STORE}'`)).toBe(counts.orders);
    expect(await count(`select count(*) as n from returns where store_id = '${STORE}'`)).toBe(counts.returns);
  });

  it('names the row and the customer of each change, and the demo as the orders\' source', async () => {
    expect(await count(`select count(*) as n from domain_events d join orders o on o.id = d.entity_id and o.customer_id = d.customer_id
      where d.store_id = '${STORE}' and d.type = 'order.placed' and json_extract_string(d.data, '$.source') = 'demo'
        and json_extract_string(d.data, '$.external_id') = o.external_id and json_extract_string(d.data, '$.status') = o.status`)).toBe(counts.orders);
    expect(await count(`select count(*) as n from domain_events d join customers c on c.id = d.entity_id and c.id = d.customer_id
      where d.store_id = '${STORE}' and d.type = 'customer.created' and json_extract_string(d.data, '$.external_id') = c.external_id`)).toBe(counts.customers);
    expect(await count(`select count(*) as n from domain_events d join returns r on r.id = d.entity_id and r.customer_id = d.customer_id
      where d.store_id = '${STORE}' and d.type = 'return.created' and json_extract(d.data, '$.amount')::bigint = r.amount`)).toBe(counts.returns);
  });

  it('keeps what the demo means by a return: a refunded order is refunded in full', async () => {
    const rows = (await sql<{ status: string; full: boolean; n: number }>`
      select o.status, r.amount >= o.total as full, count(*) as n from returns r join orders o on o.id = r.order_id
      where r.store_id = ${STORE} group by all`.execute(store.read)).rows;
    for (const row of rows) expect(row.status).toBe(row.full ? 'refunded' : 'partially_refunded');
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['refunded', 'partially_refunded']));
  });
});
