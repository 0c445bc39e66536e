/**
 * Zendesk and Gorgias webhooks with the payloads their documentation shows: tickets are matched to
 * customers, replays change nothing, Zendesk signatures are checked, bad bodies are refused naming
 * the field, and the tickets show on the profile and its timeline.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from '../helpers/app.js';
import { supportHarness, type SupportHarness } from './harness.js';

let h: SupportHarness;
let ada: number;
let bo: number;

beforeAll(async () => {
  h = await supportHarness();
  await h.t.services.commerce.write(h.storeId, { customers: [
    { external_id: 'shop-ada', email: 'ada@example.com', first_name: 'Ada' },
    { external_id: 'shop-bo', email: 'Bo@Example.com', first_name: 'Bo' },
  ] });
  ada = (await h.t.services.customers.get(h.storeId, 'ext:shop-ada')).id;
  bo = (await h.t.services.customers.get(h.storeId, 'ext:shop-bo')).id;
});
afterAll(async () => h.t.close());

/** Zendesk's event webhook envelope (developer.zendesk.com, "Webhook event types"). */
function zendeskEvent(type: string, subject: string, detail: Record<string, unknown>, event: Record<string, unknown> = {}, time = '2026-11-20T09:00:00Z') {
  return { type, account_id: 12514403, id: `${type}-${time}`, time, zendesk_event_version: '2022-11-06', subject, detail, event };
}

const ticketDetail = (status: string, updated: string) => ({
  actor_id: '8447388090494', assignee_id: null, brand_id: '8447346621310', created_at: '2026-11-20T09:00:00Z', custom_status: '8447388088702',
  description: 'Hello, where is my order? It has not arrived yet.', external_id: null, form_id: '8646151517822', group_id: '8447320466430', id: '35436',
  is_public: true, organization_id: null, priority: 'LOW', requester_id: '8766988889982', status, subject: 'Parcel missing', submitter_id: '8766988889982',
  tags: ['delivery'], type: 'QUESTION', updated_at: updated, via: { channel: 'web_form' },
});

