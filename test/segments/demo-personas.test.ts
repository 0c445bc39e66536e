/**
 * Personas on the demo store: the same seed gives the same personas, and every figure a persona
 * quotes equals a plain JavaScript mean over its members' raw orders.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/jobs/queue.js';
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

beforeAll(async () => {
  store = await openTestStore();
  await writeDemoData(new CommerceService(store), STORE, planDemo({ customers: 1500, seed: 5, end: END, eventsPerCustomer: 8 }));
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
    for (const persona of second.personas) {
      const members = await sql<{ customer_id: number }>`select customer_id from persona_members where store_id = ${STORE} and persona_id = ${persona.id}`.execute(store.read);
      const lists = members.rows.map((m) => byCustomer.get(m.customer_id)!);
      expect(lists.every(Boolean)).toBe(true);
      const mean = (f: (os: typeof orders.rows) => number) => lists.reduce((s, os) => s + f(os), 0) / lists.length;
      const independent: Record<string, number> = {
        orders: mean((os) => os.length),
        revenue: mean((os) => os.reduce((s, o) => s + o.total, 0)),
        aov: mean((os) => os.reduce((s, o) => s + o.total, 0) / os.length),
        discount_share: mean((os) => os.filter((o) => o.discount > 0 || o.discount_codes.length > 0).length / os.length),
        holiday_share: mean((os) => os.filter((o) => o.placed_at.getUTCMonth() >= 10).length / os.length),
        recency_days: mean((os) => (END.getTime() - Math.max(...os.map((o) => o.placed_at.getTime()))) / 86_400_000),
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
});
