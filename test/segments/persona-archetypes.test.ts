/**
 * Six planted buyer archetypes that a "one-off vs repeat" split cannot tell apart: each mixes
 * one-order and repeat buyers, and they differ in discount use, price level, season, returns,
 * category, channel, days between orders and browsing depth. The personas must recover them
 * (adjusted Rand index against the planted kind), report the silhouette of every k they tried,
 * and describe each by what sets it apart, with the needs and motivators that follow.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/jobs/queue.js';
import { seededRandom } from '../../src/modules/personas/clustering.js';
import type { PersonaRun } from '../../src/modules/personas/index.js';
import { segmentServices } from '../../src/services.js';
import { StoreBuilder } from '../helpers/segments-data.js';
import { openTestStore } from '../helpers/store.js';

const KINDS = ['deal', 'premium', 'gift', 'returner', 'replenisher', 'researcher'] as const;
type Kind = (typeof KINDS)[number];
const PER_KIND = 60;
const STORE = 'st_archetypes';
const AS_OF = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

let store: Awaited<ReturnType<typeof openTestStore>>;
let run: PersonaRun;
const kindOf = new Map<number, Kind>();
const ordersOf = new Map<number, number>();

/**
 * Adjusted Rand index (Hubert & Arabie 1985, "Comparing partitions", J. Classification 2:193–218):
 * pair agreement between two labellings, 0 for chance, 1 for the same partition.
 */
function adjustedRand(a: string[], b: string[]): number {
  const pairs = (n: number) => (n * (n - 1)) / 2;
  const table = new Map<string, number>();
  const rows = new Map<string, number>();
  const cols = new Map<string, number>();
  a.forEach((x, i) => {
    const y = b[i]!;
    table.set(`${x}\u0000${y}`, (table.get(`${x}\u0000${y}`) ?? 0) + 1);
    rows.set(x, (rows.get(x) ?? 0) + 1);
    cols.set(y, (cols.get(y) ?? 0) + 1);
  });
  const index = [...table.values()].reduce((s, n) => s + pairs(n), 0);
  const rowPairs = [...rows.values()].reduce((s, n) => s + pairs(n), 0);
  const colPairs = [...cols.values()].reduce((s, n) => s + pairs(n), 0);
  const expected = (rowPairs * colPairs) / pairs(a.length);
  return (index - expected) / ((rowPairs + colPairs) / 2 - expected);
}

beforeAll(async () => {
  store = await openTestStore();
  const b = new StoreBuilder(store, STORE);
  for (const [sku, category] of [['JACKET', 'apparel'], ['SOCKS', 'apparel'], ['TENT', 'gear'], ['COFFEE', 'coffee'], ['GIFTBOX', 'gifts']] as const) {
    await b.product(sku, category);
  }
  const random = seededRandom(21);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  // A day outside November–December, between January 2025 and April 2026.
  const offSeason = () => {
    for (;;) {
      const at = new Date(Date.UTC(2025, 0, 1) + between(0, 480) * DAY);
      if (at.getUTCMonth() < 10) return at;
    }
  };
  for (let i = 0; i < PER_KIND * KINDS.length; i += 1) {
    const kind = KINDS[i % KINDS.length]!;
    const id = await b.customer({ external_id: `${kind}-${i}` });
    kindOf.set(id, kind);
    // Every archetype has one-order buyers and repeat buyers.
    const n = random() < 0.45 ? 1 : kind === 'replenisher' ? between(3, 7) : between(2, 4);
    const gap = kind === 'replenisher' ? 25 : kind === 'premium' ? 45 : 90;
    let at = kind === 'gift' ? new Date(Date.UTC(2024, between(10, 11), between(1, 28))) : offSeason();
    let views = 0;
    for (let k = 0; k < n; k += 1) {
      // Gift buyers come back the next holiday season.
      if (k > 0) at = kind === 'gift' ? new Date(Date.UTC(2024 + k, between(10, 11), between(1, 28))) : new Date(at.getTime() + (gap + between(-3, 3)) * DAY);
      if (at > AS_OF) break;
      const spec = {
        deal: { total: between(3_000, 6_000), products: ['SOCKS'], discount: 1_000, channel: 'social' },
        premium: { total: between(40_000, 60_000), products: ['JACKET'], discount: 0, channel: 'email' },
        gift: { total: between(4_000, 6_000), products: ['GIFTBOX'], discount: random() < 0.3 ? 500 : 0, channel: 'web' },
        returner: { total: between(12_000, 16_000), products: ['JACKET', 'SOCKS'], discount: 0, channel: 'web' },
        replenisher: { total: between(1_500, 2_500), products: ['COFFEE'], discount: 0, channel: 'web' },
        researcher: { total: between(25_000, 35_000), products: ['TENT'], discount: 0, channel: 'web' },
      }[kind];
      const orderId = await b.order(id, {
        external_id: `${kind}-${i}-${k}`, placed_at: at, total: spec.total, discount: spec.discount, channel: spec.channel, products: spec.products,
        ...(spec.discount > 0 && { discount_codes: ['SAVE'] }),
      });
      if (kind === 'returner' && random() < 0.85) await b.return(id, orderId, new Date(at.getTime() + 10 * DAY), spec.total);
      const perOrder = kind === 'researcher' ? between(12, 20) : kind === 'replenisher' ? between(0, 1) : between(2, 4);
      await b.events(id, 'Product Viewed', Array.from({ length: perOrder }, (_, e) => new Date(at.getTime() - (e + 1) * 600_000)));
      views += perOrder;
      ordersOf.set(id, k + 1);
    }
    expect(views).toBeGreaterThanOrEqual(0);
  }
  const modules = segmentServices(store, new JobQueue(store.write, store.read));
  run = await modules.personas.run(STORE, { seed: 3, asOf: AS_OF });
}, 120_000);
afterAll(async () => store.dispose());

