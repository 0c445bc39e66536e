/**
 * Bounces and complaints as each provider documents them: the sample payloads in
 * test/fixtures/mail read into one shape, and each provider's signature check — SendGrid's with
 * the key, signature and payload SendGrid publishes for its own verifier.
 */
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBounceMail } from '../../src/modules/messaging/bounce-mail.js';
import { readMailgun, readPostmark, readSendGrid, readSesNotification, type ReadResult } from '../../src/modules/messaging/delivery-events.js';
import { snsCertificateUrlAllowed, snsStringToSign, verifyMailgun, verifySendGrid, verifySns, type SnsEnvelope } from '../../src/modules/messaging/webhook-signatures.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'mail', name), 'utf8');
const json = (name: string) => JSON.parse(fixture(name)) as unknown;
const summary = (result: ReadResult) => {
  if (!result.ok) throw new Error(`${result.path}: ${result.reason}`);
  return result.events.map((e) => `${e.kind} ${e.email}`);
};

describe('provider payloads', () => {
  it('reads SES bounces (hard for Permanent) and complaints, with the sent message id', () => {
    const bounce = readSesNotification(json('ses-bounce.json'));
    expect(summary(bounce)).toEqual(['hard_bounce jane@example.com', 'hard_bounce richard@example.com']);
    expect(bounce.ok && bounce.events[0]).toMatchObject({
      provider: 'ses', provider_message_id: '0102015fd91a5ca3-93c245fe-e333-46ae-8fed-96160d20cfab-000000',
      detail: 'smtp; 550 5.1.1 user unknown', at: new Date('2026-11-20T11:05:06.477Z'),
    });
    const transient = json('ses-bounce.json') as { bounce: { bounceType: string } };
    transient.bounce.bounceType = 'Transient';
    expect(summary(readSesNotification(transient))[0]).toBe('soft_bounce jane@example.com');
    expect(summary(readSesNotification(json('ses-complaint.json')))).toEqual(['complaint richard@example.com']);
    // Event publishing names the type `eventType`; a "not spam" report is no complaint.
    const published = { ...(json('ses-complaint.json') as object), notificationType: undefined, eventType: 'Complaint' };
    expect(summary(readSesNotification(published))).toEqual(['complaint richard@example.com']);
    const notSpam = json('ses-complaint.json') as { complaint: { complaintFeedbackType: string } };
    notSpam.complaint.complaintFeedbackType = 'not-spam';
    expect(summary(readSesNotification(notSpam))).toEqual([]);
    expect(readSesNotification({ notificationType: 'Bounce' })).toEqual({ ok: false, path: 'Message.bounce.bouncedRecipients', reason: 'is missing' });
  });

  it('reads Postmark bounces and spam complaints', () => {
    const bounce = readPostmark(json('postmark-bounce.json'));
    expect(summary(bounce)).toEqual(['hard_bounce john@example.com']);
    // The documented id is beyond 2^53: the event is named by message, record and time instead.
    expect(bounce.ok && bounce.events[0]!.provider_event_id).toBe('883953f4-6105-42a2-a16a-77a8eac79483:Bounce:2026-11-19T16:33:54.9070259Z');
    expect(summary(readPostmark({ ...(json('postmark-bounce.json') as object), Type: 'SoftBounce', TypeCode: 4096 }))).toEqual(['soft_bounce john@example.com']);
    expect(summary(readPostmark(json('postmark-spam-complaint.json')))).toEqual(['complaint john@example.com']);
    expect(summary(readPostmark({ ...(json('postmark-bounce.json') as object), Type: 'AutoResponder' }))).toEqual([]);
    expect(readPostmark({ ...(json('postmark-bounce.json') as object), Email: 'nobody' })).toMatchObject({ ok: false, path: 'Email' });
  });

  it('reads a SendGrid post: bounces, blocks, spam reports, unsubscribes, drops; skips the rest', () => {
    expect(summary(readSendGrid(json('sendgrid-events.json')))).toEqual([
      'delivered example@test.com', 'hard_bounce bounced@test.com', 'soft_bounce blocked@test.com', 'complaint spam@test.com',
      'unsubscribe unsub@test.com', 'hard_bounce dropped@test.com',
    ]);
    expect(readSendGrid({ event: 'bounce' })).toEqual({ ok: false, path: 'body', reason: 'is not a JSON array of events' });
  });

  it('reads Mailgun failures by severity', () => {
    expect(summary(readMailgun(json('mailgun-failed.json')))).toEqual(['hard_bounce alice@example.com']);
    const temporary = json('mailgun-failed.json') as { 'event-data': { severity: string } };
    temporary['event-data'].severity = 'temporary';
    const soft = readMailgun(temporary);
    expect(summary(soft)).toEqual(['soft_bounce alice@example.com']);
    expect(soft.ok && soft.events[0]!.provider_message_id).toBe('20130503192659.13651.20287@mg.shop.example');
  });

  it('reads a delivery status notification mail (RFC 3464) with the original Message-ID', () => {
    const result = readBounceMail(fixture('dsn-hard-bounce.eml'));
    expect(summary(result)).toEqual(['hard_bounce nobody@example.net']);
    expect(result.ok && result.events[0]).toMatchObject({ provider_message_id: '<campaign.cmp_1.42@shop.example>', detail: expect.stringContaining('550 5.1.1') });
    // A 4.x.x failure is soft; a delayed delivery is not a bounce yet.
    expect(summary(readBounceMail(fixture('dsn-hard-bounce.eml').replace('Status: 5.1.1', 'Status: 4.2.2')))).toEqual(['soft_bounce nobody@example.net']);
    expect(summary(readBounceMail(fixture('dsn-hard-bounce.eml').replace('Action: failed', 'Action: delayed')))).toEqual([]);
    expect(summary(readBounceMail('Subject: hello\n\nJust a reply.'))).toEqual([]);
  });
});

