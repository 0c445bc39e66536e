/**
 * Writes a demo store's catalogue, customers, orders, returns and events into an existing, empty
 * store. Customers are simulated in chunks; each chunk draws its ids from the tables' sequences
 * and is streamed to the appenders, so memory stays bounded whatever the size.
 */
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import type { Storage } from '../../db/database.js';
import { invalid, type ErrorDetail } from '../../lib/errors.js';
import { DAY_MS } from '../../lib/time.js';
import { acquisitionCurve, DEMO_STORE, periodEnding } from './calendar.js';
import { buildCatalogue, categories } from './catalogue.js';
import { simulateCustomer, type DemoContext } from './customer.js';
import { drawIds } from '../../db/sequences.js';
import { TABLE_COLUMNS, TableWriter, ts, type DemoTable } from './demo.writer.js';
import { SessionWriter } from './sessions.js';

export interface DemoOptions {
  customers?: number | undefined;
  months?: number | undefined;
  seed?: number | undefined;
  /** End of the simulated period (default: today, 00:00 UTC). */
  end?: Date | undefined;
  /** Budget of browsing events per customer; sessions are sampled to meet it (default: all below 200k customers, 10 above). */
  eventsPerCustomer?: number | undefined;
  /** Scale purchase rates so customers average this many orders (for benchmark data sets). */
  ordersPerCustomer?: number | undefined;
}

export interface DemoPlan {
  customers: number;
  months: number;
  seed: number;
  end: Date;
  /** Multiplier on purchase rates (1 unless ordersPerCustomer is set). */
  rateScale: number;
  /** Share of browsing sessions written. */
  sessionSample: number;
}

export type DemoCounts = Record<DemoTable, number>;

export const DEMO_DEFAULTS = { customers: 50_000, months: 24, seed: 42 } as const;
export const MAX_CUSTOMERS = 5_000_000;
/** Above this many customers, browsing is sampled down to AUTO_EVENTS_PER_CUSTOMER. */
const FULL_EVENTS_UP_TO = 200_000;
const AUTO_EVENTS_PER_CUSTOMER = 10;
const CHUNK = 2_000;
const PILOT = 2_000;
/** Fewer pilot customers suffice for the events estimate, which is an average of many sessions. */
const EVENTS_PILOT = 400;

export function todayUtc(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export function validateDemoOptions(options: DemoOptions): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const check = (path: string, value: number | undefined, ok: (v: number) => boolean, reason: string) => {
    if (value !== undefined && !(Number.isFinite(value) && ok(value))) problems.push({ path, reason });
  };
  check('customers', options.customers, (v) => Number.isInteger(v) && v >= 1 && v <= MAX_CUSTOMERS, `must be a whole number from 1 to ${MAX_CUSTOMERS}`);
  check('months', options.months, (v) => Number.isInteger(v) && v >= 1 && v <= 120, 'must be a whole number from 1 to 120');
  check('seed', options.seed, (v) => Number.isInteger(v) && Math.abs(v) <= 2 ** 31, 'must be a whole number');
  check('eventsPerCustomer', options.eventsPerCustomer, (v) => v >= 0, 'must be 0 or more');
  check('ordersPerCustomer', options.ordersPerCustomer, (v) => v >= 1.2 && v <= 100, 'must be from 1.2 to 100');
  if (options.end && Number.isNaN(options.end.getTime())) problems.push({ path: 'end', reason: 'is not a date' });
  return problems;
}

function context(plan: Pick<DemoPlan, 'customers' | 'months' | 'seed' | 'end' | 'rateScale'>): DemoContext {
  const period = periodEnding(plan.end, plan.months);
  return { seed: plan.seed, period, curve: acquisitionCurve(period), customers: plan.customers, catalogue: buildCatalogue(), rateScale: plan.rateScale };
}

