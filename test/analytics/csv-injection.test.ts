/** Every CSV export neutralises cells a spreadsheet would run as formulas (data comes from outside). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
const evil = '=HYPERLINK("http://attacker.example","open")';

beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Formula Store', { currency: 'USD' });
  const order = (n: number, customer: string, day: string) => ({
    external_id: `o-${n}`, customer_external_id: customer, placed_at: new Date(`${day}T10:00:00Z`), currency: 'USD',
    lines: [{ product_external_id: 'evil-product', title: evil, quantity: 1, unit_price: 1000 }],
  });
  await t.services.commerce.write(store.storeId, {
    products: [{ external_id: 'evil-product', title: evil, category: '@SUM(1,1)' }],
    customers: [{ external_id: 'c-1', country: '+1+1' }, { external_id: 'c-2', country: '-2+3' }],
    orders: [order(1, 'c-1', '2024-01-05'), order(2, 'c-1', '2024-02-05'), order(3, 'c-2', '2024-01-07')],
  });
});
afterAll(async () => t.close());

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${store.secretKey}` } });

describe('CSV exports', () => {
  it('analytics reports and segment members start no cell with a formula', async () => {
    const exports = [
      await get('/api/v1/analytics/products?format=csv'),
      await get('/api/v1/analytics/clv?by=country&format=csv'),
      await get('/api/v1/analytics/products?format=csv&breakdown=first_category'),
    ];
    for (const response of exports) {
      expect(response.statusCode, response.body).toBe(200);
      const cells = response.body.split(/\r?\n/).flatMap((line) => line.split(','));
      expect(cells.filter((cell) => /^"?[=+\-@\t\r]/.test(cell) && !/^"?-?\d/.test(cell))).toEqual([]);
    }
    expect(exports[0]!.body).toContain("'=HYPERLINK");
    expect(exports[1]!.body).toMatch(/'\+1\+1|'-2\+3/);
  });
});
