import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';

/**
 * What an experiment measures: a campaign against its holdout, a campaign's A/B variants, a flow
 * against its holdout, the branches of a flow's split step, the store's global holdout, and an
 * offer against its holdout. Splits and A/B tests compare variants with each
 * other; the rest are programmes measured against people who got nothing.
 */
export const experimentKinds = ['campaign', 'ab_test', 'flow', 'flow_split', 'offer', 'global'] as const;
export type ExperimentKind = (typeof experimentKinds)[number];

/** Kinds whose control arm received nothing: their lift is the programme's incremental effect. */
export const programmeKinds: readonly ExperimentKind[] = ['campaign', 'flow', 'offer', 'global'];

export interface Arm {
  key: string;
  /** The share of eligible people the assignment rule sends to this arm (0 … 1). */
  share: number;
}

export interface ExperimentTable {
  store_id: string;
  /** `exp_` + a hash of (store, kind, source): the same source always has the same id. */
  id: string;
  kind: ExperimentKind;
  /** The campaign id, flow id, `<flow id>:<step id>`, offer id, or the global holdout's start (ISO time). */
  source_id: string;
  name: string;
  /** JSON array of `Arm`. */
  arms: string;
  control_arm: string;
  holdout_share: number;
  /** The hash key the source assigns by (campaign id, `holdout:<flow>`, `<flow>:<step>`, `offer:<offer>`, `global:<store>`). */
  seed: string;
  started_at: Date;
  /** The global holdout was turned off or changed: nobody becomes eligible after this. */
  ended_at: Date | null;
  created_at: Date;
}

export interface ExperimentAssignmentTable {
  store_id: string;
  experiment_id: string;
  customer_id: number;
  arm: string;
  /** When the customer became eligible (the first time: a later eligibility changes nothing). */
  eligible_at: Date;
}

/** Per arm and eligibility time, the people and the sums of their outcomes (outcomes.query.ts); replaced whole per experiment. */
export interface ExperimentOutcomeSumTable {
  store_id: string;
  experiment_id: string;
  arm: string;
  eligible_at: Date;
  people: number;
  /** x0, x1, x00, x01, x11, then y{metric}_{days}, yy…, yyy…, yyyy…, x0y…, x1y… (the migration lists them). */
  [sum: string]: number | string | Date;
}

export interface ExperimentOutcomeStateTable {
  store_id: string;
  experiment_id: string;
  /** What the kept sums were made from (outcomes.query.ts, `outcomeInputs`). */
  fingerprint: string;
  computed_at: Date;
}

export type ExperimentTables = {
  experiments: ExperimentTable;
  experiment_assignments: ExperimentAssignmentTable;
  experiment_outcome_sums: ExperimentOutcomeSumTable;
  experiment_outcome_states: ExperimentOutcomeStateTable;
};

export type ExperimentsDb = Kysely<Database & ExperimentTables>;

/** This module's tables added to its own view of the connection (the shared map needs no edit). */
export function experimentsDb(db: Kysely<Database>): ExperimentsDb {
  return db.withTables<ExperimentTables>();
}
