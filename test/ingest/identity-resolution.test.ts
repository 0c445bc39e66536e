/**
 * One person, one customer, whichever source names them first: a CSV import keyed by email, a
 * Shopify webhook keyed by Shopify's id, a Segment userId (docs/identity.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../helpers/app.js';
import { basic, ingestApp, messageId, rows } from '../helpers/ingest.js';
import { shopifyCustomer, shopifyHeaders, shopifyOrder } from '../helpers/shopify.js';

type App = Awaited<ReturnType<typeof ingestApp>>;
let t: App;
const SECRET = 'shpss_identity';
beforeAll(async () => {
  t = await ingestApp();
  await t.services.accounts.updateStore(t.storeId, { shopifySecret: SECRET });
});
afterAll(async () => t.close());

const customers = (email: string) => rows<{ id: number; external_id: string; email: string; first_name: string | null }>(t.services,
  'select id, external_id, email, first_name from customers where store_id = ? and lower(email) = ? order by id', t.storeId, email);
const aliases = () => rows<{ alias: string; customer_id: number; matched_by: string }>(t.services,
  'select alias, customer_id, matched_by from customer_aliases where store_id = ? order by alias', t.storeId);
const importCustomers = (list: object[]) => t.app.inject({ method: 'POST', url: '/api/v1/customers/batch', headers: bearer(t.secretKey), payload: { customers: list } });
const webhook = (topic: string, payload: object) => {
  const body = JSON.stringify(payload);
  return t.app.inject({ method: 'POST', url: `/webhooks/shopify/${t.storeId}`, headers: shopifyHeaders(SECRET, topic, body), payload: body });
};

describe('identity resolution across sources', () => {
  it('a Shopify customer whose email an import already keyed lands on that customer, with its orders and later events', async () => {
    expect((await importCustomers([{ external_id: 'john@example.com', email: 'john@example.com', first_name: 'Johnny' }])).statusCode).toBe(200);
    expect((await webhook('customers/create', shopifyCustomer)).statusCode).toBe(200);
    expect((await webhook('orders/create', shopifyOrder())).statusCode).toBe(200);

    const [john, ...others] = await customers('john@example.com');
    expect(others).toEqual([]);
    expect(john).toMatchObject({ external_id: 'john@example.com', first_name: 'John' });
    expect(await aliases()).toEqual([{ alias: String(shopifyCustomer.id), customer_id: john!.id, matched_by: 'email' }]);
    const orders = await rows<{ customer_id: number }>(t.services, 'select customer_id from orders where store_id = ?', t.storeId);
    expect(orders.map((o) => o.customer_id)).toEqual([john!.id]);

    // The storefront identifies the Shopify id: the events join the same profile.
    const page = await t.app.inject({ method: 'POST', url: '/v1/page', headers: basic(t.writeKey), payload: { userId: String(shopifyCustomer.id), name: 'Home', messageId: messageId() } });
    expect(page.statusCode).toBe(200);
    expect((await t.services.events.timelineOf(t.storeId, john!.id)).map((e) => e.name)).toEqual(['Home']);
    // And the API finds the customer by either id.
    const byShopifyId = await t.app.inject({ method: 'GET', url: `/api/v1/customers/ext:${shopifyCustomer.id}`, headers: bearer(t.secretKey) });
    expect(byShopifyId.json().id).toBe(john!.id);
  });

  it('a Segment userId with a known email, and the reverse order (the import after the webhook)', async () => {
    await webhook('customers/create', { ...shopifyCustomer, id: 8800000001, email: 'mia@example.com', phone: null });
    const identify = await t.app.inject({ method: 'POST', url: '/v1/identify', headers: basic(t.serverKey), payload: { userId: 'seg-mia', traits: { email: 'MIA@example.com', firstName: 'Mia' }, messageId: messageId() } });
    expect(identify.statusCode).toBe(200);
    // An import keyed by email, with an order naming the customer by that key, in one batch through the merge.
    const many = Array.from({ length: 60 }, (_, i) => ({ external_id: `bulk-${i}@example.com`, email: `bulk-${i}@example.com` }));
    expect((await importCustomers([...many, { external_id: 'mia@example.com', email: 'mia@example.com', city: 'Leeds' }])).statusCode).toBe(200);
    const order = await t.app.inject({ method: 'PUT', url: '/api/v1/orders/mia-1', headers: bearer(t.secretKey), payload: {
      customer_external_id: 'mia@example.com', placed_at: '2026-11-02T10:00:00Z', currency: 'USD', lines: [{ sku: 'MUG', quantity: 1, unit_price: 1200 }],
    } });
    expect(order.statusCode).toBeLessThan(300);
    const [mia, ...others] = await customers('mia@example.com');
    expect(others).toEqual([]);
    expect(mia).toMatchObject({ external_id: '8800000001', first_name: 'Mia' });
    const ids = (await aliases()).filter((a) => a.customer_id === mia!.id).map((a) => [a.alias, a.matched_by]);
    expect(ids).toEqual([['mia@example.com', 'email'], ['seg-mia', 'email']]);
    const [placed] = await rows<{ customer_id: number }>(t.services, 'select customer_id from orders where store_id = ? and external_id = ?', t.storeId, 'mia-1');
    expect(placed!.customer_id).toBe(mia!.id);
  });

  it('by phone for a record without an email; never when the email or phone is ambiguous', async () => {
    await importCustomers([{ external_id: 'pos-1', phone: '+1 (555) 010-9999', first_name: 'Pat' }]);
    await importCustomers([{ external_id: 'app-1', phone: '+15550109999' }]);
    const [pat] = await rows<{ id: number }>(t.services, 'select id from customers where store_id = ? and external_id = ?', t.storeId, 'pos-1');
    expect((await aliases()).find((a) => a.alias === 'app-1')).toEqual({ alias: 'app-1', customer_id: pat!.id, matched_by: 'phone' });

    // The same phone with an email nobody has is taken for someone else (a shared family phone).
    await importCustomers([{ external_id: 'app-2', phone: '+15550109999', email: 'someone.else@example.com' }]);
    expect((await aliases()).find((a) => a.alias === 'app-2')).toBeUndefined();

    // Two stored customers share an email (a family address): a new id with it stays its own customer.
    await importCustomers([{ external_id: 'fam-1', email: 'family@example.com' }]);
    await t.services.commerce.write(t.storeId, { customers: [{ external_id: 'fam-2', first_name: 'Second' }] });
    await t.services.storage.write.updateTable('customers').set({ email: 'family@example.com' }).where('store_id', '=', t.storeId).where('external_id', '=', 'fam-2').execute();
    await importCustomers([{ external_id: 'fam-3', email: 'family@example.com' }]);
    expect((await customers('family@example.com')).map((c) => c.external_id)).toEqual(['fam-1', 'fam-2', 'fam-3']);
  });
});
