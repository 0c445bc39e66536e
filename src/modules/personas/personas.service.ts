/**
 * Personas: groups of buyers found by clustering their standardised behaviour, each described in
 * plain words with its size, revenue share, retention curve and predicted CLV. A run replaces
 * the store's personas; a persona saved as a segment keeps its members from the run it came from.
 */
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { averageMinorUnits } from '../../lib/money.js';
import { DAY_MS } from '../../lib/time.js';
import type { SegmentsService, SegmentView } from '../segments/index.js';
import { cluster, nearestCentroid, sampleIndices, standardise } from './clustering.js';
import { describePersona, type FeatureContrast } from './persona-describe.js';
import { buyerFeatures, clusterWeights, type BuyerFeatures } from './persona-features.js';
import { personasDb, type PersonasDb } from './personas.table.js';

/** Customers used to fit the clusters; everyone is then assigned to the nearest centre. */
const FIT_SAMPLE = 20_000;
const MIN_BUYERS = 30;
/** Retention curve: share of a persona's buyers still ordering this many days after their first order. */
const RETENTION_DAYS = [30, 60, 90, 180, 365];

export type PersonaTrait = FeatureContrast & {
  distinguishing: boolean;
  /** The figure beside the store's, in words. */
  text: string;
};

export interface PersonaView {
  id: string;
  run_id: string;
  name: string;
  description: string;
  size: number;
  revenue_share: number;
  predicted_clv: number | null;
  /** Every feature's persona mean beside the store's; the distinguishing ones (named in the description) first. */
  profile: PersonaTrait[];
  /** What the persona needs from the store and what it responds to, from its traits by fixed rules. */
  needs: string[];
  motivators: string[];
  retention: { days: number; share: number | null; eligible: number }[];
  created_at: Date;
}

/** How a run chose its k: the mean silhouette of every k tried, and why in words. */
export interface PersonaRunInfo {
  run_id: string;
  k: number;
  reason: string;
  silhouettes: { k: number; silhouette: number }[];
  /** Buyers clustered. */
  buyers: number;
  created_at: Date;
}

export interface PersonaRun extends PersonaRunInfo {
  personas: PersonaView[];
}

/**
 * The values the clustering sees: log scale where the feature says so, and every share of orders
 * (or of spend) shrunk towards the store's mean by PRIOR_ORDERS orders' worth — a Beta-binomial
 * posterior mean. A one-order buyer's discount share is 0 or 1 however much of a deal seeker they
 * are; unshrunk, those two values form two dense ridges and the clusters split along whichever
 * share has the widest gap. Shrunk, one order is weak evidence and ten orders strong, as they
 * are. The figures shown stay the raw means.
 */
const PRIOR_ORDERS = 1;
function shrunk(features: BuyerFeatures): number[][] {
  const { defs, values } = features;
  const orders = defs.findIndex((d) => d.key === 'orders');
  const isShare = defs.map((d) => d.unit === 'share' || d.key === 'return_rate');
  const mean = defs.map((_, j) => {
    let sum = 0;
    let count = 0;
    for (const row of values) if (!Number.isNaN(row[j]!)) { sum += row[j]!; count += 1; }
    return count ? sum / count : 0;
  });
  return values.map((row) => row.map((v, j) => {
    const def = defs[j]!;
    const value = isShare[j] ? (v * row[orders]! + mean[j]! * PRIOR_ORDERS) / (row[orders]! + PRIOR_ORDERS) : v;
    return def.log ? Math.log1p(Math.max(0, value)) : value;
  }));
}

/** Two personas with the same words get a number, so a marketer can tell them apart in lists. */
function disambiguate(views: PersonaView[]): void {
  const seen = new Map<string, number>();
  for (const view of views) {
    const count = (seen.get(view.name) ?? 0) + 1;
    seen.set(view.name, count);
    if (count > 1) {
      const name = `${view.name} (${count})`;
      view.description = `${name}${view.description.slice(view.name.length)}`;
      view.name = name;
    }
  }
}

export class PersonasService {
  private readonly write: PersonasDb;
  private readonly read: PersonasDb;

  constructor(private readonly storage: Storage, private readonly segments: SegmentsService) {
    this.write = personasDb(storage.write);
    this.read = personasDb(storage.read);
  }

