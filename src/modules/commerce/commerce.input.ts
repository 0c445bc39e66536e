/**
 * The normalised shapes every source writes through (admin API, CSV/JSONL import, Segment
 * `Order Completed`, Shopify webhooks, the demo generator). Money is integer minor units of the
 * order's currency; times are Dates (UTC). Entities are matched by the store's external ids.
 */

/** Marketing consent on one channel, as a source states it. */
export interface ConsentInput {
  status: import('../customers/index.js').ConsentStatus;
  /** When the customer subscribed or unsubscribed (default: when the write records the change). */
  at?: Date | null;
  /** Where it came from (default: the write's source — shopify, segment, import:…, api). */
  source?: string | null;
}

export interface CustomerInput {
  external_id: string;
  email?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  phone?: string | null;
  country?: string | null;
  city?: string | null;
  /** Subscribed to email marketing; kept in step with `email_consent`. */
  accepts_marketing?: boolean;
  email_consent?: ConsentInput;
  sms_consent?: ConsentInput;
  /** YYYY-MM-DD, or --MM-DD without the year. */
  birthday?: string | null;
  /** BCP 47 language tag. */
  language?: string | null;
  /** IANA time zone. */
  timezone?: string | null;
  tags?: string[];
  attributes?: Record<string, unknown>;
  /** When the store says the customer was created (default: first seen). */
  created_at?: Date;
}

export interface VariantInput {
  external_id: string;
  sku?: string | null;
  title?: string | null;
  price?: number | null;
  /** Units in stock (negative when oversold); null: not counted, taken as available. */
  inventory_quantity?: number | null;
}

export interface ProductInput {
  external_id: string;
  title: string;
  category?: string | null;
  price?: number | null;
  currency?: string | null;
  image_url?: string | null;
  /** Whether the store shows it for sale; null: not said, taken as published. */
  published?: boolean | null;
  /** When it was (or will be) published; a time still to come means not yet published. */
  published_at?: Date | null;
  /** Units in stock (negative when oversold); null: not counted, taken as available. */
  inventory_quantity?: number | null;
  variants?: VariantInput[];
}

export interface OrderLineInput {
  product_external_id?: string | null;
  variant_external_id?: string | null;
  sku?: string | null;
  title?: string | null;
  quantity: number;
  unit_price: number;
  /** Default quantity × unit_price. */
  total?: number;
}

export type OrderStatusInput = import('../orders/index.js').OrderStatus;

export interface OrderInput {
  external_id: string;
  /** The customer's external id; null or absent for a guest order. */
  customer_external_id?: string | null;
  placed_at: Date;
  currency: string;
  /** Default: sum of line totals. */
  subtotal?: number;
  discount?: number;
  shipping?: number;
  tax?: number;
  /** Default: subtotal − discount + shipping + tax. */
  total?: number;
  discount_codes?: string[];
  channel?: string | null;
  /** How the customer paid (card, paypal, shop_pay…), as the source names it. */
  payment_method?: string | null;
  status?: OrderStatusInput;
  lines: OrderLineInput[];
  /**
   * When the source last changed the order (Shopify's `updated_at`): a write older than the one
   * stored is skipped, so an update delivered late cannot revert a newer state.
   */
  source_updated_at?: Date | null;
  /** The order's shipments (stored as fulfilments of this order). */
  fulfillments?: OrderFulfillmentInput[];
  /** The checkout and cart ids this order completes (Shopify's checkout_id, checkout_token, cart_token). */
  checkout_ids?: string[];
}

export interface ReturnLineInput {
  product_external_id?: string | null;
  sku?: string | null;
  quantity: number;
  amount: number;
}

export interface ReturnInput {
  external_id: string;
  order_external_id?: string | null;
  /** For returns without a known order (e.g. an unmatched cancellation invoice). */
  customer_external_id?: string | null;
  returned_at: Date;
  currency: string;
  amount: number;
  reason?: string | null;
  lines?: ReturnLineInput[];
}

export interface FulfillmentLineInput {
  product_external_id?: string | null;
  variant_external_id?: string | null;
  sku?: string | null;
  quantity: number;
}

export type FulfillmentStatusInput = import('../orders/index.js').FulfillmentStatus;

/**
 * A shipment of an order, matched by its own external id. Fields left out (or null) keep what is
 * stored; a fulfilment once shipped or delivered stays so (the first times are kept).
 */
export interface FulfillmentInput {
  external_id: string;
  /** The order's external id; the order may arrive later. */
  order_external_id: string;
  /** Default `success` (fulfilled). */
  status?: FulfillmentStatusInput;
  shipment_status?: string | null;
  carrier?: string | null;
  tracking_number?: string | null;
  tracking_url?: string | null;
  shipped_at?: Date | null;
  /** Default: when `shipment_status` becomes `delivered`, the source's update time (or the write's). */
  delivered_at?: Date | null;
  lines?: FulfillmentLineInput[];
  /** When the source last changed it: an older write is skipped, so a late update cannot regress it. */
  source_updated_at?: Date | null;
}

/** A fulfilment given inside its order. */
export type OrderFulfillmentInput = Omit<FulfillmentInput, 'order_external_id'>;

/** An item of a cart: as an order line, without a line total. */
export type CheckoutItemInput = Omit<OrderLineInput, 'total'>;

/**
 * A started checkout or cart, matched by its external id (checkout id, or the cart id of a bare
 * cart). Fields left out (or null) keep what is stored; it is completed by the order that names
 * its id or its cart id, whichever arrives first.
 */
export interface CheckoutInput {
  external_id: string;
  cart_id?: string | null;
  customer_external_id?: string | null;
  anonymous_id?: string | null;
  email?: string | null;
  currency?: string | null;
  /** Minor units of `currency`; default: the items' sum when items are given. */
  value?: number | null;
  items?: CheckoutItemInput[];
  /** The items are added to the stored ones (a product added to a cart) instead of replacing them. */
  add_items?: boolean;
  recovery_url?: string | null;
  /** Default: the update time, else the write's time. */
  started_at?: Date;
  /** The source's change time (default: the write's): an older write is skipped unless it only adds items. */
  updated_at?: Date;
  /** Set when the source says the checkout was completed (the order may arrive later). */
  completed_at?: Date | null;
  /** Set when the source deleted it; it is then never listed as abandoned. */
  deleted_at?: Date | null;
}

/** One unit of work for the writer: applied in one transaction, all or nothing. */
export interface CommerceBatch {
  customers?: CustomerInput[];
  products?: ProductInput[];
  orders?: OrderInput[];
  returns?: ReturnInput[];
  fulfillments?: FulfillmentInput[];
  checkouts?: CheckoutInput[];
}

export interface WriteCounts { created: number; updated: number; unchanged: number }

export interface WriteSummary {
  customers: WriteCounts;
  products: WriteCounts;
  orders: WriteCounts;
  returns: WriteCounts;
  /** Present when the batch carried fulfilments (in their own section or inside orders). */
  fulfillments?: WriteCounts;
  /** Present when the batch carried checkouts. */
  checkouts?: WriteCounts;
}
