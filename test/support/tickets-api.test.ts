/** Tickets through the admin API: created, updated by external_id, refused naming the field, escalated by the rules. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from '../helpers/app.js';
import { supportHarness, type SupportHarness } from './harness.js';

let h: SupportHarness;
let ada: number;

beforeAll(async () => {
  h = await supportHarness();
  await h.t.services.commerce.write(h.storeId, { customers: [{ external_id: 'ada', email: 'ada@example.com' }] });
  ada = (await h.t.services.customers.get(h.storeId, 'ext:ada')).id;
});
afterAll(async () => h.t.close());

describe('POST /api/v1/tickets', () => {
  it('creates a ticket, then updates it by its external_id; a retry changes nothing', async () => {
    const first = await h.request('POST', '/api/v1/tickets', { external_id: 'T-1', customer_id: 'ext:ada', channel: 'chat', subject: 'Refund please', body: 'I would like a refund for the lead', opened_at: '2026-11-01T10:00:00Z' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ source: 'api', customer_id: ada, status: 'open', topic: 'returns', channel: 'chat' });
    const resolved = { external_id: 'T-1', customer_id: ada, status: 'resolved', channel: 'chat', first_response_at: '2026-11-01T10:20:00Z', resolved_at: '2026-11-01T22:00:00Z', satisfaction_score: 2 };
    const second = await h.request('POST', '/api/v1/tickets', resolved);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ id: first.json().id, status: 'resolved', first_response_minutes: 20, resolution_hours: 12, satisfaction_score: 2, satisfied: false, topic: 'returns' });
    expect((await h.request('POST', '/api/v1/tickets', resolved)).statusCode).toBe(200);
    expect(await h.domainEvents('ticket.resolved')).toHaveLength(1);
    expect(await h.domainEvents('ticket.opened')).toHaveLength(1);
  });

  it('refuses bad input naming the field, and writes nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ customer_id: ada }, 'external_id'],
      [{ external_id: 'T-2' }, 'customer_id'],
      [{ external_id: 'T-2', customer_id: ada, status: 'done' }, 'status'],
      [{ external_id: 'T-2', customer_id: ada, satisfaction_score: 7 }, 'satisfaction_score'],
      [{ external_id: 'T-2', customer_id: ada, resolved_at: '2026-11-01T10:00:00Z' }, 'resolved_at'],
      [{ external_id: 'T-2', customer_id: 999999 }, 'customer_id'],
      [{ external_id: 'T-2', customer_id: ada, order_id: 'ext:nope' }, 'order_id'],
    ];
    for (const [body, field] of cases) {
      const response = await h.request('POST', '/api/v1/tickets', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(422);
      expect(errorOf(response).details.map((d) => d.path)).toContain(field);
    }
    expect((await h.request('GET', '/api/v1/tickets')).json().data.map((t: { source_ticket_id: string }) => t.source_ticket_id)).toEqual(['T-1']);
  });

  it('tags the topic with the store\'s own keyword rules first, and escalates a recent detractor', async () => {
    const saved = await h.request('PUT', '/api/v1/support/settings', { topic_rules: [{ topic: 'engraving', keywords: ['engrave', 'engraving'] }] });
    expect(saved.statusCode).toBe(200);
    const bad = await h.request('PUT', '/api/v1/support/settings', { topic_rules: [{ topic: 'Bad Topic', keywords: ['x'] }] });
    expect(bad.statusCode).toBe(422);
    expect(errorOf(bad).details.map((d) => d.path)).toEqual(expect.arrayContaining(['topic_rules.0.topic', 'topic_rules.0.keywords.0']));

    const { url } = await h.t.services.surveys.link(h.storeId, { customer_id: ada, kind: 'nps', key: 'q4' });
    await h.t.services.surveys.answer(new URL(url).pathname.slice(3), { score: '3', comment: 'Slow' });
    const ticket = await h.request('POST', '/api/v1/tickets', { external_id: 'T-3', email: 'ADA@example.com', subject: 'Can you engrave my refund?' });
    expect(ticket.json()).toMatchObject({ customer_id: ada, topic: 'engraving', escalated: 'detractor' });
  });

  it('publishes the support routes in the OpenAPI document', async () => {
    const doc = (await h.t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, unknown> };
    for (const path of ['/api/v1/tickets', '/api/v1/support/retention', '/api/v1/surveys/results', '/webhooks/support/{provider}/{store}/{token}', '/o/{token}', '/s/{token}']) expect(Object.keys(doc.paths)).toContain(path);
  });
});

describe('segment rules over tickets and answers', () => {
  it('selects customers with an open ticket, and detractors by their latest NPS answer', async () => {
    await h.t.services.commerce.write(h.storeId, { customers: [{ external_id: 'cy', email: 'cy@example.com' }, { external_id: 'di', email: 'di@example.com' }] });
    const cy = (await h.t.services.customers.get(h.storeId, 'ext:cy')).id;
    const di = (await h.t.services.customers.get(h.storeId, 'ext:di')).id;
    await h.request('POST', '/api/v1/tickets', { external_id: 'S-1', customer_id: cy, status: 'pending' });
    await h.request('POST', '/api/v1/tickets', { external_id: 'S-2', customer_id: di, status: 'resolved' });
    const answer = async (customer: number, key: string, score: number, at: Date) => {
      const { url } = await h.t.services.surveys.link(h.storeId, { customer_id: customer, kind: 'nps', key }, at);
      await h.t.services.surveys.answer(new URL(url).pathname.slice(3), { score: String(score) }, at);
    };
    // Di was a detractor, then a promoter: the latest answer counts.
    await answer(di, 'q3', 2, new Date('2026-09-01T00:00:00Z'));
    await answer(di, 'q4', 10, new Date('2026-11-01T00:00:00Z'));
    await answer(cy, 'q4', 5, new Date('2026-11-01T00:00:00Z'));

    const members = async (rule: unknown) => {
      const response = await h.request('POST', '/api/v1/segments/preview', { rule, sample_size: 50 });
      expect(response.statusCode, response.body).toBe(200);
      return (response.json().sample as { id: number }[]).map((c) => c.id).sort((a, b) => a - b);
    };
    const withOpen = (await h.request('GET', '/api/v1/tickets')).json().data
      .filter((t: { status: string; customer_id: number | null }) => t.status !== 'resolved' && t.customer_id !== null).map((t: { customer_id: number }) => t.customer_id);
    expect(await members({ kind: 'profile', field: 'open_tickets', op: 'gte', value: 1 })).toEqual([...new Set<number>(withOpen)].sort((a, b) => a - b));
    expect(await members({ kind: 'profile', field: 'open_tickets', op: 'gte', value: 1 })).toContain(cy);
    const detractors = await members({ kind: 'profile', field: 'nps_category', op: 'eq', value: 'detractor' });
    expect(detractors).toContain(cy);
    expect(detractors).not.toContain(di);
  });
});
