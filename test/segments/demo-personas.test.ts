/**
 * Personas on the demo store: the same seed gives the same personas, and every figure a persona
 * quotes equals a plain JavaScript mean over its members' raw orders, lines and product views, and
 * the deal seekers the generator planted (customers won by a first-order discount) are found.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/jobs/queue.js';
import { acquisitionCurve, periodEnding } from '../../src/modules/demo/calendar.js';
import { buildCatalogue } from '../../src/modules/demo/catalogue.js';
import { simulateCustomer } from '../../src/modules/demo/customer.js';
import { planDemo, writeDemoData } from '../../src/modules/demo/demo.generator.js';
import type { PersonaRun } from '../../src/modules/personas/personas.service.js';
import { segmentServices } from '../../src/services.js';
import { CommerceService } from '../../src/modules/commerce/index.js';
import { openTestStore } from '../helpers/store.js';

const STORE = 'st_demo';
const END = new Date('2026-06-01T00:00:00Z');
let store: Awaited<ReturnType<typeof openTestStore>>;
let modules: ReturnType<typeof segmentServices>;
let first: PersonaRun;
let second: PersonaRun;
/** By external id: whether the generator made the customer a deal seeker (won by a first-order discount). */
const hidden = new Map<string, { dealSeeker: boolean; orders: number }>();

beforeAll(async () => {
  store = await openTestStore();
  const plan = planDemo({ customers: 1500, seed: 5, end: END, eventsPerCustomer: 8 });
  await writeDemoData(new CommerceService(store), STORE, plan);
  // The generator's hidden traits of each customer, drawn again from the same seed.
  const period = periodEnding(END, plan.months);
  const ctx = { seed: plan.seed, period, curve: acquisitionCurve(period), customers: plan.customers, catalogue: buildCatalogue(), rateScale: plan.rateScale };
  for (let i = 0; i < plan.customers; i += 1) {
    const sim = simulateCustomer(ctx, i);
    hidden.set(sim.externalId, { dealSeeker: sim.firstDiscount, orders: sim.orders.length });
  }
  modules = segmentServices(store, new JobQueue(store.write, store.read));
  first = await modules.personas.run(STORE, { seed: 42, asOf: END });
  second = await modules.personas.run(STORE, { seed: 42, asOf: END });
}, 120_000);
afterAll(async () => store.dispose());