describe('signatures', () => {
  it('verifies SendGrid\'s published example and refuses a changed byte', () => {
    // From SendGrid's own Event Webhook verifier: its public key, signature, timestamp and payload.
    const publicKey = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==';
    const signature = 'MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=';
    const payload = '{"category":"example_payload","event":"test_event","message_id":"message_id"}';
    expect(verifySendGrid(publicKey, payload, signature, '1588788367')).toBe(true);
    expect(verifySendGrid(publicKey, payload.replace('test_event', 'test_evenT'), signature, '1588788367')).toBe(false);
    expect(verifySendGrid(publicKey, payload, signature, '1588788368')).toBe(false);
    expect(verifySendGrid('not a key', payload, signature, '1588788367')).toBe(false);
  });

  it('verifies a Mailgun signature made with the signing key', () => {
    const key = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
    const { timestamp, token } = (json('mailgun-failed.json') as { signature: { timestamp: string; token: string } }).signature;
    const good = createHmac('sha256', key).update(timestamp + token).digest('hex');
    expect(verifyMailgun(key, timestamp, token, good)).toBe(true);
    expect(verifyMailgun(key, timestamp, `${token}x`, good)).toBe(false);
    expect(verifyMailgun('another-key', timestamp, token, good)).toBe(false);
    expect(verifyMailgun(key, timestamp, token, 'zz')).toBe(false);
  });

  it('verifies an SNS notification over its fields in SNS order, only from an SNS certificate host', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const envelope: SnsEnvelope = {
      Type: 'Notification', MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324', TopicArn: 'arn:aws:sns:eu-west-1:888888888888:ses-bounces',
      Subject: 'Amazon SES Email Event Notification', Message: fixture('ses-bounce.json'), Timestamp: '2026-11-20T11:05:07.000Z',
      SignatureVersion: '2', Signature: '', SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-01d088a6f77103d0fe307c0069e40ed6.pem',
    };
    // The string SNS signs, written out by hand from its documentation.
    const expected = `Message\n${envelope.Message}\nMessageId\n${envelope.MessageId}\nSubject\n${envelope.Subject}\nTimestamp\n${envelope.Timestamp}\nTopicArn\n${envelope.TopicArn}\nType\nNotification\n`;
    expect(snsStringToSign(envelope)).toBe(expected);
    envelope.Signature = sign('sha256', Buffer.from(expected), privateKey).toString('base64');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(verifySns(envelope, pem)).toBe(true);
    expect(verifySns({ ...envelope, Message: envelope.Message.replace('jane', 'june') }, pem)).toBe(false);
    expect(verifySns({ ...envelope, SignatureVersion: '1' }, pem)).toBe(false);

    expect(snsCertificateUrlAllowed(envelope.SigningCertURL)).toBe(true);
    expect(snsCertificateUrlAllowed('https://sns.cn-north-1.amazonaws.com.cn/x.pem')).toBe(true);
    expect(snsCertificateUrlAllowed('http://sns.eu-west-1.amazonaws.com/x.pem')).toBe(false);
    expect(snsCertificateUrlAllowed('https://sns.eu-west-1.amazonaws.com.evil.example/x.pem')).toBe(false);
    expect(snsCertificateUrlAllowed('https://evil.example/sns.eu-west-1.amazonaws.com/x.pem')).toBe(false);
    expect(snsCertificateUrlAllowed('http://127.0.0.1:4566/cert.pem', ['127.0.0.1:4566'])).toBe(true);
  });
});
