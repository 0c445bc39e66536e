/** The analytics pages: the cards and rows they show, and the API answers they read. */

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
  period: ReportQuery['period'];
  range: { from: string; to: string };
  cohorts: CohortRow[];
}

/** The server's answers, as its response schemas define them (`src/http/schemas`). */
import type { ReportQuery, RfmReport } from '../../../src/http/schemas/analytics.schemas';

export type {
  ClvReport, CohortsReport, KpiBlock, KpisReport, ProductsReport, ReportQuery, ReportStore, ReturningRevenueReport as ReturningRevenueAnswer,
  RfmReport as RfmAnswer,
} from '../../../src/http/schemas/analytics.schemas';
export type RfmSegment = RfmReport['segments'][number];
export type { CustomerSearchHit as CustomerRow } from '../../../src/http/schemas/segments.schemas';
export type { ExitsReport, FunnelsReport, LifecycleReport, PathsReport } from '../../../src/http/schemas/journey.schemas';
