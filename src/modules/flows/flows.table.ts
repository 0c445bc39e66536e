import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';

export const flowStatuses = ['draft', 'live', 'paused'] as const;
export type FlowStatus = (typeof flowStatuses)[number];

export const runStatuses = ['active', 'completed', 'exited'] as const;
export type RunStatus = (typeof runStatuses)[number];

export interface FlowTable {
  store_id: string;
  id: string;
  name: string;
  status: FlowStatus;
  /** The editable document (JSON), published as a new version. */
  draft: string;
  live_version: number | null;
  created_at: Date;
  updated_at: Date;
}

/** Append-only: each publication of a flow. */
export interface FlowVersionTable {
  store_id: string;
  flow_id: string;
  version: number;
  document: string;
  published_at: Date;
}

export interface FlowRunTable {
  store_id: string;
  /** From `flow_runs_id_seq`: the run in send keys (`flow:<run>:<step>`). */
  id: number;
  flow_id: string;
  version: number;
  customer_id: number;
  /** flow + customer + what enrolled them (a domain event id, or a manual enrolment): unique. */
  enrolment_key: string;
  trigger_kind: string;
  trigger_event_id: number | null;
  /** The triggering order (or event row), so an `ordered` exit does not count the order that started the run. */
  trigger_entity_id: number | null;
  /** Follows the flow without receiving anything (the flow's holdout). */
  holdout: boolean;
  entered_at: Date;
  status: RunStatus;
  /** The step to run next (null once finished). */
  step_id: string | null;
  /** When the run arrived at that step (a wait for an event counts from here). */
  step_since: Date | null;
  due_at: Date | null;
  exit_reason: string | null;
  finished_at: Date | null;
  updated_at: Date;
}

/** Append-only: what happened to a run at each step. */
export interface FlowRunStepTable {
  seq: number;
  store_id: string;
  run_id: number;
  step_id: string | null;
  outcome: string;
  detail: string | null;
  recorded_at: Date;
}

export type FlowTables = {
  flows: FlowTable;
  flow_versions: FlowVersionTable;
  flow_runs: FlowRunTable;
  flow_run_steps: FlowRunStepTable;
};

export type FlowsDb = Kysely<Database & FlowTables>;

/** This module's tables added to its own view of the connection (the shared map needs no edit). */
export function flowsDb(db: Kysely<Database>): FlowsDb {
  return db.withTables<FlowTables>();
}
