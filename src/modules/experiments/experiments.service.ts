/**
 * Experiments: the records and assignments synced from the sources (experiments.sync.ts), their
 * outcomes per arm and window (outcomes.query.ts), and the store's global holdout setting. The
 * comparisons, the Impact page's totals and the power calculator are in experiment-results.ts.
 */
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import { AppError, notFound } from '../../lib/errors.js';
import { GLOBAL_HOLDOUT_MAX_SHARE } from '../messaging/index.js';
import { experimentOutcomes, experimentOutcomesOf, keepOutcomeSums, keptInputs, keptStates, outcomeInputs, type ArmOutcome } from './outcomes.query.js';
import { experimentResults, impact, type ExperimentResults, type Impact, type ImpactQuery } from './experiment-results.js';
import { flowResults, type FlowResult } from './flow-results.js';
import { powerFor, type PowerRequest } from './power.js';
import type { PowerPlan } from './stats/index.js';
import { syncCampaigns, syncFlows, syncGlobal, syncOffers } from './experiments.sync.js';
import { experimentKinds, experimentsDb, type Arm, type ExperimentKind, type ExperimentsDb, type ExperimentTable } from './experiments.table.js';
import { calibrate, type Calibration, type CalibrationOptions } from './calibration/calibration.js';

/** What the experiments need of the sending settings, where the global holdout is kept (messaging). */
export interface GlobalHoldoutStore {
  settings(storeId: string): Promise<{ global_holdout_share: number | null; global_holdout_since: Date | null }>;
  updateSettings(storeId: string, changes: { global_holdout_share: number | null; global_holdout_since: Date | null }): Promise<unknown>;
}

export interface ExperimentSummary {
  id: string;
  kind: ExperimentKind;
  source_id: string;
  name: string;
  arms: (Arm & { people: number })[];
  control_arm: string;
  holdout_share: number;
  started_at: Date;
  ended_at: Date | null;
  /** People assigned to an arm. */
  eligible: number;
}

export interface GlobalHoldoutView {
  /** 0: off. */
  share: number;
  /** When it was turned on (or its share last changed); null while off. */
  since: Date | null;
  /** The experiment measuring the current period; null while off. */
  experiment_id: string | null;
}

export class ExperimentsService {
  readonly write: ExperimentsDb;
  readonly read: ExperimentsDb;
  /** Per store: the sources' row counts after the last sync in this process (see `sync`). */
  private readonly synced = new Map<string, string>();
  /** Per experiment: its sums being made again in this process (see `keepOutcomes`). */
  private readonly keeping = new Map<string, Promise<void>>();

  constructor(private readonly storage: Storage, private readonly holdoutStore: () => GlobalHoldoutStore) {
    this.write = experimentsDb(storage.write);
    this.read = experimentsDb(storage.read);
  }

  /** A/A simulations on this store's own customers, in a worker thread (calibration/calibration.ts). */
  calibrate(storeId: string, options: CalibrationOptions = {}): Promise<Calibration> {
    return calibrate(this.storage, storeId, options);
  }

  /**
   * Brings the records and assignments up to date with the sources. Idempotent; run before any
   * result is read and by the `experiments.sync` job. The global holdout goes first: the others
   * leave its held-out people out.
   */
  async sync(storeId: string, now = new Date(), options: { force?: boolean } = {}): Promise<void> {
    const settings = await this.holdoutStore().settings(storeId);
    // Every source only grows (a started campaign's audience, runs, step logs, customers), so
    // unchanged row counts mean nothing new to copy: the result of a large experiment is then
    // not preceded by a scan of every source. The scheduled job forces a full pass.
    const before = `${settings.global_holdout_share}:${settings.global_holdout_since?.toISOString()}:${await this.fingerprint(storeId)}`;
    if (!options.force && this.synced.get(storeId) === before) return;
    await syncGlobal(this.write, storeId, { share: settings.global_holdout_share ?? 0, since: settings.global_holdout_since }, now);
    await syncCampaigns(this.write, storeId, now);
    await syncFlows(this.write, storeId, now);
    await syncOffers(this.write, storeId, now);
    this.synced.set(storeId, `${settings.global_holdout_share}:${settings.global_holdout_since?.toISOString()}:${await this.fingerprint(storeId)}`);
  }

