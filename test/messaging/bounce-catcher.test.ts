/**
 * Bounce and abuse reports mailed to the built-in SMTP catcher: a delivery status notification
 * (RFC 3464) and an ARF complaint (RFC 5965), built as an MTA writes them and sent over SMTP with
 * nodemailer, are tied to the message they report on (its Message-ID, or the catcher's header, in
 * the returned headers) and applied to its store: a hard bounce suppresses the address, a soft one
 * is counted, a complaint suppresses and unsubscribes. Reports about no message of ours, or naming
 * someone other than the message's recipient, change nothing.
 */
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

/** Waits for a condition (the report is applied after the catcher answered). */
async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const boundary = 'report-boundary-1';
function dsn(original: string, recipient: string, status: string): string {
  return [
    'From: MAILER-DAEMON@mx.example.net', 'To: bounces@shop.example', 'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <dsn-${Math.random().toString(36).slice(2)}@mx.example.net>`, 'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status;\r\n boundary="${boundary}"`, '',
    `--${boundary}`, 'Content-Type: text/plain; charset=us-ascii', '', 'This is the mail system at host mx.example.net. Your message could not be delivered.', '',
    `--${boundary}`, 'Content-Type: message/delivery-status', '',
    'Reporting-MTA: dns; mx.example.net', 'Arrival-Date: Wed, 2 Dec 2026 08:00:00 +0000', '',
    `Final-Recipient: rfc822; ${recipient}`, `Original-Recipient: rfc822;${recipient}`, 'Action: failed', `Status: ${status}`,
    `Diagnostic-Code: smtp; ${status.startsWith('5') ? '550 5.1.1 user unknown' : '452 4.2.2 mailbox full'}`, '',
    `--${boundary}`, 'Content-Type: text/rfc822-headers', '', original, '',
    `--${boundary}--`, '',
  ].join('\r\n');
}

function arf(original: string, recipient: string): string {
  return [
    'From: abuse@isp.example', 'To: bounces@shop.example', 'Subject: Abuse report', `Message-ID: <arf-${Math.random().toString(36).slice(2)}@isp.example>`, 'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=feedback-report; boundary="${boundary}"`, '',
    `--${boundary}`, 'Content-Type: text/plain', '', 'This is an email abuse report.', '',
    `--${boundary}`, 'Content-Type: message/feedback-report', '', 'Feedback-Type: abuse', 'User-Agent: isp-fbl/1.0', 'Version: 1', `Original-Rcpt-To: ${recipient}`, '',
    `--${boundary}`, 'Content-Type: text/rfc822-headers', '', original, '',
    `--${boundary}--`, '',
  ].join('\r\n');
}

