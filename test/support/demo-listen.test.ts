/**
 * The demo's tickets, NPS answers and order-status views go through the product's own paths (the
 * API service, Zendesk's webhook format, the signed links), so the profile, the survey results,
 * the deflection count and the retention tables all have figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDemoListening } from '../../src/modules/demo/demo-listen.js';
import { planDemo, writeDemoData } from '../../src/modules/demo/demo.generator.js';
import { fitAndScore } from '../../src/modules/predictions/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const END = new Date('2026-11-23T00:00:00Z');
let t: TestApp;
let storeId: string;
let result: Awaited<ReturnType<typeof addDemoListening>>;

beforeAll(async () => {
  t = await createTestApp();
  storeId = (await t.newStore('Demo Outdoor')).storeId;
  await writeDemoData(t.services.commerce, storeId, planDemo({ customers: 150, seed: 5, end: END, eventsPerCustomer: 1 }));
  result = await addDemoListening(t.services, storeId, END);
}, 120_000);
afterAll(async () => t.close());

describe('the demo\'s listening data', () => {
  it('has tickets from the API and from Zendesk on profiles, answers, views, and figures in every table', async () => {
    expect(result.tickets).toBeGreaterThan(15);
    expect(result.answers).toBeGreaterThan(40);
    expect(result.views).toBeGreaterThan(5);
    const tickets = await t.services.support.list(storeId, { limit: 1000 });
    expect(tickets).toHaveLength(result.tickets);
    const zendesk = tickets.filter((x) => x.source === 'zendesk');
    expect(zendesk.length).toBeGreaterThan(0);
    expect(zendesk.every((x) => x.customer_id !== null)).toBe(true);
    const profile = await t.services.profiles.profile(storeId, zendesk[0]!.customer_id!);
    expect(profile.tickets.map((x) => x.id)).toContain(zendesk[0]!.id);

    const nps = await t.services.surveys.results(storeId, 'nps', new Date(0), END);
    expect(nps.nps!.answers).toBe(result.answers);
    expect(nps.themes.length).toBeGreaterThan(0);
    // CSAT answers about the first delivery: their share satisfied recounted from the answers themselves.
    expect(result.csat_answers).toBeGreaterThan(15);
    const csat = await t.services.surveys.results(storeId, 'csat', new Date(0), END);
    const csatScores = (await t.services.surveys.answers(storeId, { kind: 'csat', limit: 1000 })).map((a) => a.score);
    expect(csatScores).toHaveLength(result.csat_answers);
    expect(csat.csat!.answers).toBe(result.csat_answers);
    expect(csat.csat!.share).toBeCloseTo(csatScores.filter((s) => s >= 4).length / csatScores.length, 12);
    expect(csat.csat!.mean).toBeCloseTo(csatScores.reduce((a, s) => a + s, 0) / csatScores.length, 12);
    const deflection = await t.services.support.deflection(storeId, new Date(0), END);
    expect(deflection.views).toBe(result.views);
    const retention = await t.services.support.retention(storeId, END);
    expect(retention.first_response.reduce((a, r) => a + r.customers, 0)).toBeGreaterThan(0);
    expect((await t.services.surveys.npsRetention(storeId, END)).reduce((a, r) => a + r.customers, 0)).toBeGreaterThan(0);
  });

  it('escalates a new ticket of a customer whose predicted CLV reaches the store\'s threshold', async () => {
    await fitAndScore(t.services.storage, storeId, { currency: 'USD' });
    const scored = await t.services.storage.read.selectFrom('customer_predictions' as never).select(['customer_id', 'clv_12m'] as never)
      .where('store_id' as never, '=', storeId as never).execute() as { customer_id: number; clv_12m: number | null }[];
    const detractors = new Set((await t.services.surveys.answers(storeId, { kind: 'nps', limit: 1000 })).filter((a) => a.score <= 6).map((a) => a.customer_id));
    const ranked = scored.filter((p) => p.clv_12m !== null && !detractors.has(Number(p.customer_id))).sort((a, b) => Number(b.clv_12m) - Number(a.clv_12m));
    expect(ranked.length).toBeGreaterThan(10);
    const threshold = Number(ranked[4]!.clv_12m);
    await t.services.support.updateSettings(storeId, { high_value_clv: threshold });
    const high = await t.services.support.createTicket(storeId, { external_id: 'vip-1', customer_id: Number(ranked[0]!.customer_id), subject: 'Question' });
    const low = await t.services.support.createTicket(storeId, { external_id: 'low-1', customer_id: Number(ranked.at(-1)!.customer_id), subject: 'Question' });
    expect(high.ticket.escalated).toBe('high_value');
    expect(low.ticket.escalated).toBeNull();
  });
});
