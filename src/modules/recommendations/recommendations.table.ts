/**
 * The stored recommendation models of a store (migration 2026-12-03T001100). A fit writes one
 * `recommendation_fits` row and its product statistics, co-purchase neighbours and next products,
 * all tagged with the fit's id; serving reads the latest fit. Pins and blocks are append-only
 * versions of the store's settings.
 */
export interface RecommendationFitTable {
  store_id: string;
  id: number;
  /** Orders placed before this instant were used. */
  trained_before: Date;
  customers: number;
  products: number;
  pairs: number;
  seconds: number;
  created_at: Date;
}

export interface RecommendationProductTable {
  store_id: string;
  fit_id: number;
  product_id: number;
  /** Distinct customers who bought it. */
  customers: number;
  /** The same, each customer weighted by how recently they bought it (half-life decay). */
  weight: number;
  /** Customers who bought it on two or more days. */
  repeat_customers: number;
  /** Median days between one customer's purchases of it; null when nobody bought it twice. */
  reorder_days: number | null;
  /** Likelihood a buyer buys it again (shrunk towards the store's rate): consumable when high. */
  reorder_rate: number;
}

/** A product's neighbours: `kind` together (co-purchase), next (bought next after a first order with it) or coview (viewed by the same customers). */
export interface RecommendationNeighbourTable {
  store_id: string;
  fit_id: number;
  kind: 'together' | 'next' | 'coview';
  product_id: number;
  other_id: number;
  customers: number;
  score: number;
  /** The estimated chance a buyer of `product_id` buys `other_id` (see `model.types.ts`). */
  confidence: number;
}

export interface RecommendationSettingsTable {
  store_id: string;
  version: number;
  /** JSON array of product ids shown first, in order. */
  pinned: string;
  /** JSON array of product ids never recommended. */
  blocked: string;
  /** Price band in minor units (migration 2026-12-06T000200); null: no bound. */
  min_price: number | null;
  max_price: number | null;
  created_by: string | null;
  created_at: Date;
}

export type RecommendationTables = {
  recommendation_fits: RecommendationFitTable;
  recommendation_products: RecommendationProductTable;
  recommendation_neighbours: RecommendationNeighbourTable;
  recommendation_settings: RecommendationSettingsTable;
};
