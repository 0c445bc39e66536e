// A store for the loyalty benchmarks, generated set-based in SQL into a fresh data directory:
// customers, N orders over three years (one in twenty a guest's, one in fifty cancelled, nine in ten
// delivered, one in twenty refunded by a third), and the programme switched on (one point per euro,
// pending 30 days after delivery, no tiers, unless `settings` changes it).
import { sql } from 'kysely';
import { loadConfig } from '../../dist/config.js';
import { Storage } from '../../dist/db/database.js';
import { silentLogger } from '../../dist/lib/logger.js';
import { defaultLoyaltySettings } from '../../dist/modules/loyalty/index.js';
import { createServices } from '../../dist/services.js';

const DAY_MS = 86_400_000;

/** Writes the store: customers, orders, deliveries and refunds, each one INSERT … SELECT over range(). Returns the store's id. */
export async function generateLoyaltyStore(dataDir, { orders, customers = Math.max(100, Math.round(orders / 10)), memoryLimit, log, settings = {} }) {
  const storage = await Storage.open({ dataDir, readers: 1, memoryLimit, threads: 2 });
  try {
    await storage.migrate();
    const services = createServices(loadConfig({ HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent' }), storage, silentLogger);
    const { id: store } = await services.accounts.createStore({ name: 'Bench', slug: 'bench', currency: 'EUR' });
    const now = new Date();
    const start = new Date(now.getTime() - 3 * 365 * DAY_MS);
    const spanSeconds = Math.floor((now.getTime() - DAY_MS - start.getTime()) / 1000);
    const db = storage.write;
    const started = performance.now();
    await sql`insert into customers (store_id, id, external_id, email, created_at, updated_at)
      select ${store}, nextval('customers_id_seq'), 'c' || i, 'c' || i || '@example.com', ${start}, ${start} from range(cast(${customers} as bigint)) t(i)`.execute(db);
    const { rows: [first] } = await sql`select min(id) as id from customers where store_id = ${store}`.execute(db);
    await sql`insert into orders (store_id, id, external_id, customer_id, placed_at, currency, subtotal, discount, shipping, tax, total, status, source, created_at, updated_at)
      select ${store}, nextval('orders_id_seq'), 'o' || i, case when i % 20 = 0 then null else ${Number(first.id)} + (i * 7919) % ${customers} end,
        placed_at, 'EUR', subtotal, discount, 495, 0, subtotal - discount + 495, case when i % 50 = 1 then 'cancelled' else 'paid' end, 'bench', placed_at, placed_at
      from (select i, ${start} + to_seconds(cast(i * ${spanSeconds} // ${orders} as bigint)) as placed_at, 1000 + (i * 37) % 20000 as subtotal,
        case when i % 5 = 0 then 500 else 0 end as discount from range(cast(${orders} as bigint)) t(i))`.execute(db);
    await sql`insert into fulfillments (store_id, id, external_id, order_id, order_external_id, status, shipped_at, delivered_at, created_at, updated_at)
      select store_id, nextval('fulfillments_id_seq'), 'f' || id, id, external_id, 'delivered', placed_at + to_days(1), placed_at + to_days(3), placed_at, placed_at
      from orders where store_id = ${store} and id % 10 <> 0`.execute(db);
    await sql`insert into returns (store_id, id, external_id, order_id, customer_id, returned_at, currency, amount, created_at)
      select store_id, nextval('returns_id_seq'), 'r' || id, id, customer_id, placed_at + to_days(10), currency, total // 3, placed_at
      from orders where store_id = ${store} and id % 20 = 3 and status <> 'cancelled'`.execute(db);
    log(`generated ${orders.toLocaleString('en')} orders of ${customers.toLocaleString('en')} customers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await services.loyalty.saveSettings(store, { ...defaultLoyaltySettings, enabled: true, pending: { days: 30, from: 'delivery' }, ...settings }, 'bench');
    await services.shutdown();
    return store;
  } finally {
    await storage.close();
  }
}

