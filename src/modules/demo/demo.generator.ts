/**
 * Writes a demo store's catalogue, customers, orders, returns and events into an existing, empty
 * store, through the commerce writer like every other source (so the writes record their domain
 * events and are merged by the same rules), and its browsing history in the same transaction.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { StagingSink, type CommerceService, type Staged } from '../commerce/index.js';
import { paymentMethodOf, profileDetails } from './profile-details.js';
import { invalid, type ErrorDetail } from '../../lib/errors.js';
import { acquisitionCurve, DEMO_STORE, periodEnding } from './calendar.js';
import { buildCatalogue, categories } from './catalogue.js';
import { simulateCustomer, type DemoContext, type SimCustomer } from './customer.js';
import { drawIds } from '../../db/sequences.js';
import { DEMO_TABLES, TableWriter, ts, type DemoTable } from './demo.writer.js';
import { SessionWriter } from './sessions.js';
import { stageLifecycle } from './lifecycle.js';

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
  /** Replay the flows' and the loyalty programme's last months (default true; off for a faster store without them). */
  history?: boolean | undefined;
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

/**
 * Units in stock of a product's variant today: a fixed function of the positions (the seeded
 * random stream stays as it was), every 31st product sold out so the store shows what that does.
 */
export function demoStock(productIndex: number, variantIndex: number): number {
  return productIndex % 31 === 30 ? 0 : 3 + ((productIndex * 37 + variantIndex * 13) % 57);
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
 * Writes the demo data for `storeId` through the commerce writer, in one transaction: a failure
 * leaves nothing behind. Customers are simulated in chunks and streamed into the writer's staging
 * tables, so memory stays bounded whatever the size; the writer's merge stores them and records
 * their domain events. Then, before the commit, the customers are simulated again (a customer is a
 * pure function of the seed and their index, and costs little next to their browsing) to stream
 * their browsing history into the events tables with the customer ids the merge gave them.
 * `onProgress` is called after each chunk of the history with the customers done so far.
 */
export async function writeDemoData(commerce: CommerceService, storeId: string, plan: DemoPlan, onProgress?: (done: number, total: number) => void | Promise<void>): Promise<DemoCounts> {
  const ctx = context(plan);
  const { catalogue } = ctx;
  const counts = Object.fromEntries(DEMO_TABLES.map((table) => [table, 0])) as DemoCounts;
  const fill = async (connection: DuckDBConnection): Promise<Staged> => {
    const sink = await StagingSink.open(connection);
    try {
      for (const product of catalogue.products) {
        sink.addProduct({
          external_id: product.externalId, title: product.title, category: categories[product.category]!.name, price: product.price,
          currency: DEMO_STORE.currency, image_url: product.imageUrl, published: true, published_at: new Date(ctx.period.start),
          variants: product.variants.map((variant, j) => ({
            external_id: variant.externalId, sku: variant.sku, title: variant.title, price: variant.price, inventory_quantity: demoStock(product.index, j),
          })),
        });
      }
      for (let i = 0; i < plan.customers; i += 1) {
        const sim = simulateCustomer(ctx, i);
        stageCustomer(sink, sim);
        stageLifecycle(sink, ctx, sim);
      }
      const staged = await sink.finish();
      Object.assign(counts, { variants: staged.counts.variants, order_lines: staged.counts.lines, return_lines: staged.counts.returnLines });
      return staged;
    } catch (error) {
      sink.abandon();
      throw error;
    }
  };
  const summary = await commerce.writeStaged(storeId, fill, {
    source: 'demo',
    after: async (connection) => {
      Object.assign(counts, await writeHistory(connection, storeId, ctx, plan, onProgress));
    },
  });
  for (const table of ['customers', 'products', 'orders', 'returns', 'fulfillments', 'checkouts'] as const) counts[table] = summary[table]?.created ?? 0;
  return counts;
}

/** The customers' browsing events and identity links, appended with the ids the merge gave the customers. */
async function writeHistory(connection: DuckDBConnection, storeId: string, ctx: DemoContext, plan: DemoPlan, onProgress?: (done: number, total: number) => void | Promise<void>): Promise<{ events: number; identities: number }> {
  // Customer i's external id is C<100001 + i>.
  const ids = new BigInt64Array(plan.customers);
  const reader = await connection.runAndReadAll('select external_id, id from customers where store_id = $store', { store: storeId });
  for (const [externalId, id] of reader.getRows() as [string, bigint][]) {
    const index = Number(externalId.slice(1)) - 100_001;
    if (index >= 0 && index < plan.customers) ids[index] = id;
  }
  const customerId = (index: number): bigint => {
    const id = ids[index]!;
    if (id === 0n) throw new Error(`The demo customer C${100_001 + index} was not stored`);
    return id;
  };
  const events = await TableWriter.open(connection, 'events');
  let identities: TableWriter | undefined;
  try {
    identities = await TableWriter.open(connection, 'identities');
    const sessions = new SessionWriter(ctx, plan.sessionSample);
    for (let first = 0; first < plan.customers; first += CHUNK) {
      const last = Math.min(plan.customers, first + CHUNK);
      for (let i = first; i < last; i += 1) sessions.customer(simulateCustomer(ctx, i));
      const eventBase = await drawIds(connection, 'events', sessions.events.length);
      sessions.events.forEach((event, k) => {
        const at = ts(event.at);
        events.add([storeId, BigInt(eventBase + k), event.messageId, event.type, event.name, event.identified ? customerId(event.customerIndex) : null,
          event.anonymousId, event.sessionId, event.url, event.properties, 'demo', at, at, event.context]);
      });
      for (const identity of sessions.identities) identities.add([storeId, identity.anonymousId, customerId(identity.customerIndex), ts(identity.at)]);
      sessions.clear();
      await onProgress?.(last, plan.customers);
    }
    events.close();
    identities.close();
    return { events: events.rows, identities: identities.rows };
  } catch (error) {
    events.abandon();
    identities?.abandon();
    throw error;
  }
}

/** A simulated time (fractional milliseconds) as a Date, rounded as the history's timestamps are. */
const at = (ms: number): Date => new Date(Math.round(ms));

/** One simulated customer, their orders (lines by variant) and returns, as the writer's rows. */
function stageCustomer(sink: StagingSink, sim: SimCustomer): void {
  const tags = sim.orders.length >= 5 ? ['vip'] : sim.orders.length === 0 ? ['newsletter'] : [];
  sink.addCustomer({
    external_id: sim.externalId, email: sim.email, first_name: sim.firstName, last_name: sim.lastName, phone: null, country: sim.country, city: sim.city,
    accepts_marketing: sim.acceptsMarketing, tags, attributes: { acquisition_channel: sim.channel, signup_source: sim.orders.length ? 'checkout' : 'newsletter' },
    created_at: at(sim.createdAt),
    ...profileDetails(sim.externalId, sim.country, sim.acceptsMarketing, at(sim.createdAt)),
  });
  for (const order of sim.orders) {
    const externalId = `HD-${sim.externalId.slice(1)}-${order.seq}`;
    sink.addOrder({
      external_id: externalId, customer_external_id: sim.externalId, placed_at: at(order.placedAt), currency: DEMO_STORE.currency,
      subtotal: order.subtotal, discount: order.discount, shipping: order.shipping, tax: order.tax, total: order.total,
      discount_codes: order.codes, channel: order.channel, payment_method: paymentMethodOf(externalId), status: order.status,
      lines: order.lines.map((line) => ({
        product_external_id: line.product.externalId, variant_external_id: line.variant.externalId, sku: line.variant.sku,
        title: line.product.title, quantity: line.quantity, unit_price: line.unitPrice, total: line.total,
      })),
    });
    if (order.returned) {
      const line = order.lines[order.returned.line]!;
      sink.addReturn({
        external_id: `R-${externalId}`, order_external_id: externalId, customer_external_id: sim.externalId, returned_at: at(order.returned.at),
        currency: DEMO_STORE.currency, amount: order.returned.amount, reason: order.returned.reason,
        lines: [{ product_external_id: line.product.externalId, sku: line.variant.sku, quantity: line.quantity, amount: order.returned.amount }],
      });
    }
  }
}
