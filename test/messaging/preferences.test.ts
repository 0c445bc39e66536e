/**
 * Email topics and the preference page: the store's topics through the API, a campaign naming its
 * topic, and a recipient who opens the link of a message that arrived over SMTP in a browser with
 * JavaScript turned off, unticks one topic and saves. Only that topic's marketing email stops
 * (suppressed as topic_opt_out); the change is a domain event and is on the profile; the RFC 8058
 * one-click POST still unsubscribes from everything.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';
import { launchBrowser, screenshot } from '../e2e/helpers/browser.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

let t: TestApp;
let sink: SmtpSink;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  t = await createTestApp();
  sink = await startSmtpSink();
  origin = await t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t.close();
  await sink.close();
});

describe('email topics API', () => {
  it('gives a store the starter topics, and adds, renames and archives topics', async () => {
    const store = await t.newStore('Topics Store');
    const request = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url, headers: bearer(store.secretKey), ...(payload && { payload }) });
    const listed = await request('GET', '/api/v1/messaging/topics');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().data.map((topic: { name: string }) => topic.name)).toEqual(['Newsletter', 'Offers', 'New products', 'Reviews']);

    const created = await request('POST', '/api/v1/messaging/topics', { name: 'Events & workshops', description: 'In-store evenings' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'events_workshops', name: 'Events & workshops', position: 4 });
    const twice = await request('POST', '/api/v1/messaging/topics', { name: 'Events & workshops' });
    expect(twice.statusCode).toBe(409);
    const empty = await request('POST', '/api/v1/messaging/topics', { name: '  ' });
    expect(empty.statusCode).toBe(422);
    expect(errorOf(empty).details[0]).toMatchObject({ path: 'name' });
    const badId = await request('POST', '/api/v1/messaging/topics', { id: 'Not An Id', name: 'X' });
    expect(badId.statusCode).toBe(422);
    expect(errorOf(badId).details[0]).toMatchObject({ path: 'id' });

    const renamed = await request('PATCH', '/api/v1/messaging/topics/offers', { name: 'Offers and codes', position: 0 });
    expect(renamed.json()).toMatchObject({ id: 'offers', name: 'Offers and codes', position: 0 });
    expect((await request('PATCH', '/api/v1/messaging/topics/nope', { name: 'x' })).statusCode).toBe(404);
    expect((await request('DELETE', '/api/v1/messaging/topics/reviews')).statusCode).toBe(204);
    const after = (await request('GET', '/api/v1/messaging/topics')).json().data.map((topic: { id: string }) => topic.id);
    expect(after).not.toContain('reviews');
    expect(after).toContain('events_workshops');
    const archived = (await request('GET', '/api/v1/messaging/topics?archived=true')).json().data;
    expect(archived.find((topic: { id: string }) => topic.id === 'reviews').archived_at).not.toBeNull();

    // A campaign names its topic; an unknown or archived one is refused, naming the field.
    const segment = (await request('POST', '/api/v1/segments', { name: 'Everyone', rule: { kind: 'orders', metric: 'count', op: 'gte', value: 0 } })).json() as { id: string };
    for (const topic of ['nope', 'reviews']) {
      const refused = await request('POST', '/api/v1/campaigns', { name: 'Sale', segment_ids: [segment.id], topic_id: topic });
      expect(refused.statusCode).toBe(422);
      expect(errorOf(refused).details[0]).toMatchObject({ path: 'topic_id' });
    }
    const campaign = await request('POST', '/api/v1/campaigns', { name: 'Sale', segment_ids: [segment.id], topic_id: 'offers' });
    expect(campaign.statusCode).toBe(201);
    expect(campaign.json().topic_id).toBe('offers');
    const changed = await request('PATCH', `/api/v1/campaigns/${campaign.json().id}`, { topic_id: null });
    expect(changed.json().topic_id).toBeNull();
  });
});

describe('the preference page', () => {
  it('drops one topic without JavaScript: only that topic stops, the change is on the profile, one-click still unsubscribes from all', async () => {
    const store = await t.newStore('Prefs Store');
    await t.services.commerce.write(store.storeId, {
      customers: ['ivy', 'jon'].map((p) => ({ external_id: p, email: `${p}@prefs.example.com`, email_consent: { status: 'subscribed' as const } })),
    });
    await t.services.messages.updateSettings(store.storeId, { smtp_url: sink.url, frequency_cap_hours: 0 });
    const rows = await t.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', store.storeId).execute();
    const ids = new Map(rows.map((r) => [r.external_id!, Number(r.id)]));
    const send = async (round: string, topic: string) => {
      const queued = await t.services.messages.queueEmails(store.storeId, [...ids].map(([p, id]) => ({
        sendKey: `campaign:${round}:${p}`, purpose: 'marketing' as const, customerId: id, topic,
        build: (links) => ({ subject: `${round} for ${p}`, preheader: '', html: `<p>Hi</p><a href="${links.preferences_url}">Preferences</a>`, text: 'Hi' }),
      })));
      await t.services.messages.sendBatch(store.storeId, queued.sends.map((s) => s.id));
    };
    await send('first-offer', 'offers');
    const mail = (await sink.parsed()).find((m) => m.subject === 'first-offer for ivy')!;
    const link = /<(http[^>]+)>/.exec(mail.headerLines.find((h) => h.key === 'list-unsubscribe')!.line)![1]!.replace(/^https?:\/\/[^/]+/, origin);

    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 800 } });
    const page = await context.newPage();
    await page.goto(link);
    const offers = page.getByRole('checkbox', { name: /^Offers/ });
    expect(await page.getByRole('checkbox').count()).toBe(4);
    expect(await offers.isChecked()).toBe(true);
    expect(await page.getByText('This message was about Offers').count()).toBe(1);
    await screenshot(page, 'preference-page-390');
    await offers.uncheck();
    await page.getByRole('button', { name: 'Save my choices' }).click();
    await page.getByText('Your choices are saved.').waitFor();
    expect(await page.getByRole('checkbox', { name: /^Offers/ }).isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: /^Newsletter/ }).isChecked()).toBe(true);
    // Saving the same choice again changes nothing.
    await page.getByRole('button', { name: 'Save my choices' }).click();
    await page.getByText('Your choices are saved.').waitFor();
    await context.close();

    await send('second-offer', 'offers');
    await send('news', 'newsletter');
    const messages = (await t.app.inject({ method: 'GET', url: '/api/v1/messages?limit=50', headers: bearer(store.secretKey) })).json().data as { send_key: string; state: string; reason: string | null; topic_id: string }[];
    const byKey = new Map(messages.map((m) => [m.send_key, m]));
    expect(byKey.get('campaign:second-offer:ivy')).toMatchObject({ state: 'suppressed', reason: 'topic_opt_out', topic_id: 'offers' });
    expect(byKey.get('campaign:second-offer:jon')).toMatchObject({ state: 'sent' });
    expect(byKey.get('campaign:news:ivy')).toMatchObject({ state: 'sent', topic_id: 'newsletter' });

    const events = await t.services.storage.read.selectFrom('domain_events').select(['data']).where('store_id', '=', store.storeId)
      .where('type', '=', 'customer.topics_changed').where('customer_id', '=', ids.get('ivy')!).execute();
    expect(events.map((e) => JSON.parse(e.data))).toEqual([{
      external_id: 'ivy', address: 'ivy@prefs.example.com', source: 'preferences', topics: [{ topic: 'offers', name: 'Offers', subscribed: false }],
    }]);
    const profile = (await t.app.inject({ method: 'GET', url: `/api/v1/customers/${ids.get('ivy')}/profile`, headers: bearer(store.secretKey) })).json();
    expect(profile.consent.topics).toEqual([
      { id: 'newsletter', name: 'Newsletter', subscribed: true }, { id: 'offers', name: 'Offers', subscribed: false },
      { id: 'new_products', name: 'New products', subscribed: true }, { id: 'reviews', name: 'Reviews', subscribed: true },
    ]);
    expect(profile.timeline.filter((item: { type: string }) => item.type === 'topic')).toEqual([
      expect.objectContaining({ topic: 'offers', name: 'Offers', subscribed: false, source: 'preferences' }),
    ]);

    // RFC 8058: the one-click POST to the same link unsubscribes from all marketing email.
    const oneClick = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(oneClick.status).toBe(200);
    await send('more-news', 'newsletter');
    const last = (await t.app.inject({ method: 'GET', url: '/api/v1/messages?limit=50', headers: bearer(store.secretKey) })).json().data as { send_key: string; state: string; reason: string | null }[];
    expect(last.find((m) => m.send_key === 'campaign:more-news:ivy')).toMatchObject({ state: 'suppressed', reason: 'unsubscribed' });
    expect(last.find((m) => m.send_key === 'campaign:more-news:jon')).toMatchObject({ state: 'sent' });
  }, 60_000);
});
