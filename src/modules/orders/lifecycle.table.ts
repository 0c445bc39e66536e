/** Shopify's fulfilment statuses; other sources use `success` (fulfilled) unless they say otherwise. */
export const fulfillmentStatuses = ['pending', 'open', 'success', 'cancelled', 'error', 'failure'] as const;
export type FulfillmentStatus = (typeof fulfillmentStatuses)[number];

/** A shipment of (part of) an order (migration 2026-12-02T000100). */
export interface FulfillmentTable {
  store_id: string;
  id: number;
  external_id: string;
  /** Null until the order is known: the fulfilment is attached when it arrives. */
  order_id: number | null;
  order_external_id: string;
  status: FulfillmentStatus;
  /** The carrier's view (Shopify's `shipment_status`: in_transit, out_for_delivery, delivered, …); `delivered` is final. */
  shipment_status: string | null;
  carrier: string | null;
  tracking_number: string | null;
  tracking_url: string | null;
  shipped_at: Date | null;
  delivered_at: Date | null;
  /** JSON list of the order lines shipped: product_external_id, variant_external_id, sku, quantity. */
  lines: string;
  source_updated_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A started cart or checkout: open until an order completes it (migration 2026-12-02T000100). */
export interface CheckoutTable {
  store_id: string;
  id: number;
  /** The checkout's id (Shopify's checkout id, Segment's `checkout_id`) or, for a bare cart, the cart id. */
  external_id: string;
  cart_id: string | null;
  customer_id: number | null;
  anonymous_id: string | null;
  email: string | null;
  currency: string | null;
  /** Minor units of `currency`. */
  value: number | null;
  /** JSON list of items: product_external_id, variant_external_id, sku, title, quantity, unit_price. */
  items: string;
  recovery_url: string | null;
  source: string;
  started_at: Date;
  /** The last change by the source's clock (its `updated_at`, or the tracked event's time). */
  updated_at: Date;
  completed_at: Date | null;
  order_id: number | null;
  deleted_at: Date | null;
  created_at: Date;
}

/** The checkout and cart ids each order named, so a checkout arriving after its order is completed at once. */
export interface CheckoutOrderTable {
  store_id: string;
  ref: string;
  order_id: number;
  placed_at: Date;
}
