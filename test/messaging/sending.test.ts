/**
 * Sending for real: messages go through nodemailer to a real SMTP server in the test, and what that
 * server received is read back with mailparser. Consent, suppression, the frequency cap, the
 * RFC 8058 headers, idempotent queuing, DKIM and the auto-pause of a source are checked from what
 * arrived (or did not) and from the ledger the API shows.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

let t: TestApp;
let sink: SmtpSink;
const stores: { storeId: string; secretKey: string }[] = [];

beforeAll(async () => {
  t = await createTestApp();
  sink = await startSmtpSink();
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

const html = (name: string) => `<html><body><h1>Hello ${name}</h1><p>Our autumn collection is here.</p></body></html>`;

async function storeWithCustomers(customers: { id: string; email: string | null; consent: 'subscribed' | 'unsubscribed' | 'never_asked' }[], settings: Record<string, unknown> = {}) {
  const store = await t.newStore('Sending Store');
  stores.push(store);
  await t.services.commerce.write(store.storeId, {
    customers: customers.map((c) => ({ external_id: c.id, email: c.email, first_name: c.id, email_consent: { status: c.consent } })),
  });
  const rows = await t.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', store.storeId).execute();
  const ids = new Map(rows.map((r) => [r.external_id!, Number(r.id)]));
  await t.services.messages.updateSettings(store.storeId, { smtp_url: sink.url, from_address: 'shop@hearth.test', from_name: 'Sending Store', ...settings });
  return { ...store, ids };
}

/** Runs the send jobs a queue call created (as the worker would). */
async function sendQueued(storeId: string, ids: number[]) {
  return t.services.messages.sendBatch(storeId, ids);
}

async function received(to: string) {
  return (await sink.parsed()).filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text.includes(to)));
}