/** Pilot customers spread over the whole sign-up range. */
function pilotIndices(customers: number, size = PILOT): number[] {
  const n = Math.min(size, customers);
  return Array.from({ length: n }, (_, k) => Math.floor(((k + 0.5) * customers) / n));
}

/** Resolves defaults and calibrates the purchase-rate scale and the session sample on pilot customers. */
export function planDemo(options: DemoOptions = {}): DemoPlan {
  const problems = validateDemoOptions(options);
  if (problems.length) throw invalid('Invalid demo options', problems);
  const base = {
    customers: options.customers ?? DEMO_DEFAULTS.customers,
    months: options.months ?? DEMO_DEFAULTS.months,
    seed: options.seed ?? DEMO_DEFAULTS.seed,
    end: options.end ?? todayUtc(),
    rateScale: 1,
  };
  const pilot = pilotIndices(base.customers);
  if (options.ordersPerCustomer !== undefined) {
    // Mean orders grow monotonically with the rate scale; bisect on its logarithm.
    const meanOrders = (scale: number) => {
      const ctx = context({ ...base, rateScale: scale });
      return pilot.reduce((sum, i) => sum + simulateCustomer(ctx, i).orders.length, 0) / pilot.length;
    };
    let lo = Math.log(0.2);
    let hi = Math.log(100);
    for (let step = 0; step < 10; step += 1) {
      const mid = (lo + hi) / 2;
      if (meanOrders(Math.exp(mid)) < options.ordersPerCustomer) lo = mid;
      else hi = mid;
    }
    base.rateScale = Math.exp((lo + hi) / 2);
  }
  const budget = options.eventsPerCustomer ?? (base.customers > FULL_EVENTS_UP_TO ? AUTO_EVENTS_PER_CUSTOMER : undefined);
  let sessionSample = 1;
  if (budget !== undefined) {
    const ctx = context(base);
    const sessions = new SessionWriter(ctx, 1);
    const sample = pilotIndices(base.customers, EVENTS_PILOT);
    let always = 0;
    let browsing = 0;
    for (const i of sample) {
      sessions.customer(simulateCustomer(ctx, i));
      // Identify and review events are always written; only browsing sessions are sampled.
      const kept = sessions.events.filter((e) => e.type === 'identify' || e.name === 'Product Reviewed').length;
      always += kept;
      browsing += sessions.events.length - kept;
      sessions.clear();
    }
    sessionSample = browsing === 0 ? 1 : Math.max(0, Math.min(1, (budget * sample.length - always) / browsing));
  }
  return { ...base, sessionSample };
}

/**
 * Writes the demo data for `storeId` in one transaction: a failure leaves nothing behind.
 * `onProgress` is called after each chunk with the customers done so far.
 */
