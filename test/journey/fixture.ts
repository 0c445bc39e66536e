/**
 * A small store with random browsing and orders, drawn from a seed: customers who browse (some
 * anonymously first, linked later), visitors who never buy, sessions with and without session ids,
 * and orders. The same events are kept as plain objects for the reference computations.
 */
import type { Storage } from '../../src/db/database.js';
import type { SupportTicketTable } from '../../src/modules/support/index.js';
import { AnalyticsBuilder } from '../builders/analytics.js';

export interface BuiltEvent {
  id: number;
  type: 'page' | 'track';
  name: string | null;
  customerId: number | null;
  anonymousId: string | null;
  sessionId: string | null;
  url: string | null;
  at: number;
  properties?: Record<string, unknown>;
  /** The message's context as sent (user agent, a mobile SDK's device). */
  context?: Record<string, unknown>;
}
export interface BuiltOrder { customer: number; at: number; total: number; status: 'paid' | 'cancelled'; id?: number; channel?: string }
export interface BuiltReturn { customer: number | null; order: number; at: number }
export interface BuiltDelivery { order: number; at: number }
export interface BuiltTicket { customer: number | null; at: number }

export interface JourneyFixture {
  builder: AnalyticsBuilder;
  storeId: string;
  events: BuiltEvent[];
  identities: Map<string, number>;
  orders: BuiltOrder[];
  returns: BuiltReturn[];
  deliveries: BuiltDelivery[];
  tickets: BuiltTicket[];
  inactivityDays: number;
}

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SITE = 'https://shop.example';
const PAGES = ['/', '/collections/mugs', '/products/mug', '/products/teapot', '/search?q=tea', '/pages/faq', '/pages/returns-policy', '/pages/delivery-information', '/blogs/news/hello', '/about-us', '/cart', '/account/login'];
const DAY = 86_400_000;
/** Contexts a visitor's events carry, chosen by the visitor (not by the seeded draws, which stay as they were). */
const CONTEXTS: (Record<string, unknown> | undefined)[] = [
  { userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1' },
  { userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36' },
  { userAgent: 'Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36' },
  { userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36' },
  { device: { type: 'ios' }, app: { name: 'Shop' } },
  undefined,
];
const CATEGORIES = ['mugs', 'tea', 'gifts'];

export async function buildJourneyStore(storage: Storage, options: { seed: number; customers: number; visitors: number; start: string; days: number; inactivityDays: number; timezone?: string }): Promise<JourneyFixture> {
  const rnd = seeded(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const builder = await AnalyticsBuilder.create(storage, { inactivityDays: options.inactivityDays, timezone: options.timezone ?? 'UTC' });
  const start = Date.parse(`${options.start}T00:00:00Z`);
  const events: BuiltEvent[] = [];
  const identities = new Map<string, number>();
  const orders: BuiltOrder[] = [];
  let nextId = 1;
  const ids = Array.from({ length: options.customers }, (_, i) => i + 1);
  await builder.customers(ids.map((id) => ({ id })));

  const session = (who: { customerId: number | null; anonymousId: string | null }, at: number, withId: boolean, label: string, buyer: number | null) => {
    const sessionId = withId ? `s-${label}` : null;
    let t = at;
    const context = CONTEXTS[[...label].reduce((h, c) => h * 7 + c.charCodeAt(0), 0) % CONTEXTS.length];
    const push = (type: 'page' | 'track', name: string | null, path: string) => {
      const id = nextId++;
      // Product events carry a category and a price (from the event's id, not the seeded draws).
      const properties = name === 'Product Viewed' || name === 'Product Added' ? { category: CATEGORIES[id % 3], price: 5 + (id % 11) * 5 } : undefined;
      events.push({ id, type, name, customerId: who.customerId, anonymousId: who.anonymousId, sessionId, url: path.startsWith('/') ? `${SITE}${path}` : path, at: t,
        ...(properties ? { properties } : {}), ...(context ? { context } : {}) });
      t += int(5, 600) * 1000;
    };
    push('page', null, pick(PAGES.slice(0, 5)));
    for (let k = int(0, 5); k > 0; k -= 1) {
      const r = rnd();
      if (r < 0.55) push('page', null, pick(PAGES));
      else if (r < 0.7) push('track', 'Product Viewed', '/products/mug');
      else if (r < 0.8) push('track', 'Product Added', '/products/mug');
      else if (r < 0.9) push('page', null, '/cart');
      else push('track', 'Checkout Started', '/checkout');
    }
    if (buyer !== null) {
      push('track', 'Checkout Started', '/checkout');
      push('track', 'Order Completed', '/checkout/thank-you');
      orders.push({ customer: buyer, at: t, total: int(10, 200) * 100, status: rnd() < 0.05 ? 'cancelled' : 'paid' });
    }
    return t;
  };

  for (const id of ids) {
    const anonymousId = `anon-${id}`;
    const linked = rnd() < 0.7;
    if (linked) identities.set(anonymousId, id);
    let at = start + rnd() * options.days * 0.5 * DAY;
    const count = int(1, 6);
    for (let s = 0; s < count && at < start + options.days * DAY; s += 1) {
      const identified = s > 0 && rnd() < 0.6;
      const buys = rnd() < 0.45;
      // Order sessions identify the buyer (as the storefront's order event does).
      const who = identified || (buys && !linked) ? { customerId: id, anonymousId: identified ? null : anonymousId } : { customerId: null, anonymousId };
      if (!linked && !identified && !buys) who.anonymousId = `anon-${id}-x${s}`;
      const end = session(who, at, rnd() < 0.6, `${id}-${s}`, buys ? id : null);
      // Sometimes a second visit within 30 minutes (one session when there is no session id).
      at = end + (rnd() < 0.2 ? int(60, 1500) * 1000 : rnd() * 50 * DAY);
    }
  }
  for (let v = 0; v < options.visitors; v += 1) {
    session({ customerId: null, anonymousId: `visitor-${v}` }, start + rnd() * options.days * DAY, rnd() < 0.5, `v${v}`, null);
  }
  // Orders with no browsing at all (phone orders, imports).
  for (const id of ids) if (rnd() < 0.2) orders.push({ customer: id, at: start + rnd() * options.days * DAY, total: int(10, 90) * 100, status: 'paid' });

  for (const o of orders) o.channel = pick(['organic', 'email', 'social']);
  const orderIds = await builder.orders(orders.map((o) => ({ customer: o.customer, at: new Date(o.at).toISOString(), total: o.total, status: o.status, channel: o.channel! })));
  orders.forEach((o, i) => (o.id = orderIds[i]));
  // After an order: a delivery (some slow), sometimes a return, sometimes a review (1–5 stars).
  const returns: BuiltReturn[] = [];
  const deliveries: BuiltDelivery[] = [];
  for (const o of orders) {
    if (o.status === 'cancelled') continue;
    if (rnd() < 0.8) deliveries.push({ order: o.id!, at: o.at + (rnd() < 0.15 ? int(10, 20) : int(1, 5)) * DAY + int(0, 80_000) * 1000 });
    // Some returns name only the order, some only the customer's id too.
    if (rnd() < 0.15) returns.push({ customer: rnd() < 0.5 ? o.customer : null, order: o.id!, at: o.at + int(5, 25) * DAY });
    if (rnd() < 0.3) {
      events.push({ id: nextId++, type: 'track', name: 'Product Reviewed', customerId: o.customer, anonymousId: null, sessionId: null, url: `${SITE}/products/mug`, at: o.at + int(7, 20) * DAY, properties: { rating: int(1, 5) } });
    }
  }
  // Support tickets: after some orders (from the order's id), a few from people Hearth does not know.
  const tickets: BuiltTicket[] = orders.filter((o) => o.id! % 4 === 0).map((o) => ({ customer: o.id! % 12 === 0 ? null : o.customer, at: o.at + (1 + (o.id! % 9)) * DAY }));
  for (const r of returns) await builder.returnOf({ order: r.order, customer: r.customer, at: new Date(r.at).toISOString(), amount: 500 });
  const now = new Date();
  const fulfilments = deliveries.map((d, i) => ({
    store_id: builder.storeId, id: i + 1 + idBase(builder.storeId), external_id: `f${i + 1}`, order_id: d.order, order_external_id: `o${d.order}`, status: 'success' as const,
    shipment_status: 'delivered', carrier: null, tracking_number: null, tracking_url: null, shipped_at: null, delivered_at: new Date(d.at), lines: '[]',
    source_updated_at: null, created_at: now, updated_at: now,
  }));
  for (let i = 0; i < fulfilments.length; i += 500) await storage.write.insertInto('fulfillments').values(fulfilments.slice(i, i + 500)).execute();
  const ticketRows = tickets.map((t, i) => ({
    store_id: builder.storeId, id: `tkt_${i + 1}`, source: 'api' as const, source_ticket_id: `t${i + 1}`, customer_id: t.customer, requester_ref: null, requester_email: null,
    status: 'resolved' as const, channel: 'email' as const, topic: null, subject: 'Where is my order?', body: null, order_id: null, opened_at: new Date(t.at),
    first_response_at: null, resolved_at: null, satisfaction_score: null, satisfied: null, escalated: null, source_updated_at: null, created_at: now, updated_at: now,
  }));
  for (let i = 0; i < ticketRows.length; i += 500) await storage.write.withTables<{ support_tickets: SupportTicketTable }>().insertInto('support_tickets').values(ticketRows.slice(i, i + 500)).execute();
  const rows = events.map((e) => ({
    store_id: builder.storeId, id: e.id + idBase(builder.storeId), message_id: null, type: e.type, name: e.name, customer_id: e.customerId, anonymous_id: e.anonymousId,
    session_id: e.sessionId, url: e.url, properties: JSON.stringify(e.properties ?? {}), source: 'api', occurred_at: new Date(e.at), received_at: new Date(e.at),
    context: e.context ? JSON.stringify(e.context) : null,
  }));
  for (let i = 0; i < rows.length; i += 500) await storage.write.insertInto('events').values(rows.slice(i, i + 500)).execute();
  const links = [...identities].map(([anonymousId, customerId]) => ({ store_id: builder.storeId, anonymous_id: anonymousId, customer_id: customerId, created_at: new Date() }));
  for (let i = 0; i < links.length; i += 500) await storage.write.insertInto('identities').values(links.slice(i, i + 500)).execute();
  for (const e of events) e.id += idBase(builder.storeId);
  return { builder, storeId: builder.storeId, events, identities, orders, returns, deliveries, tickets, inactivityDays: options.inactivityDays };
}

function idBase(storeId: string): number {
  let hash = 0;
  for (const char of storeId) hash = (hash * 31 + char.charCodeAt(0)) % 1000;
  return hash * 1_000_000;
}
