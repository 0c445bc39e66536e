/** What the API answers about flows and runs. */
import type { FlowResult } from '../experiments/index.js';
import type { FlowDocument, Trigger } from './flow.schema.js';
import type { FlowRunTable, FlowStatus, RunStatus } from './flows.table.js';

export interface FlowSummary {
  id: string;
  name: string;
  status: FlowStatus;
  live_version: number | null;
  trigger: Trigger;
  /** Runs ever started (holdout included). */
  entrants: number;
  in_progress: number;
  holdout: number;
  /** Messages the flow put in the send ledger. */
  messages: number;
  /**
   * Net revenue of the entrants who were not held out, each over the measurement's window from
   * their first entry, counting those whose window has elapsed (minor units); null until one has.
   */
  revenue: number | null;
  /** What the flow added over its holdout in that window, with the 95 % interval (minor units); null without a comparison. */
  incremental_revenue: FlowResult['incremental_revenue'];
  /** The flow's experiment: the window, the people counted, the verdict, and why a figure is null. */
  measurement: Omit<FlowResult, 'revenue' | 'incremental_revenue'>;
  created_at: Date;
  updated_at: Date;
}

export interface FlowView {
  id: string;
  name: string;
  status: FlowStatus;
  live_version: number | null;
  /** The draft: what the next publish makes live. */
  document: FlowDocument;
  versions: { version: number; published_at: Date }[];
  created_at: Date;
  updated_at: Date;
}

export interface RunStepView {
  step_id: string | null;
  outcome: string;
  detail: string | null;
  at: Date;
}

export interface RunView {
  id: number;
  flow_id: string;
  version: number;
  customer_id: number;
  trigger_kind: string;
  holdout: boolean;
  status: RunStatus;
  step_id: string | null;
  due_at: Date | null;
  exit_reason: string | null;
  entered_at: Date;
  finished_at: Date | null;
  steps: RunStepView[];
}

export function runViewOf(row: FlowRunTable, steps: readonly { step_id: string | null; outcome: string; detail: string | null; at: Date }[]): RunView {
  return {
    id: Number(row.id), flow_id: row.flow_id, version: row.version, customer_id: Number(row.customer_id), trigger_kind: row.trigger_kind, holdout: row.holdout,
    status: row.status, step_id: row.step_id, due_at: row.due_at, exit_reason: row.exit_reason, entered_at: row.entered_at, finished_at: row.finished_at,
    steps: steps.map((s) => ({ step_id: s.step_id, outcome: s.outcome, detail: s.detail, at: s.at })),
  };
}
