/**
 * The channels' HTTP clients against real local servers that misbehave: an SMS request whose
 * answer never comes is uncertain (the API has no idempotency key), one that found nobody
 * listening is tried again; a webhook that never answers is tried again (the receiver dedupes by
 * the key). Numbers in E.164 form, and the provider's signature checked against the test's own.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalisePhone, twilioSignature } from '../../src/modules/messaging/index.js';
import type { SendHeading } from '../../src/modules/messaging/index.js';
import { packBodies } from '../../src/modules/messaging/message-bodies.js';
import { smsDeliverer } from '../../src/modules/messaging/sms-transport.js';
import { webhookDeliverer } from '../../src/modules/messaging/webhook-channel.js';
import { twilioSignatureOf } from '../helpers/sms-api.js';

let silent: Server;
let url: string;
let requests = 0;

beforeAll(async () => {
  // Takes every request and never answers.
  silent = createServer(() => { requests += 1; });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});
afterAll(async () => {
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
});

const heading = (to: string): SendHeading => ({
  store_id: 's', id: 1, send_key: 'test:1', channel: 'sms', purpose: 'transactional', source: null, customer_id: null, to_address: to, from_address: '+15005550006',
  subject: '', preheader: '', headers: '{}', template_id: null, template_version: null, topic_id: null, created_at: new Date(),
});
const body = (text: string) => packBodies({ html: '', text });

describe('an answer that never comes', () => {
  it('leaves an SMS uncertain, and retries one that reached nobody', async () => {
    const sms = smsDeliverer({ baseUrl: url, accountSid: 'AC1', authToken: 'token-123', from: '+15005550006', messagingServiceSid: null, statusCallback: 'http://h/s', timeoutMs: 300 });
    const before = requests;
    expect(await sms.deliver(heading('+14155550101'), body('Hi'))).toMatchObject({ kind: 'uncertain' });
    expect(requests - before).toBe(1);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const nobody = smsDeliverer({ baseUrl: `http://127.0.0.1:${port}`, accountSid: 'AC1', authToken: 'token-123', from: '+15005550006', messagingServiceSid: null, statusCallback: 'http://h/s' });
    expect(await nobody.deliver(heading('+14155550101'), body('Hi'))).toMatchObject({ kind: 'retry' });
  });

  it('retries a webhook message', async () => {
    const webhook = webhookDeliverer({ secret: 'whsec_test', timeoutMs: 300 });
    expect(await webhook.deliver({ ...heading(`${url}/hook`), channel: 'webhook' }, body('{}'))).toMatchObject({ kind: 'retry' });
  });
});

describe('phone numbers', () => {
  it('reads numbers into E.164, with the customer\'s country when the number has no code', () => {
    const cases: [string, string | null, string | null][] = [
      ['+1 (415) 555-0101', null, '+14155550101'],
      ['0044 20 7946 0958', null, '+442079460958'],
      ['(415) 555-0101', 'US', '+14155550101'],
      ['1-415-555-0101', 'us', '+14155550101'],
      ['07700 900123', 'GB', '+447700900123'],
      ['06 12 34 56 78', 'FR', '+33612345678'],
      ['06 1234 5678', 'IT', '+390612345678'],
      ['(415) 555-0101', null, null],
      ['+0 123 456 789', null, null],
      ['+1 415 555 0101 ext 9', null, null],
      ['+12', null, null],
    ];
    for (const [input, country, expected] of cases) {
      const result = normalisePhone(input, country);
      expect(result.ok ? result.e164 : null, `${input} in ${country}`).toBe(expected);
    }
  });
});

describe('the provider\'s request signature', () => {
  it('matches an independent computation, over sorted parameters', () => {
    const params = { To: '+15005550006', From: '+14155550101', Body: 'STOP', MessageSid: 'SM123', AccountSid: 'AC1', NumMedia: '0' };
    const target = 'https://shop.example/webhooks/sms/twilio/s1/token?x=1';
    expect(twilioSignature('auth-token', target, Object.entries(params))).toBe(twilioSignatureOf('auth-token', target, params));
    expect(twilioSignature('auth-token', target, Object.entries(params).reverse())).toBe(twilioSignatureOf('auth-token', target, params));
    expect(twilioSignature('other-token', target, Object.entries(params))).not.toBe(twilioSignatureOf('auth-token', target, params));
  });
});
