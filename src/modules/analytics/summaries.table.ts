/**
 * The per-customer summary the analytics module keeps (migration 2026-11-23T000400) and publishes
 * for other modules' set-based SQL (segment rules read it as `cs`): orders not cancelled, money in
 * minor units, days in the store's time zone.
 */
export interface CustomerSummaryTable {
  store_id: string;
  customer_id: number;
  first_day: string;
  second_day: string | null;
  last_day: string;
  orders: number;
  gross: number;
  returned: number;
  revenue: number;
  revenue_12m: number;
  first_order_returned: boolean;
  first_product_id: number | null;
  first_category: string | null;
  second_product_id: number | null;
  channel: string | null;
  first_discount: boolean;
  country: string | null;
  /** The first order's payment method (migration 2026-12-02T000000). */
  payment_method: string | null;
  /** The last order's time (migration 2026-12-10T000100). */
  last_at: Date;
}
