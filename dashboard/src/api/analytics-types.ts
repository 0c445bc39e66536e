/** The analytics API's answers that the dashboard reads. */

export interface KpiValue {
  key: string;
  label: string;
  /** count | ratio (0–1) | money (minor units) */
  unit: 'count' | 'ratio' | 'money';
  value: number | null;
  previous: number | null;
  definition?: string;
  series?: { period: string; value: number | null }[];
  /** True when a rise is bad news (customers at risk). */
  lowerIsBetter?: boolean;
  /** A short line under the value (a share, a mean). */
  detail?: string;
  /** Shown instead of the change when a figure has no previous period (a prediction snapshot). */
  note?: string;
  /** The card's own source is still loading, or failed with this message. */
  loading?: boolean;
  error?: string;
}

export interface KpisAnswer {
  range: { from: string; to: string };
  previous: { from: string; to: string };
  kpis: KpiValue[];
  notes?: string[];
}

export interface CohortCell {
  offset: number;
  /** Customers of the cohort who ordered in this period (or later, with retained=any_later). */
  customers: number;
  orders: number;
  /** Minor units. */
  revenue: number;
}

export interface CohortRow {
  cohort: string;
  segment: string | null;
  /** Customers whose first order fell in the cohort's period. */
  size: number;
  cells: CohortCell[];
}

export interface CohortsAnswer {
  period: 'week' | 'month' | 'quarter';
  range: { from: string; to: string };
  cohorts: CohortRow[];
}

export interface RfmSegment {
  segment: string;
  label?: string;
  description?: string;
  customers: number;
  /** Minor units. */
  revenue: number;
  share?: number;
}

export interface RfmAnswer {
  asOf?: string;
  segments: RfmSegment[];
}

export interface CustomerRow {
  id: number;
  external_id: string | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  country: string | null;
  orders?: number;
  revenue?: number;
  last_order_at?: string | null;
  created_at: string;
}

/** The server's answers, as sent. */
export interface ReportMeta {
  store: { currency: string; timezone: string; lastDay: string | null };
  query: { from: string; to: string; period?: 'week' | 'month' | 'quarter'; compareRange?: { from: string; to: string } };
}

export interface KpiBlock {
  from: string;
  to: string;
  customers: number;
  newCustomers: number;
  returningCustomers: number;
  orders: number;
  revenue: number;
  aov: number | null;
  repeatPurchaseRate: number | null;
  retentionRate: number | null;
  churnRate: number | null;
  medianDaysToSecondOrder: number | null;
}

/** GET /api/v1/overview/returning-revenue (minor units). */
export interface ReturningRevenueAnswer {
  current: { from: string; to: string; revenue: number; returningRevenue: number };
  comparison: { from: string; to: string; revenue: number; returningRevenue: number } | null;
  series: { periodStart: string; revenue: number; returningRevenue: number }[];
}

export interface KpisReport extends ReportMeta {
  current: KpiBlock;
  comparison?: KpiBlock;
  series: { periodStart: string; orders: number; revenue: number; customers: number; newCustomers: number }[];
}

export interface CohortsReport extends ReportMeta {
  cohorts: { cohort: string; segment?: string | null; size: number; periods: { offset: number; customers: number; orders: number; revenue: number }[] }[];
}

export interface ProductsReport extends ReportMeta {
  rows: { key: string; title: string; customers: number; repeatRate: number | null; medianDaysToSecondOrder: number | null; revenue12mPerCustomer: number | null }[];
}

export interface ClvReport extends ReportMeta {
  rows: { key: string; title: string | null; customers: number; orders: number; revenue: number; revenuePerCustomer: number; repeatRate: number | null }[];
}