describe('personas on the demo store', () => {
  it('are the same for the same seed', () => {
    const strip = (run: PersonaRun) => ({ k: run.k, personas: run.personas.map((p) => ({ name: p.name, description: p.description, size: p.size, revenue_share: p.revenue_share })) });
    expect(strip(second)).toEqual(strip(first));
    expect(first.k).toBeGreaterThanOrEqual(2);
    expect(first.personas.reduce((s, p) => s + p.size, 0)).toBeGreaterThan(0);
  });

  it('quote figures that match their members\' raw orders', async () => {
    const orders = await sql<{ customer_id: number; placed_at: Date; total: number; discount: number; discount_codes: string[] }>`
      select customer_id, placed_at, total, discount, discount_codes from orders
      where store_id = ${STORE} and customer_id is not null and status <> 'cancelled' and placed_at <= ${END}`.execute(store.read);
    const byCustomer = new Map<number, typeof orders.rows>();
    for (const o of orders.rows) byCustomer.set(o.customer_id, [...(byCustomer.get(o.customer_id) ?? []), o]);
    const totalRevenue = orders.rows.reduce((s, o) => s + o.total, 0);
    // Price level from raw lines: the buyer's item prices against each category's median line price.
    const lines = await sql<{ customer_id: number; category: string | null; unit_price: number; quantity: number }>`
      select o.customer_id, p.category, l.unit_price, l.quantity from orders o
      join order_lines l on l.store_id = o.store_id and l.order_id = o.id
      left join products p on p.store_id = l.store_id and p.id = l.product_id
      where o.store_id = ${STORE} and o.customer_id is not null and o.status <> 'cancelled' and o.placed_at <= ${END}
        and l.unit_price > 0 and l.quantity > 0`.execute(store.read);
    const median = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    };
    const pricesByCategory = new Map<string, number[]>();
    for (const l of lines.rows) pricesByCategory.set(l.category ?? '', [...(pricesByCategory.get(l.category ?? '') ?? []), l.unit_price]);
    const categoryMedian = new Map([...pricesByCategory].map(([c, xs]) => [c, median(xs)]));
    const paid = new Map<number, { actual: number; typical: number }>();
    for (const l of lines.rows) {
      const p = paid.get(l.customer_id) ?? { actual: 0, typical: 0 };
      p.actual += l.unit_price * l.quantity;
      p.typical += categoryMedian.get(l.category ?? '')! * l.quantity;
      paid.set(l.customer_id, p);
    }
    const views = await sql<{ customer_id: number; n: number }>`
      select customer_id, count(*) as n from events where store_id = ${STORE} and customer_id is not null and name = 'Product Viewed' and occurred_at <= ${END} group by 1`.execute(store.read);
    const viewsOf = new Map(views.rows.map((r) => [r.customer_id, Number(r.n)]));
    for (const persona of second.personas) {
      const members = await sql<{ customer_id: number }>`select customer_id from persona_members where store_id = ${STORE} and persona_id = ${persona.id}`.execute(store.read);
      const lists = members.rows.map((m) => byCustomer.get(m.customer_id)!);
      const ids = members.rows.map((m) => m.customer_id);
      expect(lists.every(Boolean)).toBe(true);
      const mean = (f: (os: typeof orders.rows) => number) => lists.reduce((s, os) => s + f(os), 0) / lists.length;
      const independent: Record<string, number> = {
        orders: mean((os) => os.length),
        revenue: mean((os) => os.reduce((s, o) => s + o.total, 0)),
        aov: mean((os) => os.reduce((s, o) => s + o.total, 0) / os.length),
        discount_share: mean((os) => os.filter((o) => o.discount > 0 || o.discount_codes.length > 0).length / os.length),
        holiday_share: mean((os) => os.filter((o) => o.placed_at.getUTCMonth() >= 10).length / os.length),
        recency_days: mean((os) => (END.getTime() - Math.max(...os.map((o) => o.placed_at.getTime()))) / 86_400_000),
        price_level: ids.reduce((s, id) => s + (paid.has(id) ? paid.get(id)!.actual / paid.get(id)!.typical : 1), 0) / ids.length,
        views_per_order: ids.reduce((s, id, i) => s + (viewsOf.get(id) ?? 0) / lists[i]!.length, 0) / ids.length,
      };
      for (const c of persona.profile) {
        if (c.key in independent) expect(c.persona, `${persona.name}: ${c.key}`).toBeCloseTo(independent[c.key]!, 6);
      }
      expect(persona.size).toBe(lists.length);
      const revenue = lists.reduce((s, os) => s + os.reduce((t, o) => t + o.total, 0), 0);
      expect(persona.revenue_share).toBeCloseTo(revenue / totalRevenue, 10);
      // The words point the right way: a feature named as high is above the store's mean, and its figure is in the text.
      for (const c of persona.profile.slice(0, 2)) expect(Math.sign(c.persona - c.store)).toBe(Math.sign(c.z));
      expect(persona.description.startsWith(`${persona.name}: `)).toBe(true);
    }
  });

  it('recover the generator\'s hidden deal seekers far better than a one-off vs repeat split does', async () => {
    const rows = await sql<{ external_id: string; persona_id: string }>`
      select c.external_id, m.persona_id from persona_members m join customers c on c.store_id = m.store_id and c.id = m.customer_id
      where m.store_id = ${STORE} and m.persona_id in (select id from personas where store_id = ${STORE} and run_id = ${second.run_id})`.execute(store.read);
    const bargain = second.personas.find((p) => p.profile.some((c) => c.key === 'discount_share' && c.distinguishing && c.z > 0))!;
    expect(bargain).toBeDefined();
    // F1 of a group as a finder of the hidden deal seekers.
    const f1 = (inGroup: (r: { external_id: string; persona_id: string }) => boolean) => {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (const r of rows.rows) {
        const truth = hidden.get(r.external_id)!.dealSeeker;
        const said = inGroup(r);
        if (truth && said) tp += 1;
        else if (said) fp += 1;
        else if (truth) fn += 1;
      }
      return (2 * tp) / (2 * tp + fp + fn);
    };
    const persona = f1((r) => r.persona_id === bargain.id);
    const oneOff = f1((r) => hidden.get(r.external_id)!.orders === 1);
    expect(persona).toBeGreaterThan(0.6);
    expect(persona).toBeGreaterThan(oneOff + 0.15);
  });

  it('differ in how they buy, not only in how often, whatever their number', async () => {
    const asked = await modules.personas.run(STORE, { seed: 42, asOf: END, k: 5 });
    for (const run of [first, asked]) {
      const leading = run.personas.map((p) => p.profile.find((c) => c.distinguishing)!);
      // Each persona leads with a behaviour the clustering saw, and no two lead with the same one.
      for (const trait of leading) expect(trait.clustered, trait.key).toBe(true);
      expect(new Set(leading.map((t) => `${t.key}:${Math.sign(t.z)}`)).size).toBe(leading.length);
      expect(run.silhouettes.map((s) => s.k)).toEqual([2, 3, 4, 5, 6]);
    }
    expect(asked.personas).toHaveLength(5);
  });
});
