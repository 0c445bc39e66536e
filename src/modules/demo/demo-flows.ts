/**
 * The ready flows the demo store switched on when its history window began: installed from the
 * flow library and published then. The segments two of them listen to are created with the rules
 * the library gives a store whose predictions are not fitted yet (the store installed them before
 * it had predictions), because only those rules can be evaluated on the data of a past day; the
 * demo's history walk (demo-history.ts) then re-evaluates them day by day.
 */
import { readyFlows, type FlowsService } from '../flows/index.js';
import type { Services } from '../../services.js';

/** The ready flows the demo runs, by library key. */
export const DEMO_FLOW_KEYS = ['welcome_series', 'abandoned_checkout', 'review_request', 'win_back', 'vip_welcome'] as const;
export type DemoFlowKey = (typeof DEMO_FLOW_KEYS)[number];

export interface DemoFlows {
  /** Flow id per library key. */
  ids: Record<DemoFlowKey, string>;
  /** The segments whose entries start a flow, re-evaluated each day of the walk. */
  segmentIds: string[];
}

export async function installDemoFlows(services: Services, flows: FlowsService, storeId: string): Promise<DemoFlows> {
  const segmentIds: string[] = [];
  const existing = await services.segments.list(storeId);
  for (const key of DEMO_FLOW_KEYS) {
    const need = readyFlows.find((f) => f.key === key)!.segment;
    if (!need) continue;
    const found = existing.find((s) => s.name === need.name);
    const rule = need.fallback ?? { description: need.description, rule: need.rule };
    segmentIds.push(found ? found.id : (await services.segments.create(storeId, { name: need.name, description: rule.description, rule: rule.rule })).id);
  }
  const ids = {} as Record<DemoFlowKey, string>;
  for (const key of DEMO_FLOW_KEYS) {
    // A fixed id per ready flow: the engine's holdout is a hash of flow and customer, so the same
    // seed gives the same holdout, the same runs and the same planted orders on every build.
    const { flow } = await services.flowLibrary.install(storeId, key, { flowId: `flow_demo_${key}` });
    // Published on the walk's clock: the version is dated the day the flow went live.
    if (flow.live_version === null) await flows.publish(storeId, flow.id);
    ids[key] = flow.id;
  }
  return { ids, segmentIds };
}
