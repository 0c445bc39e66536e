/**
 * Runs: enrolment (insert, a repeated enrolment key adds nothing), the due runs of a store, the
 * state after a batch of steps, and the append-only step log.
 */
import { sql } from 'kysely';
import { unnested, type ColumnTypes } from '../../db/unnested.js';
import type { FlowRunTable, FlowsDb, RunStatus } from './flows.table.js';

/** What differs between the runs enrolled together. */
export type NewRun = Pick<FlowRunTable, 'flow_id' | 'version' | 'customer_id' | 'enrolment_key' | 'trigger_kind' | 'trigger_event_id' | 'trigger_entity_id' | 'holdout' | 'step_id'>;

/** Rows written by one statement, each column one list parameter (`unnested`): 500 runs as 8,500 parameters cost about 80 ms a statement. */
const ROWS_AT_ONCE = 5_000;

const RUN_COLUMNS = {
  flow_id: 'varchar', version: 'integer', customer_id: 'bigint', enrolment_key: 'varchar', trigger_kind: 'varchar',
  trigger_event_id: 'bigint', trigger_entity_id: 'bigint', holdout: 'boolean', step_id: 'varchar',
} as const satisfies ColumnTypes<keyof NewRun>;
const STATE_COLUMNS = {
  id: 'bigint', status: 'varchar', step_id: 'varchar', step_since: 'timestamp', due_at: 'timestamp', exit_reason: 'varchar', finished_at: 'timestamp',
} as const satisfies ColumnTypes<keyof RunState>;
const STEP_COLUMNS = { run_id: 'bigint', step_id: 'varchar', outcome: 'varchar', detail: 'varchar' } as const;

/** Inserts runs, all entering now at their first step; those whose enrolment key exists are skipped. Returns the created ones. */
export async function insertRuns(db: FlowsDb, storeId: string, now: Date, runs: readonly NewRun[]): Promise<{ id: number; holdout: boolean }[]> {
  const created: { id: number; holdout: boolean }[] = [];
  for (let i = 0; i < runs.length; i += ROWS_AT_ONCE) {
    const { rows } = await sql<{ id: number; holdout: boolean }>`insert into flow_runs (id, store_id, flow_id, version, customer_id, enrolment_key, trigger_kind,
        trigger_event_id, trigger_entity_id, holdout, step_id, entered_at, status, step_since, due_at, updated_at)
      select nextval('flow_runs_id_seq'), ${storeId}, r.*, ${now}, 'active', ${now}, ${now}, ${now} from ${unnested(RUN_COLUMNS, runs.slice(i, i + ROWS_AT_ONCE))} r
      on conflict (store_id, enrolment_key) do nothing
      returning id, holdout`.execute(db);
    created.push(...rows.map((row) => ({ id: Number(row.id), holdout: row.holdout })));
  }
  return created;
}

