/**
 * The recommendation models, as pure functions of a trained model and one customer's history:
 * buy again, bought together, for you (the blend), next product and popular. Each result carries
 * the reason a person can read ("bought with Ceramic mug by 42 customers").
 */
import { tuning, type CustomerHistory, type ModelKind, type Reason, type Recommendation, type TrainedModel } from './model.types.js';

const dayMs = 86_400_000;

interface Candidate { score: number; reason: Reason; reasonWeight: number }

function offer(into: Map<number, Candidate>, productId: number, score: number, reason: Reason): void {
  if (!(score > 0)) return;
  const current = into.get(productId);
  if (!current) into.set(productId, { score, reason, reasonWeight: score });
  else {
    current.score += score;
    if (score > current.reasonWeight) Object.assign(current, { reason, reasonWeight: score });
  }
}

/** Whether a product may be recommended at all (published, in stock, in the price band, not blocked): applied before the top k is taken. */
export type Allowed = (productId: number) => boolean;
const everything: Allowed = () => true;

function ranked(candidates: Map<number, Candidate>, k: number, exclude: Set<number>, allowed: Allowed): Recommendation[] {
  return [...candidates].filter(([id]) => !exclude.has(id) && allowed(id))
    .sort(([a, x], [b, y]) => y.score - x.score || a - b)
    .slice(0, k)
    .map(([productId, c]) => ({ productId, score: c.score, reason: c.reason }));
}

/** How close a repurchase is to due: 1 when the usual interval has passed, less before and long after. */
export function dueness(daysSince: number, everyDays: number | null): number {
  if (everyDays === null || everyDays <= 0) return 1;
  const ratio = daysSince / everyDays;
  return ratio >= 1 ? Math.max(0.3, Math.exp(-(ratio - 1) / 3)) : 0.3 + 0.7 * ratio;
}

/**
 * Buy again: the customer's products scored by the share of their orders that had them (shrunk
 * towards the product's reorder rate with `ownPrior` pseudo-orders), times how due a reorder is — by the customer's own interval when
 * they bought it twice or more, otherwise the product's median reorder interval.
 */
export function buyAgain(model: TrainedModel, history: CustomerHistory, now: Date): Map<number, Candidate> {
  const out = new Map<number, Candidate>();
  const days = new Map<number, number[]>();
  for (const order of history.orders) for (const p of order.products) days.set(p, [...(days.get(p) ?? []), order.placedAt.getTime()]);
  for (const [productId, times] of days) {
    const stats = model.products.get(productId);
    const rate = stats?.reorderRate ?? 0.5;
    const own = times.length > 1 ? (times.at(-1)! - times[0]!) / dayMs / (times.length - 1) : null;
    const everyDays = own !== null && own >= 1 ? own : stats?.reorderDays ?? null;
    const since = (now.getTime() - times.at(-1)!) / dayMs;
    const score = ((times.length + tuning.ownPrior * rate) / (history.orders.length + tuning.ownPrior)) * dueness(since, everyDays);
    offer(out, productId, score, { kind: 'reorder', orders: times.length, everyDays: everyDays === null ? null : Math.round(everyDays) });
  }
  return out;
}

/** Co-purchase neighbours of the customer's products, each order's items weighted by its recency (halving per order back). */
export function similar(model: TrainedModel, history: CustomerHistory): Map<number, Candidate> {
  const out = new Map<number, Candidate>();
  const seen = new Set<number>();
  history.orders.slice().reverse().forEach((order, back) => {
    const recency = 0.5 ** back;
    for (const p of order.products) {
      if (seen.has(p)) continue;
      seen.add(p);
      const title = model.products.get(p)?.title ?? String(p);
      for (const n of model.together.get(p) ?? []) offer(out, n.productId, recency * n.score, { kind: 'bought_with', productId: p, title, customers: n.customers });
    }
  });
  return out;
}

/** The store's most popular products that may be recommended, the first `limit` of them. */
function popularAllowed(model: TrainedModel, limit: number, allowed: Allowed): number[] {
  const out: number[] = [];
  for (const id of model.popular) {
    if (out.length >= limit) break;
    if (allowed(id)) out.push(id);
  }
  return out;
}

function popularity(model: TrainedModel, limit: number, allowed: Allowed): Map<number, Candidate> {
  const out = new Map<number, Candidate>();
  const top = model.products.get(model.popular[0] ?? -1)?.weight ?? 1;
  for (const id of popularAllowed(model, limit, allowed)) {
    const stats = model.products.get(id)!;
    offer(out, id, stats.weight / top, { kind: 'popular', customers: stats.customers });
  }
  return out;
}

/**
 * Evidence for one product, combined as independent chances (noisy-or): the score is the chance
 * that at least one reason brings the customer to buy it. The reason shown is the strongest one.
 */
function chance(into: Map<number, Candidate>, productId: number, p: number, reason: Reason): void {
  if (!(p > 0)) return;
  const current = into.get(productId);
  if (!current) into.set(productId, { score: p, reason, reasonWeight: p });
  else {
    current.score = 1 - (1 - current.score) * (1 - p);
    if (p > current.reasonWeight) Object.assign(current, { reason, reasonWeight: p });
  }
}