describe('reports mailed to the built-in SMTP catcher', () => {
  it('applies a DSN and an ARF complaint to the message they report on', async () => {
    const store = await t.newStore('Bounce Mail Store');
    const people = ['bob', 'ann', 'cy', 'dee'];
    await t.services.commerce.write(store.storeId, {
      customers: people.map((p) => ({ external_id: p, email: `${p}@bounce.example`, email_consent: { status: 'subscribed' as const } })),
    });
    await t.services.messages.updateSettings(store.storeId, { frequency_cap_hours: 0 });
    const rows = await t.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', store.storeId).execute();
    const ids = new Map(rows.map((r) => [r.external_id!, Number(r.id)]));
    const send = async (round: string) => {
      const queued = await t.services.messages.queueEmails(store.storeId, people.map((p) => ({
        sendKey: `campaign:${round}:${p}`, purpose: 'marketing' as const, customerId: ids.get(p)!,
        build: (links) => ({ subject: `${round} for ${p}`, preheader: '', html: `<p>Hi</p><a href="${links.unsubscribe_url}">Unsubscribe</a>`, text: 'Hi' }),
      })));
      await t.services.messages.sendBatch(store.storeId, queued.sends.map((s) => s.id));
      return new Map(queued.sends.map((s) => [s.send_key.split(':')[2]!, s.id]));
    };
    const sent = await send('spring');
    // What the catcher received for each: the headers an MTA returns in its report.
    const caught = await t.services.storage.read.selectFrom('caught_messages').select(['send_id', 'raw']).where('store_id', '=', store.storeId).execute();
    const headersOf = (p: string) => {
      const raw = caught.find((c) => Number(c.send_id) === sent.get(p))!.raw;
      return raw.slice(0, raw.search(/\r?\n\r?\n/));
    };
    const withoutCatcherHeader = (headers: string) => headers.split(/\r?\n(?![ \t])/).filter((line) => !/^X-Hearth-Message:/i.test(line)).join('\r\n');
    const withoutMessageId = (headers: string) => headers.split(/\r?\n(?![ \t])/).filter((line) => !/^Message-ID:/i.test(line)).join('\r\n');

    const catcher = await t.services.messages.startCatcher();
    const mta = nodemailer.createTransport({ url: catcher.url });
    const mail = (raw: string) => mta.sendMail({ envelope: { from: 'MAILER-DAEMON@mx.example.net', to: ['bounces@shop.example'] }, raw });
    // Bob's address does not exist: tied by the Message-ID alone (the catcher's header removed).
    await mail(dsn(withoutCatcherHeader(headersOf('bob')), 'bob@bounce.example', '5.1.1'));
    // Ann complains: tied by the catcher's header alone.
    await mail(arf(withoutMessageId(headersOf('ann')), 'ann@bounce.example'));
    // Cy's mailbox is full: a soft bounce, counted, not yet suppressing.
    await mail(dsn(headersOf('cy'), 'cy@bounce.example', '4.2.2'));
    // A report about Dee's message that names someone else, and one about no message of ours.
    await mail(dsn(headersOf('dee'), 'someone@else.example', '5.1.1'));
    await mail(dsn('Message-ID: <not-ours@elsewhere.example>\r\nTo: dee@bounce.example', 'dee@bounce.example', '5.1.1'));
    mta.close();

    const suppressions = await until(
      async () => (await t.app.inject({ method: 'GET', url: '/api/v1/suppressions', headers: bearer(store.secretKey) })).json().data as { address: string; reason: string; source: string }[],
      (list) => list.length >= 2,
    );
    expect(suppressions.map(({ address, reason, source }) => ({ address, reason, source })).sort((a, b) => a.address.localeCompare(b.address))).toEqual([
      { address: 'ann@bounce.example', reason: 'complaint', source: 'report mail' },
      { address: 'bob@bounce.example', reason: 'hard_bounce', source: 'report mail' },
    ]);
    const soft = await until(
      async () => (await sql<{ address: string; kind: string }>`select address, kind from message_delivery_events where store_id = ${store.storeId}`.execute(t.services.storage.read)).rows,
      (events) => events.length >= 3,
    );
    expect(soft.map((e) => `${e.address} ${e.kind}`).sort()).toEqual(['ann@bounce.example complaint', 'bob@bounce.example hard_bounce', 'cy@bounce.example soft_bounce']);
    const ann = (await t.app.inject({ method: 'GET', url: `/api/v1/customers/${ids.get('ann')}/profile`, headers: bearer(store.secretKey) })).json();
    expect(ann.consent.email).toMatchObject({ status: 'unsubscribed', source: 'complaint' });

    // The next campaign skips the bounced and the complaining address, and still mails Cy and Dee.
    const next = await send('summer');
    const states = (await t.app.inject({ method: 'GET', url: '/api/v1/messages?limit=50', headers: bearer(store.secretKey) })).json().data as { id: number; state: string; reason: string | null }[];
    const stateOf = (p: string) => states.find((m) => m.id === next.get(p));
    expect(stateOf('bob')).toMatchObject({ state: 'suppressed', reason: 'hard_bounce' });
    expect(stateOf('ann')).toMatchObject({ state: 'suppressed', reason: 'complaint' });
    expect(stateOf('cy')).toMatchObject({ state: 'sent' });
    expect(stateOf('dee')).toMatchObject({ state: 'sent' });
  }, 60_000);
});
