/**
 * "Send a test" of a template through the API: rendered for the sample or a chosen customer, sent
 * as a transactional message under a `test:` send key over a real SMTP conversation, in the ledger
 * like any message; a bad address is refused naming `to`, and a store cannot send more than its
 * share of tests a minute.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SENDS_PER_MINUTE } from '../../src/modules/messaging/index.js';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

let t: TestApp;
let sink: SmtpSink;

beforeAll(async () => {
  t = await createTestApp();
  sink = await startSmtpSink();
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

async function storeWithTemplate(name: string) {
  const store = await t.newStore(name);
  await t.services.messages.updateSettings(store.storeId, { smtp_url: sink.url });
  await t.services.commerce.write(store.storeId, { customers: [{ external_id: 'grace', email: 'grace@example.com', first_name: 'Grace', email_consent: { status: 'subscribed' as const } }] });
  const call = (method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url, headers: bearer(store.secretKey), ...(payload && { payload }) });
  const templates = (await call('GET', '/api/v1/templates')).json().data as { id: string; starter_key: string }[];
  const welcome = templates.find((tpl) => tpl.starter_key === 'welcome')!;
  return { store, call, templateId: welcome.id };
}

describe('POST /api/v1/templates/:id/test', () => {
  it('sends the rendered template to the address through the ledger and the SMTP server', async () => {
    const { call, templateId } = await storeWithTemplate('Test Send Store');
    const sample = await call('POST', `/api/v1/templates/${templateId}/test`, { to: 'Me@Shop.example' });
    expect(sample.statusCode).toBe(200);
    const answer = sample.json() as { send_id: number; message_id: string; state: string; to: string };
    expect(answer).toMatchObject({ state: 'sent', to: 'Me@Shop.example' });
    expect(answer.message_id).toMatch(/^<.+@.+>$/);

    const mail = (await sink.parsed()).find((m) => m.messageId === answer.message_id)!;
    expect(mail).toBeDefined();
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('me@shop.example');
    expect(mail.subject).toMatch(/^\[Test\] /);
    expect(mail.text).toContain('Ada');
    // A test is transactional: no List-Unsubscribe of a marketing message.
    expect(mail.headerLines.some((h) => h.key === 'list-unsubscribe')).toBe(false);

    const ledger = (await call('GET', `/api/v1/messages/${answer.send_id}`)).json();
    expect(ledger.message).toMatchObject({ purpose: 'transactional', state: 'sent', to: 'me@shop.example', template_id: templateId, provider_message_id: answer.message_id });
    expect(ledger.message.send_key).toMatch(/^test:[0-9a-f-]{36}$/);

    // For a chosen customer: their name, still to the address given.
    const grace = await call('POST', `/api/v1/templates/${templateId}/test`, { to: 'me@shop.example', customer_id: 'ext:grace' });
    expect(grace.statusCode).toBe(200);
    const graceMail = (await sink.parsed()).find((m) => m.messageId === grace.json().message_id)!;
    expect(graceMail.text).toContain('Grace');
    expect(grace.json().send_id).not.toBe(answer.send_id);
  });

  it('refuses a bad address naming `to`, and an unknown template or customer', async () => {
    const { call, templateId } = await storeWithTemplate('Bad Test Store');
    for (const to of ['not an address', '', 'a@b@c']) {
      const bad = await call('POST', `/api/v1/templates/${templateId}/test`, { to });
      expect(bad.statusCode).toBe(422);
      expect(errorOf(bad).details[0]).toMatchObject({ path: 'to' });
    }
    expect((await call('POST', `/api/v1/templates/${templateId}/test`, {})).statusCode).toBe(422);
    expect((await call('POST', '/api/v1/templates/tpl_nope/test', { to: 'me@shop.example' })).statusCode).toBe(404);
    expect((await call('POST', `/api/v1/templates/${templateId}/test`, { to: 'me@shop.example', customer_id: 'nobody@example.com' })).statusCode).toBe(404);
  });

  it(`allows ${TEST_SENDS_PER_MINUTE} tests a minute per store, then answers 429 with Retry-After`, async () => {
    const first = await storeWithTemplate('Busy Store');
    const before = (await sink.parsed()).length;
    for (let i = 0; i < TEST_SENDS_PER_MINUTE; i++) {
      expect((await first.call('POST', `/api/v1/templates/${first.templateId}/test`, { to: `n${i}@shop.example` })).statusCode).toBe(200);
    }
    const refused = await first.call('POST', `/api/v1/templates/${first.templateId}/test`, { to: 'one-more@shop.example' });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await sink.parsed()).length - before).toBe(TEST_SENDS_PER_MINUTE);
    // Another store has its own allowance.
    const second = await storeWithTemplate('Quiet Store');
    expect((await second.call('POST', `/api/v1/templates/${second.templateId}/test`, { to: 'me@quiet.example' })).statusCode).toBe(200);
  }, 60_000);
});
