/**
 * Bounce and complaint webhooks over HTTP, with each provider's documented sample payload: the
 * address is suppressed (a complaint also unsubscribes the customer), a repeated post changes
 * nothing, signatures are checked once a key is saved, SES arrives through a verified SNS message
 * whose certificate is served by a local stand-in for Amazon's host, and three soft bounces suppress.
 */
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryReportsService } from '../../src/modules/messaging/index.js';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'mail', name), 'utf8');

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
let urls: Record<'ses' | 'postmark' | 'sendgrid' | 'mailgun', string>;
let certServer: Server;
let snsKey: KeyObject;
let certUrl: string;

const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: new URL(url).pathname, payload, headers: { 'content-type': 'application/json', ...headers } });
const suppressed = async () => ((await t.app.inject({ method: 'GET', url: '/api/v1/suppressions', headers: bearer(store.secretKey) })).json() as { data: { address: string; reason: string }[] }).data
  .map((s) => `${s.address} ${s.reason}`).sort();

beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Bounces');
  await t.services.commerce.write(store.storeId, {
    customers: ['john', 'jane', 'richard', 'alice', 'spam'].map((name) => ({ external_id: name, email: name === 'spam' ? 'spam@test.com' : `${name}@example.com`, email_consent: { status: 'subscribed' as const } })),
  });
  const settings = (await t.app.inject({ method: 'GET', url: '/api/v1/messaging/settings', headers: bearer(store.secretKey) })).json() as { delivery_webhooks: { urls: typeof urls } };
  urls = settings.delivery_webhooks.urls;
  // A stand-in for Amazon's certificate host: it serves the public key SNS would sign with.
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  snsKey = pair.privateKey;
  const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  certServer = createServer((request, response) => {
    if (request.url?.endsWith('.pem')) return void response.end(pem);
    response.end('<ConfirmSubscriptionResponse/>');
  });
  await new Promise<void>((resolve) => certServer.listen(0, '127.0.0.1', () => resolve()));
  const address = certServer.address() as { port: number };
  certUrl = `http://127.0.0.1:${address.port}/SimpleNotificationService-test.pem`;
  t.services.deliveryReports = new DeliveryReportsService(t.services.storage, () => t.services, { publicUrl: t.services.config.publicUrl, snsCertHosts: [`127.0.0.1:${address.port}`] });
});
afterAll(async () => {
  await t.close();
  await new Promise<void>((resolve) => certServer.close(() => resolve()));
});

function snsMessage(type: string, fields: Record<string, string>): string {
  const envelope: Record<string, string> = { Type: type, MessageId: `m-${Math.random()}`, TopicArn: 'arn:aws:sns:eu-west-1:888888888888:ses', Timestamp: new Date().toISOString(), SignatureVersion: '2', SigningCertURL: certUrl, ...fields };
  const order = type === 'Notification' ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const text = order.filter((f) => envelope[f] !== undefined).map((f) => `${f}\n${envelope[f]}\n`).join('');
  envelope.Signature = sign('sha256', Buffer.from(text), snsKey).toString('base64');
  return JSON.stringify(envelope);
}

