/**
 * Experiment records and assignments, copied from where the sources already record them when a
 * customer becomes eligible: `campaign_recipients` (the group drawn when the campaign started),
 * `flow_runs` (the holdout flag drawn at enrolment), `flow_run_steps` (the branch a split sent a
 * run down), `offer_assignments` (the arm an offer drew at eligibility) and the store's global
 * holdout setting. Every statement is an
 * `insert … select … on conflict do nothing` over the primary keys, so a sync run twice, after a
 * crash or beside another one adds nothing twice, and a customer's first eligibility stands. The
 * arms come from the sources' own deterministic hashes, so they are the same after a restart.
 */
import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import { globalHoldoutKey } from '../messaging/index.js';
import type { Arm, ExperimentKind, ExperimentsDb, ExperimentTable } from './experiments.table.js';

export function experimentId(storeId: string, kind: ExperimentKind, sourceId: string): string {
  return `exp_${createHash('sha256').update(`${storeId}:${kind}:${sourceId}`).digest('hex').slice(0, 20)}`;
}

const letter = (i: number) => String.fromCharCode(65 + i);
const round = (v: number) => Math.round(v * 1e6) / 1e6;

type NewExperiment = Omit<ExperimentTable, 'id' | 'created_at' | 'ended_at' | 'arms'> & { arms: Arm[] };

async function insertExperiments(db: ExperimentsDb, list: readonly NewExperiment[], now: Date): Promise<void> {
  if (list.length === 0) return;
  for (let i = 0; i < list.length; i += 500) {
    await db.insertInto('experiments').values(list.slice(i, i + 500).map((e) => ({
      ...e, id: experimentId(e.store_id, e.kind, e.source_id), arms: JSON.stringify(e.arms), ended_at: null, created_at: now,
    }))).onConflict((oc) => oc.doNothing()).execute();
  }
}

/**
 * Whether the customer was in the store's global holdout when they became eligible at `at`. Those
 * people are left out of both arms of every other experiment: they receive nothing either way, so
 * in a treated arm they would pull its result towards the control's. The global hash is
 * independent of each experiment's, so leaving them out of both arms keeps the arms comparable.
 */
function globallyHeldOut(storeId: string, customer: RawBuilder<unknown>, at: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`exists (select 1 from experiment_assignments g join experiments ge on ge.store_id = g.store_id and ge.id = g.experiment_id
    where ge.store_id = ${storeId} and ge.kind = 'global' and g.store_id = ${storeId} and g.arm = 'holdout' and g.customer_id = ${customer}
      and g.eligible_at <= ${at} and (ge.ended_at is null or ge.ended_at > ${at}))`;
}

/** The global holdout periods: one experiment per time it was turned on (or its share changed). */
export async function syncGlobal(db: ExperimentsDb, storeId: string, setting: { share: number; since: Date | null }, now: Date): Promise<void> {
  const open = await db.selectFrom('experiments').select(['id', 'source_id', 'holdout_share']).where('store_id', '=', storeId)
    .where('kind', '=', 'global').where('ended_at', 'is', null).execute();
  const current = setting.share > 0 && setting.since ? setting.since.toISOString() : null;
  const stale = open.filter((e) => e.source_id !== current).map((e) => e.id);
  if (stale.length) await db.updateTable('experiments').set({ ended_at: now }).where('store_id', '=', storeId).where('id', 'in', stale).where('ended_at', 'is', null).execute();
  if (current && setting.since) {
    await insertExperiments(db, [{
      store_id: storeId, kind: 'global', source_id: current, name: `Global holdout since ${current.slice(0, 10)}`,
      arms: [{ key: 'marketed', share: round(1 - setting.share) }, { key: 'holdout', share: setting.share }], control_arm: 'holdout',
      holdout_share: setting.share, seed: globalHoldoutKey(storeId), started_at: setting.since,
    }], now);
  }
  // Everyone created before the period ended is eligible from max(since, created); the arm is the
  // hash messaging screens sends with (global-holdout.ts): sha256 of `global:<store>:<customer>`, first 48 bits.
  await sql`insert into experiment_assignments (store_id, experiment_id, customer_id, arm, eligible_at)
    select c.store_id, e.id, c.id,
      case when ('0x' || substr(sha256(e.seed || ':' || c.id::varchar), 1, 12))::bigint / 281474976710656.0 < e.holdout_share then 'holdout' else 'marketed' end,
      greatest(e.started_at, c.created_at)
    from experiments e join customers c on c.store_id = e.store_id and (e.ended_at is null or c.created_at < e.ended_at)
    where e.store_id = ${storeId} and e.kind = 'global'
      and not exists (select 1 from experiment_assignments x where x.store_id = ${storeId} and x.experiment_id = e.id and x.customer_id = c.id)
    on conflict do nothing`.execute(db);
}

