/** The shapes the recommendation models are trained into and read from (in memory, from SQL or from a stored fit). */

export interface ProductStats {
  productId: number;
  title: string;
  /** Distinct customers who bought it. */
  customers: number;
  /** Customers weighted by how recently they bought it (half-life `halfLifeDays`). */
  weight: number;
  /** Customers who bought it on two or more days. */
  repeatCustomers: number;
  /** Median days between one customer's purchases of it; null when nobody bought it twice. */
  reorderDays: number | null;
  /** Share of its buyers expected to buy it again, shrunk towards the store's rate (see `training.query.ts`). */
  reorderRate: number;
}

export interface Neighbour {
  productId: number;
  /** Customers behind the link (who bought both; or who started with one and bought the other next). */
  customers: number;
  /** Ranking score: cosine over recency-weighted buyers, damped by the pair's count (together); share of starters (next). */
  score: number;
  /**
   * Estimated chance a buyer of the key product buys this one: (both + m·P(this)) / (buyers + m),
   * the co-purchase share shrunk towards the product's base rate with m = `confidencePrior`.
   */
  confidence: number;
}

export interface TrainedModel {
  /** Orders placed before this instant were used. */
  trainedBefore: Date;
  customers: number;
  products: Map<number, ProductStats>;
  /** Co-purchase neighbours, best first. */
  together: Map<number, Neighbour[]>;
  /** Products bought in the second order by customers whose first order had the key product, best first. */
  next: Map<number, Neighbour[]>;
  /** Co-view neighbours: products viewed by the same customers (`Product Viewed` events), best first. */
  coviews: Map<number, Neighbour[]>;
  /** Product ids by recency-weighted buyers, most first. */
  popular: number[];
}

export interface HistoryOrder {
  placedAt: Date;
  products: number[];
}

/** A customer's orders before the cutoff, oldest first. */
export interface CustomerHistory {
  customerId: number;
  orders: HistoryOrder[];
}

export const modelKinds = ['for_you', 'buy_again', 'bought_together', 'next_product', 'popular'] as const;
export type ModelKind = (typeof modelKinds)[number];

export type Reason =
  | { kind: 'reorder'; orders: number; everyDays: number | null }
  | { kind: 'bought_with'; productId: number; title: string; customers: number }
  | { kind: 'next_after'; productId: number; title: string; customers: number }
  | { kind: 'viewed_with'; productId: number; title: string; customers: number }
  | { kind: 'popular'; customers: number }
  /** Popular among the customer's persona (the cold start of a customer with a persona and no orders). */
  | { kind: 'persona_popular'; persona: string; customers: number }
  /** Popular in a segment the request names (a campaign's), for a customer without orders. */
  | { kind: 'segment_popular'; segment: string; customers: number }
  | { kind: 'pinned' };

export interface Recommendation {
  productId: number;
  score: number;
  reason: Reason;
}

/** Fixed before any evaluation (tuned on a validation split of Online Retail before its test cutoff, see docs). */
export const tuning = {
  halfLifeDays: 90,
  /** Neighbours kept per product. */
  neighbours: 50,
  /** Products of one customer used for co-purchase pairs (the most recent). */
  itemsPerCustomer: 60,
  /** Co-purchase counts are damped by c / (c + shrink), so a pair seen once does not outrank one seen fifty times. */
  shrink: 2,
  /** Weight of the store's reorder rate as pseudo-buyers when a product's own is thin. */
  reorderPrior: 5,
  /** From this reorder rate a product is consumable: recommended again; below it, once bought it is not offered again. */
  consumableFrom: 0.1,
  /** Pseudo-orders of the product's reorder rate in a customer's own share of orders with it. */
  ownPrior: 5,
  /** For you: the chance given to the customer's most likely reorder; their other reorders in proportion. */
  ownWeight: 0.9,
  /** Pseudo-buyers of the base rate in a co-purchase confidence. */
  confidencePrior: 10,
  /** Products of one customer used for co-view pairs (the most recently viewed). */
  viewsPerCustomer: 20,
  /** Days before the cutoff whose product views count towards co-views. */
  viewDays: 365,
  /**
   * For you: a co-view confidence (the share of a product's viewers who viewed the other) counts
   * this much as evidence of buying — weaker than a co-purchase. Fixed at one half, not tuned.
   */
  coviewWeight: 0.5,
} as const;
