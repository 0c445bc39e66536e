/**
 * RFC 8058 one-click unsubscribe, as a mail provider does it: a real HTTP POST of
 * `List-Unsubscribe=One-Click` to the URL in the List-Unsubscribe header of a message that arrived
 * over SMTP. The customer is unsubscribed at once (a consent_changed event, shown on the profile),
 * the next marketing message to them is suppressed, and a forged or altered token does nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

let t: TestApp;
let sink: SmtpSink;
let origin: string;

beforeAll(async () => {
  t = await createTestApp();
  sink = await startSmtpSink();
  origin = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

/** A store with two subscribed customers, one marketing message each sent; returns the unsubscribe URLs that arrived. */
async function sentCampaign(campaign: string) {
  const store = await t.newStore('Unsubscribe Store');
  await t.services.commerce.write(store.storeId, {
    customers: ['ivy', 'jon'].map((p) => ({ external_id: p, email: `${p}.${campaign}@example.com`, email_consent: { status: 'subscribed' as const } })),
  });
  await t.services.messages.updateSettings(store.storeId, { smtp_url: sink.url, frequency_cap_hours: 0 });
  const rows = await t.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', store.storeId).execute();
  const ids = new Map(rows.map((r) => [r.external_id!, Number(r.id)]));
  const send = async (key: string) => {
    const queued = await t.services.messages.queueEmails(store.storeId, [...ids].map(([p, id]) => ({
      sendKey: `campaign:${key}:${p}`, purpose: 'marketing' as const, customerId: id,
      build: (links) => ({ subject: `${key} for ${p}`, preheader: '', html: `<p>Hi</p><a href="${links.unsubscribe_url}">Unsubscribe</a> <a href="${links.view_in_browser_url}">View</a>`, text: 'Hi' }),
    })));
    return t.services.messages.sendBatch(store.storeId, queued.sends.map((s) => s.id));
  };
  await send(campaign);
  const urls = new Map<string, string>();
  const views = new Map<string, string>();
  for (const mail of await sink.parsed()) {
    const to = Array.isArray(mail.to) ? mail.to[0]!.text : mail.to!.text;
    const match = /^(ivy|jon)\.(.+)@example\.com$/.exec(to);
    if (!match || match[2] !== campaign) continue;
    const line = mail.headerLines.find((h) => h.key === 'list-unsubscribe')!.line;
    // The link points at the configured public URL; this test's server listens elsewhere.
    urls.set(match[1]!, /<(http[^>]+)>/.exec(line)![1]!.replace(/^https?:\/\/[^/]+/, origin));
    views.set(match[1]!, /href="(http[^"]+\/m\/[^"]+)"/.exec(String(mail.html))![1]!.replace(/^https?:\/\/[^/]+/, origin));
  }
  return { store, ids, urls, views, send };
}

const oneClick = (url: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });

describe('one-click unsubscribe', () => {
  it('unsubscribes at once on the POST, records the consent change, and the next send is suppressed', async () => {
    const { store, ids, urls, send } = await sentCampaign('spring');
    expect([...urls.keys()].sort()).toEqual(['ivy', 'jon']);

    const response = await oneClick(urls.get('ivy')!);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('You have been unsubscribed');
    // Idempotent: a second POST answers the same and changes nothing.
    const again = await oneClick(urls.get('ivy')!);
    expect(again.status).toBe(200);

    const profile = await t.app.inject({ method: 'GET', url: `/api/v1/customers/${ids.get('ivy')}/profile`, headers: bearer(store.secretKey) });
    expect(profile.json().consent.email).toMatchObject({ status: 'unsubscribed', source: 'unsubscribe' });
    const events = await t.services.storage.read.selectFrom('domain_events').select(['type', 'data', 'customer_id'])
      .where('store_id', '=', store.storeId).where('type', '=', 'customer.consent_changed').where('customer_id', '=', ids.get('ivy')!).execute();
    // One change, from the first POST: the second recorded nothing.
    expect(events.map((e) => JSON.parse(e.data))).toEqual([expect.objectContaining({ external_id: 'ivy', email: 'unsubscribed', previous_email: 'subscribed' })]);
    const suppressions = await t.app.inject({ method: 'GET', url: '/api/v1/suppressions', headers: bearer(store.secretKey) });
    expect(suppressions.json().data).toEqual([expect.objectContaining({ address: 'ivy.spring@example.com', reason: 'unsubscribed', source: 'unsubscribe' })]);

    await send('summer');
    const summer = await t.app.inject({ method: 'GET', url: '/api/v1/messages?limit=200', headers: bearer(store.secretKey) });
    const byKey = new Map(summer.json().data.map((m: { send_key: string }) => [m.send_key, m]));
    expect(byKey.get('campaign:summer:ivy')).toMatchObject({ state: 'suppressed', reason: 'unsubscribed' });
    expect(byKey.get('campaign:summer:jon')).toMatchObject({ state: 'sent' });
  });

  it('refuses a forged token, or one altered to name another customer', async () => {
    const { store, ids, urls } = await sentCampaign('forged');
    const ivy = urls.get('ivy')!;
    const [base, token] = [ivy.slice(0, ivy.lastIndexOf('/') + 1), ivy.slice(ivy.lastIndexOf('/') + 1)];
    const [body, signature] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown[];
    claims[2] = ids.get('jon');
    claims[3] = 'jon.forged@example.com';
    const altered = `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    for (const bad of [altered, `${body}.${'A'.repeat(signature.length)}`, 'not-a-token-at-all']) {
      const response = await oneClick(`${base}${bad}`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
      const page = await fetch(`${base}${bad}`);
      expect(page.status).toBe(404);
      expect(await page.text()).toContain('Link not valid');
    }
    const jon = await t.app.inject({ method: 'GET', url: `/api/v1/customers/${ids.get('jon')}/profile`, headers: bearer(store.secretKey) });
    expect(jon.json().consent.email.status).toBe('subscribed');
  });

  it('shows a preference page that works without JavaScript, escapes the store name, and pauses for 30 days', async () => {
    const { store, urls, views } = await sentCampaign('prefs');
    await t.services.accounts.updateStore(store.storeId, { name: '<script>alert(1)</script> & Co' });
    const page = await fetch(urls.get('jon')!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(html).toContain('<form method="post">');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");

    // The page's own button, as a browser without JavaScript posts it.
    const paused = await fetch(urls.get('jon')!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=pause' });
    expect(paused.status).toBe(200);
    expect(await paused.text()).toContain('paused until');
    const [entry] = (await t.app.inject({ method: 'GET', url: '/api/v1/suppressions', headers: bearer(store.secretKey) })).json().data;
    expect(entry).toMatchObject({ address: 'jon.prefs@example.com', reason: 'paused' });
    const days = (Date.parse(entry.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    // The message as a web page, with nothing able to run.
    const viewUrl = urls.get('jon')!.replace('/u/', '/m/');
    expect((await fetch(viewUrl)).status).toBe(404);
    const view = await fetch(views.get('jon')!);
    expect(view.status).toBe(200);
    expect(view.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none'/);
    expect(await view.text()).toContain('<p>Hi</p>');

    // A POST that names no action does nothing.
    const empty = await fetch(urls.get('ivy')!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1' });
    expect(empty.status).toBe(400);
  });
});
