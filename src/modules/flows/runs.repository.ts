/**
 * Runs: enrolment (insert, a repeated enrolment key adds nothing), the due runs of a store, the
 * state after a batch of steps, and the append-only step log.
 */
import { sql } from 'kysely';
import type { FlowRunTable, FlowsDb, RunStatus } from './flows.table.js';

export type NewRun = Omit<FlowRunTable, 'id'>;

/** Inserts runs; those whose enrolment key exists are skipped. Returns the created ones. */
export async function insertRuns(db: FlowsDb, runs: readonly NewRun[]): Promise<FlowRunTable[]> {
  const created: FlowRunTable[] = [];
  for (let i = 0; i < runs.length; i += 500) {
    const rows = await db.insertInto('flow_runs')
      .values(runs.slice(i, i + 500).map((run) => ({ ...run, id: sql<number>`nextval('flow_runs_id_seq')` })))
      .onConflict((oc) => oc.columns(['store_id', 'enrolment_key']).doNothing())
      .returningAll()
      .execute();
    created.push(...rows.map((row) => ({ ...row, id: Number(row.id), customer_id: Number(row.customer_id) })));
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
    for (let i = 0; i < states.length; i += 500) {
      const values = sql.join(states.slice(i, i + 500).map((s) => sql`(${s.id}::bigint, ${s.status}::varchar, ${s.step_id}::varchar, ${s.step_since}::timestamp,
        ${s.due_at}::timestamp, ${s.exit_reason}::varchar, ${s.finished_at}::timestamp)`));
      await sql`update flow_runs set status = v.status, step_id = v.step_id, step_since = v.step_since, due_at = v.due_at,
          exit_reason = v.exit_reason, finished_at = v.finished_at, updated_at = ${at}
        from (values ${values}) v(id, status, step_id, step_since, due_at, exit_reason, finished_at)
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
  const orders = await db.selectFrom('orders').select(['id', 'customer_id', 'placed_at'])
    .where('store_id', '=', storeId).where('customer_id', 'in', customers).where('status', '<>', 'cancelled')
    .where('placed_at', '>', since).where('placed_at', '<=', now).execute();
  for (const o of orders) {
    const id = Number(o.customer_id);
    facts.orders.set(id, [...(facts.orders.get(id) ?? []), { id: Number(o.id), placed_at: o.placed_at }]);
  }
  const consents = await db.selectFrom('customers').select(['id', 'email_consent']).where('store_id', '=', storeId).where('id', 'in', customers).execute();
  for (const c of consents) facts.consent.set(Number(c.id), c.email_consent);
  return facts;
}

export async function appendSteps(db: FlowsDb, storeId: string, log: readonly StepLogEntry[], at: Date): Promise<void> {
  for (let i = 0; i < log.length; i += 1000) {
    await db.insertInto('flow_run_steps')
      .values(log.slice(i, i + 1000).map((entry) => ({
        seq: sql<number>`nextval('flow_run_steps_seq')`, store_id: storeId, run_id: entry.runId, step_id: entry.stepId,
        outcome: entry.outcome, detail: entry.detail?.slice(0, 1000) ?? null, recorded_at: at,
      })))
      .execute();
  }
}

/** Makes the given customers' runs waiting for an event due now (the event may have arrived). */
export async function wakeWaiting(db: FlowsDb, storeId: string, runIds: readonly number[], now: Date): Promise<void> {
  if (runIds.length === 0) return;
  await db.updateTable('flow_runs').set({ due_at: now, updated_at: now })
    .where('store_id', '=', storeId).where('id', 'in', [...runIds]).where('status', '=', 'active').execute();
}