describe('sending email over SMTP', () => {
  it('mails subscribed customers once, with RFC 8058 headers, and suppresses the rest with the reason', async () => {
    const store = await storeWithCustomers([
      { id: 'ada', email: 'ada@example.com', consent: 'subscribed' },
      { id: 'bob', email: 'bob@example.com', consent: 'never_asked' },
      { id: 'cy', email: 'cy@example.com', consent: 'unsubscribed' },
      { id: 'dee', email: 'dee@example.com', consent: 'subscribed' },
      { id: 'eve', email: null, consent: 'subscribed' },
    ]);
    await t.services.suppressions.add(store.storeId, { address: 'DEE@example.com', reason: 'hard_bounce' });
    const people = ['ada', 'bob', 'cy', 'dee', 'eve'];
    const queue = () => t.services.messages.queueEmails(store.storeId, people.map((p) => ({
      sendKey: `campaign:autumn:${p}`, purpose: 'marketing' as const, customerId: store.ids.get(p)!, source: 'campaign:autumn',
      build: (links) => ({ subject: `Autumn for ${p}`, preheader: 'New in', html: `${html(p)}<a href="${links.unsubscribe_url}">Unsubscribe</a>`, text: `Hello ${p}` }),
    })));
    const first = await queue();
    expect(first.queued).toBe(5);
    const result = await sendQueued(store.storeId, first.sends.map((s) => s.id));
    expect(result).toMatchObject({ sent: 1, suppressed: 4, failed: 0, uncertain: 0 });

    // A retried request queues nothing, and sending again sends nothing.
    const again = await queue();
    expect(again).toMatchObject({ queued: 0, existing: 5, job_ids: [] });
    expect(again.sends.map((s) => s.id)).toEqual(first.sends.map((s) => s.id));
    expect(await sendQueued(store.storeId, first.sends.map((s) => s.id))).toMatchObject({ sent: 0, suppressed: 0 });

    const toAda = await received('ada@example.com');
    expect(toAda).toHaveLength(1);
    const mail = toAda[0]!;
    expect(mail.subject).toBe('Autumn for ada');
    expect(mail.from?.text).toBe('"Sending Store" <shop@hearth.test>');
    expect(mail.text?.trim()).toBe('Hello ada');
    expect(mail.html).toContain('Hello ada');
    const headerLine = (name: string) => mail.headerLines.find((h) => h.key === name)?.line ?? '';
    expect(headerLine('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const header = headerLine('list-unsubscribe');
    const [url, mailto] = [...header.matchAll(/<([^>]+)>/g)].map((m) => m[1]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:7600\/u\/[\w-]+\.[\w-]+$/);
    expect(mailto).toBe('mailto:shop@hearth.test?subject=unsubscribe');
    expect(mail.html).toContain(url);
    for (const other of ['bob', 'cy', 'dee', 'eve']) expect(await received(`${other}@example.com`)).toHaveLength(0);

    const list = await t.app.inject({ method: 'GET', url: '/api/v1/messages?source=campaign:autumn', headers: bearer(store.secretKey) });
    expect(list.statusCode).toBe(200);
    const byTo = new Map(list.json().data.map((m: { to: string; customer_id: number }) => [m.customer_id, m]));
    expect(byTo.get(store.ids.get('ada'))).toMatchObject({ state: 'sent', reason: null, attempts: 1, to: 'ada@example.com' });
    expect(byTo.get(store.ids.get('ada'))).toMatchObject({ provider_message_id: mail.messageId });
    expect(byTo.get(store.ids.get('bob'))).toMatchObject({ state: 'suppressed', reason: 'no_consent' });
    expect(byTo.get(store.ids.get('cy'))).toMatchObject({ state: 'suppressed', reason: 'no_consent' });
    expect(byTo.get(store.ids.get('dee'))).toMatchObject({ state: 'suppressed', reason: 'hard_bounce' });
    expect(byTo.get(store.ids.get('eve'))).toMatchObject({ state: 'suppressed', reason: 'no_address' });
    expect(list.json().counts).toMatchObject({ sent: 1, suppressed: 4, queued: 0 });
  });

  it('sends each message of a batch far larger than the bodies read at once its own subject, HTML and text', async () => {
    // Bodies are read 125 at a time (`send-lanes.ts`): 260 messages take three reads.
    const people = Array.from({ length: 260 }, (_, i) => `reader${i}`);
    const store = await storeWithCustomers(people.map((p) => ({ id: p, email: `${p}@batch.example`, consent: 'subscribed' as const })));
    const queued = await t.services.messages.queueEmails(store.storeId, people.map((p) => ({
      sendKey: `campaign:batch:${p}`, purpose: 'marketing' as const, customerId: store.ids.get(p)!, source: 'campaign:batch',
      build: (links) => ({ subject: `For ${p}`, preheader: '', html: `${html(p)}<a href="${links.unsubscribe_url}">Unsubscribe</a>`, text: `Hello ${p}` }),
    })));
    expect(await sendQueued(store.storeId, queued.sends.map((s) => s.id))).toMatchObject({ sent: 260, failed: 0, uncertain: 0 });
    const arrived = (await sink.parsed()).filter((m) => /@batch\.example/.test(JSON.stringify(m.to)));
    expect(arrived).toHaveLength(260);
    for (const mail of arrived) {
      const to = /(reader\d+)@batch\.example/.exec(JSON.stringify(mail.to))![1]!;
      expect([mail.subject, mail.text?.trim(), /<h1>Hello (\w+)<\/h1>/.exec(String(mail.html))?.[1]]).toEqual([`For ${to}`, `Hello ${to}`, to]);
    }
  });

  it('sends transactional mail to an unsubscribed customer under the default policy, not under "all", never to a complaint', async () => {
    const store = await storeWithCustomers([
      { id: 'fay', email: 'fay@example.com', consent: 'unsubscribed' },
      { id: 'gus', email: 'gus@example.com', consent: 'subscribed' },
    ]);
    await t.services.suppressions.add(store.storeId, { address: 'fay@example.com', reason: 'unsubscribed' });
    await t.services.suppressions.add(store.storeId, { address: 'gus@example.com', reason: 'complaint' });
    const order = (key: string) => t.services.messages.queueEmails(store.storeId, ['fay', 'gus'].map((p) => ({
      sendKey: `${key}:${p}`, purpose: 'transactional' as const, customerId: store.ids.get(p)!,
      build: () => ({ subject: `Your order ${key}`, preheader: '', html: '<p>Shipped</p>', text: 'Shipped' }),
    })));
    const first = await order('order:1001');
    expect(await sendQueued(store.storeId, first.sends.map((s) => s.id))).toMatchObject({ sent: 1, suppressed: 1 });
    expect((await received('fay@example.com')).map((m) => m.subject)).toEqual(['Your order order:1001']);
    // Transactional mail carries no List-Unsubscribe.
    expect((await received('fay@example.com'))[0]!.headers.has('list-unsubscribe')).toBe(false);

    await t.services.messages.updateSettings(store.storeId, { transactional_policy: 'all' });
    const second = await order('order:1002');
    expect(await sendQueued(store.storeId, second.sends.map((s) => s.id))).toMatchObject({ sent: 0, suppressed: 2 });
    expect(await received('gus@example.com')).toHaveLength(0);
  });

  it('caps marketing at one message per customer in the window, counting the same batch', async () => {
    const store = await storeWithCustomers([{ id: 'hal', email: 'hal@example.com', consent: 'subscribed' }]);
    const queued = await t.services.messages.queueEmails(store.storeId, [1, 2].map((n) => ({
      sendKey: `campaign:c${n}:hal`, purpose: 'marketing' as const, customerId: store.ids.get('hal')!,
      build: () => ({ subject: `Offer ${n}`, preheader: '', html: '<p>Offer</p>', text: 'Offer' }),
    })));
    expect(await sendQueued(store.storeId, queued.sends.map((s) => s.id))).toMatchObject({ sent: 1, suppressed: 1 });
    const later = await t.services.messages.queueEmails(store.storeId, [{
      sendKey: 'campaign:c3:hal', purpose: 'marketing', customerId: store.ids.get('hal')!, build: () => ({ subject: 'Offer 3', preheader: '', html: '<p>3</p>', text: '3' }),
    }]);
    await sendQueued(store.storeId, later.sends.map((s) => s.id));
    const [capped] = await t.services.messages.list(store.storeId, { limit: 1, source: undefined, to: 'hal@example.com' });
    expect(capped).toMatchObject({ send_key: 'campaign:c3:hal', state: 'suppressed', reason: 'frequency_cap' });
    expect((await received('hal@example.com')).map((m) => m.subject)).toEqual(['Offer 1']);

    // With the cap off, the next one goes.
    await t.services.messages.updateSettings(store.storeId, { frequency_cap_hours: 0 });
    const uncapped = await t.services.messages.queueEmails(store.storeId, [{
      sendKey: 'campaign:c4:hal', purpose: 'marketing', customerId: store.ids.get('hal')!, build: () => ({ subject: 'Offer 4', preheader: '', html: '<p>4</p>', text: '4' }),
    }]);
    expect(await sendQueued(store.storeId, uncapped.sends.map((s) => s.id))).toMatchObject({ sent: 1 });
  });

  it('signs with DKIM when the store has a key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const store = await storeWithCustomers([], { dkim_domain: 'hearth.test', dkim_selector: 'mail', dkim_private_key: privateKey });
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: bearer(store.secretKey), payload: { to: 'dkim@example.com', subject: 'Signed', html: '<p>Signed &amp; sealed</p>' } });
    expect(response.statusCode).toBe(202);
    await sendQueued(store.storeId, [response.json().message.id]);
    const [mail] = await received('dkim@example.com');
    expect(mail!.text?.trim()).toBe('Signed & sealed');
    const signature = String(mail!.headers.get('dkim-signature') ? mail!.headerLines.find((h) => h.key === 'dkim-signature')!.line : '');
    expect(signature).toMatch(/d=hearth\.test/);
    expect(signature).toMatch(/s=mail/);
    // The settings never show the key or the SMTP password.
    const settings = await t.app.inject({ method: 'GET', url: '/api/v1/messaging/settings', headers: bearer(store.secretKey) });
    expect(settings.json().dkim).toEqual({ domain: 'hearth.test', selector: 'mail', key_set: true });
    expect(settings.body).not.toContain('PRIVATE KEY');
  });

  it('encodes each message by its text: quoted-printable for Latin text, base64 for text mostly in other scripts, both parts alike, and both read back as written', async () => {
    const store = await storeWithCustomers([]);
    const latin = { to: 'latin@example.com', subject: 'Crème brûlée for your café', text: `Café crème, brûlée and piñata: ${'a longer line of ordinary words, '.repeat(8)}` };
    const japanese = { to: 'japanese@example.com', subject: '秋の新作が入荷しました', text: `お客様へ、秋の新作コレクションが入荷しました。${'セーターとブーツをご覧ください。'.repeat(10)}` };
    const queued = await t.services.messages.queueEmails(store.storeId, [latin, japanese].map((m) => ({
      sendKey: `test:encoding:${m.to}`, purpose: 'transactional' as const, to: m.to,
      build: () => ({ subject: m.subject, preheader: '', html: `<html><body><table><tr><td style="padding:24px;font-family:sans-serif">${m.text}</td></tr></table></body></html>`, text: m.text }),
    })));
    expect(await sendQueued(store.storeId, queued.sends.map((s) => s.id))).toMatchObject({ sent: 2 });
    for (const [message, encoding] of [[latin, 'quoted-printable'], [japanese, 'base64']] as const) {
      const [mail] = await received(message.to);
      expect(mail!.subject).toBe(message.subject);
      expect(mail!.text?.trim()).toBe(message.text.trim());
      expect(mail!.html).toContain(message.text.trim());
      const raw = sink.received.find((r) => r.to.includes(message.to))!.raw;
      for (const type of ['text/plain', 'text/html']) {
        const part = raw.split(/\r?\n--/).find((p) => new RegExp(`Content-Type: ${type}`, 'i').test(p))!;
        expect(part).toMatch(new RegExp(`Content-Transfer-Encoding: ${encoding}`, 'i'));
      }
    }
  });

  it('queues one message per send key through the API and answers 200 for a retry', async () => {
    const store = await storeWithCustomers([]);
    const payload = { send_key: 'receipt:77', to: 'Retry@Example.com', subject: 'Receipt', html: '<p>Thanks</p>' };
    const first = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: bearer(store.secretKey), payload });
    const second = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: bearer(store.secretKey), payload });
    expect([first.statusCode, second.statusCode]).toEqual([202, 200]);
    expect(second.json()).toMatchObject({ created: false, message: { id: first.json().message.id, to: 'retry@example.com', state: 'queued' } });
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: bearer(store.secretKey), payload: { subject: 'x', html: '<p>x</p>', to: 'not-an-address' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details).toEqual([{ path: 'to', reason: 'must be an email address' }]);
  });

  it('pauses a source after consecutive transport errors and leaves the rest queued until it resumes', async () => {
    const store = await storeWithCustomers(
      Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, email: `p${i}@example.com`, consent: 'subscribed' as const })),
      { smtp_url: 'smtp://127.0.0.1:1', pause_after_errors: 3 },
    );
    const queued = await t.services.messages.queueEmails(store.storeId, [...store.ids].map(([p, id]) => ({
      sendKey: `campaign:down:${p}`, purpose: 'marketing' as const, customerId: id, source: 'campaign:down',
      build: () => ({ subject: 'Down', preheader: '', html: '<p>x</p>', text: 'x' }),
    })));
    const result = await sendQueued(store.storeId, queued.sends.map((s) => s.id));
    // The first group (the pool's connections) fails, which is more than 3 in a row: the rest wait.
    expect(result.failed).toBeGreaterThanOrEqual(3);
    expect(result.held).toBe(8 - result.failed);
    const settings = (await t.app.inject({ method: 'GET', url: '/api/v1/messaging/settings', headers: bearer(store.secretKey) })).json();
    expect(settings.paused_sources).toHaveLength(1);
    expect(settings.paused_sources[0].source).toBe('campaign:down');
    expect(settings.paused_sources[0].reason).toMatch(/consecutive transport errors/);
    const failed = await t.app.inject({ method: 'GET', url: '/api/v1/messages?state=failed', headers: bearer(store.secretKey) });
    expect(failed.json().data.every((m: { reason: string }) => m.reason === 'transport_error')).toBe(true);

    // Fixed: point at the working server, resume, send what was held, and resend the failed ones.
    await t.services.messages.updateSettings(store.storeId, { smtp_url: sink.url });
    const resumed = await t.app.inject({ method: 'POST', url: '/api/v1/messaging/sources/resume', headers: bearer(store.secretKey), payload: { source: 'campaign:down' } });
    expect(resumed.json()).toEqual({ queued: 8 - result.failed });
    await sendQueued(store.storeId, queued.sends.map((s) => s.id));
    const resend = await t.app.inject({ method: 'POST', url: '/api/v1/messages/resend', headers: bearer(store.secretKey), payload: { state: 'failed' } });
    expect(resend.statusCode).toBe(202);
    expect(resend.json().queued).toBe(result.failed);
    // Marketing is capped at one per 16 h, but these are first sends for each customer.
    await sendQueued(store.storeId, queued.sends.map((s) => s.id));
    for (const p of store.ids.keys()) expect(await received(`${p}@example.com`)).toHaveLength(1);
  });

  it('keeps to the store\'s rate limit', async () => {
    const store = await storeWithCustomers([], { rate_per_second: 5 });
    const queued = await t.services.messages.queueEmails(store.storeId, Array.from({ length: 10 }, (_, i) => ({
      sendKey: `receipt:rate:${i}`, purpose: 'transactional' as const, to: `rate${i}@example.com`,
      build: () => ({ subject: `Receipt ${i}`, preheader: '', html: '<p>r</p>', text: 'r' }),
    })));
    const started = performance.now();
    expect(await sendQueued(store.storeId, queued.sends.map((s) => s.id))).toMatchObject({ sent: 10 });
    // Five in the first second, the next five after it.
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });
  it('sends each message once when two send jobs with the same messages run at the same time, and the second sees the first\'s frequency cap', async () => {
    const people = Array.from({ length: 30 }, (_, i) => `twin${i}`);
    const store = await storeWithCustomers(people.map((p) => ({ id: p, email: `${p}@example.com`, consent: 'subscribed' as const })), { frequency_cap_hours: 16 });
    const queue = (campaign: string) => t.services.messages.queueEmails(store.storeId, people.map((p) => ({
      sendKey: `campaign:${campaign}:${p}`, purpose: 'marketing' as const, customerId: store.ids.get(p)!, source: `campaign:${campaign}`,
      build: () => ({ subject: `${campaign} for ${p}`, preheader: '', html: html(p), text: `Hello ${p}` }),
    })));
    const first = (await queue('twins')).sends.map((s) => s.id);
    const second = (await queue('twins-again')).sends.map((s) => s.id);
    // Two workers lease overlapping jobs (a job queued again after a restart): the same messages, and a second campaign to the same people.
    const results = await Promise.all([sendQueued(store.storeId, first), sendQueued(store.storeId, first), sendQueued(store.storeId, second)]);
    expect(results.map((r) => r.sent)).toEqual([30, 0, 0]);
    expect(results[2]).toMatchObject({ suppressed: 30 });
    for (const p of people) {
      const mails = await received(`${p}@example.com`);
      expect(mails.map((m) => m.subject)).toEqual([`twins for ${p}`]);
    }
  });
});
