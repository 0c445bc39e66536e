import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/jobs/queue.js';
import { segmentServices } from '../../src/services.js';
import { seededRandom } from '../../src/modules/personas/clustering.js';
import { StoreBuilder } from '../helpers/segments-data.js';
import { openTestStore } from '../helpers/store.js';

/**
 * A store with three planted archetypes: bargain-driven holiday gift buyers, loyal coffee
 * regulars who browse a lot, and one-off furniture big spenders. Raw facts per customer are kept
 * here so the personas' figures can be checked against plain arithmetic.
 */
type Kind = 'gift' | 'regular' | 'furniture';
interface Planted { id: number; kind: Kind; orders: { at: Date; total: number; discounted: boolean }[]; events: number }

const STORE = 'st_personas';
const AS_OF = new Date('2026-06-01T00:00:00Z');
let store: Awaited<ReturnType<typeof openTestStore>>;
let modules: ReturnType<typeof segmentServices>;
const planted: Planted[] = [];

beforeAll(async () => {
  store = await openTestStore();
  const b = new StoreBuilder(store, STORE);
  await b.product('GIFT', 'gifts');
  await b.product('COFFEE', 'coffee');
  await b.product('SOFA', 'furniture');
  const random = seededRandom(11);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  for (let i = 0; i < 150; i += 1) {
    const kind: Kind = (['gift', 'regular', 'furniture'] as const)[i % 3]!;
    const id = await b.customer({ external_id: `${kind}-${i}` });
    const p: Planted = { id, kind, orders: [], events: 0 };
    if (kind === 'gift') {
      const n = random() < 0.8 ? 1 : 2;
      for (let k = 0; k < n; k += 1) p.orders.push({ at: new Date(Date.UTC(2025, 10 + k % 2, between(1, 28))), total: between(1_500, 3_500), discounted: random() < 0.85 });
      p.events = between(0, 2);
    } else if (kind === 'regular') {
      const n = between(6, 10);
      for (let k = 0; k < n; k += 1) p.orders.push({ at: new Date(Date.UTC(2025, 5, 1) + k * 34 * 86_400_000 + between(0, 5) * 86_400_000), total: between(3_000, 5_000), discounted: random() < 0.1 });
      p.events = between(25, 40);
    } else {
      p.orders.push({ at: new Date(Date.UTC(2025, between(2, 7), between(1, 28))), total: between(60_000, 90_000), discounted: false });
      p.events = between(3, 8);
    }
    for (const [k, o] of p.orders.entries()) {
      await b.order(id, {
        external_id: `${kind}-${i}-${k}`, placed_at: o.at, total: o.total, discount: o.discounted ? 500 : 0,
        products: [kind === 'gift' ? 'GIFT' : kind === 'regular' ? 'COFFEE' : 'SOFA'],
      });
    }
    await b.events(id, 'Product Viewed', Array.from({ length: p.events }, (_, e) => new Date(AS_OF.getTime() - (e + 1) * 3_600_000 * 5)));
    planted.push(p);
  }
  modules = segmentServices(store, new JobQueue(store.write, store.read));
});
afterAll(async () => store.dispose());

async function membersOf(personaId: string): Promise<number[]> {
  const rows = await sql<{ customer_id: number }>`select customer_id from persona_members where store_id = ${STORE} and persona_id = ${personaId} order by 1`.execute(store.read);
  return rows.rows.map((r) => r.customer_id);
}