async function labels(): Promise<Map<number, string>> {
  const rows = await sql<{ customer_id: number; persona_id: string }>`select customer_id, persona_id from persona_members where store_id = ${STORE}`.execute(store.read);
  return new Map(rows.rows.map((r) => [r.customer_id, r.persona_id]));
}

describe('personas on planted buyer archetypes', () => {
  it('recover the archetypes far better than a one-off vs repeat split could', async () => {
    const personaOf = await labels();
    const ids = [...kindOf.keys()];
    expect(ids.every((id) => personaOf.has(id))).toBe(true);
    const planted = ids.map((id) => kindOf.get(id)!);
    const found = ids.map((id) => personaOf.get(id)!);
    const oneOffVsRepeat = ids.map((id) => (ordersOf.get(id)! > 1 ? 'repeat' : 'one-off'));
    const threshold = 0.6;
    // The threshold means something: the trivial split scores far below it on this store.
    expect(adjustedRand(planted, oneOffVsRepeat)).toBeLessThan(threshold / 2);
    const recovered = adjustedRand(planted, found);
    expect(recovered).toBeGreaterThan(threshold);
    expect(run.k).toBeGreaterThanOrEqual(5);
  });

  it('report the silhouette of every k tried, and the chosen k has the best one', () => {
    expect(run.silhouettes.map((s) => s.k)).toEqual([2, 3, 4, 5, 6]);
    const chosen = run.silhouettes.find((s) => s.k === run.k)!;
    for (const s of run.silhouettes) expect(chosen.silhouette).toBeGreaterThanOrEqual(s.silhouette - 0.01);
    expect(run.reason).toContain(`k = ${run.k} has the highest mean silhouette (${chosen.silhouette.toFixed(3)})`);
  });

  it('describe each persona by its distinguishing traits, with needs and motivators that follow from them', async () => {
    const personaOf = await labels();
    const expectations: Record<Kind, { trait: string; motivator: RegExp }> = {
      deal: { trait: 'discount_share', motivator: /offers|sale alerts/ },
      premium: { trait: 'price_level', motivator: /early access|VIP/ },
      gift: { trait: 'holiday_share', motivator: /before the season/ },
      returner: { trait: 'return_rate', motivator: /fit guidance/ },
      replenisher: { trait: 'order_gap_days', motivator: /replenishment/ },
      researcher: { trait: 'views_per_order', motivator: /reviews, comparisons/ },
    };
    const seen = new Set<Kind>();
    for (const persona of run.personas) {
      // The archetype most of its members were planted as.
      const counts = new Map<Kind, number>();
      for (const [id, kind] of kindOf) if (personaOf.get(id) === persona.id) counts.set(kind, (counts.get(kind) ?? 0) + 1);
      const [kind, most] = [...counts.entries()].sort((x, y) => y[1] - x[1])[0]!;
      if (most / persona.size < 0.7) continue;
      seen.add(kind);
      const { trait, motivator } = expectations[kind];
      const distinguishing = persona.profile.filter((c) => c.distinguishing);
      expect(distinguishing.map((c) => c.key), `${persona.name} (${kind})`).toContain(trait);
      const named = distinguishing.find((c) => c.key === trait)!;
      // A trait named as high is above the store's figure, a low one below.
      expect(Math.sign(named.persona - named.store)).toBe(Math.sign(named.z));
      expect(persona.description).toContain(named.label === 'days between orders' ? 'between orders' : '(store: ');
      expect(persona.motivators.join(' | '), persona.name).toMatch(motivator);
      expect(persona.needs.length).toBe(persona.motivators.length);
    }
    // Most archetypes come out as a persona of their own.
    expect(seen.size).toBeGreaterThanOrEqual(5);
  });
});
