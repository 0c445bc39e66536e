/**
 * With no SMTP server configured nothing leaves the machine: the built-in catcher (a real SMTP
 * server on 127.0.0.1 inside the process) receives each message over SMTP, and the API shows it as
 * received — headers, HTML and text parsed from the raw message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('the outbox', () => {
  it('catches every message on this machine and shows it as received', async () => {
    const store = await t.newStore('Outbox Store');
    expect(t.services.config.smtpUrl).toBeUndefined();
    await t.services.commerce.write(store.storeId, { customers: [{ external_id: 'kim', email: 'kim@example.com', email_consent: { status: 'subscribed' } }] });
    const [kim] = await t.services.storage.read.selectFrom('customers').select('id').where('store_id', '=', store.storeId).execute();
    const subject = 'Ünïcode & <b>bold</b> offers';
    const queued = await t.services.messages.queueEmails(store.storeId, [{
      sendKey: 'campaign:outbox:kim', purpose: 'marketing', customerId: Number(kim!.id),
      build: (links) => ({ subject, preheader: '', html: `<p>Hi Kim</p><script>alert(1)</script><a href="${links.unsubscribe_url}">Unsubscribe</a>`, text: 'Hi Kim' }),
    }]);
    const result = await t.services.messages.sendBatch(store.storeId, queued.sends.map((s) => s.id));
    expect(result.sent).toBe(1);
    const catcher = await t.services.messages.startCatcher();
    expect(catcher.url).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);

    const list = await t.app.inject({ method: 'GET', url: '/api/v1/messages', headers: bearer(store.secretKey) });
    expect(list.json().data).toEqual([expect.objectContaining({ to: 'kim@example.com', subject, state: 'sent', purpose: 'marketing' })]);
    const detail = await t.app.inject({ method: 'GET', url: `/api/v1/messages/${queued.sends[0]!.id}`, headers: bearer(store.secretKey) });
    expect(detail.statusCode).toBe(200);
    const body = detail.json();
    expect(body.content.origin).toBe('received');
    expect(body.content.text.trim()).toBe('Hi Kim');
    expect(body.content.html).toContain('<p>Hi Kim</p>');
    const header = (name: string) => body.content.headers.find((h: { name: string }) => h.name === name)?.value;
    expect(header('subject')).toContain('=?UTF-8?');
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(header('to')).toBe('kim@example.com');
    expect(body.history.map((h: { state: string }) => h.state)).toEqual(['queued', 'sending', 'sent']);
    expect(body.message.provider_message_id).toMatch(/^<\d+\.[\w-]+@localhost>$/);

    // Another store cannot read it.
    const other = await t.newStore('Other Store');
    const hidden = await t.app.inject({ method: 'GET', url: `/api/v1/messages/${queued.sends[0]!.id}`, headers: bearer(other.secretKey) });
    expect(hidden.statusCode).toBe(404);
  });

  it('shows a queued message as rendered before it is sent, and answers 404 for an unknown id', async () => {
    const store = await t.newStore('Queued Store');
    const sent = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: bearer(store.secretKey), payload: { to: 'q@example.com', subject: 'Waiting', html: '<p>Soon</p>' } });
    const detail = await t.app.inject({ method: 'GET', url: `/api/v1/messages/${sent.json().message.id}`, headers: bearer(store.secretKey) });
    expect(detail.json().content).toMatchObject({ origin: 'queued', received_at: null, html: '<p>Soon</p>', text: 'Soon' });
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/messages/999999', headers: bearer(store.secretKey) });
    expect(missing.statusCode).toBe(404);
  });
});