/** Active runs of live flows that are due, earliest first. */
export async function dueRuns(db: FlowsDb, storeId: string, now: Date, limit: number): Promise<FlowRunTable[]> {
  const rows = await db.selectFrom('flow_runs as r')
    .innerJoin('flows as f', (join) => join.onRef('f.store_id', '=', 'r.store_id').onRef('f.id', '=', 'r.flow_id'))
    .selectAll('r')
    .where('r.store_id', '=', storeId).where('r.status', '=', 'active').where('r.due_at', '<=', now).where('f.status', '=', 'live')
    .orderBy('r.due_at').orderBy('r.id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...row, id: Number(row.id), customer_id: Number(row.customer_id) }));
}

/** When the store's next active run (of a live flow) is due, if any. */
export async function nextDue(db: FlowsDb, storeId: string): Promise<Date | undefined> {
  const row = await db.selectFrom('flow_runs as r')
    .innerJoin('flows as f', (join) => join.onRef('f.store_id', '=', 'r.store_id').onRef('f.id', '=', 'r.flow_id'))
    .select((eb) => eb.fn.min('r.due_at').as('due'))
    .where('r.store_id', '=', storeId).where('r.status', '=', 'active').where('f.status', '=', 'live')
    .executeTakeFirst();
  return row?.due ? new Date(row.due as unknown as string | Date) : undefined;
}

/** Stores with active runs (to wake after a restart). */
export async function storesWithActiveRuns(db: FlowsDb): Promise<string[]> {
  const rows = await db.selectFrom('flow_runs').select('store_id').distinct().where('status', '=', 'active').execute();
  return rows.map((row) => row.store_id);
}

export interface RunState {
  id: number;
  status: RunStatus;
  step_id: string | null;
  step_since: Date | null;
  due_at: Date | null;
  exit_reason: string | null;
  finished_at: Date | null;
}

export interface StepLogEntry {
  runId: number;
  stepId: string | null;
  outcome: string;
  detail?: string | null;
}

/** Saves the runs' new states and appends their step log, in one transaction. */
export async function saveProgress(db: FlowsDb, storeId: string, states: readonly RunState[], log: readonly StepLogEntry[], at: Date): Promise<void> {
  if (states.length === 0 && log.length === 0) return;
  await db.transaction().execute(async (tx) => {
    // One statement per slice: an UPDATE per run costs a DuckDB round trip each.
    for (let i = 0; i < states.length; i += ROWS_AT_ONCE) {
      await sql`update flow_runs set status = v.status, step_id = v.step_id, step_since = v.step_since, due_at = v.due_at,
          exit_reason = v.exit_reason, finished_at = v.finished_at, updated_at = ${at}
        from ${unnested(STATE_COLUMNS, states.slice(i, i + ROWS_AT_ONCE))} v
        where flow_runs.store_id = ${storeId} and flow_runs.id = v.id`.execute(tx);
    }
    await appendSteps(tx, storeId, log, at);
  });
}

/** What the exit conditions of a batch's runs read, fetched once for the batch. */
export interface ExitFacts {
  /** Per customer: their orders (not cancelled) placed since the earliest entry of the batch. */
  orders: Map<number, { id: number; placed_at: Date }[]>;
  /** Per customer: their email consent. */
  consent: Map<number, string | null>;
}

export async function exitFacts(db: FlowsDb, storeId: string, runs: readonly FlowRunTable[], now: Date): Promise<ExitFacts> {
  const facts: ExitFacts = { orders: new Map(), consent: new Map() };
  if (runs.length === 0) return facts;
  const customers = [...new Set(runs.map((r) => r.customer_id))];
  const since = new Date(Math.min(...runs.map((r) => r.entered_at.getTime())));
  const those = sql<number>`(select unnest(${customers}::bigint[]))`;
  const orders = await db.selectFrom('orders').select(['id', 'customer_id', 'placed_at'])
    .where('store_id', '=', storeId).where('customer_id', 'in', those).where('status', '<>', 'cancelled')
    .where('placed_at', '>', since).where('placed_at', '<=', now).execute();
  for (const o of orders) {
    const id = Number(o.customer_id);
    facts.orders.set(id, [...(facts.orders.get(id) ?? []), { id: Number(o.id), placed_at: o.placed_at }]);
  }
  const consents = await db.selectFrom('customers').select(['id', 'email_consent']).where('store_id', '=', storeId).where('id', 'in', those).execute();
  for (const c of consents) facts.consent.set(Number(c.id), c.email_consent);
  return facts;
}

export async function appendSteps(db: FlowsDb, storeId: string, log: readonly StepLogEntry[], at: Date): Promise<void> {
  for (let i = 0; i < log.length; i += ROWS_AT_ONCE) {
    const rows = log.slice(i, i + ROWS_AT_ONCE).map((entry) => ({ run_id: entry.runId, step_id: entry.stepId, outcome: entry.outcome, detail: entry.detail?.slice(0, 1000) ?? null }));
    await sql`insert into flow_run_steps (seq, store_id, run_id, step_id, outcome, detail, recorded_at)
      select nextval('flow_run_steps_seq'), ${storeId}, s.run_id, s.step_id, s.outcome, s.detail, ${at} from ${unnested(STEP_COLUMNS, rows)} s`.execute(db);
  }
}

/** Makes the given customers' runs waiting for an event due now (the event may have arrived). */
export async function wakeWaiting(db: FlowsDb, storeId: string, runIds: readonly number[], now: Date): Promise<void> {
  if (runIds.length === 0) return;
  await db.updateTable('flow_runs').set({ due_at: now, updated_at: now })
    .where('store_id', '=', storeId).where('id', 'in', [...runIds]).where('status', '=', 'active').execute();
}