  async run(storeId: string, options: { seed?: number; k?: number; asOf?: Date } = {}): Promise<PersonaRun> {
    const seed = options.seed ?? 42;
    const asOf = options.asOf ?? new Date();
    const features = await buyerFeatures(this.storage.read, storeId, asOf);
    const n = features.customerIds.length;
    if (n < MIN_BUYERS) throw new AppError('validation_failed', `Personas need at least ${MIN_BUYERS} buyers; this store has ${n}`, [{ path: 'store', reason: 'too few buyers' }]);
    const defs = features.defs;
    // Each feature's scale for the standardised differences (log for heavy tails), its mean and
    // spread over the buyers it is known for; a persona's z is then its members' mean on that scale,
    // standardised — the mean of their z-scores, without holding a second copy of every value.
    const scaled = (j: number, v: number) => (defs[j]!.log ? Math.log1p(Math.max(0, v)) : v);
    const scale = defs.map((_, j) => {
      let sum = 0;
      let squares = 0;
      let count = 0;
      for (const row of features.values) {
        const v = row[j]!;
        if (Number.isNaN(v)) continue;
        const x = scaled(j, v);
        sum += x;
        squares += x * x;
        count += 1;
      }
      const mean = count ? sum / count : 0;
      return { mean, sd: count ? Math.sqrt(Math.max(0, squares / count - mean * mean)) : 0 };
    });
    // The clustering sees how customers buy, not how much: recency, orders and spend only describe
    // a persona. With them in, the largest gap in the data (half the buyers have one order) splits
    // the store into "one-off" and "repeat" whatever else they do, and that split is already what
    // RFM, the retention curve and the CLV beside each persona show. Frequency still counts, as the
    // days between orders of those who came back (one-order buyers sit at its mean, unknown).
    // Category and channel mixes are weighted as one feature each (clusterWeights).
    const allWeights = clusterWeights(defs);
    const clustered = defs.flatMap((d, j) => (d.clustered ? [j] : []));
    const weights = clustered.map((j) => allWeights[j]!);
    const { rows: zc } = standardise(shrunk(features));
    const weighted = zc.map((row) => clustered.map((j, w) => row[j]! * weights[w]!));
    const fitRows = sampleIndices(n, FIT_SAMPLE, seed).map((i) => weighted[i]!);
    const clustering = await cluster(fitRows, { seed, ...(options.k && { k: options.k }) });
    const labels = weighted.map((point) => nearestCentroid(point, clustering.centroids));

    const d = defs.length;
    // Store means in natural units; a partial feature over the buyers it is known for.
    const knownMean = (indices: number[], j: number) => {
      let sum = 0;
      let count = 0;
      for (const i of indices) {
        const v = features.values[i]![j]!;
        if (!Number.isNaN(v)) { sum += v; count += 1; }
      }
      return { mean: count ? sum / count : 0, count };
    };
    const everyone = Array.from({ length: n }, (_, i) => i);
    const storeMean = Array.from({ length: d }, (_, j) => knownMean(everyone, j).mean);
    const totalRevenue = features.revenue.reduce((a, b) => a + b, 0);
    const clv = await this.predictedClv(storeId);
    const runId = newId('prun');
    const now = new Date();
    const built = Array.from({ length: clustering.k }, (_, c) => {
      const members = labels.flatMap((label, i) => (label === c ? [i] : []));
      const contrasts: FeatureContrast[] = defs.flatMap((def, j) => {
        const { mean, count } = knownMean(members, j);
        // Nobody in the persona has the feature (a persona of one-order buyers has no gap): nothing to say.
        if (count === 0) return [];
        const known = members.filter((i) => !Number.isNaN(features.values[i]![j]!));
        const { mean: mu, sd } = scale[j]!;
        const zMean = sd > 0 ? (known.reduce((sum, i) => sum + scaled(j, features.values[i]![j]!), 0) / known.length - mu) / sd : 0;
        return [{ key: def.key, label: def.label, persona: mean, store: storeMean[j]!, z: zMean, coverage: count / members.length, clustered: def.clustered }];
      });
      const words = describePersona(defs, contrasts, features.currency);
      const clvs = members.map((i) => clv.get(features.customerIds[i]!)).filter((v): v is number => v !== undefined);
      const retention = RETENTION_DAYS.map((days) => {
        // Only buyers whose first order is at least `days` old can show whether they stayed that long.
        const eligible = members.filter((i) => asOf.getTime() - features.firstOrderAt[i]!.getTime() >= days * DAY_MS);
        const kept = eligible.filter((i) => features.lastOrderAt[i]!.getTime() - features.firstOrderAt[i]!.getTime() >= days * DAY_MS);
        return { days, share: eligible.length ? kept.length / eligible.length : null, eligible: eligible.length };
      });
      return {
        members,
        view: {
          id: newId('per'), run_id: runId, name: words.name, description: words.description, size: members.length,
          revenue_share: totalRevenue > 0 ? members.reduce((s, i) => s + features.revenue[i]!, 0) / totalRevenue : 0,
          predicted_clv: averageMinorUnits(clvs.reduce((a, b) => a + b, 0), clvs.length),
          needs: words.needs, motivators: words.motivators,
          profile: [
            ...words.distinguishing.map((c) => ({ ...c, distinguishing: true, text: words.facts.get(c.key)! })),
            ...contrasts.filter((c) => !words.distinguishing.includes(c)).map((c) => ({ ...c, distinguishing: false, text: words.facts.get(c.key)! })),
          ],
          retention, created_at: now,
        } satisfies PersonaView,
      };
    }).filter((p) => p.members.length > 0).sort((a, b) => b.members.length - a.members.length || a.view.name.localeCompare(b.view.name));
    disambiguate(built.map((p) => p.view));

    // Personas a saved segment points at stay (with their members); the rest of the old run goes.
    const keep = await this.segments.referencedPersonas(storeId);
    await this.write.transaction().execute(async (tx) => {
      const stale = tx.selectFrom('personas').select('id').where('store_id', '=', storeId).$if(keep.length > 0, (q) => q.where('id', 'not in', keep));
      await tx.deleteFrom('persona_members').where('store_id', '=', storeId).where('persona_id', 'in', stale).execute();
      await tx.deleteFrom('personas').where('store_id', '=', storeId).$if(keep.length > 0, (q) => q.where('id', 'not in', keep)).execute();
      await tx.deleteFrom('persona_runs').where('store_id', '=', storeId).execute();
      await tx.insertInto('persona_runs').values({
        store_id: storeId, id: runId, k: clustering.k, reason: clustering.reason, silhouettes: JSON.stringify(clustering.silhouettes), buyers: n, created_at: now,
      }).execute();
      for (const [position, { view, members }] of built.entries()) {
        await tx.insertInto('personas').values({
          store_id: storeId, id: view.id, run_id: runId, position, name: view.name, description: view.description, size: view.size,
          revenue_share: view.revenue_share, predicted_clv: view.predicted_clv, profile: JSON.stringify(view.profile), retention: JSON.stringify(view.retention),
          needs: JSON.stringify(view.needs), motivators: JSON.stringify(view.motivators), created_at: now,
        }).execute();
        const ids = members.map((i) => features.customerIds[i]!);
        for (let start = 0; start < ids.length; start += 50_000) {
          await sql`insert into persona_members (store_id, persona_id, customer_id, assigned_at)
            select ${storeId}, ${view.id}, unnest(${ids.slice(start, start + 50_000)}::bigint[]), ${now}`.execute(tx);
        }
      }
    });
    return { run_id: runId, k: clustering.k, reason: clustering.reason, silhouettes: clustering.silhouettes, buyers: n, created_at: now, personas: built.map((p) => p.view) };
  }

