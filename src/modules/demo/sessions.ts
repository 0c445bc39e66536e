/**
 * A demo customer's browsing as Segment-style events: page views, the e-commerce funnel
 * (Product Viewed → Product Added → Checkout Started → Checkout Step Viewed/Completed 1–3 →
 * Order Completed), sessions that stop short (abandoned carts; most checkout drop-off at the
 * shipping step), anonymous browsing before sign-up that is later identified, visitors who never
 * buy, and product reviews. Events draw from their own random stream, so sampling sessions away
 * at large sizes never changes a customer's orders.
 */
import { DAY_MS } from '../../lib/time.js';
import { DEMO_STORE, dayAtQuantile } from './calendar.js';
import { categories, type DemoProduct } from './catalogue.js';
import { shoppingTime, type Channel, type DemoContext, type SimCustomer, type SimLine, type SimOrder } from './customer.js';
import { cumulative, Random } from './random.js';
import { reviewText } from './reviews.js';

export interface SimEvent {
  /** The customer the events were drawn for (visitors too, but they are never identified). */
  customerIndex: number;
  type: 'page' | 'track' | 'identify';
  name: string | null;
  /** True when the event carries the customer's id (after sign-up or first order). */
  identified: boolean;
  anonymousId: string | null;
  sessionId: string | null;
  url: string | null;
  properties: string;
  /** The message's context as JSON (the browser's user agent), or null (server-side events). */
  context: string | null;
  at: number;
  messageId: string;
}

export interface SimIdentity { customerIndex: number; anonymousId: string; at: number }

/** Where a session that does not convert stops. Step 2 (shipping costs) loses the most. */
const enum Stage { Browse, Cart, DropStep1, DropStep2, DropStep3, Converted }
const STAGES = cumulative([0.58, 0.2, 0.045, 0.12, 0.055]);
const VISITOR_STAGES = cumulative([0.86, 0.1, 0.01, 0.02, 0.01]);
const STEP_NAMES = ['', 'contact information', 'shipping', 'payment'];
const LANDING: Record<Channel, { query: string; referrer: string | null }> = {
  organic: { query: '', referrer: 'https://www.google.com/' },
  paid_search: { query: '?utm_source=google&utm_medium=cpc&utm_campaign=brand', referrer: 'https://www.google.com/' },
  social: { query: '?utm_source=instagram&utm_medium=social', referrer: 'https://l.instagram.com/' },
  email: { query: '?utm_source=hearth&utm_medium=email&utm_campaign=newsletter', referrer: null },
  referral: { query: '?ref=friend', referrer: null },
};

const dollars = (cents: number) => cents / 100;

/**
 * The page planted before lapses (docs/demo.md, "Planted effects"): a slow delivery-information
 * page that customers read a few days after their last session. Of customers whose last order is
 * at least LAPSE_DAYS before the store's last day (they lapse), READ_LAPSING read it; of the
 * others, READ_STAYING. Its own random stream, so every other row of the demo stays as it was.
 */
export const DELIVERY_PAGE = { path: '/pages/delivery-information', title: 'Delivery information', loadMs: 7_400 } as const;
export const DELIVERY_PAGE_PLANT = { lapseDays: 270, readLapsing: 0.35, readStaying: 0.04 } as const;
const PLANT_STREAM = 7;

export class SessionWriter {
  readonly events: SimEvent[] = [];
  readonly identities: SimIdentity[] = [];
  private rng: Random;
  private counter = 0;
  private customerIndex = 0;
  /** When the customer's latest browsing session started (for the planted page). */
  private lastSessionAt = -Infinity;
  private pending: { type: SimEvent['type']; name: string | null; url: string | null; properties: Record<string, unknown>; offset: number }[] = [];

  /** `keep`: the share of browsing sessions written (1 = all). */
  constructor(private readonly ctx: DemoContext, private readonly keep: number) {
    this.rng = new Random(ctx.seed, 2, 0);
  }

  clear(): void {
    this.events.length = 0;
    this.identities.length = 0;
  }

