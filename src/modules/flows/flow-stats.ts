/**
 * How many runs reached each step of a flow, wait there, left by each exit and left the flow at it,
 * counted in SQL from the runs and their append-only step log. The counts are by step id, so a
 * step that keeps its id across versions keeps its history; `version` limits them to the runs that
 * started on one version.
 */
import { sql } from 'kysely';
import { exitsOf, type FlowDocument, type Step } from './flow.schema.js';
import { EVENT_ARRIVED } from './flow-steps.js';
import type { FlowsDb } from './flows.table.js';

export interface FlowStepStats {
  step_id: string;
  /** Runs that arrived at the step (those still waiting there included). */
  reached: number;
  /** Runs in progress at the step now (waiting, or due to move on). */
  waiting: number;
  /** Runs that left the flow at this step, by reason (an exit condition, `error`). */
  exited: { reason: string; runs: number }[];
}

export interface FlowEdgeStats {
  from: string;
  /** The field of the step that names the edge: `next`, `yes`, `no`, `timeout_next`, `branches.0.next`. */
  field: string;
  /** The step it leads to (null: the run completes). */
  to: string | null;
  /** Runs that took it. */
  taken: number;
}

export interface FlowStats {
  /** The version whose steps and edges are listed (null: the draft of a flow never published). */
  version: number | null;
  runs: { entered: number; in_progress: number; completed: number; exited: number; holdout: number };
  steps: FlowStepStats[];
  edges: FlowEdgeStats[];
}

/** Outcomes of the step log that are not a step's result (enrolment, the end, a noted event). */
const notAnExit = new Set(['entered', 'completed', 'exited', 'error', EVENT_ARRIVED]);

/** The edge (by field) a logged outcome of a step went along, if any. */
export function edgeFieldOf(step: Step, outcome: string): string | undefined {
  if (notAnExit.has(outcome)) return undefined;
  switch (step.type) {
    case 'condition': return outcome === 'yes' || outcome === 'no' ? outcome : undefined;
    case 'split': {
      const n = /^branch (\d+)$/.exec(outcome);
      return n ? `branches.${Number(n[1]) - 1}.next` : undefined;
    }
    case 'wait_for_event': return outcome === 'event' ? 'next' : outcome === 'timed_out' ? 'timeout_next' : undefined;
    case 'exit': return undefined;
    default: return 'next';
  }
}

export async function flowStats(db: FlowsDb, storeId: string, flowId: string, document: FlowDocument, shown: number | null, only: number | undefined): Promise<FlowStats> {
  const version = only === undefined ? sql`` : sql`and r.version = ${only}`;
  const totals = await sql<{ entered: number; in_progress: number; completed: number; exited: number; holdout: number }>`
    select count(*) as entered, count(*) filter (where status = 'active') as in_progress, count(*) filter (where status = 'completed') as completed,
      count(*) filter (where status = 'exited') as exited, count(*) filter (where holdout) as holdout
    from flow_runs r where r.store_id = ${storeId} and r.flow_id = ${flowId} ${version}`.execute(db);
  const reached = await sql<{ step_id: string; runs: number }>`
    select step_id, count(distinct run_id) as runs from (
      select s.step_id, s.run_id from flow_run_steps s join flow_runs r on r.store_id = s.store_id and r.id = s.run_id
      where s.store_id = ${storeId} and r.flow_id = ${flowId} ${version} and s.step_id is not null and s.outcome <> ${EVENT_ARRIVED}
      union all
      select r.step_id, r.id from flow_runs r where r.store_id = ${storeId} and r.flow_id = ${flowId} ${version} and r.status = 'active' and r.step_id is not null
    ) t group by step_id`.execute(db);
  const waiting = await sql<{ step_id: string; runs: number }>`
    select r.step_id, count(*) as runs from flow_runs r
    where r.store_id = ${storeId} and r.flow_id = ${flowId} ${version} and r.status = 'active' and r.step_id is not null group by r.step_id`.execute(db);
  const outcomes = await sql<{ step_id: string; outcome: string; reason: string | null; runs: number }>`
    select s.step_id, s.outcome, case when s.outcome = 'exited' then s.detail end as reason, count(distinct s.run_id) as runs
    from flow_run_steps s join flow_runs r on r.store_id = s.store_id and r.id = s.run_id
    where s.store_id = ${storeId} and r.flow_id = ${flowId} ${version} and s.step_id is not null
    group by 1, 2, 3`.execute(db);

  const reachedBy = new Map(reached.rows.map((r) => [r.step_id, Number(r.runs)]));
  const waitingBy = new Map(waiting.rows.map((r) => [r.step_id, Number(r.runs)]));
  const byId = new Map(document.steps.map((s) => [s.id, s]));
  const exited = new Map<string, Map<string, number>>();
  const taken = new Map<string, number>();
  for (const row of outcomes.rows) {
    const runs = Number(row.runs);
    if (row.outcome === 'exited' || row.outcome === 'error') {
      const reasons = exited.get(row.step_id) ?? new Map<string, number>();
      const reason = row.outcome === 'error' ? 'error' : row.reason ?? 'exited';
      reasons.set(reason, (reasons.get(reason) ?? 0) + runs);
      exited.set(row.step_id, reasons);
      continue;
    }
    const step = byId.get(row.step_id);
    const field = step && edgeFieldOf(step, row.outcome);
    // A sent and a held-out email leave by the same edge: both count on it.
    if (field) taken.set(`${row.step_id}\n${field}`, (taken.get(`${row.step_id}\n${field}`) ?? 0) + runs);
  }
  const t = totals.rows[0];
  return {
    version: shown,
    runs: {
      entered: Number(t?.entered ?? 0), in_progress: Number(t?.in_progress ?? 0), completed: Number(t?.completed ?? 0),
      exited: Number(t?.exited ?? 0), holdout: Number(t?.holdout ?? 0),
    },
    steps: document.steps.map((step) => ({
      step_id: step.id, reached: reachedBy.get(step.id) ?? 0, waiting: waitingBy.get(step.id) ?? 0,
      exited: [...(exited.get(step.id) ?? new Map<string, number>())].map(([reason, runs]) => ({ reason, runs })).sort((a, b) => b.runs - a.runs),
    })),
    edges: document.steps.flatMap((step) => exitsOf(step).map((exit) => ({
      from: step.id, field: exit.field, to: exit.to ?? null, taken: taken.get(`${step.id}\n${exit.field}`) ?? 0,
    }))),
  };
}
