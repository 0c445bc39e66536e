/**
 * The UCI Online Retail sample (two days of a UK gift retailer's invoice lines): invoices become
 * orders (guest when CustomerID is empty), "C" invoices become returns without an order. Every
 * report is checked against a computation over the raw CSV in this file and reference.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toMinorUnits } from '../../src/lib/money.js';
import { AnalyticsService } from '../../src/modules/analytics/analytics.service.js';
import { AnalyticsBuilder } from '../builders/analytics.js';
import { openAnalyticsStore } from '../helpers/analytics.js';
import { refKpis, refRfm, type RefOrder, type RefReturn } from './reference.js';

const file = join(process.cwd(), 'test', 'fixtures', 'data', 'online-retail', 'online-retail-2010-12-01_02.csv');

interface Invoice {
  no: string;
  customer: string | null;
  country: string;
  at: string;
  lines: { stockCode: string; description: string; total: number }[];
}

function parseInvoices(): Invoice[] {
  const rows = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const invoices = new Map<string, Invoice>();
  for (const row of rows) {
    const customer = row.CustomerID ? String(Math.round(Number(row.CustomerID))) : null;
    const invoice = invoices.get(row.InvoiceNo!) ?? { no: row.InvoiceNo!, customer, country: row.Country!, at: row.InvoiceDate!, lines: [] };
    invoice.lines.push({ stockCode: row.StockCode!, description: row.Description ?? '', total: toMinorUnits(row.UnitPrice!, 'GBP')! * Number(row.Quantity) });
    invoices.set(row.InvoiceNo!, invoice);
  }
  return [...invoices.values()];
}

describe('analytics on the UCI Online Retail sample', () => {
  const invoices = parseInvoices();
  const sales = invoices.filter((i) => !i.no.startsWith('C'));
  const cancellations = invoices.filter((i) => i.no.startsWith('C'));
  const total = (i: Invoice) => i.lines.reduce((sum, l) => sum + l.total, 0);
  const refOrders: RefOrder[] = sales.map((i) => ({ customer: i.customer, day: i.at.slice(0, 10), total: total(i) }));
  const refReturns: RefReturn[] = cancellations.map((i) => ({ customer: i.customer, day: i.at.slice(0, 10), amount: -total(i) }));
  const productIds = new Map<string, number>();
  let store: Awaited<ReturnType<typeof openAnalyticsStore>>;
  let analytics: AnalyticsService;
  let storeId: string;

  beforeAll(async () => {
    store = await openAnalyticsStore();
    analytics = new AnalyticsService(store.write, store.read);
    const b = await AnalyticsBuilder.create(store, { slug: 'online-retail', timezone: 'Europe/London', inactivityDays: null });
    const products = [];
    for (const line of invoices.flatMap((i) => i.lines)) {
      if (productIds.has(line.stockCode)) continue;
      productIds.set(line.stockCode, productIds.size + 1);
      products.push({ id: productIds.size, externalId: line.stockCode, title: line.description || line.stockCode });
    }
    await b.products(products);
    const countries = new Map<string, string>();
    for (const i of invoices) if (i.customer && !countries.has(i.customer)) countries.set(i.customer, i.country);
    await b.customers([...countries].map(([id, country]) => ({ id: Number(id), country })));
    await b.orders(sales.map((i) => ({
      customer: i.customer === null ? null : Number(i.customer), at: `${i.at.replace(' ', 'T')}Z`, total: total(i), externalId: i.no,
      products: i.lines.map((l) => productIds.get(l.stockCode)!), lineTotals: i.lines.map((l) => l.total),
    })));
    for (const i of cancellations) await b.returnOf({ customer: i.customer === null ? null : Number(i.customer), at: `${i.at.replace(' ', 'T')}Z`, amount: -total(i) });
    storeId = b.storeId;
  });
  afterAll(() => store.dispose());

  it('KPIs over the two days', async () => {
    const r = await analytics.kpis(storeId, { from: '2010-12-01', to: '2010-12-02', compare: 'none' });
    expect(r.comparison).toBeUndefined();
    const expected = refKpis(refOrders, refReturns, { from: '2010-12-01', to: '2010-12-02' }, '2010-12-02', r.store.inactivityDays);
    expect(r.current).toMatchObject({
      orders: expected.orders, guestOrders: expected.guestOrders, revenue: expected.revenue, customers: expected.customers,
      newCustomers: expected.newCustomers, returningCustomers: 0,
    });
    expect(r.current.aov).toBeCloseTo(expected.aov!, 9);
    expect(r.current.ordersPerCustomer).toBeCloseTo(expected.ordersPerCustomer!, 12);
    expect(r.current.repeatPurchaseRate).toBeCloseTo(expected.repeatPurchaseRate!, 12);
    expect(r.current.timeBetweenOrders.medianDays).toBe(expected.medianDaysBetweenOrders);
    // 290 invoices, 23 of them guest; 4,000-odd pounds of cancellations come off revenue.
    expect([r.current.orders, r.current.guestOrders]).toEqual([sales.length, sales.filter((i) => i.customer === null).length]);
    expect(r.current.revenue).toBe(sales.reduce((s, i) => s + total(i), 0) + cancellations.reduce((s, i) => s + total(i), 0));
  });

  it('product retention by first product', async () => {
    const r = await analytics.products(storeId, { limit: '1000' });
    // First invoice of each customer (by time, then file order); its main product is the largest line (first on ties).
    const first = new Map<string, Invoice>();
    const invoiceCount = new Map<string, number>();
    for (const i of [...sales].sort((a, b) => a.at.localeCompare(b.at))) {
      if (i.customer === null) continue;
      if (!first.has(i.customer)) first.set(i.customer, i);
      invoiceCount.set(i.customer, (invoiceCount.get(i.customer) ?? 0) + 1);
    }
    const byProduct = new Map<string, { customers: number; repeaters: number }>();
    for (const [customer, invoice] of first) {
      const main = invoice.lines.reduce((best, line) => (line.total > best.total ? line : best));
      const entry = byProduct.get(main.stockCode) ?? { customers: 0, repeaters: 0 };
      entry.customers += 1;
      if (invoiceCount.get(customer)! > 1) entry.repeaters += 1;
      byProduct.set(main.stockCode, entry);
    }
    const expected = [...byProduct].sort(([ak, a], [bk, b]) => b.customers - a.customers || (productIds.get(ak)! < productIds.get(bk)! ? -1 : 1));
    expect(r.rows.map((row) => [row.key, row.customers, row.repeatRate]).sort()).toEqual(expected.map(([key, e]) => [key, e.customers, e.repeaters / e.customers]).sort());
    expect(r.rows[0]!.customers).toBe(expected[0]![1].customers);
  });

  it('historical CLV by country', async () => {
    const r = await analytics.clv(storeId, { by: 'country' });
    const countryOf = new Map<string, string>();
    for (const i of invoices) if (i.customer && !countryOf.has(i.customer)) countryOf.set(i.customer, i.country);
    const expected = new Map<string, { customers: Set<string>; revenue: number }>();
    // Customers with at least one sale; their revenue is net of their cancellations.
    for (const i of [...sales, ...cancellations]) {
      if (!i.customer || !sales.some((s) => s.customer === i.customer)) continue;
      const entry = expected.get(countryOf.get(i.customer)!) ?? { customers: new Set(), revenue: 0 };
      entry.customers.add(i.customer);
      entry.revenue += total(i);
      expected.set(countryOf.get(i.customer)!, entry);
    }
    expect(new Map(r.rows.map((row) => [row.key, [row.customers, row.revenue]]))).toEqual(new Map([...expected].map(([k, e]) => [k, [e.customers.size, e.revenue]])));
    expect(r.rows[0]!.key).toBe('United Kingdom');
  });

  it('RFM segments and a single weekly cohort', async () => {
    const rfm = await analytics.rfm(storeId, {});
    expect(new Map(rfm.segments.filter((s) => s.customers > 0).map((s) => [s.segment, s.customers]))).toEqual(refRfm(refOrders, refReturns, '2010-12-02'));
    const cohorts = await analytics.cohorts(storeId, { from: '2010-12-01', to: '2010-12-02', period: 'week' });
    const customers = new Set(sales.filter((i) => i.customer).map((i) => i.customer)).size;
    expect(cohorts.cohorts.map((c) => [c.cohort, c.size, c.periods.map((p) => p.customers)])).toEqual([['2010-11-29', customers, [customers]]]);
  });
});