describe('Zendesk event webhooks', () => {
  it('learns the requester from a user event, opens the ticket once, takes the first agent response and the resolution', async () => {
    const path = await h.webhookPath('zendesk');
    const user = zendeskEvent('zen:event-type:user.created', 'zen:user:8766988889982', {
      created_at: '2026-11-20T08:59:00Z', email: 'ada@example.com', external_id: 'shop-ada', default_group_id: '0', id: '8766988889982', organization_id: '0', role: 'end-user', updated_at: '2026-11-20T08:59:00Z',
    }, { current: true, previous: false });
    expect((await h.post(path, JSON.stringify(user))).json()).toMatchObject({ requesters: 1 });

    const created = JSON.stringify(zendeskEvent('zen:event-type:ticket.created', 'zen:ticket:35436', ticketDetail('OPEN', '2026-11-20T09:00:00Z'), { meta: { sequence: { id: 'a', position: 1 } } }));
    expect((await h.post(path, created)).json()).toMatchObject({ received: 1, created: 1 });
    // The same delivery again (Zendesk retries): nothing changes, no second event.
    expect((await h.post(path, created)).json()).toMatchObject({ received: 1, created: 0, unchanged: 1 });

    const comment = zendeskEvent('zen:event-type:ticket.comment_added', 'zen:ticket:35436', ticketDetail('PENDING', '2026-11-20T10:30:00Z'),
      { comment: { id: '1', body: 'It ships today.', is_public: true, author: { id: '99', is_staff: true, name: 'Agent' } } }, '2026-11-20T10:30:00Z');
    expect((await h.post(path, JSON.stringify(comment))).json()).toMatchObject({ updated: 1 });
    const solved = zendeskEvent('zen:event-type:ticket.status_changed', 'zen:ticket:35436', ticketDetail('SOLVED', '2026-11-20T15:00:00Z'),
      { current: 'SOLVED', previous: 'PENDING' }, '2026-11-20T15:00:00Z');
    expect((await h.post(path, JSON.stringify(solved))).json()).toMatchObject({ updated: 1 });
    // An older state delivered late does not reopen it.
    expect((await h.post(path, JSON.stringify(comment))).json()).toMatchObject({ stale: 1 });

    const tickets = (await h.request('GET', `/api/v1/tickets?customer_id=${ada}`)).json().data;
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({
      source: 'zendesk', source_ticket_id: '35436', customer_id: ada, status: 'resolved', channel: 'web', topic: 'where_is_my_order',
      opened_at: '2026-11-20T09:00:00.000Z', first_response_at: '2026-11-20T10:30:00.000Z', resolved_at: '2026-11-20T15:00:00.000Z',
      first_response_minutes: 90, resolution_hours: 6,
    });
    expect(await h.domainEvents('ticket.opened')).toEqual([{ customer_id: ada, data: expect.objectContaining({ source: 'zendesk', source_ticket_id: '35436', topic: 'where_is_my_order' }) }]);
    expect(await h.domainEvents('ticket.resolved')).toEqual([{ customer_id: ada, data: expect.objectContaining({ source_ticket_id: '35436', hours_to_resolve: 6 }) }]);

    const profile = (await h.request('GET', `/api/v1/customers/${ada}/profile`)).json();
    expect(profile.tickets.map((t: { source_ticket_id: string }) => t.source_ticket_id)).toEqual(['35436']);
    expect(profile.timeline.filter((i: { type: string }) => i.type === 'ticket')).toEqual([expect.objectContaining({ subject: 'Parcel missing', status: 'resolved', source: 'zendesk' })]);
  });

  it('attaches a ticket whose requester becomes known later', async () => {
    const path = await h.webhookPath('zendesk');
    const detail = { ...ticketDetail('NEW', '2026-11-21T09:00:00Z'), id: '40001', requester_id: '555', description: 'I want to return the lead', created_at: '2026-11-21T09:00:00Z' };
    await h.post(path, JSON.stringify(zendeskEvent('zen:event-type:ticket.created', 'zen:ticket:40001', detail, {}, '2026-11-21T09:00:00Z')));
    expect((await h.request('GET', '/api/v1/tickets?topic=returns')).json().data[0]).toMatchObject({ source_ticket_id: '40001', customer_id: null });
    await h.post(path, JSON.stringify(zendeskEvent('zen:event-type:user.created', 'zen:user:555', { id: '555', email: 'bo@example.com', external_id: '', role: 'end-user' })));
    expect((await h.request('GET', '/api/v1/tickets?topic=returns')).json().data[0]).toMatchObject({ source_ticket_id: '40001', customer_id: bo });
  });

  it('checks X-Zendesk-Webhook-Signature once the store saved the signing secret', async () => {
    const secret = 'dGhpcyBpcyBhIHNlY3JldA==';
    expect((await h.request('PUT', '/api/v1/support/settings', { zendesk_signing_secret: secret })).json()).toMatchObject({ zendesk_signing_secret_set: true });
    const path = await h.webhookPath('zendesk');
    const body = JSON.stringify(zendeskEvent('zen:event-type:ticket.created', 'zen:ticket:50001', { ...ticketDetail('OPEN', '2026-11-22T09:00:00Z'), id: '50001' }));
    const timestamp = new Date().toISOString();
    const sign = (ts: string, b: string) => createHmac('sha256', secret).update(ts + b).digest('base64');

    const unsigned = await h.post(path, body);
    expect(unsigned.statusCode).toBe(401);
    expect(errorOf(unsigned).details[0]!.path).toBe('x-zendesk-webhook-signature');
    const forged = await h.post(path, body, { 'x-zendesk-webhook-signature': sign(timestamp, body.replace('50001', '50002')), 'x-zendesk-webhook-signature-timestamp': timestamp });
    expect(forged.statusCode).toBe(401);
    const old = '2020-01-01T00:00:00Z';
    expect((await h.post(path, body, { 'x-zendesk-webhook-signature': sign(old, body), 'x-zendesk-webhook-signature-timestamp': old })).statusCode).toBe(401);
    const good = await h.post(path, body, { 'x-zendesk-webhook-signature': sign(timestamp, body), 'x-zendesk-webhook-signature-timestamp': timestamp });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toMatchObject({ created: 1 });
    await h.request('PUT', '/api/v1/support/settings', { zendesk_signing_secret: null });
  });

  it('refuses a wrong URL token, a body that is not JSON, and a ticket without its id, naming the field, and stores nothing', async () => {
    const path = await h.webhookPath('zendesk');
    const before = (await h.request('GET', '/api/v1/tickets')).json().data.length;
    expect((await h.post(path.replace(/[^/]+$/, 'x'.repeat(32)), '{}')).statusCode).toBe(401);
    const notJson = await h.post(path, '{"type": ');
    expect(notJson.statusCode).toBe(400);
    const noId = await h.post(path, JSON.stringify(zendeskEvent('zen:event-type:ticket.created', 'zen:ticket:', { ...ticketDetail('OPEN', '2026-11-22T09:00:00Z'), id: '' })));
    expect(noId.statusCode).toBe(422);
    expect(errorOf(noId).details.map((d) => d.path)).toEqual(['detail.id']);
    const badTime = await h.post(path, JSON.stringify(zendeskEvent('zen:event-type:ticket.created', 'zen:ticket:7', { ...ticketDetail('OPEN', 'yesterday'), id: '7' }, {}, 'not a time')));
    expect(badTime.statusCode).toBe(422);
    expect(errorOf(badTime).details.map((d) => d.path)).toContain('time');
    expect((await h.request('GET', '/api/v1/tickets')).json().data.length).toBe(before);
  });
});

