/** Flows, their runs and per-step counts, as the server's schemas define them. */
import type { Flow } from '../../../src/http/schemas/flows.schemas';

export type { Flow, FlowEnrolment, FlowRun, FlowRunPage, FlowStats, FlowSummary } from '../../../src/http/schemas/flows.schemas';
export type { FlowBacktest, FlowInstall, ReadyFlow } from '../../../src/http/schemas/flow-library.schemas';
export type FlowDocument = Flow['document'];
export type FlowStep = FlowDocument['steps'][number];
export type FlowTrigger = FlowDocument['trigger'];
