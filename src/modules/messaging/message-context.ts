/**
 * The variables a message template can use, as one documented tree (docs/messaging.md lists each),
 * the sample values previews use, and the building of a real customer's variables. Saving a
 * template checks every variable it reads against this tree, so a typo is named before a send.
 */
import type { MessageLinks } from './message.types.js';

/** A node of the variable tree: a value, an object of named fields, a list of items, or open (any field). */
export type VariableNode =
  | { kind: 'value' }
  | { kind: 'object'; fields: Readonly<Record<string, VariableNode>> }
  | { kind: 'list'; item: VariableNode }
  | { kind: 'open' };

const value: VariableNode = { kind: 'value' };
const open: VariableNode = { kind: 'open' };
const object = (fields: Record<string, VariableNode>): VariableNode => ({ kind: 'object', fields });
const list = (item: VariableNode): VariableNode => ({ kind: 'list', item });
const values = (...names: string[]): Record<string, VariableNode> => Object.fromEntries(names.map((name) => [name, value]));

const lineItem = object(values('title', 'variant_title', 'sku', 'quantity', 'price', 'line_price', 'image', 'url', 'product_id'));
const address = object(values('name', 'address1', 'address2', 'city', 'zip', 'province', 'country'));

/** Every variable a template may read. */
export const variableTree = object({
  customer: object({
    ...values('id', 'first_name', 'last_name', 'name', 'email', 'locale', 'language', 'timezone', 'orders_count', 'total_spent', 'created_at'),
    consent: object({ email: value, sms: value }),
  }),
  store: object({
    ...values('name', 'url', 'logo_url', 'address', 'currency', 'timezone'),
    colors: object(values('primary', 'background', 'text')),
  }),
  order: object({
    ...values('id', 'name', 'created_at', 'currency', 'subtotal', 'discounts', 'shipping', 'tax', 'total', 'status_url'),
    line_items: list(lineItem),
    shipping_address: address,
  }),
  checkout: object({
    ...values('id', 'created_at', 'currency', 'subtotal', 'total', 'recovery_url'),
    line_items: list(lineItem),
  }),
  fulfillment: object({
    ...values('status', 'carrier', 'tracking_number', 'tracking_url', 'shipped_at', 'delivered_at', 'estimated_delivery_at'),
    line_items: list(lineItem),
  }),
  predictions: object(values('clv_12m', 'p_alive', 'expected_orders_12m', 'next_order_date', 'churn_band')),
  /** Filled once loyalty exists (balance, tier, …); any field is allowed until then. */
  loyalty: open,
  /** The recipient's "for you" products (docs/recommendations.md): title, url, image, price, currency, reason, explanation, product_id. */
  recommendations: list(object(values('product_id', 'title', 'url', 'image', 'price', 'currency', 'reason', 'explanation'))),
  discount_code: value,
  links: object(values('unsubscribe_url', 'preferences_url', 'view_in_browser_url')),
});

/** Fields every list and text has in Liquid (`items.size`, `items.first`). */
const listFields = new Set(['size', 'first', 'last']);

/**
 * Where a variable path leaves the tree: the known prefix plus the bad segment
 * ("customer.frist_name"), or undefined when the path is known.
 */
export function unknownVariable(segments: readonly (string | number)[]): string | undefined {
  let node: VariableNode = variableTree;
  const seen: string[] = [];
  for (const segment of segments) {
    const name = String(segment);
    const label = [...seen, name].join('.');
    switch (node.kind) {
      case 'open':
        return undefined;
      case 'value':
        return name === 'size' ? undefined : label;
      case 'list':
        if (name === 'size') return undefined;
        if (typeof segment === 'number' || /^\d+$/.test(name) || listFields.has(name)) node = node.item;
        else return label;
        break;
      case 'object': {
        const next: VariableNode | undefined = Object.hasOwn(node.fields, name) ? node.fields[name] : undefined;
        if (!next) return label;
        node = next;
        break;
      }
    }
    seen.push(name);
  }
  return undefined;
}

export interface LineItemVariables {
  title: string;
  variant_title?: string | null;
  sku?: string | null;
  quantity: number;
  /** Minor units, each. */
  price: number;
  /** Minor units, price × quantity. */
  line_price: number;
  image?: string | null;
  url?: string | null;
  product_id?: string | number | null;
}

