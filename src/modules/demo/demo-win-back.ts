/**
 * The win-back flow's planted effect (planted-effects.ts, docs/demo.md "Planted effects"), applied
 * day by day as the history walk enrols customers. Each day's new non-holdout entrants are N; of
 * them, M have no order in the 30 days after entering in the data as it stands (the simulated
 * history, which never reacts to a message), and M' of those are in the offered arm of the win-back
 * offer that the flow's second email carries. Those M' are drawn with probability
 * q = (0.03 · N + carried) / M' (at most 1), by a hash of the customer, so the expected number of
 * added orders is exactly 0.03 · N. A day where none can be given an order (M' = 0) carries its
 * 0.03 · N to the next, so the walk's total stays exact in expectation.
 *
 * Each chosen customer gets one order inside their window (and before the demo's last day): after
 * the offer email, with their code of the offer (issued now under the email's send key, dated when
 * the email is due, so the flow's step hands out that same code), or, when the demo ends before
 * that email, from the first email on, without a code. The flow's effect on its treated entrants
 * is unchanged; the offer, whose held-out customers get the same emails without a code and no
 * added order, shows the effect as its own lift.
 */
import { sql } from 'kysely';
import { DAY_MS } from '../../lib/time.js';
import { sendKeyOf, type FlowsService, type RunView } from '../flows/index.js';
import type { Services } from '../../services.js';
import { DEMO_WIN_BACK_OFFER } from './demo-flows.js';
import { plantedDraw, WIN_BACK_FLOW_EFFECT, WIN_BACK_ORDER_PREFIX } from './planted-effects.js';

/** The walk's running account of the planted effect. */
export interface WinBackLedger {
  /** Expected added orders not yet given (a day without candidates). */
  owed: number;
  /** Non-holdout entrants so far (N summed). */
  treated: number;
  /** Of them, those in the offer's offered arm without an order in their window in the history (M' summed). */
  withoutOrder: number;
  /** Orders added. */
  added: number;
  /** Sum over days of q · M: the expected number of added orders. */
  expected: number;
  /** The last run looked at. */
  lastRun: number;
}

export const newWinBackLedger = (): WinBackLedger => ({ owed: 0, treated: 0, withoutOrder: 0, added: 0, expected: 0, lastRun: 0 });

const WINDOW_MS = WIN_BACK_FLOW_EFFECT.window_days * DAY_MS;
/** When the flow's offer email is due after entering (its wait step). */
export const OFFER_EMAIL_AFTER_MS = 7 * DAY_MS;

/** The share drawn on a day with `treated` entrants, `candidates` of them (offered, without an order) to draw from, and `owed` carried in. */
export function responseShare(treated: number, candidates: number, owed: number): { q: number; owed: number } {
  const due = (WIN_BACK_FLOW_EFFECT.difference_points / 100) * treated + owed;
  if (candidates === 0) return { q: 0, owed: due };
  const q = Math.min(1, due / candidates);
  return { q, owed: due - q * candidates };
}

export async function plantWinBackOrders(
  services: Services, flows: FlowsService, storeId: string, ids: { flowId: string; offerId: string }, ledger: WinBackLedger,
  at: { now: Date; end: Date; currency: string },
): Promise<number> {
  const runs: RunView[] = [];
  for (let after = ledger.lastRun; ;) {
    const page = await flows.runs(storeId, ids.flowId, { after, limit: 1000 });
    runs.push(...page.data);
    if (page.next_after === null) break;
    after = page.next_after;
  }
  if (runs.length === 0) return 0;
  ledger.lastRun = runs.at(-1)!.id;
  const treated = runs.filter((r) => !r.holdout);
  const ordered = new Set<number>();
  if (treated.length) {
    const { rows } = await sql<{ customer_id: number; placed_at: Date }>`
      select customer_id, placed_at from orders where store_id = ${storeId} and status <> 'cancelled'
        and customer_id in (${sql.join(treated.map((r) => r.customer_id))}) and external_id not like ${`${WIN_BACK_ORDER_PREFIX}%`}`.execute(services.storage.read);
    for (const run of treated) {
      const from = run.entered_at.getTime();
      if (rows.some((o) => Number(o.customer_id) === run.customer_id && o.placed_at.getTime() > from && o.placed_at.getTime() <= from + WINDOW_MS)) ordered.add(run.id);
    }
  }
  const free = treated.filter((r) => !ordered.has(r.id));
  const arms = await services.offers.armsOf(storeId, ids.offerId, free.map((r) => r.customer_id));
  const candidates = free.filter((r) => arms.get(r.customer_id) === 'offered');
  const { q, owed } = responseShare(treated.length, candidates.length, ledger.owed);
  Object.assign(ledger, { owed, treated: ledger.treated + treated.length, withoutOrder: ledger.withoutOrder + candidates.length, expected: ledger.expected + q * candidates.length });
  const chosen = candidates.filter((r) => plantedDraw('win_back', r.customer_id) < q);
  if (chosen.length === 0) return 0;
  const customers = new Map((await services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', storeId)
    .where('id', 'in', chosen.map((r) => r.customer_id)).execute()).map((c) => [Number(c.id), c.external_id]));
  const products = await services.storage.read.selectFrom('products').select(['external_id', 'title', 'price']).where('store_id', '=', storeId)
    .where('price', 'is not', null).orderBy('external_id').limit(40).execute();
  const orders = [];
  for (const run of chosen.filter((r) => customers.get(r.customer_id))) {
    const product = products[run.customer_id % products.length]!;
    // Uniform over the window (cut at the demo's last day), given that the customer was chosen:
    // after the offer email when it is sent before the end, else from entering.
    const u = plantedDraw('win_back', run.customer_id) / q;
    const entered = run.entered_at.getTime();
    const last = Math.min(entered + WINDOW_MS, at.end.getTime());
    const emailAt = entered + OFFER_EMAIL_AFTER_MS;
    const withCode = emailAt < last - DAY_MS;
    const from = withCode ? emailAt : entered;
    const code = withCode
      ? (await services.offers.issue(storeId, ids.offerId, run.customer_id, sendKeyOf(run.id, DEMO_WIN_BACK_OFFER.step), new Date(emailAt))).issue.code
      : null;
    orders.push({
      external_id: `${WIN_BACK_ORDER_PREFIX}${run.id}`, customer_external_id: customers.get(run.customer_id)!, currency: at.currency,
      discount_codes: code ? [code] : [], channel: 'email', placed_at: new Date(from + (0.05 + 0.95 * u) * (last - from)),
      lines: [{ product_external_id: product.external_id, title: product.title, quantity: 1, unit_price: Number(product.price) }],
    });
  }
  if (orders.length) await services.commerce.write(storeId, { orders }, { source: 'demo' });
  ledger.added += orders.length;
  return orders.length;
}