  /** All events of one customer (and the anonymous visitors drawn beside them). */
  customer(customer: SimCustomer): void {
    const rng = (this.rng = new Random(this.ctx.seed, 2, customer.index));
    this.customerIndex = customer.index;
    this.counter = 0;
    this.lastSessionAt = -Infinity;
    const prefix = `${this.ctx.seed}-${customer.index.toString(36)}`;
    const anonymousId = `anon-${customer.index.toString(36)}-${rng.hex()}${rng.hex()}`;
    const identifiedAt = customer.createdAt;
    this.identities.push({ customerIndex: customer.index, anonymousId, at: identifiedAt });

    customer.orders.forEach((order, i) => {
      const sessionId = `${anonymousId}-o${order.seq}`;
      if (!rng.chance(this.keep)) return;
      this.session(prefix, customer, anonymousId, sessionId, order.placedAt - rng.int(5, 40) * 60_000, i > 0, Stage.Converted, order);
    });
    this.push(prefix, { type: 'identify', name: null, url: null, properties: { email: customer.email, first_name: customer.firstName, last_name: customer.lastName } }, identifiedAt, true, anonymousId, null);

    const last = customer.orders.length ? customer.orders[customer.orders.length - 1]!.placedAt : identifiedAt;
    const from = Math.max(this.ctx.period.start, identifiedAt - 21 * DAY_MS);
    const to = Math.min(this.ctx.period.end - 3_600_000, last + 60 * DAY_MS);
    const count = rng.poisson(0.8 + 0.7 * customer.orders.length);
    for (let k = 0; k < count; k += 1) {
      const start = shoppingTime(rng, from + rng.next() * Math.max(0, to - from));
      const stage = rng.weighted(STAGES) as Stage;
      if (!rng.chance(this.keep) || start >= this.ctx.period.end || start < this.ctx.period.start) continue;
      this.session(prefix, customer, anonymousId, `${anonymousId}-b${k}`, start, start > identifiedAt, stage, undefined);
    }

    customer.reviews.forEach((review, k) => {
      const url = `${DEMO_STORE.site}/products/${review.product.handle}`;
      this.push(prefix, {
        type: 'track', name: 'Product Reviewed', url, properties: {
          review_id: `RV-${customer.externalId}-${k + 1}`, product_id: review.product.externalId, name: review.product.title,
          rating: review.rating, review_body: reviewText(rng, review.rating, review.product.noun), order_id: `HD-${customer.externalId.slice(1)}-${review.orderSeq}`,
        },
      }, review.at, true, anonymousId, null);
    });

    // Visitors who never sign up, arriving like customers do.
    const visitors = rng.poisson(0.8);
    for (let v = 0; v < visitors; v += 1) {
      const day = dayAtQuantile(this.ctx.curve, rng.next());
      const start = shoppingTime(rng, this.ctx.period.start + day * DAY_MS);
      const visitorId = `anon-v${customer.index.toString(36)}-${v}-${rng.hex()}`;
      const stage = rng.weighted(VISITOR_STAGES) as Stage;
      if (!rng.chance(this.keep) || start >= this.ctx.period.end) continue;
      this.session(prefix, undefined, visitorId, `${visitorId}-s0`, start, false, stage, undefined);
    }
    this.plantDeliveryPage(prefix, customer, anonymousId);
  }

  /** A short session after the customer's latest one: home → the delivery-information page, where it ends. */
  private plantDeliveryPage(prefix: string, customer: SimCustomer, anonymousId: string): void {
    const last = customer.orders.at(-1);
    if (!last || this.lastSessionAt === -Infinity) return;
    const rng = new Random(this.ctx.seed, PLANT_STREAM, customer.index);
    const lapses = last.placedAt <= this.ctx.period.end - DELIVERY_PAGE_PLANT.lapseDays * DAY_MS;
    if (!rng.chance(lapses ? DELIVERY_PAGE_PLANT.readLapsing : DELIVERY_PAGE_PLANT.readStaying) || !rng.chance(this.keep)) return;
    const start = this.lastSessionAt + rng.int(1, 10) * DAY_MS + rng.int(0, 3_600) * 1000;
    if (start >= this.ctx.period.end - 3_600_000) return;
    const sessionId = `${anonymousId}-d`;
    const pages: [string, string, string, Record<string, unknown>][] = [
      ['/', 'Home', DEMO_STORE.name, {}],
      [DELIVERY_PAGE.path, 'Page', DELIVERY_PAGE.title, { load_time_ms: DELIVERY_PAGE.loadMs + rng.int(0, 3_000) }],
    ];
    let at = start;
    for (const [path, name, title, extra] of pages) {
      this.push(prefix, { type: 'page', name, url: DEMO_STORE.site + path, properties: { path, url: DEMO_STORE.site + path, title, ...extra } }, at, true, anonymousId, sessionId);
      at += rng.int(8, 60) * 1000;
    }
  }