/** Gorgias' Ticket object (developers.gorgias.com, "The Ticket object"), as an HTTP integration posts it. */
function gorgiasTicket(overrides: Record<string, unknown> = {}) {
  return {
    id: 4242, uri: '/api/tickets/4242/', external_id: null, language: 'en', status: 'open', priority: 'normal', channel: 'email', via: 'email', from_agent: false, spam: false,
    customer: { id: 9, email: 'ADA@example.com', name: 'Ada', firstname: 'Ada', lastname: 'L', meta: {} },
    assignee_user: null, assignee_team: null, subject: 'Broken mug', excerpt: 'The mug arrived broken', integrations: [], meta: null,
    tags: [{ id: 1, name: 'damaged' }],
    messages: [
      { id: 1, channel: 'email', via: 'email', from_agent: false, public: true, body_text: 'The mug arrived broken, can I get a new one?', created_datetime: '2026-11-23T08:00:00.000000' },
      { id: 2, channel: 'internal-note', via: 'helpdesk', from_agent: true, public: false, body_text: 'check stock', created_datetime: '2026-11-23T08:10:00.000000' },
      { id: 3, channel: 'email', via: 'helpdesk', from_agent: true, public: true, body_text: 'Sorry! A new one is on its way.', created_datetime: '2026-11-23T08:45:00.000000' },
    ],
    created_datetime: '2026-11-23T08:00:00.000000', opened_datetime: '2026-11-23T08:05:00.000000', last_received_message_datetime: '2026-11-23T08:00:00.000000',
    last_message_datetime: '2026-11-23T08:45:00.000000', updated_datetime: '2026-11-23T08:45:00.000000', closed_datetime: null, snooze_datetime: null, trashed_datetime: null,
    ...overrides,
  };
}

describe('Gorgias HTTP integration', () => {
  it('opens the ticket matched by email, ignores internal notes for the first response, closes it with the satisfaction score; replays change nothing', async () => {
    const path = await h.webhookPath('gorgias');
    const open = JSON.stringify(gorgiasTicket());
    expect((await h.post(path, open)).json()).toMatchObject({ created: 1 });
    expect((await h.post(path, open)).json()).toMatchObject({ unchanged: 1 });
    const closed = JSON.stringify({ ticket: gorgiasTicket({
      status: 'closed', closed_datetime: '2026-11-24T08:00:00.000000', updated_datetime: '2026-11-25T10:00:00.000000',
      satisfaction_survey: { id: 1234, body_text: 'Such speed', customer_id: 9, score: 5, scored_datetime: '2026-11-25T10:00:00.000000', ticket_id: 4242 },
    }) });
    expect((await h.post(path, closed)).json()).toMatchObject({ updated: 1 });
    expect((await h.post(path, closed)).json()).toMatchObject({ unchanged: 1 });
    const ticket = (await h.request('GET', `/api/v1/tickets?customer_id=${ada}`)).json().data.find((t: { source: string }) => t.source === 'gorgias');
    expect(ticket).toMatchObject({
      source_ticket_id: '4242', status: 'resolved', channel: 'email', topic: 'damaged', first_response_at: '2026-11-23T08:45:00.000Z',
      resolved_at: '2026-11-24T08:00:00.000Z', satisfaction_score: 5, satisfied: true, body: 'The mug arrived broken, can I get a new one?',
    });
    const resolved = (await h.domainEvents('ticket.resolved')).filter((e) => e.data.source === 'gorgias');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.data.hours_to_resolve).toBe(24);
  });

  it('refuses a status Gorgias does not have and a score out of 1–5, naming the field', async () => {
    const path = await h.webhookPath('gorgias');
    const status = await h.post(path, JSON.stringify(gorgiasTicket({ id: 5, status: 'archived' })));
    expect(status.statusCode).toBe(422);
    expect(errorOf(status).details).toEqual([{ path: 'status', reason: 'open or closed' }]);
    const score = await h.post(path, JSON.stringify({ ticket: gorgiasTicket({ id: 6, satisfaction_survey: { score: 9 } }) }));
    expect(score.statusCode).toBe(422);
    expect(errorOf(score).details).toEqual([{ path: 'ticket.satisfaction_survey.score', reason: 'an integer from 1 to 5' }]);
    expect((await h.request('GET', '/api/v1/tickets')).json().data.some((t: { source_ticket_id: string }) => t.source_ticket_id === '5' || t.source_ticket_id === '6')).toBe(false);
  });
});
