/**
 * Personas over HTTP: the list says how the latest run chose its number of personas (the mean
 * silhouette of every k tried, the chosen k and why), and each persona carries its needs and
 * motivators; the API document describes both.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { StoreBuilder } from '../helpers/segments-data.js';

let t: TestApp;
let key: string;

beforeAll(async () => {
  t = await createTestApp();
  const mine = await t.newStore('Personas');
  key = mine.secretKey;
  const b = new StoreBuilder(t.services.storage, mine.storeId);
  await b.product('MUG', 'kitchen');
  await b.product('COAT', 'apparel');
  // Two kinds of buyer: discounted kitchen shoppers and full-price coat buyers who return a lot.
  for (let i = 0; i < 40; i += 1) {
    const deal = i % 2 === 0;
    const id = await b.customer({ external_id: `c${i}` });
    const orderId = await b.order(id, {
      external_id: `o${i}`, placed_at: new Date(Date.UTC(2026, i % 5, 1 + i)), total: deal ? 2_000 + i : 20_000 + i * 10,
      discount: deal ? 400 : 0, ...(deal && { discount_codes: ['SAVE20'] }), products: [deal ? 'MUG' : 'COAT'],
    });
    if (!deal) await b.return(id, orderId, new Date(Date.UTC(2026, i % 5, 10 + i)), 20_000);
  }
});
afterAll(async () => t.close());

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: bearer(key) });

describe('personas over HTTP', () => {
  it('has no run before the first one', async () => {
    const body = (await get('/api/v1/personas')).json();
    expect(body).toEqual({ data: [], run: null });
  });

  it('lists the silhouette of every k tried beside the personas, with their needs and motivators', async () => {
    const ran = await t.app.inject({ method: 'POST', url: '/api/v1/personas/run', payload: { seed: 4 }, headers: bearer(key) });
    expect(ran.statusCode).toBe(200);
    const run = ran.json();
    const listed = (await get('/api/v1/personas')).json();
    expect(listed.run).toEqual({ run_id: run.run_id, k: run.k, reason: run.reason, silhouettes: run.silhouettes, buyers: 40, created_at: run.created_at });
    expect(listed.run.silhouettes.map((s: { k: number }) => s.k)).toEqual([2, 3, 4, 5, 6]);
    const best = Math.max(...listed.run.silhouettes.map((s: { silhouette: number }) => s.silhouette));
    expect(listed.run.silhouettes.find((s: { k: number }) => s.k === listed.run.k).silhouette).toBeGreaterThanOrEqual(best - 0.01);
    expect(listed.run.reason).toContain(`k = ${listed.run.k}`);
    expect(listed.data).toHaveLength(listed.run.k);
    for (const persona of listed.data) {
      expect(persona.needs.length).toBeGreaterThan(0);
      expect(persona.motivators).toHaveLength(persona.needs.length);
      expect(persona.profile.some((c: { distinguishing: boolean }) => c.distinguishing)).toBe(true);
    }
    // The profile names each customer's persona with what it responds to.
    const [member] = (await sql<{ customer_id: number }>`select customer_id from persona_members where persona_id = ${listed.data[0].id as string} limit 1`.execute(t.services.storage.read)).rows;
    const profile = (await get(`/api/v1/customers/${member!.customer_id}/profile`)).json();
    expect(profile.personas).toEqual([{ id: listed.data[0].id, name: listed.data[0].name, motivators: listed.data[0].motivators, assigned_at: listed.data[0].created_at }]);
    const deal = listed.data.find((p: { profile: { key: string; z: number; distinguishing: boolean }[] }) => p.profile.some((c) => c.key === 'discount_share' && c.z > 0 && c.distinguishing));
    expect(deal?.motivators.join(' ')).toMatch(/offers/);
  });

  it('documents the silhouettes in the API document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const info = doc.components.schemas.PersonaRunInfo;
    expect(info.required).toEqual(expect.arrayContaining(['k', 'reason', 'silhouettes']));
    expect(doc.components.schemas.Persona.required).toEqual(expect.arrayContaining(['needs', 'motivators']));
  });
});
