/**
 * A campaign sent for real: rendered from a starter template, queued in the send ledger and
 * delivered over SMTP to a real server, read back with mailparser. Every consenting member not
 * held out gets exactly one message — also after a second start and a second run of the sender —
 * the holdout and suppressed addresses get none; the tracked link redirects to its own URL; the
 * one-click unsubscribe, the open, the click and an order after the click show in the results.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';
import { startSmtpSink, type SmtpSink } from '../messaging/smtp-sink.js';

let t: TestApp;
let sink: SmtpSink;
let store: Awaited<ReturnType<TestApp['newStore']>>;
const request = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(store.secretKey), ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });

beforeAll(async () => {
  t = await createTestApp();
  sink = await startSmtpSink();
  store = await t.newStore('Campaign Mail', { currency: 'EUR' });
  // 80 buyers: 0–9 never asked, 10–79 subscribed; 20 and 21 are suppressed (bounced, complained).
  await t.services.commerce.write(store.storeId, {
    customers: Array.from({ length: 80 }, (_, i) => ({ external_id: `c-${i}`, email: `c${i}@example.com`, first_name: `Name${i}`, email_consent: { status: i < 10 ? 'never_asked' as const : 'subscribed' as const } })),
    orders: Array.from({ length: 80 }, (_, i) => ({
      external_id: `o-${i}`, customer_external_id: `c-${i}`, placed_at: new Date('2026-09-01T10:00:00Z'), currency: 'EUR',
      lines: [{ product_external_id: 'p-1', title: 'Mug', quantity: 1, unit_price: 1_500 }],
    })),
  });
  await t.services.suppressions.add(store.storeId, { address: 'c20@example.com', reason: 'hard_bounce' });
  await t.services.suppressions.add(store.storeId, { address: 'c21@example.com', reason: 'complaint' });
  await t.services.accounts.updateStore(store.storeId, { websiteUrl: 'https://shop.example', postalAddress: '1 Harbour Street, Bristol' });
  await t.services.messages.updateSettings(store.storeId, { smtp_url: sink.url, from_address: 'news@shop.test', from_name: 'Campaign Mail', frequency_cap_hours: 0 });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

/** Runs the campaign's queued sends, as the worker would. */
async function sendQueued(campaignId: string) {
  const rows = await t.services.storage.read.selectFrom('message_sends').select('id').where('store_id', '=', store.storeId).where('source', '=', `campaign:${campaignId}`).execute();
  return t.services.messages.sendBatch(store.storeId, rows.map((r) => Number(r.id)));
}

const addressOf = (mail: Awaited<ReturnType<SmtpSink['parsed']>>[number]) => (Array.isArray(mail.to) ? mail.to[0] : mail.to)!.value[0]!.address!;

