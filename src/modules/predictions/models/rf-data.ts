/**
 * Recency–frequency data of a customer base: per customer x (repeat purchase days), t_x (age at
 * the last purchase) and T (age at the end of the period), in the fit's time unit. The count
 * models' likelihoods depend on a customer only through (x, t_x, T), so those triples are
 * sufficient statistics: the fit runs on the unique triples with their counts as weights.
 */
export interface RecencyFrequency {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  weight: Float64Array;
  /** Number of rows (unique triples, or customers when not compressed). */
  length: number;
  /** Number of customers represented (sum of weights). */
  customers: number;
}

export function uncompressed(x: ArrayLike<number>, tx: ArrayLike<number>, T: ArrayLike<number>): RecencyFrequency {
  const n = x.length;
  return {
    x: Float64Array.from(x),
    tx: Float64Array.from(tx),
    T: Float64Array.from(T),
    weight: new Float64Array(n).fill(1),
    length: n,
    customers: n,
  };
}

/**
 * Groups customers by (x, t_x, T). Returns the unique triples with counts and, for each customer,
 * the index of its triple (so per-triple scores can be handed back to customers). Integer
 * triples (day units) are keyed by one number; others by their text.
 */
export function compress(x: ArrayLike<number>, tx: ArrayLike<number>, T: ArrayLike<number>): RecencyFrequency & { index: Int32Array } {
  const n = x.length;
  const index = new Int32Array(n);
  const ux: number[] = [];
  const utx: number[] = [];
  const uT: number[] = [];
  const counts: number[] = [];
  let integral = true;
  for (let i = 0; i < n && integral; i += 1) {
    integral = Number.isInteger(x[i]) && Number.isInteger(tx[i]) && Number.isInteger(T[i]) && x[i]! < 2 ** 18 && T[i]! < 2 ** 17 && tx[i]! >= 0;
  }
  const seen = new Map<number | string, number>();
  for (let i = 0; i < n; i += 1) {
    const key = integral ? (x[i]! * 2 ** 17 + tx[i]!) * 2 ** 17 + T[i]! : `${x[i]}|${tx[i]}|${T[i]}`;
    let slot = seen.get(key);
    if (slot === undefined) {
      slot = ux.length;
      seen.set(key, slot);
      ux.push(x[i]!);
      utx.push(tx[i]!);
      uT.push(T[i]!);
      counts.push(0);
    }
    counts[slot]! += 1;
    index[i] = slot;
  }
  return {
    x: Float64Array.from(ux),
    tx: Float64Array.from(utx),
    T: Float64Array.from(uT),
    weight: Float64Array.from(counts),
    length: ux.length,
    customers: n,
    index,
  };
}

/**
 * The unique triples with counts, without the customer → triple index (what a fit needs). Whole
 * numbers (day units) are packed into one float key and sorted natively, which is several times
 * faster than hashing a million keys.
 */
export function compressCounts(x: ArrayLike<number>, tx: ArrayLike<number>, T: ArrayLike<number>): RecencyFrequency {
  const n = x.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    const xi = x[i]!;
    const txi = tx[i]!;
    const Ti = T[i]!;
    if (!(Number.isInteger(xi) && Number.isInteger(txi) && Number.isInteger(Ti) && xi >= 0 && xi < 2 ** 18 && txi >= 0 && Ti < 2 ** 17)) {
      const { index: _index, ...rest } = compress(x, tx, T);
      return rest;
    }
    keys[i] = (xi * 2 ** 17 + txi) * 2 ** 17 + Ti;
  }
  keys.sort();
  let unique = 0;
  for (let i = 0; i < n; i += 1) if (i === 0 || keys[i] !== keys[i - 1]) unique += 1;
  const out = { x: new Float64Array(unique), tx: new Float64Array(unique), T: new Float64Array(unique), weight: new Float64Array(unique), length: unique, customers: n };
  let slot = -1;
  for (let i = 0; i < n; i += 1) {
    const key = keys[i]!;
    if (i === 0 || key !== keys[i - 1]) {
      slot += 1;
      const Ti = key % 2 ** 17;
      const rest = (key - Ti) / 2 ** 17;
      const txi = rest % 2 ** 17;
      out.x[slot] = (rest - txi) / 2 ** 17;
      out.tx[slot] = txi;
      out.T[slot] = Ti;
    }
    out.weight[slot]! += 1;
  }
  return out;
}

/** Distinct values of x with, for each row, the position of its x (for per-x precomputation). */
const frequencyCache = new WeakMap<RecencyFrequency, { values: number[]; position: Int32Array }>();

export function distinctFrequencies(data: RecencyFrequency): { values: number[]; position: Int32Array } {
  const cached = frequencyCache.get(data);
  if (cached) return cached;
  const values: number[] = [];
  const slots = new Map<number, number>();
  const position = new Int32Array(data.length);
  for (let i = 0; i < data.length; i += 1) {
    const x = data.x[i]!;
    let slot = slots.get(x);
    if (slot === undefined) {
      slot = values.length;
      slots.set(x, slot);
      values.push(x);
    }
    position[i] = slot;
  }
  frequencyCache.set(data, { values, position });
  return { values, position };
}

/**
 * Every k-th row with its weight, at most `maxRows` rows: the multi-start search runs on this
 * thinned set and only the best start is polished on all rows, which keeps large fits fast.
 */
export function thin(data: RecencyFrequency, maxRows: number): RecencyFrequency {
  if (data.length <= maxRows) return data;
  const every = Math.ceil(data.length / maxRows);
  const pick = (values: Float64Array) => Float64Array.from({ length: Math.ceil(data.length / every) }, (_, i) => values[i * every]!);
  const weight = pick(data.weight);
  return { x: pick(data.x), tx: pick(data.tx), T: pick(data.T), weight, length: weight.length, customers: weight.reduce((s, w) => s + w, 0) };
}
