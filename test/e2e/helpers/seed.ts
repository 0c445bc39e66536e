/**
 * A small, deterministic store written through the same `CommerceWriter` every source uses: customers
 * acquired over 18 months, some of whom come back, orders with lines over a few products.
 */
import type { Storage } from '../../../src/db/database.js';
import { seededRandom } from '../../../src/lib/random.js';
import { CommerceWriter } from '../../../src/modules/commerce/commerce.writer.js';
import type { CustomerInput, OrderInput, ProductInput } from '../../../src/modules/commerce/commerce.input.js';

const mulberry32 = seededRandom;

const DAY = 86_400_000;
export const SEED_END = new Date('2026-10-31T18:00:00Z');

const products: ProductInput[] = [
  { external_id: 'coffee-house', title: 'House Blend Coffee', category: 'Coffee', price: 1_400, currency: 'USD' },
  { external_id: 'coffee-decaf', title: 'Decaf Coffee', category: 'Coffee', price: 1_500, currency: 'USD' },
  { external_id: 'tea-green', title: 'Green Tea', category: 'Tea', price: 900, currency: 'USD' },
  { external_id: 'tea-earl', title: 'Earl Grey', category: 'Tea', price: 1_000, currency: 'USD' },
  { external_id: 'mug', title: 'Stoneware Mug', category: 'Gear', price: 2_200, currency: 'USD' },
  { external_id: 'grinder', title: 'Burr Grinder', category: 'Gear', price: 8_900, currency: 'USD' },
];
const firstNames = ['Ada', 'Ben', 'Cleo', 'Dev', 'Eva', 'Finn', 'Gia', 'Hugo', 'Isla', 'Jon', 'Kai', 'Lena', 'Milo', 'Nia', 'Omar', 'Pia'];
const lastNames = ['Smith', 'Jones', 'Brown', 'Garcia', 'Müller', 'Rossi', 'Kim', 'Nowak', 'Silva', 'Dubois'];
const channels = ['organic', 'paid_search', 'social', 'email'];
const countries = ['US', 'US', 'US', 'CA', 'GB', 'DE'];

export interface SeedSummary {
  customers: number;
  orders: number;
  /** Customers with two or more orders. */
  repeatCustomers: number;
  firstCustomer: { externalId: string; email: string; name: string };
  /** Every order as written, for figures the tests compute on their own. */
  orderList: { customer: string; placedAt: Date; total: number }[];
}

export async function seedStore(storage: Storage, storeId: string, options: { customers?: number; seed?: number } = {}): Promise<SeedSummary> {
  const random = mulberry32(options.seed ?? 7);
  const count = options.customers ?? 400;
  const start = SEED_END.getTime() - 540 * DAY;
  const customers: CustomerInput[] = [];
  const orders: OrderInput[] = [];
  let repeatCustomers = 0;
  for (let i = 0; i < count; i += 1) {
    const first = firstNames[i % firstNames.length]!;
    const last = lastNames[Math.floor(i / firstNames.length) % lastNames.length]!;
    const externalId = `c${String(i + 1).padStart(5, '0')}`;
    const acquired = start + random() * 520 * DAY;
    customers.push({
      external_id: externalId, email: `${first}.${last}.${i + 1}@example.com`.toLowerCase(), first_name: first, last_name: last,
      country: countries[i % countries.length]!, accepts_marketing: random() < 0.6, created_at: new Date(acquired),
    });
    // Loyal customers order every few weeks for a while; most buy once or twice.
    const loyal = random() < 0.25;
    let at = acquired;
    let n = 0;
    while (at < SEED_END.getTime() && n < 12) {
      const product = products[Math.floor(random() * products.length)]!;
      const quantity = 1 + Math.floor(random() * 2);
      orders.push({
        external_id: `${externalId}-o${n + 1}`, customer_external_id: externalId, placed_at: new Date(at), currency: 'USD',
        channel: channels[i % channels.length]!, status: 'paid',
        lines: [{ product_external_id: product.external_id, title: product.title, quantity, unit_price: product.price! }],
      });
      n += 1;
      if (random() > (loyal ? 0.85 : 0.3)) break;
      at += (loyal ? 20 : 60) * DAY * (0.5 + random());
    }
    if (n >= 2) repeatCustomers += 1;
  }
  await new CommerceWriter(storage).write(storeId, { products, customers, orders }, { source: 'api' });
  const firstCustomer = customers[0]!;
  return {
    customers: customers.length, orders: orders.length, orderList: orders.map((o) => ({
      customer: o.customer_external_id!, placedAt: o.placed_at as Date,
      total: o.lines!.reduce((sum, line) => sum + line.quantity * line.unit_price, 0),
    })), repeatCustomers,
    firstCustomer: { externalId: firstCustomer.external_id, email: firstCustomer.email!, name: `${firstCustomer.first_name} ${firstCustomer.last_name}` },
  };
}
