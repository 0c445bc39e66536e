/**
 * Publication and stock of products, through every way products reach Hearth: the admin API
 * (one product and a batch), a JSON Lines import and Shopify's products webhooks. Each field
 * round-trips, an absent field keeps what is stored, and a bad value is a 4xx naming the field.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoStock } from '../../src/modules/demo/demo.generator.js';
import { openImportStore } from '../helpers/imports.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { shopifyHeaders } from '../helpers/shopify.js';

let t: TestApp;
let auth: Record<string, string>;
let storeId: string;
const secret = 'shpss_0123456789abcdef0123456789abcdef';

beforeAll(async () => {
  t = await createTestApp();
  const store = await t.newStore('Stocked', { currency: 'USD' });
  auth = bearer(store.secretKey);
  storeId = store.storeId;
  await t.services.accounts.updateStore(storeId, { shopifySecret: secret });
}, 60_000);
afterAll(async () => t?.close());

const put = (id: string, payload: object) => t.app.inject({ method: 'PUT', url: `/api/v1/products/${id}`, headers: auth, payload });
const get = async (id: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/products/ext:${id}`, headers: auth })).json();

describe('the admin API', () => {
  it('keeps publication and stock, and an absent field keeps the stored value', async () => {
    const created = await put('lamp', {
      title: 'Desk lamp', price: 4500, currency: 'USD', published: true, published_at: '2026-01-05T09:00:00Z', inventory_quantity: 7,
      variants: [{ external_id: 'lamp-w', sku: 'L-W', inventory_quantity: 3 }, { external_id: 'lamp-b', sku: 'L-B', inventory_quantity: null }],
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().data).toMatchObject({
      published: true, published_at: '2026-01-05T09:00:00.000Z', inventory_quantity: 7,
    });
    expect(created.json().data.variants.map((v: { external_id: string; inventory_quantity: number | null }) => [v.external_id, v.inventory_quantity]).sort())
      .toEqual([['lamp-b', null], ['lamp-w', 3]]);
    const updated = await put('lamp', { title: 'Desk lamp', inventory_quantity: 0 });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json().result).toBe('updated');
    expect(await get('lamp')).toMatchObject({ published: true, published_at: '2026-01-05T09:00:00.000Z', inventory_quantity: 0, price: 4500 });
    // Unpublishing clears nothing else; sending the same again changes nothing.
    expect((await put('lamp', { title: 'Desk lamp', published: false })).json().result).toBe('updated');
    expect((await put('lamp', { title: 'Desk lamp', published: false })).json().result).toBe('unchanged');
    expect(await get('lamp')).toMatchObject({ published: false, inventory_quantity: 0 });
  });

  it('a product that says nothing is unknown (null), not unpublished or sold out', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/products/batch', headers: auth, payload: { products: [{ external_id: 'plain', title: 'Plain' }] } });
    expect(created.statusCode, created.body).toBe(200);
    expect(await get('plain')).toMatchObject({ published: null, published_at: null, inventory_quantity: null });
  });

  it.each([
    [{ published: 'yes' }, 'published'],
    [{ published_at: 'tomorrow' }, 'published_at'],
    [{ inventory_quantity: 2.5 }, 'inventory_quantity'],
    [{ inventory_quantity: '3' }, 'inventory_quantity'],
    [{ variants: [{ external_id: 'v1', inventory_quantity: 1.5 }] }, 'variants.0.inventory_quantity'],
  ])('refuses %j naming %s', async (fields, path) => {
    const response = await put('bad', { title: 'Bad', ...fields });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/products/ext:bad', headers: auth })).statusCode).toBe(404);
  });

  it('a batch names the bad product\'s field', async () => {
    const response = await t.app.inject({
      method: 'POST', url: '/api/v1/products/batch', headers: auth,
      payload: { products: [{ external_id: 'ok', title: 'Ok' }, { external_id: 'worse', title: 'Worse', inventory_quantity: 1.25 }] },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.details.map((d: { path: string }) => d.path)).toContain('products.1.inventory_quantity');
  });
});

describe('Shopify products webhooks', () => {
  const deliver = (topic: string, payload: unknown) => {
    const body = JSON.stringify(payload);
    return t.app.inject({ method: 'POST', url: `/webhooks/shopify/${storeId}`, headers: shopifyHeaders(secret, topic, body, undefined), payload: body });
  };
  const shopifyProduct = (over: object = {}) => ({
    id: 788032119674292900, title: 'Example T-Shirt', product_type: 'Shirts', status: 'active', published_at: '2026-03-01T10:00:00-05:00',
    image: { src: 'https://cdn.shopify.com/s/files/1/shirt.jpg' },
    variants: [
      { id: 642667041472713, title: 'Small', sku: 'TS-S', price: '19.99', inventory_quantity: 0, inventory_management: 'shopify', inventory_policy: 'deny' },
      { id: 757650484644202, title: 'Large', sku: 'TS-L', price: '19.99', inventory_quantity: 12, inventory_management: 'shopify', inventory_policy: 'deny' },
      // Not tracked, or sold when out of stock: not counted.
      { id: 757650484644203, title: 'XL', sku: 'TS-XL', price: '21.99', inventory_quantity: -4, inventory_management: null, inventory_policy: 'deny' },
      { id: 757650484644204, title: 'XXL', sku: 'TS-XXL', price: '21.99', inventory_quantity: 0, inventory_management: 'shopify', inventory_policy: 'continue' },
    ],
    ...over,
  });

  it('products/create stores the product, its variants\' stock and its publication', async () => {
    const response = await deliver('products/create', shopifyProduct());
    expect(response.json()).toEqual({ status: 'stored', topic: 'products/create' });
    const product = await get('788032119674292900');
    expect(product).toMatchObject({
      title: 'Example T-Shirt', category: 'Shirts', price: 1999, currency: 'USD', image_url: 'https://cdn.shopify.com/s/files/1/shirt.jpg',
      published: true, published_at: '2026-03-01T15:00:00.000Z',
    });
    expect(Object.fromEntries(product.variants.map((v: { sku: string; inventory_quantity: number | null }) => [v.sku, v.inventory_quantity])))
      .toEqual({ 'TS-S': 0, 'TS-L': 12, 'TS-XL': null, 'TS-XXL': null });
  });

  it('products/update: a draft or a product hidden from the store is not published', async () => {
    await deliver('products/update', shopifyProduct({ status: 'draft' }));
    expect(await get('788032119674292900')).toMatchObject({ published: false });
    await deliver('products/update', shopifyProduct({ status: 'active', published_at: null }));
    expect(await get('788032119674292900')).toMatchObject({ published: false, published_at: null });
    await deliver('products/update', shopifyProduct());
    expect(await get('788032119674292900')).toMatchObject({ published: true });
  });

  it('a bad product is acknowledged as rejected, naming the field', async () => {
    const response = await deliver('products/update', shopifyProduct({ id: 1, variants: [{ id: 2, inventory_quantity: 'many' }] }));
    expect(response.json()).toEqual({ status: 'rejected', topic: 'products/update', error: { path: 'variants.0.inventory_quantity', reason: 'must be a whole number' } });
    const archived = await deliver('products/update', shopifyProduct({ id: 3, status: 'gone' }));
    expect(archived.json()).toMatchObject({ status: 'rejected', error: { path: 'status' } });
  });
});

describe('imports and the demo store', () => {
  it('a JSON Lines import carries publication and stock', async () => {
    const ctx = await openImportStore();
    try {
      const file = join(ctx.rejectsDir, '..', 'products.jsonl');
      writeFileSync(file, [
        { type: 'product', external_id: 'p1', title: 'One', published: false, published_at: '2026-02-01T00:00:00Z', inventory_quantity: 4, variants: [{ external_id: 'p1-a', inventory_quantity: 0 }] },
        { type: 'product', external_id: 'p2', title: 'Two', inventory_quantity: 'lots' },
      ].map((line) => JSON.stringify(line)).join('\n'));
      const summary = await ctx.importFiles([file], 'jsonl');
      expect(summary).toMatchObject({ rowsRead: 2, rowsRejected: 1, products: { created: 1 } });
      const rows = await ctx.store.withWriter(async (c) => (await c.runAndReadAll(`select p.published, strftime(p.published_at, '%Y-%m-%d') as day, p.inventory_quantity as q, v.inventory_quantity as vq
        from products p join variants v on v.product_id = p.id where p.external_id = 'p1'`)).getRowObjectsJson());
      expect(rows).toEqual([{ published: false, day: '2026-02-01', q: '4', vq: '0' }]);
    } finally {
      await ctx.store.dispose();
    }
  });

  it('a CSV import through a column mapping carries publication and stock, refusing a bad cell by its column', async () => {
    const ctx = await openImportStore();
    try {
      const file = join(ctx.rejectsDir, '..', 'products.csv');
      writeFileSync(file, [
        'Handle,Name,Visible,Launch,Stock',
        'p1,One,yes,2026-02-01,4',
        'p2,Two,no,,0',
        'p3,Three,,,',
        'p4,Four,maybe,,1',
        'p5,Five,yes,,2.5',
      ].join('\n'));
      const mapping = { entity: 'products' as const, columns: { external_id: 'Handle', title: 'Name', published: 'Visible', published_at: 'Launch', inventory_quantity: 'Stock' } };
      const summary = await ctx.importFiles([file], 'csv', { mapping });
      expect(summary).toMatchObject({ rowsRead: 5, rowsRejected: 2, products: { created: 3 } });
      const rejects = readFileSync(summary.rejectsFiles[0]!, 'utf8');
      // The reasons are CSV cells, their quotes doubled.
      expect(rejects).toContain('Visible ""maybe"" is not yes or no');
      expect(rejects).toContain('Stock ""2.5"" is not a whole number of units');
      const rows = await ctx.store.withWriter(async (c) => (await c.runAndReadAll(`select external_id, published, strftime(published_at, '%Y-%m-%d') as day, inventory_quantity as q
        from products order by external_id`)).getRowObjectsJson());
      expect(rows).toEqual([
        { external_id: 'p1', published: true, day: '2026-02-01', q: '4' },
        { external_id: 'p2', published: false, day: null, q: '0' },
        { external_id: 'p3', published: null, day: null, q: null },
      ]);
    } finally {
      await ctx.store.dispose();
    }
  });

  it('the demo store counts stock per variant, with a few products sold out', () => {
    const soldOut = Array.from({ length: 152 }, (_, i) => i).filter((i) => [0, 1, 2].every((j) => demoStock(i, j) === 0));
    expect(soldOut).toEqual([30, 61, 92, 123]);
    expect(demoStock(0, 0)).toBeGreaterThan(0);
  });
});
