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
}

export interface ProductInput {
  external_id: string;
  title: string;
  category?: string | null;
  price?: number | null;
  currency?: string | null;
  image_url?: string | null;
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

/** One unit of work for the writer: applied in one transaction, all or nothing. */
export interface CommerceBatch {
  customers?: CustomerInput[];
  products?: ProductInput[];
  orders?: OrderInput[];
  returns?: ReturnInput[];
}

export interface WriteSummary {
  customers: { created: number; updated: number; unchanged: number };
  products: { created: number; updated: number; unchanged: number };
  orders: { created: number; updated: number; unchanged: number };
  returns: { created: number; updated: number; unchanged: number };
}