describe('personas', () => {
  it('recovers the planted archetypes, is stable for a fixed seed, and its words match its data', async () => {
    const first = await modules.personas.run(STORE, { seed: 7, asOf: AS_OF });
    const second = await modules.personas.run(STORE, { seed: 7, asOf: AS_OF });
    // Three planted kinds; the features may see more within one (gift buyers who browse and who do
    // not), but a persona never mixes two kinds.
    expect(first.k).toBeGreaterThanOrEqual(3);
    expect(first.reason).toMatch(/highest mean silhouette/);
    const strip = (run: typeof first) => run.personas.map((p) => ({ name: p.name, description: p.description, size: p.size, share: p.revenue_share }));
    expect(strip(second)).toEqual(strip(first));

    const byId = new Map(planted.map((p) => [p.id, p]));
    const totalRevenue = planted.reduce((s, p) => s + p.orders.reduce((t, o) => t + o.total, 0), 0);
    const kinds = new Set<Kind>();
    for (const persona of second.personas) {
      const members = (await membersOf(persona.id)).map((id) => byId.get(id)!);
      expect(members).toHaveLength(persona.size);
      // Each persona is one planted archetype.
      const kind = members[0]!.kind;
      expect(members.every((m) => m.kind === kind)).toBe(true);
      kinds.add(kind);
      const revenue = members.reduce((s, p) => s + p.orders.reduce((t, o) => t + o.total, 0), 0);
      expect(persona.revenue_share).toBeCloseTo(revenue / totalRevenue, 10);

      // Every named feature's figure is the plain mean over the members.
      const mean = (f: (p: Planted) => number) => members.reduce((s, p) => s + f(p), 0) / members.length;
      const independent: Record<string, number> = {
        orders: mean((p) => p.orders.length),
        revenue: mean((p) => p.orders.reduce((t, o) => t + o.total, 0)),
        discount_share: mean((p) => p.orders.filter((o) => o.discounted).length / p.orders.length),
        holiday_share: mean((p) => p.orders.filter((o) => o.at.getUTCMonth() >= 10).length / p.orders.length),
        views_per_order: mean((p) => p.events / p.orders.length),
      };
      // Days between orders: the median gap of each member with two or more orders, averaged over them.
      const repeat = members.filter((p) => p.orders.length > 1);
      if (repeat.length) {
        const medianGap = (p: Planted) => {
          const times = p.orders.map((o) => o.at.getTime()).sort((a, b) => a - b);
          const gaps = times.slice(1).map((t, k) => (t - times[k]!) / 86_400_000).sort((a, b) => a - b);
          const mid = Math.floor(gaps.length / 2);
          return gaps.length % 2 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
        };
        independent.order_gap_days = repeat.reduce((s, p) => s + medianGap(p), 0) / repeat.length;
        expect(persona.profile.find((c) => c.key === 'order_gap_days')!.coverage).toBeCloseTo(repeat.length / members.length, 10);
      } else {
        // No one in the persona came back: the gap is unknown, not zero, and not listed.
        expect(persona.profile.find((c) => c.key === 'order_gap_days')).toBeUndefined();
      }
      for (const contrast of persona.profile) {
        if (contrast.key in independent) expect(contrast.persona).toBeCloseTo(independent[contrast.key]!, 6);
      }
      const named = persona.profile.slice(0, 2);
      for (const c of named) expect(Math.sign(c.persona - c.store)).toBe(Math.sign(c.z));
      if (kind === 'gift') {
        expect(persona.name.toLowerCase()).toMatch(/bargain|seasonal gift|gifts/);
        const discount = persona.profile.find((c) => c.key === 'discount_share')!;
        expect(discount.persona).toBeGreaterThan(discount.store);
      }
      if (kind === 'regular') {
        expect(persona.name.toLowerCase()).toMatch(/frequent|research-heavy|coffee/);
        const orders = persona.profile.find((c) => c.key === 'orders')!;
        expect(orders.persona).toBeGreaterThan(orders.store);
        // Regulars keep ordering: most are still ordering 90 days after their first order.
        expect(persona.retention.find((r) => r.days === 90)!.share).toBeGreaterThan(0.9);
      }
      if (kind === 'furniture') {
        expect(persona.name.toLowerCase()).toMatch(/big-basket|premium|furniture/);
        expect(persona.retention.find((r) => r.days === 90)!.share).toBe(0);
      }
      // The description quotes the figures of its features.
      const top = persona.profile[0]!;
      expect(persona.description).toContain(top.key.endsWith('share') || top.key.includes(':') ? `${Math.round(top.persona * 100)}%` : persona.name);
    }
    expect(kinds).toEqual(new Set(['gift', 'regular', 'furniture']));
    expect(await modules.personas.list(STORE)).toHaveLength(first.k);
  });

  it('saves a persona as a segment that keeps its members after personas are found again', async () => {
    const [persona] = await modules.personas.list(STORE);
    const segment = await modules.personas.saveAsSegment(STORE, persona!.id);
    expect(segment.member_count).toBe(persona!.size);
    const before = (await modules.segments.members(STORE, segment.id, { limit: 1000 })).data.map((m) => m.customer_id);
    expect(before).toEqual(await membersOf(persona!.id));
    await modules.personas.run(STORE, { seed: 8, asOf: AS_OF });
    const after = await modules.segments.refresh(STORE, segment.id);
    expect(after).toEqual({ size: persona!.size, entered: 0, exited: 0 });
    const unknown = await modules.segments.preview(STORE, { kind: 'persona', persona_id: 'per_nope' }).catch((e: unknown) => e) as { details: unknown };
    expect(unknown.details).toEqual([{ path: 'rule', reason: 'no persona "per_nope" in this store' }]);
  });
});
