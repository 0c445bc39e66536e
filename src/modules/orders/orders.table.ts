import type { ColumnType } from 'kysely';

/** The closed list of order statuses, used by the writer, the API, the CLI and the dashboard. */
export const orderStatuses = ['paid', 'pending', 'fulfilled', 'cancelled', 'refunded', 'partially_refunded'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export interface OrderTable {
  store_id: string;
  id: number;
  external_id: string;
  /** Null for guest orders. */
  customer_id: number | null;
  placed_at: Date;
  currency: string;
  subtotal: number;
  discount: number;
  shipping: number;
  tax: number;
  total: number;
  discount_codes: string[];
  channel: string | null;
  status: OrderStatus;
  /** When the source last changed the order (migration 2026-12-01T000200); optional on insert. */
  source_updated_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** How the customer paid (card, paypal, shop_pay, cash_on_delivery…), as the source names it (migration 2026-12-02T000000). */
  payment_method: ColumnType<string | null, string | null | undefined, string | null>;
  /** Where the order came from: api, import:<format>, segment, shopify, demo. */
  source: string;
  created_at: Date;
  updated_at: Date;
}

export interface OrderLineTable {
  store_id: string;
  order_id: number;
  line_no: number;
  product_id: number | null;
  variant_id: number | null;
  sku: string | null;
  title: string | null;
  quantity: number;
  unit_price: number;
  total: number;
}

export interface ReturnTable {
  store_id: string;
  id: number;
  external_id: string;
  order_id: number | null;
  /** The store's id of the order refunded: kept so a refund that came first is attached when its order arrives. */
  order_external_id: ColumnType<string | null, string | null | undefined, string | null>;
  customer_id: number | null;
  returned_at: Date;
  currency: string;
  amount: number;
  reason: string | null;
  created_at: Date;
}

export interface ReturnLineTable {
  store_id: string;
  return_id: number;
  line_no: number;
  product_id: number | null;
  sku: string | null;
  quantity: number;
  amount: number;
}
