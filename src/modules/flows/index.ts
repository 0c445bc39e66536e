/** The flows module's public door: automated flows (documents, versions, runs), their step job and subscriber. */
import type { HearthModule } from '../../module.js';
import { FLOW_BROWSE_JOB, FLOW_DATE_JOB, FLOW_DATES_JOB, FLOW_STEP_JOB, type BrowseCheck, type DateEnrolment } from './flows.service.js';
import { flowsSubscriber } from './flows.subscriber.js';

export { FLOW_BROWSE_JOB, FLOW_DATE_JOB, FLOW_DATES_JOB, FLOW_STEP_JOB, FlowsService, type DateEnrolment } from './flows.service.js';
export { flowDocumentSchema, stepTypes, triggerSchema, DEFAULT_HOLDOUT_SHARE, type FlowDocument, type FlowDocumentInput, type Step, type Trigger } from './flow.schema.js';
export { flowStatuses, runStatuses, type FlowStatus, type RunStatus } from './flows.table.js';
export type { FlowSummary, FlowView, RunView } from './flow.view.js';
export type { FlowStats } from './flow-stats.js';
export { sendKeyOf } from './flow-steps.js';
export { FlowLibraryService, type ReadyFlowView } from './library/flow-library.service.js';
export { readyFlows } from './library/ready-flows.js';
export { FlowBacktestService, type BacktestResult, type BacktestStep } from './backtest/flow-backtest.js';

/**
 * Due steps run as `flows.step` jobs (one per store per wake, on a worker of their own); domain events enrol customers;
 * `flows.browse` jobs decide browse abandonment; the hourly `flows.dates` queues a `flows.date`
 * enrolment per flow and store day for date triggers.
 */
export const flowsModule: HearthModule = {
  name: 'flows',
  jobs: [
    { kind: FLOW_STEP_JOB, lane: 'flows', run: async (services, { payload }) => services.flows.runStepJob(payload as { storeId: string }) },
    { kind: FLOW_BROWSE_JOB, run: async (services, { payload }) => services.flows.runBrowseCheck(payload as BrowseCheck) },
    { kind: FLOW_DATES_JOB, run: async (services, { payload }) => services.flows.runDateTriggers(payload as { storeId: string }) },
    { kind: FLOW_DATE_JOB, run: async (services, { payload }) => services.flows.runDateEnrolment(payload as DateEnrolment) },
  ],
  schedules: [{ kind: FLOW_DATES_JOB, everyMs: 3_600_000 }],
  subscribers: (services) => [flowsSubscriber(services.flows)],
  start: async (services) => {
    await services.flows.recover();
  },
};