export interface StoreVariables {
  name: string;
  url: string | null;
  logo_url: string | null;
  address: string | null;
  currency: string;
  timezone: string;
  colors: { primary: string; background: string; text: string };
}

export interface CustomerVariables {
  id: number | null;
  first_name: string | null;
  last_name: string | null;
  name: string;
  email: string | null;
  locale: string | null;
  language: string | null;
  timezone: string | null;
  consent: { email: string; sms: string };
  orders_count: number;
  /** Minor units of the store's currency, net of returns. */
  total_spent: number;
  created_at: Date | null;
}

export interface PredictionVariables {
  clv_12m: number | null;
  p_alive: number;
  expected_orders_12m: number;
  next_order_date: string | null;
  churn_band: string;
}

/** The variables of one message; `order`, `checkout` and `fulfillment` are set when a trigger has one. */
export interface MessageVariables {
  customer: CustomerVariables;
  store: StoreVariables;
  order?: Record<string, unknown> | null;
  checkout?: Record<string, unknown> | null;
  fulfillment?: Record<string, unknown> | null;
  predictions: PredictionVariables | null;
  loyalty: Record<string, unknown>;
  recommendations: Record<string, unknown>[];
  discount_code: string | null;
  links: MessageLinks;
}

/** What the caller of a render may add: the trigger's order, checkout or fulfilment, and the recipient's links. */
export interface MessageExtras {
  order?: Record<string, unknown> | null;
  checkout?: Record<string, unknown> | null;
  fulfillment?: Record<string, unknown> | null;
  recommendations?: Record<string, unknown>[];
  discount_code?: string | null;
  /** The customer's points and tier (flows fill it while the store's programme is on). */
  loyalty?: Record<string, unknown>;
  links?: MessageLinks;
}

export const defaultColors = { primary: '#2f5d50', background: '#f4f1ec', text: '#1f2328' } as const;

/** Links shown in previews; the sender replaces them with the recipient's signed links. */
export function sampleLinks(base = 'https://hearth.example'): MessageLinks {
  return {
    unsubscribe_url: `${base}/u/sample-token`,
    preferences_url: `${base}/p/sample-token`,
    view_in_browser_url: `${base}/m/sample-token`,
  };
}