/**
 * For you: for every product, the chance the customer buys it next from three kinds of evidence —
 * their own reorder (buy again, for consumables), each of their products' co-purchase confidence
 * (weighted by how many orders back they bought it, halving each order), and the product's share
 * of the store's recent buyers.
 */
function forYou(model: TrainedModel, history: CustomerHistory, now: Date, k: number, allowed: Allowed): Map<number, Candidate> {
  const out = new Map<number, Candidate>();
  const own = buyAgain(model, history, now);
  const top = Math.max(0, ...[...own.values()].map((c) => c.score));
  for (const [id, c] of own) chance(out, id, (c.score / top) * tuning.ownWeight, c.reason);
  const seen = new Set<number>();
  history.orders.slice().reverse().forEach((order, back) => {
    const recency = 0.5 ** back;
    for (const p of order.products) {
      if (seen.has(p)) continue;
      seen.add(p);
      const title = model.products.get(p)?.title ?? String(p);
      for (const n of model.together.get(p) ?? []) chance(out, n.productId, recency * n.confidence, { kind: 'bought_with', productId: p, title, customers: n.customers });
    }
  });
  // Co-views of the same products, weaker evidence than a co-purchase (`coviewWeight`).
  const viewedSeen = new Set<number>();
  history.orders.slice().reverse().forEach((order, back) => {
    const recency = 0.5 ** back;
    for (const p of order.products) {
      if (viewedSeen.has(p)) continue;
      viewedSeen.add(p);
      const title = model.products.get(p)?.title ?? String(p);
      for (const n of model.coviews.get(p) ?? []) {
        chance(out, n.productId, tuning.coviewWeight * recency * n.confidence, { kind: 'viewed_with', productId: p, title, customers: n.customers });
      }
    }
  });
  const customers = Math.max(1, model.customers);
  for (const id of popularAllowed(model, k * 5, allowed)) {
    const stats = model.products.get(id)!;
    chance(out, id, stats.weight / customers, { kind: 'popular', customers: stats.customers });
  }
  return out;
}

/**
 * What the customer already has and should not be offered again: everything they bought that is
 * not consumable (its reorder rate below `consumableFrom`). Consumables stay, timed by buy again.
 */
function owned(model: TrainedModel, history: CustomerHistory): Set<number> {
  const out = new Set<number>();
  for (const order of history.orders) {
    for (const p of order.products) if ((model.products.get(p)?.reorderRate ?? 0.5) < tuning.consumableFrom) out.add(p);
  }
  return out;
}

/**
 * One model's top `k` for a customer (an empty history gets the popular products), among the
 * products `allowed` lets through.
 */
export function recommend(model: TrainedModel, history: CustomerHistory, kind: ModelKind, k: number, now: Date = model.trainedBefore, allowed: Allowed = everything): Recommendation[] {
  const none = new Set<number>();
  if (history.orders.length === 0 || kind === 'popular') return ranked(popularity(model, k, allowed), k, none, allowed);
  const bought = new Set(history.orders.flatMap((o) => o.products));
  switch (kind) {
    case 'buy_again':
      return ranked(buyAgain(model, history, now), k, none, allowed);
    case 'bought_together': {
      const last = history.orders.at(-1)!;
      return ranked(similar(model, { ...history, orders: [last] }), k, bought, allowed);
    }
    case 'next_product': {
      const out = new Map<number, Candidate>();
      for (const p of history.orders[0]!.products) {
        const title = model.products.get(p)?.title ?? String(p);
        for (const n of model.next.get(p) ?? []) offer(out, n.productId, n.score, { kind: 'next_after', productId: p, title, customers: n.customers });
      }
      return ranked(out, k, new Set(history.orders[0]!.products), allowed);
    }
    case 'for_you': {
      return ranked(forYou(model, history, now, k, allowed), k, owned(model, history), allowed);
    }
  }
}

/** The sentence a customer or marketer reads beside a recommendation. */
export function explain(reason: Reason): string {
  switch (reason.kind) {
    case 'reorder':
      return reason.everyDays !== null && reason.orders > 1 ? `you reorder this about every ${reason.everyDays} days`
        : reason.everyDays !== null ? `you bought this before; customers reorder it about every ${reason.everyDays} days`
          : `you bought this ${reason.orders === 1 ? 'once' : `${reason.orders} times`}`;
    case 'bought_with':
      return `bought with ${reason.title} by ${reason.customers} ${reason.customers === 1 ? 'customer' : 'customers'}`;
    case 'viewed_with':
      return `viewed with ${reason.title} by ${reason.customers} ${reason.customers === 1 ? 'customer' : 'customers'}`;
    case 'next_after':
      return `${reason.customers} ${reason.customers === 1 ? 'customer' : 'customers'} who started with ${reason.title} bought this next`;
    case 'popular':
      return `popular: bought by ${reason.customers} ${reason.customers === 1 ? 'customer' : 'customers'}`;
    case 'persona_popular':
      return `popular with ${reason.persona}: bought by ${reason.customers} ${reason.customers === 1 ? 'customer' : 'customers'}`;
    case 'segment_popular':
      return `popular in ${reason.segment}: bought by ${reason.customers} ${reason.customers === 1 ? 'customer' : 'customers'}`;
    case 'pinned':
      return 'chosen by the store';
  }
}