export async function writeDemoData(storage: Storage, storeId: string, plan: DemoPlan, onProgress?: (done: number, total: number) => void | Promise<void>): Promise<DemoCounts> {
  const ctx = context(plan);
  const { catalogue, period } = ctx;
  return storage.withWriter(async (connection) => {
    const writers: Partial<Record<DemoTable, TableWriter>> = {};
    await connection.run('begin transaction');
    try {
      for (const table of Object.keys(TABLE_COLUMNS) as DemoTable[]) writers[table] = await TableWriter.open(connection, table);
      const w = writers as Record<DemoTable, TableWriter>;
      const productBase = await drawIds(connection, 'products', catalogue.products.length);
      const variantBase = await drawIds(connection, 'variants', catalogue.variants.length);
      const listed = ts(period.start - 30 * DAY_MS);
      for (const product of catalogue.products) {
        w.products.add([storeId, BigInt(productBase + product.index), product.externalId, product.title, categories[product.category]!.name, BigInt(product.price), DEMO_STORE.currency, product.imageUrl, listed, listed]);
        for (const variant of product.variants) {
          w.variants.add([storeId, BigInt(variantBase + variant.index), BigInt(productBase + product.index), variant.externalId, variant.sku, variant.title, BigInt(variant.price), listed]);
        }
      }

      const sessions = new SessionWriter(ctx, plan.sessionSample);
      for (let first = 0; first < plan.customers; first += CHUNK) {
        const last = Math.min(plan.customers, first + CHUNK);
        const sims = [];
        let orders = 0;
        let returns = 0;
        for (let i = first; i < last; i += 1) {
          const sim = simulateCustomer(ctx, i);
          for (const order of sim.orders) if (order.returned) returns += 1;
          orders += sim.orders.length;
          sessions.customer(sim);
          sims.push(sim);
        }
        const customerBase = await drawIds(connection, 'customers', sims.length);
        let orderId = await drawIds(connection, 'orders', orders);
        let returnId = await drawIds(connection, 'returns', returns);
        const eventBase = await drawIds(connection, 'events', sessions.events.length);
        const customerId = (index: number) => BigInt(customerBase + index - first);

        for (const sim of sims) {
          const id = customerId(sim.index);
          const lastOrder = sim.orders[sim.orders.length - 1];
          const tags = sim.orders.length >= 5 ? ['vip'] : sim.orders.length === 0 ? ['newsletter'] : [];
          const attributes = JSON.stringify({ acquisition_channel: sim.channel, signup_source: sim.orders.length ? 'checkout' : 'newsletter' });
          w.customers.add([storeId, id, sim.externalId, sim.email, sim.firstName, sim.lastName, null, sim.country, sim.city, sim.acceptsMarketing,
            listOf(tags), attributes, ts(sim.createdAt), ts(lastOrder?.placedAt ?? sim.createdAt)]);
          for (const order of sim.orders) {
            const oid = BigInt(orderId++);
            const externalId = `HD-${sim.externalId.slice(1)}-${order.seq}`;
            const placed = ts(order.placedAt);
            w.orders.add([storeId, oid, externalId, id, placed, DEMO_STORE.currency, BigInt(order.subtotal), BigInt(order.discount), BigInt(order.shipping),
              BigInt(order.tax), BigInt(order.total), listOf(order.codes), order.channel, order.status, 'demo', placed, order.returned ? ts(order.returned.at) : placed]);
            order.lines.forEach((line, n) => {
              w.order_lines.add([storeId, oid, n + 1, BigInt(productBase + line.product.index), BigInt(variantBase + line.variant.index), line.variant.sku,
                line.product.title, line.quantity, BigInt(line.unitPrice), BigInt(line.total)]);
            });
            if (order.returned) {
              const rid = BigInt(returnId++);
              const line = order.lines[order.returned.line]!;
              const at = ts(order.returned.at);
              w.returns.add([storeId, rid, `R-${externalId}`, oid, id, at, DEMO_STORE.currency, BigInt(order.returned.amount), order.returned.reason, at]);
              w.return_lines.add([storeId, rid, 1, BigInt(productBase + line.product.index), line.variant.sku, line.quantity, BigInt(order.returned.amount)]);
            }
          }
        }
        sessions.events.forEach((event, k) => {
          const at = ts(event.at);
          w.events.add([storeId, BigInt(eventBase + k), event.messageId, event.type, event.name, event.identified ? customerId(event.customerIndex) : null,
            event.anonymousId, event.sessionId, event.url, event.properties, 'demo', at, at]);
        });
        for (const identity of sessions.identities) w.identities.add([storeId, identity.anonymousId, customerId(identity.customerIndex), ts(identity.at)]);
        sessions.clear();
        await onProgress?.(last, plan.customers);
      }
      for (const writer of Object.values(w)) writer.close();
      await connection.run('commit');
      return Object.fromEntries(Object.entries(w).map(([table, writer]) => [table, writer.rows])) as DemoCounts;
    } catch (error) {
      for (const writer of Object.values(writers)) writer.abandon();
      await connection.run('rollback').catch(() => undefined);
      throw error;
    }
  });
}

function listOf(items: string[]): DuckDBValue {
  return listValue(items);
}