  /** How the latest run chose its k, or null before the first run (or for a run from before runs were kept). */
  async latestRun(storeId: string): Promise<PersonaRunInfo | null> {
    const row = await this.read.selectFrom('persona_runs').selectAll().where('store_id', '=', storeId).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
    if (!row) return null;
    return { run_id: row.id, k: row.k, reason: row.reason, silhouettes: JSON.parse(row.silhouettes) as PersonaRunInfo['silhouettes'], buyers: Number(row.buyers), created_at: row.created_at };
  }

  /** The latest run's personas, largest first. */
  async list(storeId: string): Promise<PersonaView[]> {
    const latest = await this.read.selectFrom('personas').select('run_id').where('store_id', '=', storeId).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
    if (!latest) return [];
    const rows = await this.read.selectFrom('personas').selectAll().where('store_id', '=', storeId).where('run_id', '=', latest.run_id).orderBy('position').execute();
    return rows.map((r) => ({
      id: r.id, run_id: r.run_id, name: r.name, description: r.description, size: r.size, revenue_share: r.revenue_share, predicted_clv: r.predicted_clv,
      profile: (JSON.parse(r.profile) as Partial<PersonaTrait>[]).map((c, i) => ({
        // Personas found before traits were marked: the first entries were the named ones, all clustered.
        key: c.key!, label: c.label!, persona: c.persona!, store: c.store!, z: c.z!, coverage: c.coverage ?? 1, clustered: c.clustered ?? true, distinguishing: c.distinguishing ?? i < 2, text: c.text ?? c.label!,
      })),
      needs: JSON.parse(r.needs ?? '[]') as string[], motivators: JSON.parse(r.motivators ?? '[]') as string[],
      retention: JSON.parse(r.retention) as PersonaView['retention'], created_at: r.created_at,
    }));
  }

  async saveAsSegment(storeId: string, personaId: string): Promise<SegmentView> {
    const persona = await this.read.selectFrom('personas').selectAll().where('store_id', '=', storeId).where('id', '=', personaId).executeTakeFirst();
    if (!persona) throw notFound(`Persona ${personaId}`);
    return this.segments.create(storeId, { name: persona.name, description: persona.description, rule: { kind: 'persona', persona_id: persona.id } });
  }

  /** Personas of one customer (for the profile), with what each responds to. */
  async personasOf(storeId: string, customerId: number): Promise<{ id: string; name: string; motivators: string[]; assigned_at: Date }[]> {
    const rows = await this.read.selectFrom('persona_members as m')
      .innerJoin('personas as p', (join) => join.onRef('p.id', '=', 'm.persona_id').on('p.store_id', '=', storeId))
      .select(['p.id', 'p.name', 'p.motivators', 'm.assigned_at'])
      .where('m.store_id', '=', storeId).where('m.customer_id', '=', customerId).orderBy('m.assigned_at', 'desc').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, motivators: JSON.parse(r.motivators ?? '[]') as string[], assigned_at: r.assigned_at }));
  }

  private async predictedClv(storeId: string): Promise<Map<number, number>> {
    const rows = await this.read.selectFrom('customer_predictions').select(['customer_id', 'clv_12m']).where('store_id', '=', storeId).where('clv_12m', 'is not', null).execute();
    return new Map(rows.map((r) => [r.customer_id, r.clv_12m!]));
  }
}
