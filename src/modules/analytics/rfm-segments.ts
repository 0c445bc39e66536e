/**
 * The named RFM segments, as a complete map of recency score (R) × the rounded mean of frequency
 * and monetary scores (FM), each 1–5. The layout follows the widely used eleven-segment grid
 * (Champions … Lost) of RFM practice: high R and FM are Champions; high R with low FM are new or
 * promising; low R splits by how valuable the customer was.
 */
export const segments = [
  'Champions', 'Loyal', 'Potential loyalists', 'New', 'Promising', 'Need attention',
  'About to sleep', 'At risk', "Can't lose them", 'Hibernating', 'Lost',
] as const;
export type Segment = (typeof segments)[number];

interface Rule { segment: Segment; r: [number, number]; fm: [number, number] }

/** Every (R, FM) pair matches exactly one rule (checked by a test). */
export const segmentRules: readonly Rule[] = [
  { segment: 'Champions', r: [5, 5], fm: [4, 5] },
  { segment: 'Loyal', r: [3, 4], fm: [4, 5] },
  { segment: 'Potential loyalists', r: [4, 5], fm: [2, 3] },
  { segment: 'New', r: [5, 5], fm: [1, 1] },
  { segment: 'Promising', r: [4, 4], fm: [1, 1] },
  { segment: 'Need attention', r: [3, 3], fm: [3, 3] },
  { segment: 'About to sleep', r: [3, 3], fm: [1, 2] },
  { segment: 'At risk', r: [1, 2], fm: [3, 4] },
  { segment: "Can't lose them", r: [1, 2], fm: [5, 5] },
  { segment: 'Hibernating', r: [2, 2], fm: [1, 2] },
  { segment: 'Lost', r: [1, 1], fm: [1, 2] },
];

/**
 * What each segment means, in the store owner's words, with its scores: shown on hover wherever a
 * segment is named. RFM's "At risk" and "Lost" are about recency and past value; the model's churn
 * risk and P(alive) are other measures with other names ("High churn risk", "Probably lost").
 */
export const segmentDefinitions: Record<Segment, string> = {
  Champions: 'Ordered very recently, often and for a lot (R 5, FM 4–5).',
  Loyal: 'Order often and spend well, a little less recently than Champions (R 3–4, FM 4–5).',
  'Potential loyalists': 'Recent customers with average frequency and spend (R 4–5, FM 2–3).',
  New: 'Ordered very recently, once and for little so far (R 5, FM 1).',
  Promising: 'Recent, but have bought little so far (R 4, FM 1).',
  'Need attention': 'Middle of the road on recency, frequency and spend (R 3, FM 3).',
  'About to sleep': 'Not very recent, and bought little (R 3, FM 1–2).',
  'At risk': 'Used to buy often and spend well, but not for a long time (RFM: R 1–2, FM 3–4) — not the model\'s churn risk.',
  "Can't lose them": 'Among the best customers by frequency and spend, but gone quiet (R 1–2, FM 5).',
  Hibernating: 'Last ordered long ago, bought little (R 2, FM 1–2).',
  Lost: 'Longest since their last order, and bought little (RFM: R 1, FM 1–2) — not the model\'s P(alive).',
};

/** FM: the mean of F and M rounded half up. */
export function fmScore(f: number, m: number): number {
  return Math.floor((f + m + 1) / 2);
}

export function segmentOf(r: number, f: number, m: number): Segment {
  const fm = fmScore(f, m);
  const rule = segmentRules.find((x) => r >= x.r[0] && r <= x.r[1] && fm >= x.fm[0] && fm <= x.fm[1]);
  if (!rule) throw new Error(`no RFM segment for R=${r} FM=${fm}`);
  return rule.segment;
}

/** A score 1–5 from a value's percent rank among the store's customers (ties share the lower score). */
export function scoreOfPercentRank(percentRank: number): number {
  return Math.min(5, 1 + Math.floor(5 * percentRank));
}