  private async fingerprint(storeId: string): Promise<string> {
    const { rows } = await sql<Record<string, number>>`select
      (select count(*) from customers where store_id = ${storeId}) as customers,
      (select count(*) from campaigns where store_id = ${storeId} and started_at is not null) as campaigns,
      (select count(*) from campaign_recipients where store_id = ${storeId}) as recipients,
      (select count(*) from flow_runs where store_id = ${storeId}) as runs,
      (select count(*) from flow_run_steps where store_id = ${storeId} and outcome like 'branch %') as branches,
      (select count(*) from offer_assignments where store_id = ${storeId}) as offer_assignments,
      (select count(*) from experiments where store_id = ${storeId}) as experiments,
      (select count(*) from experiment_assignments where store_id = ${storeId}) as assignments`.execute(this.read);
    return Object.values(rows[0] ?? {}).map(String).join(':');
  }

  async list(storeId: string, filter: { kind?: ExperimentKind | undefined; source_id?: string | undefined } = {}, now = new Date()): Promise<ExperimentSummary[]> {
    await this.sync(storeId, now);
    const rows = await this.read.selectFrom('experiments').selectAll().where('store_id', '=', storeId)
      .$if(filter.kind !== undefined, (q) => q.where('kind', '=', filter.kind!))
      .$if(filter.source_id !== undefined, (q) => q.where('source_id', '=', filter.source_id!))
      .orderBy('started_at', 'desc').orderBy('id').execute();
    const counts = await this.read.selectFrom('experiment_assignments').select(['experiment_id', 'arm', (eb) => eb.fn.countAll<number>().as('people')])
      .where('store_id', '=', storeId).groupBy(['experiment_id', 'arm']).execute();
    const people = new Map(counts.map((c) => [`${c.experiment_id}\u0000${c.arm}`, Number(c.people)]));
    return rows.map((row) => summaryOf(row, (arm) => people.get(`${row.id}\u0000${arm}`) ?? 0));
  }