const sampleImage = (seed: string, hue: string): string =>
  `data:image/svg+xml;utf8,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600"><rect width="600" height="600" fill="${hue}"/><text x="300" y="320" font-family="Georgia" font-size="48" text-anchor="middle" fill="#ffffff">${seed}</text></svg>`)}`;

const sampleItems = (storeUrl: string): LineItemVariables[] => [
  { title: 'Linen Throw Blanket', variant_title: 'Sand', sku: 'LTB-SAND', quantity: 1, price: 8900, line_price: 8900, image: sampleImage('Throw', '#b08d6a'), url: `${storeUrl}/products/linen-throw`, product_id: 101 },
  { title: 'Stoneware Mug', variant_title: 'Set of 2', sku: 'MUG-2', quantity: 2, price: 2400, line_price: 4800, image: sampleImage('Mug', '#5b7a70'), url: `${storeUrl}/products/stoneware-mug`, product_id: 102 },
];

/**
 * Values for every variable, for previews and the starters' screenshots: a plausible customer with
 * an order, an abandoned checkout, a shipment and recommendations.
 */
export function sampleVariables(store: StoreVariables, now = new Date()): MessageVariables {
  const storeUrl = store.url ?? 'https://shop.example';
  const items = sampleItems(storeUrl);
  const subtotal = items.reduce((sum, item) => sum + item.line_price, 0);
  const day = 86_400_000;
  return {
    customer: {
      id: null, first_name: 'Ada', last_name: 'Lovelace', name: 'Ada Lovelace', email: 'ada@example.com', locale: 'en', language: 'en',
      timezone: store.timezone, consent: { email: 'subscribed', sms: 'never_asked' }, orders_count: 3, total_spent: 24_300, created_at: new Date(now.getTime() - 400 * day),
    },
    store,
    order: {
      id: 1001, name: '#1001', created_at: new Date(now.getTime() - 3 * day), currency: store.currency, subtotal, discounts: 0, shipping: 500, tax: 0,
      total: subtotal + 500, status_url: `${storeUrl}/orders/1001`, line_items: items,
      shipping_address: { name: 'Ada Lovelace', address1: '12 St James Square', address2: null, city: 'London', zip: 'SW1Y 4JH', province: null, country: 'United Kingdom' },
    },
    checkout: { id: 'chk_sample', created_at: new Date(now.getTime() - 2 * 3_600_000), currency: store.currency, subtotal, total: subtotal, recovery_url: `${storeUrl}/checkouts/sample/recover`, line_items: items },
    fulfillment: {
      status: 'in_transit', carrier: 'Royal Mail', tracking_number: 'RM123456789GB', tracking_url: 'https://tracking.example/RM123456789GB',
      shipped_at: new Date(now.getTime() - day), delivered_at: null, estimated_delivery_at: new Date(now.getTime() + day), line_items: items,
    },
    predictions: { clv_12m: 18_500, p_alive: 0.82, expected_orders_12m: 2.1, next_order_date: new Date(now.getTime() + 40 * day).toISOString().slice(0, 10), churn_band: 'low' },
    loyalty: { balance: 1250, tier: 'Gold', points_to_next_tier: 250, next_tier: 'Platinum' },
    recommendations: [
      { title: 'Wool Cushion Cover', url: `${storeUrl}/products/wool-cushion`, image: sampleImage('Cushion', '#8a6f9e'), price: 3900 },
      { title: 'Oak Serving Board', url: `${storeUrl}/products/oak-board`, image: sampleImage('Board', '#a0522d'), price: 5400 },
      { title: 'Beeswax Candle', url: `${storeUrl}/products/beeswax-candle`, image: sampleImage('Candle', '#c9a227'), price: 1800 },
    ],
    discount_code: 'WELCOME-7Q2K',
    links: sampleLinks(storeUrl),
  };
}

/** What a real customer's variables are built from: the row, the order summary and the predictions. */
export interface CustomerFacts {
  customer: {
    id: number; email: string | null; first_name: string | null; last_name: string | null; language: string | null; timezone: string | null;
    created_at: Date; consent: { email: { status: string }; sms: { status: string } };
  };
  summary: { orders: number; revenue: number } | undefined;
  prediction: { clv_12m: number | null; p_alive: number; expected_orders_365d: number; next_order_on: string | null; churn_risk: string } | undefined;
  /** The recipient's "for you" products, when the templates read them (`templates.customerFacts`). */
  recommendations?: Record<string, unknown>[] | undefined;
}

export function customerVariables(store: StoreVariables, facts: CustomerFacts, extras: MessageExtras, links: MessageLinks): MessageVariables {
  return { ...recipientVariables(store, facts, extras), links };
}

/** A recipient's variables but their links, which the ledger makes when it queues the message (`EmailToQueue.template`). */
export type RecipientVariables = Omit<MessageVariables, 'links'>;

export function recipientVariables(store: StoreVariables, facts: CustomerFacts, extras: Omit<MessageExtras, 'links'>): RecipientVariables {
  const { customer, summary, prediction } = facts;
  return {
    customer: {
      id: customer.id, first_name: customer.first_name, last_name: customer.last_name,
      name: [customer.first_name, customer.last_name].filter(Boolean).join(' '), email: customer.email,
      locale: customer.language, language: customer.language, timezone: customer.timezone ?? store.timezone,
      consent: { email: customer.consent.email.status, sms: customer.consent.sms.status },
      orders_count: summary?.orders ?? 0, total_spent: summary?.revenue ?? 0, created_at: customer.created_at,
    },
    store,
    order: extras.order ?? null,
    checkout: extras.checkout ?? null,
    fulfillment: extras.fulfillment ?? null,
    predictions: prediction ? {
      clv_12m: prediction.clv_12m, p_alive: prediction.p_alive, expected_orders_12m: prediction.expected_orders_365d,
      next_order_date: prediction.next_order_on, churn_band: prediction.churn_risk,
    } : null,
    loyalty: extras.loyalty ?? {},
    recommendations: extras.recommendations ?? facts.recommendations ?? [],
    discount_code: extras.discount_code ?? null,
  };
}