describe('a campaign sent over SMTP', () => {
  it('reaches every consenting member outside the holdout exactly once, and measures opens, clicks, unsubscribes and orders', async () => {
    const segment = (await request('POST', '/api/v1/segments', { name: 'Buyers', rule: { kind: 'orders', metric: 'count', op: 'gte', value: 1 } })).json() as { id: string };
    const template = (await request('POST', '/api/v1/templates/from-starter', { starter: 'win_back', name: 'We miss you' })).json() as { id: string };

    // Without a template the campaign cannot start; an unknown template is named.
    const bare = (await request('POST', '/api/v1/campaigns', { name: 'No message', segment_ids: [segment.id] })).json() as { id: string };
    const refused = await request('POST', `/api/v1/campaigns/${bare.id}/start`);
    expect(refused.statusCode).toBe(422);
    expect(errorOf(refused).details).toEqual([{ path: 'template_id', reason: 'choose the template to send before starting' }]);
    expect(errorOf(await request('PATCH', `/api/v1/campaigns/${bare.id}`, { template_id: 'tpl_nope' })).details).toEqual([{ path: 'template_id', reason: 'no template "tpl_nope" in this store' }]);

    const campaign = (await request('POST', '/api/v1/campaigns', { name: 'Come back', segment_ids: [segment.id], template_id: template.id, holdout_share: 0.2 })).json() as { id: string };
    const started = (await request('POST', `/api/v1/campaigns/${campaign.id}/start`)).json() as { audience: number; holdout: number; recipients: number };
    expect(started.audience).toBe(70);
    await sendQueued(campaign.id);
    // A retried start and a second run of the sender change nothing.
    await request('POST', `/api/v1/campaigns/${campaign.id}/start`);
    await sendQueued(campaign.id);

    const groups = new Map<number, string>();
    const page = (await request('GET', `/api/v1/campaigns/${campaign.id}/recipients?limit=1000`)).json() as { data: { customer_id: number; group: string }[] };
    const customers = await t.services.storage.read.selectFrom('customers').select(['id', 'email']).where('store_id', '=', store.storeId).execute();
    const emailOf = new Map(customers.map((c) => [Number(c.id), c.email!]));
    for (const r of page.data) groups.set(r.customer_id, r.group);
    const sentTo = page.data.filter((r) => r.group === 'sent').map((r) => emailOf.get(r.customer_id)!);
    const heldOut = page.data.filter((r) => r.group === 'holdout').map((r) => emailOf.get(r.customer_id)!);
    expect(heldOut.length).toBe(started.holdout);

    const mails = await sink.parsed();
    const received = mails.map(addressOf);
    const expected = sentTo.filter((a) => a !== 'c20@example.com' && a !== 'c21@example.com').sort();
    expect([...received].sort()).toEqual(expected);
    expect(new Set(received).size).toBe(received.length);
    for (const address of [...heldOut, 'c20@example.com', 'c21@example.com', 'c0@example.com']) expect(received).not.toContain(address);

    // The message: rendered for its recipient, RFC 8058 headers, tracked links that lead to their own URL.
    const mail = mails[0]!;
    const to = addressOf(mail);
    expect(mail.html).toContain(`Name${to.match(/c(\d+)@/)![1]}`);
    const headerLine = (key: string) => mail.headerLines.find((h) => h.key === key)?.line ?? '';
    expect(headerLine('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const tracked = [...(mail.html as string).matchAll(/href="(http[^"]*\/t\/c\/[^"]+)"/g)].map((m) => m[1]!);
    expect(tracked.length).toBeGreaterThan(0);
    const click = await t.app.inject({ method: 'GET', url: new URL(tracked[0]!).pathname });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toMatch(/^https:\/\/shop\.example/);
    expect(click.headers.location).not.toContain('/t/c/');
    const forged = await t.app.inject({ method: 'GET', url: `${new URL(tracked[0]!).pathname}x` });
    expect(forged.statusCode).toBe(404);
    const pixel = (mail.html as string).match(/src="(http[^"]*\/t\/o\/[^"]+)"/)![1]!;
    const open = await t.app.inject({ method: 'GET', url: new URL(pixel).pathname });
    expect([open.statusCode, open.headers['content-type']]).toEqual([200, 'image/gif']);

    // One click on the unsubscribe button, as a mail provider sends it.
    const unsubscribeUrl = /<(http[^>]+)>/.exec(headerLine('list-unsubscribe'))![1]!;
    const unsubscribed = await t.app.inject({ method: 'POST', url: new URL(unsubscribeUrl).pathname, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(unsubscribed.statusCode).toBe(200);

    // The clicker orders after the click.
    const clicker = customers.find((c) => c.email === to)!;
    const external = ((await request('GET', `/api/v1/customers/${clicker.id}`)).json() as { external_id: string }).external_id;
    const order = await request('POST', '/api/v1/orders/batch', { orders: [{ external_id: 'after-click', customer_external_id: external, placed_at: new Date(Date.now() + 60_000).toISOString(), currency: 'EUR', lines: [{ product_external_id: 'p-1', title: 'Mug', quantity: 2, unit_price: 1_500 }] }] });
    expect(order.statusCode).toBe(200);

    const results = (await request('GET', `/api/v1/campaigns/${campaign.id}/results`)).json() as {
      messages: { sent: number; suppressed: number; opened: number; clicked: number; unsubscribed: number; queued: number };
      attributed: { buyers: number; orders: number; revenue: number };
    };
    expect(results.messages).toMatchObject({ sent: expected.length, suppressed: sentTo.length - expected.length, queued: 0, opened: 1, clicked: 1, unsubscribed: 1 });
    expect(results.attributed).toEqual({ buyers: 1, orders: 1, revenue: 3_000 });
  });
});