  private session(prefix: string, customer: SimCustomer | undefined, anonymousId: string, sessionId: string, start: number, identified: boolean, stage: Stage, order: SimOrder | undefined): void {
    const rng = this.rng;
    const { catalogue } = this.ctx;
    const channel: Channel = order?.channel ?? (customer && identified ? 'email' : (['organic', 'paid_search', 'social'] as const)[rng.int(0, 2)]!);
    const categoryIndex = order ? order.lines[0]!.product.category : customer ? customer.firstCategory : rng.weighted(catalogue.categoryCumulative);
    const category = categories[categoryIndex]!;
    const own = catalogue.byCategory[categoryIndex]!;
    const viewed: DemoProduct[] = order ? order.lines.map((line) => line.product) : [];
    for (let extra = order ? rng.int(0, 2) : rng.int(1, 4); extra > 0; extra -= 1) viewed.push(own.products[rng.weighted(own.cumulative)]!);
    const landing = LANDING[channel];
    let offset = 0;
    const step = () => (offset += rng.int(8, 90) * 1000);
    this.pending = [];
    const page = (path: string, name: string, title: string, extra: Record<string, unknown> = {}) =>
      this.pending.push({ type: 'page', name, url: DEMO_STORE.site + path, properties: { path: path.split('?')[0], url: DEMO_STORE.site + path, title, ...extra }, offset: step() });
    const track = (name: string, url: string, properties: Record<string, unknown>) => this.pending.push({ type: 'track', name, url: DEMO_STORE.site + url, properties, offset: step() });

    page(`/${landing.query}`, 'Home', DEMO_STORE.name, landing.referrer ? { referrer: landing.referrer } : {});
    page(`/collections/${category.slug}`, 'Collection', category.name);
    for (const product of viewed) {
      const path = `/products/${product.handle}`;
      page(path, 'Product', product.title);
      track('Product Viewed', path, productProperties(product));
    }
    if (stage >= Stage.Cart) {
      const added: SimLine[] = order ? order.lines : [{ product: viewed[0]!, variant: viewed[0]!.variants[0]!, quantity: 1, unitPrice: viewed[0]!.price, total: viewed[0]!.price }];
      for (const line of added) track('Product Added', `/products/${line.product.handle}`, { ...productProperties(line.product), sku: line.variant.sku, variant: line.variant.title, quantity: line.quantity, cart_id: sessionId });
      if (stage >= Stage.DropStep1) {
        const value = added.reduce((sum, line) => sum + line.total, 0);
        page('/cart', 'Cart', 'Your cart');
        track('Checkout Started', '/checkout', { checkout_id: sessionId, value: dollars(value), currency: DEMO_STORE.currency, products: added.length });
        const stopAt = stage === Stage.Converted ? 4 : stage - Stage.DropStep1 + 1;
        for (let s = 1; s <= 3; s += 1) {
          track('Checkout Step Viewed', `/checkout/step-${s}`, { checkout_id: sessionId, step: s, step_name: STEP_NAMES[s] });
          if (s === stopAt) break;
          track('Checkout Step Completed', `/checkout/step-${s}`, { checkout_id: sessionId, step: s, step_name: STEP_NAMES[s], ...(s === 2 && { shipping_method: 'standard' }), ...(s === 3 && { payment_method: 'card' }) });
        }
      }
    }
    if (order && customer) {
      track('Order Completed', '/checkout/thank-you', {
        order_id: `HD-${customer.externalId.slice(1)}-${order.seq}`, checkout_id: sessionId, total: dollars(order.total), revenue: dollars(order.subtotal - order.discount),
        shipping: dollars(order.shipping), tax: dollars(order.tax), discount: dollars(order.discount), coupon: order.codes[0] ?? null, currency: DEMO_STORE.currency,
        products: order.lines.map((line) => ({ product_id: line.product.externalId, sku: line.variant.sku, name: line.product.title, price: dollars(line.unitPrice), quantity: line.quantity, category: categories[line.product.category]!.name })),
      });
    }
    // A converting session ends at the order's time; others start at `start`.
    const shift = order ? order.placedAt - offset : start;
    if (customer) this.lastSessionAt = Math.max(this.lastSessionAt, shift + (this.pending[0]?.offset ?? 0));
    for (const event of this.pending) {
      // Before the first order (or sign-up) only the anonymous id is known; the order identifies.
      const known = identified || (order !== undefined && event.name === 'Order Completed');
      this.push(prefix, event, shift + event.offset, known, anonymousId, sessionId);
    }
  }

  private push(prefix: string, event: { type: SimEvent['type']; name: string | null; url: string | null; properties: Record<string, unknown> }, at: number, identified: boolean, anonymousId: string, sessionId: string | null): void {
    this.counter += 1;
    this.events.push({
      customerIndex: this.customerIndex, type: event.type, name: event.name, identified, anonymousId, sessionId, url: event.url,
      properties: JSON.stringify(event.properties), context: event.type === 'identify' ? null : browserOf(anonymousId), at, messageId: `demo-${prefix}-${this.counter}`,
    });
  }
}

/** Browsers as analytics.js reports them: most shoppers on a phone, some on a computer, a few on a tablet. */
const BROWSERS = [
  ...Array<string>(6).fill('Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1'),
  ...Array<string>(5).fill('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36'),
  ...Array<string>(6).fill('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36'),
  ...Array<string>(2).fill('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15'),
  'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
].map((userAgent) => JSON.stringify({ userAgent }));

/** The browser of a visitor (their anonymous id's hash: the demo's seeded draws are left as they were). */
function browserOf(anonymousId: string): string {
  let hash = 0;
  for (let i = 0; i < anonymousId.length; i += 1) hash = (hash * 31 + anonymousId.charCodeAt(i)) >>> 0;
  return BROWSERS[hash % BROWSERS.length]!;
}

function productProperties(product: DemoProduct): Record<string, unknown> {
  return { product_id: product.externalId, name: product.title, category: categories[product.category]!.name, price: dollars(product.price) };
}