  /** One experiment's record (after a sync). */
  async experiment(storeId: string, id: string, now = new Date()): Promise<ExperimentTable> {
    await this.sync(storeId, now);
    const row = await this.read.selectFrom('experiments').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`Experiment ${id}`);
    return row;
  }

  /**
   * The customers a global holdout period held out at `at` (none while it was off): the sender
   * sent them no marketing then, so a campaign's results leave them out of both groups.
   */
  async globallyHeldOut(storeId: string, at: Date): Promise<number[]> {
    await this.sync(storeId);
    const rows = await this.read.selectFrom('experiment_assignments as g').innerJoin('experiments as e', (j) => j.onRef('e.store_id', '=', 'g.store_id').onRef('e.id', '=', 'g.experiment_id'))
      .select('g.customer_id').where('g.store_id', '=', storeId).where('e.kind', '=', 'global').where('g.arm', '=', 'holdout').where('g.eligible_at', '<=', at)
      .where((eb) => eb.or([eb('e.ended_at', 'is', null), eb('e.ended_at', '>', at)])).execute();
    return rows.map((r) => Number(r.customer_id));
  }

  /** Sums per arm and window from the kept sums, brought up to date first (see outcomes.query.ts). */
  async outcomes(storeId: string, id: string, now = new Date(), eligible?: { from: Date; to: Date }): Promise<ArmOutcome[]> {
    await this.keepOutcomes(storeId, id, now);
    return experimentOutcomes(this.read, storeId, id, now, eligible);
  }

  /**
   * The outcomes of several experiments from their sums as last kept — by the `experiments.sync`
   * job every 15 minutes, or by a result read since — made now only for those never kept. A view of
   * many experiments at once (the Flows list) so does not make every one's sums again whenever an
   * order arrives; `kept_at` says when each was made. Orders placed since then can only change
   * people whose window was still open then (or an order imported late, a refund).
   */
  async keptOutcomesOf(storeId: string, ids: readonly string[], now = new Date()): Promise<Map<string, { outcomes: ArmOutcome[]; kept_at: Date }>> {
    const before = await keptStates(this.read, storeId, ids);
    const missing = ids.filter((id) => !before.has(id));
    for (const id of missing) await this.keepOutcomes(storeId, id, now);
    const states = missing.length ? await keptStates(this.read, storeId, ids) : before;
    const outcomes = await experimentOutcomesOf(this.read, storeId, ids, now);
    return new Map(ids.map((id) => [id, { outcomes: outcomes.get(id) ?? [], kept_at: states.get(id)?.computed_at ?? now }]));
  }

  /**
   * Makes the experiment's kept sums again when what they depend on changed; one at a time per
   * experiment in this process (a second caller waits for it).
   */
  async keepOutcomes(storeId: string, id: string, now = new Date()): Promise<void> {
    const key = `${storeId}\u0000${id}`;
    for (;;) {
      const running = this.keeping.get(key);
      if (!running) break;
      await running.catch(() => undefined);
    }
    const work = (async () => {
      const inputs = await outcomeInputs(this.read, storeId, id);
      if ((await keptInputs(this.read, storeId, id)) !== inputs) await keepOutcomeSums(this.write, storeId, id, inputs, now);
    })();
    this.keeping.set(key, work);
    try {
      await work;
    } finally {
      this.keeping.delete(key);
    }
  }

  /** Each arm against the control, per window and metric (experiment-results.ts). */
  results(storeId: string, id: string, now = new Date()): Promise<ExperimentResults> {
    return experimentResults(this, storeId, id, now);
  }

  /** Each flow's revenue and incremental revenue against its holdout over 30 days, from the kept sums, for the Flows list (flow-results.ts). */
  flowResults(storeId: string, flowIds: readonly string[], now = new Date()): Promise<Map<string, FlowResult>> {
    return flowResults(this, storeId, flowIds, now);
  }

  /** Incremental orders and revenue per programme over a period, and in total. */
  impact(storeId: string, query: ImpactQuery, now = new Date()): Promise<Impact> {
    return impact(this, storeId, query, now);
  }

  /** How many people and days an experiment needs to see a lift of a given size (power.ts). */
  power(storeId: string, request: PowerRequest, now = new Date()): Promise<PowerPlan> {
    return powerFor(this.read, storeId, request, now);
  }

  async currency(storeId: string): Promise<string> {
    const row = await this.read.selectFrom('stores').select('currency').where('id', '=', storeId).executeTakeFirst();
    return row?.currency ?? 'USD';
  }

  async globalHoldout(storeId: string): Promise<GlobalHoldoutView> {
    const settings = await this.holdoutStore().settings(storeId);
    const share = settings.global_holdout_share ?? 0;
    const since = share > 0 ? settings.global_holdout_since : null;
    if (!since) return { share: 0, since: null, experiment_id: null };
    const open = await this.read.selectFrom('experiments').select('id').where('store_id', '=', storeId).where('kind', '=', 'global')
      .where('source_id', '=', since.toISOString()).executeTakeFirst();
    return { share, since, experiment_id: open?.id ?? null };
  }

  /**
   * Turns the global holdout on (share > 0), off (0) or changes its share. A change starts a new
   * period, measured as its own experiment from now: the people held out differ between shares.
   */
  async setGlobalHoldout(storeId: string, share: number, now = new Date()): Promise<GlobalHoldoutView> {
    if (!(share >= 0 && share <= GLOBAL_HOLDOUT_MAX_SHARE)) {
      throw new AppError('validation_failed', 'Invalid global holdout', [{ path: 'share', reason: `must be between 0 and ${GLOBAL_HOLDOUT_MAX_SHARE}` }]);
    }
    const current = await this.globalHoldout(storeId);
    if (current.share !== share) {
      await this.holdoutStore().updateSettings(storeId, { global_holdout_share: share > 0 ? share : null, global_holdout_since: share > 0 ? now : null });
    }
    await this.sync(storeId, now);
    return this.globalHoldout(storeId);
  }
}

export function isExperimentKind(value: string): value is ExperimentKind {
  return (experimentKinds as readonly string[]).includes(value);
}

function summaryOf(row: ExperimentTable, people: (arm: string) => number): ExperimentSummary {
  const arms = (JSON.parse(row.arms) as Arm[]).map((a) => ({ ...a, people: people(a.key) }));
  return {
    id: row.id, kind: row.kind, source_id: row.source_id, name: row.name, arms, control_arm: row.control_arm, holdout_share: row.holdout_share,
    started_at: row.started_at, ended_at: row.ended_at, eligible: arms.reduce((sum, a) => sum + a.people, 0),
  };
}