/** Campaigns that started: sent against holdout, and their A/B variants against A. */
export async function syncCampaigns(db: ExperimentsDb, storeId: string, now: Date): Promise<void> {
  const { rows } = await sql<{ id: string; name: string; holdout_share: number; ab_test: string | null; started_at: Date }>`
    select id, name, holdout_share, ab_test, started_at from campaigns where store_id = ${storeId} and started_at is not null`.execute(db);
  const list: NewExperiment[] = [];
  for (const c of rows) {
    const h = Number(c.holdout_share);
    list.push({ store_id: storeId, kind: 'campaign', source_id: c.id, name: c.name, arms: [{ key: 'sent', share: round(1 - h) }, { key: 'holdout', share: h }], control_arm: 'holdout', holdout_share: h, seed: c.id, started_at: c.started_at });
    const test = c.ab_test ? JSON.parse(c.ab_test) as { variants: unknown[]; test_share: number } : null;
    if (test && test.variants.length > 1) {
      const each = round(((1 - h) * test.test_share) / test.variants.length);
      list.push({ store_id: storeId, kind: 'ab_test', source_id: c.id, name: `${c.name}: A/B test`, arms: test.variants.map((_, i) => ({ key: letter(i), share: each })), control_arm: 'A', holdout_share: 0, seed: c.id, started_at: c.started_at });
    }
  }
  await insertExperiments(db, list, now);
  await sql`insert into experiment_assignments (store_id, experiment_id, customer_id, arm, eligible_at)
    select r.store_id, e.id, r.customer_id,
      case when e.kind = 'ab_test' then chr(65 + r.variant) when r.group_kind = 'holdout' then 'holdout' else 'sent' end, r.assigned_at
    from campaign_recipients r join experiments e on e.store_id = r.store_id and e.source_id = r.campaign_id and e.kind in ('campaign', 'ab_test')
    where r.store_id = ${storeId} and (e.kind = 'campaign' or r.group_kind = 'variant')
      and not exists (select 1 from experiment_assignments x where x.store_id = ${storeId} and x.experiment_id = e.id and x.customer_id = r.customer_id)
      and not ${globallyHeldOut(storeId, sql`r.customer_id`, sql`r.assigned_at`)}
    on conflict do nothing`.execute(db);
}

interface FlowStep { id: string; type: string; name?: string; branches?: { weight: number }[] }

