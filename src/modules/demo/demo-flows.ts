/**
 * The ready flows the demo store switched on when its history window began: installed from the
 * flow library and published then. The win-back flow's second email carries a unique code of the
 * demo's win-back offer (docs/offers.md), which holds out its own 10 % of those who reach it. The segments two of them listen to are created with the rules
 * the library gives a store whose predictions are not fitted yet (the store installed them before
 * it had predictions), because only those rules can be evaluated on the data of a past day; the
 * demo's history walk (demo-history.ts) then re-evaluates them day by day.
 */
import { readyFlows, type FlowsService } from '../flows/index.js';
import type { OfferInput } from '../offers/index.js';
import type { Services } from '../../services.js';

/** The ready flows the demo runs, by library key. */
export const DEMO_FLOW_KEYS = ['welcome_series', 'abandoned_checkout', 'review_request', 'win_back', 'vip_welcome', 'birthday'] as const;
export type DemoFlowKey = (typeof DEMO_FLOW_KEYS)[number];

/** The offer the win-back flow's second email carries; a fixed id, so its holdout is the same on every build. */
export const DEMO_WIN_BACK_OFFER = {
  id: 'ofr_demo_win_back',
  /** The win-back flow's step that sends it. */
  step: 'offer',
  input: { name: 'Win-back: 10 % off', value_kind: 'percent', value: 10, valid_days: 30, pattern: 'MISSYOU-??????' } satisfies OfferInput,
} as const;

export interface DemoFlows {
  /** Flow id per library key. */
  ids: Record<DemoFlowKey, string>;
  /** The win-back offer's id. */
  offerId: string;
  /** The segments whose entries start a flow, re-evaluated each day of the walk. */
  segmentIds: string[];
}

export async function installDemoFlows(services: Services, flows: FlowsService, storeId: string, now: Date): Promise<DemoFlows> {
  const segmentIds: string[] = [];
  const existing = await services.segments.list(storeId);
  for (const key of DEMO_FLOW_KEYS) {
    const need = readyFlows.find((f) => f.key === key)!.segment;
    if (!need) continue;
    const found = existing.find((s) => s.name === need.name);
    const rule = need.fallback ?? { description: need.description, rule: need.rule };
    segmentIds.push(found ? found.id : (await services.segments.create(storeId, { name: need.name, description: rule.description, rule: rule.rule })).id);
  }
  const offer = await services.offers.get(storeId, DEMO_WIN_BACK_OFFER.id).catch(() => undefined)
    ?? await services.offers.create(storeId, DEMO_WIN_BACK_OFFER.input, now, { id: DEMO_WIN_BACK_OFFER.id });
  const ids = {} as Record<DemoFlowKey, string>;
  for (const key of DEMO_FLOW_KEYS) {
    // A fixed id per ready flow: the engine's holdout is a hash of flow and customer, so the same
    // seed gives the same holdout, the same runs and the same planted orders on every build.
    let { flow } = await services.flowLibrary.install(storeId, key, { flowId: `flow_demo_${key}` });
    if (key === 'win_back' && flow.live_version === null) {
      const steps = flow.document.steps.map((step) => (step.id === DEMO_WIN_BACK_OFFER.step ? { ...step, offer_id: offer.id } : step));
      flow = await flows.update(storeId, flow.id, { document: { ...flow.document, steps } });
    }
    // Published on the walk's clock: the version is dated the day the flow went live.
    if (flow.live_version === null) await flows.publish(storeId, flow.id);
    ids[key] = flow.id;
  }
  return { ids, offerId: offer.id, segmentIds };
}