describe('delivery report webhooks', () => {
  it('suppresses a Postmark hard bounce once, and unsubscribes on a spam complaint', async () => {
    const bounce = await post(urls.postmark, fixture('postmark-bounce.json'));
    expect([bounce.statusCode, bounce.json()]).toEqual([200, { received: 1, applied: 1 }]);
    expect((await post(urls.postmark, fixture('postmark-bounce.json'))).json()).toEqual({ received: 1, applied: 0 });
    const complaint = JSON.parse(fixture('postmark-spam-complaint.json')) as Record<string, unknown>;
    await post(urls.postmark, JSON.stringify({ ...complaint, Email: 'jane@example.com' }));
    expect(await suppressed()).toEqual(['jane@example.com complaint', 'john@example.com hard_bounce']);
    const jane = await t.services.storage.read.selectFrom('customers').select(['email_consent', 'email_consent_source']).where('store_id', '=', store.storeId).where('external_id', '=', 'jane').executeTakeFirstOrThrow();
    expect(jane).toEqual({ email_consent: 'unsubscribed', email_consent_source: 'complaint' });
  });

  it('refuses a wrong token, and SendGrid or Mailgun posts without the signature once a key is saved', async () => {
    const wrong = await post(urls.postmark.replace(/[^/]+$/, 'x'.repeat(32)), fixture('postmark-bounce.json'));
    expect(wrong.statusCode).toBe(404);
    expect((await post(urls.postmark, '{not json')).statusCode).toBe(400);

    const sendgrid = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const key = sendgrid.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const mailgunKey = 'key-webhook-signing-0123456789';
    // The store's owner saves the keys in Settings.
    const { cookie, csrf } = await t.signIn(store.ownerEmail, store.ownerPassword);
    const saved = await t.app.inject({ method: 'PATCH', url: '/api/v1/messaging/settings', headers: { cookie, 'x-csrf-token': csrf, 'x-hearth-store': store.storeId }, payload: { sendgrid_verification_key: key, mailgun_signing_key: mailgunKey } });
    expect(saved.json()).toMatchObject({ delivery_webhooks: { sendgrid_key_set: true, mailgun_key_set: true } });
    expect(JSON.stringify(saved.json())).not.toContain(mailgunKey);

    const events = fixture('sendgrid-events.json');
    const unsigned = await post(urls.sendgrid, events);
    expect([unsigned.statusCode, errorOf(unsigned).code]).toEqual([401, 'unauthorized']);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = sign('sha256', Buffer.from(timestamp + events), sendgrid.privateKey).toString('base64');
    const signed = await post(urls.sendgrid, events, { 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': timestamp });
    expect(signed.json()).toEqual({ received: 6, applied: 6 });

    const mailgun = JSON.parse(fixture('mailgun-failed.json')) as { signature: { timestamp: string; token: string; signature: string } };
    expect((await post(urls.mailgun, JSON.stringify(mailgun))).statusCode).toBe(401);
    mailgun.signature.signature = createHmac('sha256', mailgunKey).update(mailgun.signature.timestamp + mailgun.signature.token).digest('hex');
    expect((await post(urls.mailgun, JSON.stringify(mailgun))).json()).toEqual({ received: 1, applied: 1 });
    expect(await suppressed()).toEqual(expect.arrayContaining(['alice@example.com hard_bounce', 'bounced@test.com hard_bounce', 'spam@test.com complaint', 'unsub@test.com unsubscribed']));
    // A block is a soft bounce: not suppressed after one.
    expect(await suppressed()).not.toContain('blocked@test.com hard_bounce');
  });

  it('confirms the SNS subscription and reads SES bounces from verified SNS notifications', async () => {
    const confirm = await post(urls.ses, snsMessage('SubscriptionConfirmation', { Message: 'You have chosen to subscribe', Token: 'tok', SubscribeURL: certUrl.replace(/\/[^/]+$/, '/?Action=ConfirmSubscription&Token=tok') }), { 'content-type': 'text/plain; charset=UTF-8' });
    expect(confirm.json()).toEqual({ received: 0, applied: 0, confirmed: true });
    const notification = snsMessage('Notification', { Message: fixture('ses-bounce.json'), Subject: 'Amazon SES Email Event Notification' });
    expect((await post(urls.ses, notification, { 'content-type': 'text/plain; charset=UTF-8' })).json()).toEqual({ received: 2, applied: 2 });
    expect(await suppressed()).toEqual(expect.arrayContaining(['jane@example.com complaint', 'richard@example.com hard_bounce']));
    const forged = JSON.parse(notification) as Record<string, string>;
    forged.Message = forged.Message!.replace('richard@example.com', 'john2@example.com');
    expect((await post(urls.ses, JSON.stringify(forged))).statusCode).toBe(401);
    const elsewhere = JSON.parse(notification) as Record<string, string>;
    elsewhere.SigningCertURL = 'https://evil.example/cert.pem';
    expect((await post(urls.ses, JSON.stringify(elsewhere))).statusCode).toBe(401);
  });

  it('suppresses an address after three soft bounces within 30 days', async () => {
    const blocked = (id: string) => JSON.stringify([{ email: 'soft@example.com', timestamp: Math.floor(Date.now() / 1000), event: 'bounce', type: 'blocked', sg_event_id: id, reason: '421 try later' }]);
    const timestamp = String(Math.floor(Date.now() / 1000));
    // The key saved above is required now: sign each post.
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await t.services.messages.updateSettings(store.storeId, { sendgrid_verification_key: key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') });
    const send = (body: string) => post(urls.sendgrid, body, { 'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(timestamp + body), key.privateKey).toString('base64'), 'x-twilio-email-event-webhook-timestamp': timestamp });
    await send(blocked('s1'));
    await send(blocked('s2'));
    expect(await suppressed()).not.toContain('soft@example.com hard_bounce');
    await send(blocked('s3'));
    expect(await suppressed()).toContain('soft@example.com hard_bounce');
  });
});