/** Flows with runs (entered against holdout) and their split steps (branch against branch 1). */
export async function syncFlows(db: ExperimentsDb, storeId: string, now: Date): Promise<void> {
  const { rows } = await sql<{ id: string; name: string; document: string | null; first_entry: Date }>`
    select f.id, f.name, (select v.document from flow_versions v where v.store_id = f.store_id and v.flow_id = f.id order by v.version desc limit 1) as document,
      r.first_entry
    from flows f join (select flow_id, min(entered_at) as first_entry from flow_runs where store_id = ${storeId} group by flow_id) r on r.flow_id = f.id
    where f.store_id = ${storeId}`.execute(db);
  const splits = await sql<{ flow_id: string; step_id: string; first_at: Date }>`
    select r.flow_id, s.step_id, min(s.recorded_at) as first_at
    from flow_run_steps s join flow_runs r on r.store_id = s.store_id and r.id = s.run_id
    where s.store_id = ${storeId} and s.outcome like 'branch %' and s.step_id is not null group by r.flow_id, s.step_id`.execute(db);
  const list: NewExperiment[] = [];
  const steps = new Map<string, FlowStep[]>();
  for (const f of rows) {
    const document = f.document ? JSON.parse(f.document) as { holdout_share?: number; steps?: FlowStep[] } : {};
    const h = document.holdout_share ?? 0.1;
    steps.set(f.id, document.steps ?? []);
    list.push({ store_id: storeId, kind: 'flow', source_id: f.id, name: f.name, arms: [{ key: 'entered', share: round(1 - h) }, { key: 'holdout', share: h }], control_arm: 'holdout', holdout_share: h, seed: `holdout:${f.id}`, started_at: f.first_entry });
  }
  for (const s of splits.rows) {
    const flow = rows.find((f) => f.id === s.flow_id);
    const step = steps.get(s.flow_id)?.find((x) => x.id === s.step_id);
    const weights = step?.branches?.map((b) => b.weight) ?? [];
    const total = weights.reduce((a, b) => a + b, 0) || 1;
    list.push({
      store_id: storeId, kind: 'flow_split', source_id: `${s.flow_id}:${s.step_id}`, name: `${flow?.name ?? s.flow_id}: split ${step?.name ?? s.step_id}`,
      arms: weights.map((w, i) => ({ key: `branch ${i + 1}`, share: round(w / total) })), control_arm: 'branch 1', holdout_share: 0, seed: `${s.flow_id}:${s.step_id}`, started_at: s.first_at,
    });
  }
  await insertExperiments(db, list, now);
  // Re-entry keeps the arm (the flow's hash), and the first entry's time stands.
  await sql`insert into experiment_assignments (store_id, experiment_id, customer_id, arm, eligible_at)
    select ${storeId}, t.experiment_id, t.customer_id, t.arm, t.eligible_at from (
      select e.id as experiment_id, r.customer_id, arg_min(case when r.holdout then 'holdout' else 'entered' end, r.entered_at) as arm, min(r.entered_at) as eligible_at
      from flow_runs r join experiments e on e.store_id = r.store_id and e.kind = 'flow' and e.source_id = r.flow_id
      where r.store_id = ${storeId}
        and not exists (select 1 from experiment_assignments x where x.store_id = ${storeId} and x.experiment_id = e.id and x.customer_id = r.customer_id)
      group by e.id, r.customer_id) t
    where not ${globallyHeldOut(storeId, sql`t.customer_id`, sql`t.eligible_at`)}
    on conflict do nothing`.execute(db);
  // A split compares what the flow sends down each branch, so runs in the flow's holdout (sent nothing) are left out.
  await sql`insert into experiment_assignments (store_id, experiment_id, customer_id, arm, eligible_at)
    select ${storeId}, t.experiment_id, t.customer_id, t.arm, t.eligible_at from (
      select e.id as experiment_id, r.customer_id, arg_min(s.outcome, s.seq) as arm, min(s.recorded_at) as eligible_at
      from flow_run_steps s join flow_runs r on r.store_id = s.store_id and r.id = s.run_id
        join experiments e on e.store_id = s.store_id and e.kind = 'flow_split' and e.source_id = r.flow_id || ':' || s.step_id
      where s.store_id = ${storeId} and s.outcome like 'branch %' and not r.holdout
        and not exists (select 1 from experiment_assignments x where x.store_id = ${storeId} and x.experiment_id = e.id and x.customer_id = r.customer_id)
      group by e.id, r.customer_id) t
    where not ${globallyHeldOut(storeId, sql`t.customer_id`, sql`t.eligible_at`)}
    on conflict do nothing`.execute(db);
}

/**
 * Offers with eligible customers: offered against holdout. The offers module records each
 * customer's arm (its hash of the offer's seed and the customer) when they first become eligible,
 * whether or not they got a code, so both arms start from the same moment.
 */
export async function syncOffers(db: ExperimentsDb, storeId: string, now: Date): Promise<void> {
  const { rows } = await sql<{ id: string; name: string; holdout_share: number; seed: string; first_at: Date }>`
    select o.id, o.name, o.holdout_share, o.seed, a.first_at
    from offers o join (select offer_id, min(eligible_at) as first_at from offer_assignments where store_id = ${storeId} group by offer_id) a on a.offer_id = o.id
    where o.store_id = ${storeId}`.execute(db);
  await insertExperiments(db, rows.map((o) => {
    const h = Number(o.holdout_share);
    return { store_id: storeId, kind: 'offer' as const, source_id: o.id, name: o.name, arms: [{ key: 'offered', share: round(1 - h) }, { key: 'holdout', share: h }], control_arm: 'holdout', holdout_share: h, seed: o.seed, started_at: o.first_at };
  }), now);
  await sql`insert into experiment_assignments (store_id, experiment_id, customer_id, arm, eligible_at)
    select a.store_id, e.id, a.customer_id, a.arm, a.eligible_at
    from offer_assignments a join experiments e on e.store_id = a.store_id and e.kind = 'offer' and e.source_id = a.offer_id
    where a.store_id = ${storeId}
      and not exists (select 1 from experiment_assignments x where x.store_id = ${storeId} and x.experiment_id = e.id and x.customer_id = a.customer_id)
      and not ${globallyHeldOut(storeId, sql`a.customer_id`, sql`a.eligible_at`)}
    on conflict do nothing`.execute(db);
}
