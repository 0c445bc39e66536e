/**
 * k-means on standardised features (ml-kmeans, k-means++ initialisation, fixed seed) with k
 * chosen by the mean silhouette (Rousseeuw 1987, "Silhouettes: a graphical aid to the
 * interpretation and validation of cluster analysis", J. Comput. Appl. Math. 20:53–65):
 * s(i) = (b(i) − a(i)) / max(a(i), b(i)), a = mean distance to the own cluster, b = the smallest
 * mean distance to another cluster. A higher mean silhouette means tighter, better separated
 * clusters; unlike the within-cluster error it does not keep improving as k grows.
 */

import { seededRandom } from '../../lib/random.js';

export { seededRandom };

/** Indices of a seeded sample of n out of total (all when total ≤ n), in ascending order. */
export function sampleIndices(total: number, n: number, seed: number): number[] {
  const all = Array.from({ length: total }, (_, i) => i);
  if (total <= n) return all;
  const random = seededRandom(seed);
  for (let i = 0; i < n; i += 1) {
    const j = i + Math.floor(random() * (total - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, n).sort((a, b) => a - b);
}

export interface Standardised {
  rows: number[][];
  mean: number[];
  sd: number[];
}

/**
 * z-scores per column; a constant column becomes 0 (it cannot separate anyone). A NaN value (a
 * feature unknown for that customer) is left out of its column's mean and spread and becomes 0:
 * "like the average of those it is known for", so it pulls no one towards either end.
 */
export function standardise(rows: number[][]): Standardised {
  const d = rows[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  const known = new Array<number>(d).fill(0);
  for (const row of rows) for (let j = 0; j < d; j += 1) if (!Number.isNaN(row[j]!)) { mean[j]! += row[j]!; known[j]! += 1; }
  for (let j = 0; j < d; j += 1) mean[j] = known[j]! > 0 ? mean[j]! / known[j]! : 0;
  for (const row of rows) for (let j = 0; j < d; j += 1) if (!Number.isNaN(row[j]!)) sd[j]! += (row[j]! - mean[j]!) ** 2;
  for (let j = 0; j < d; j += 1) sd[j] = known[j]! > 0 ? Math.sqrt(sd[j]! / known[j]!) : 0;
  return { rows: rows.map((row) => row.map((v, j) => (sd[j]! > 0 && !Number.isNaN(v) ? (v - mean[j]!) / sd[j]! : 0))), mean, sd };
}

const distance = (a: number[], b: number[]): number => {
  let sum = 0;
  for (let j = 0; j < a.length; j += 1) sum += (a[j]! - b[j]!) ** 2;
  return Math.sqrt(sum);
};

/** Mean silhouette of a labelling (Euclidean). Points alone in their cluster score 0, as in the paper. */
export function meanSilhouette(points: number[][], labels: number[]): number {
  const k = Math.max(...labels) + 1;
  if (k < 2 || points.length < 2) return 0;
  const sizes = new Array<number>(k).fill(0);
  for (const label of labels) sizes[label]! += 1;
  let total = 0;
  for (let i = 0; i < points.length; i += 1) {
    const sums = new Array<number>(k).fill(0);
    for (let j = 0; j < points.length; j += 1) if (i !== j) sums[labels[j]!]! += distance(points[i]!, points[j]!);
    const own = labels[i]!;
    if (sizes[own]! <= 1) continue;
    const a = sums[own]! / (sizes[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c += 1) if (c !== own && sizes[c]! > 0) b = Math.min(b, sums[c]! / sizes[c]!);
    total += b === Infinity ? 0 : (b - a) / Math.max(a, b);
  }
  return total / points.length;
}

function withinSquares(points: number[][], labels: number[], centroids: number[][]): number {
  let sum = 0;
  for (let i = 0; i < points.length; i += 1) sum += distance(points[i]!, centroids[labels[i]!]!) ** 2;
  return sum;
}

export interface Clustering {
  k: number;
  centroids: number[][];
  /** Mean silhouette for each k tried. */
  silhouettes: { k: number; silhouette: number }[];
  reason: string;
}

export interface ClusterOptions {
  seed: number;
  /** A fixed k; otherwise the best of kMin..kMax (default 2…6: more personas than a marketer can act on adds little) by silhouette. */
  k?: number;
  kMin?: number;
  kMax?: number;
  /** Points used to score silhouettes (the computation is quadratic). */
  silhouetteSample?: number;
  /** Seeded k-means starts per k (the best is kept). */
  starts?: number;
}

export async function cluster(points: number[][], options: ClusterOptions): Promise<Clustering> {
  // ml-kmeans brings a few hundred modules: loaded when personas are found, not by every command.
  const { kmeans } = await import('ml-kmeans');
  // A requested k is scored beside the usual range, so the silhouettes always show what it is weighed against.
  const kMin = Math.min(options.kMin ?? 2, options.k ?? Infinity);
  const kMax = Math.min(Math.max(options.kMax ?? 6, options.k ?? 0), points.length - 1);
  if (kMax < kMin || (options.k && options.k > kMax)) throw new Error(`too few customers (${points.length}) to find ${options.k ?? kMin} personas`);
  // 3,000 points put the sampling error of a mean silhouette near ±0.005, below the 0.01 margin.
  const scoreIdx = sampleIndices(points.length, options.silhouetteSample ?? 3000, options.seed + 1);
  const scorePoints = scoreIdx.map((i) => points[i]!);
  const results: { k: number; silhouette: number; centroids: number[][] }[] = [];
  for (let k = kMin; k <= kMax; k += 1) {
    // k-means finds a local optimum that depends on its start: keep the best of a few seeded
    // starts (lowest within-cluster sum of squares), so the silhouette compares k, not luck.
    let fit = kmeans(points, k, { seed: options.seed, initialization: 'kmeans++', maxIterations: 100 });
    let error = withinSquares(points, fit.clusters, fit.centroids);
    for (let start = 1; start < (options.starts ?? 3); start += 1) {
      const other = kmeans(points, k, { seed: options.seed + start * 7919, initialization: 'kmeans++', maxIterations: 100 });
      const otherError = withinSquares(points, other.clusters, other.centroids);
      if (otherError < error) [fit, error] = [other, otherError];
    }
    const labels = fit.nearest(scorePoints);
    results.push({ k, silhouette: meanSilhouette(scorePoints, labels), centroids: fit.centroids });
  }
  // The highest silhouette wins; a larger k must beat a smaller one by a clear margin to be
  // worth the extra persona a marketer has to read.
  let best = results[0]!;
  for (const result of results) if (result.silhouette > best.silhouette + 0.01) best = result;
  if (options.k) {
    const chosen = results.find((r) => r.k === options.k)!;
    const reason = `k = ${chosen.k} was requested (mean silhouette ${chosen.silhouette.toFixed(3)}; by silhouette alone k = ${best.k} would be chosen, at ${best.silhouette.toFixed(3)}); ${strength(chosen.silhouette)}`;
    return { k: chosen.k, centroids: chosen.centroids, silhouettes: results.map(({ k, silhouette }) => ({ k, silhouette })), reason };
  }
  const reason = `k = ${best.k} has the highest mean silhouette (${best.silhouette.toFixed(3)}) of k = ${kMin}…${kMax}${runnerUp(results, best)}; ${strength(best.silhouette)}`;
  return { k: best.k, centroids: best.centroids, silhouettes: results.map(({ k, silhouette }) => ({ k, silhouette })), reason };
}

/**
 * Kaufman & Rousseeuw's reading of a mean silhouette ("Finding Groups in Data", 1990, ch. 2):
 * above 0.70 strong, 0.51–0.70 reasonable, 0.26–0.50 weak, 0.25 or less no substantial structure.
 * Buyers rarely fall into crisp groups, so the words say how far to trust the split.
 */
export function strength(silhouette: number): string {
  if (silhouette > 0.7) return 'a strong structure: customers sit well inside their persona';
  if (silhouette > 0.5) return 'a reasonable structure: most customers clearly belong to one persona';
  if (silhouette > 0.25) return 'a weak structure: personas are real tendencies, with many customers near a border';
  return 'no strong structure: the personas are broad tendencies and many customers sit between two';
}

function runnerUp(results: { k: number; silhouette: number }[], best: { k: number; silhouette: number }): string {
  const next = results.filter((r) => r.k !== best.k).sort((a, b) => b.silhouette - a.silhouette)[0];
  if (!next) return '';
  return next.silhouette > best.silhouette
    ? ` (k = ${next.k} scores ${next.silhouette.toFixed(3)}, less than 0.01 higher: as well separated, so the fewer personas win; ask for ${next.k} for finer ones)`
    : ` (next best k = ${next.k}: ${next.silhouette.toFixed(3)})`;
}

/** The index of the nearest centroid for a point. */
export function nearestCentroid(point: number[], centroids: number[][]): number {
  let best = 0;
  let bestDistance = Infinity;
  for (const [i, centroid] of centroids.entries()) {
    const d = distance(point, centroid);
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  }
  return best;
}
