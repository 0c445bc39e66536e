/**
 * A local stand-in for a Twilio-compatible SMS API, speaking the documented request and answer:
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded `To`, `From` or
 * `MessagingServiceSid`, `Body`, `StatusCallback`, HTTP Basic auth AccountSid:AuthToken; a 201
 * with the Message resource (`sid`, `status` "queued"…), or an error `{code, message, more_info,
 * status}` — 20003 for bad credentials, 21211 for a number that is not valid, 21610 for a number
 * that replied STOP, 21602 / 21604 for a missing body or sender, 20429 when told to be busy.
 * It also signs requests as Twilio does (`X-Twilio-Signature`), written here independently of
 * the product's code: base64 HMAC-SHA1 of the URL followed by each sorted parameter's name and value.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentSms {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
}

export interface SmsApi {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** Messages the API accepted, in order. */
  sent: SentSms[];
  /** Every request that reached the Messages endpoint, accepted or not. */
  requests: number;
  /** Numbers that replied STOP to the sender: the API refuses them with 21610. */
  optedOut: Set<string>;
  /** The next `count` requests are answered with this HTTP status (503, or 429 with code 20429). */
  failNext(count: number, status: 503 | 500 | 429): void;
  close(): Promise<void>;
}

export function twilioSignatureOf(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params).sort().reduce((text, key) => text + key + params[key], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export async function startSmsApi(options: { accountSid?: string; authToken?: string } = {}): Promise<SmsApi> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const sent: SentSms[] = [];
  const optedOut = new Set<string>();
  let failures: { count: number; status: number } = { count: 0, status: 503 };
  const api = { requests: 0 };

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: number, message: string) =>
    answer(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
      if (req.method !== 'POST' || !req.url?.startsWith('/2010-04-01/Accounts/')) return error(res, 404, 20404, 'The requested resource was not found');
      const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
      if (req.headers.authorization !== expected || req.url !== path) return error(res, 401, 20003, 'Authenticate');
      api.requests += 1;
      if (failures.count > 0) {
        failures.count -= 1;
        return failures.status === 429 ? error(res, 429, 20429, 'Too Many Requests') : error(res, failures.status, 20500, 'Internal Server Error');
      }
      if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return error(res, 400, 20001, 'Invalid content type');
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const to = form.get('To') ?? '';
      const from = form.get('From');
      const service = form.get('MessagingServiceSid');
      const body = form.get('Body') ?? '';
      if (!/^\+[1-9]\d{7,14}$/.test(to)) return error(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
      if (!from && !service) return error(res, 400, 21604, "A 'From' phone number is required.");
      if (!body) return error(res, 400, 21602, 'Message body is required.');
      if (optedOut.has(to)) return error(res, 400, 21610, 'Attempt to send to unsubscribed recipient');
      const sid = `SM${randomBytes(16).toString('hex')}`;
      sent.push({ sid, to, from, messagingServiceSid: service, body, statusCallback: form.get('StatusCallback') });
      const now = new Date().toUTCString();
      return answer(res, 201, {
        sid, account_sid: accountSid, to, from: from ?? null, messaging_service_sid: service ?? null, body, status: 'queued',
        num_segments: '1', num_media: '0', direction: 'outbound-api', api_version: '2010-04-01', price: null, price_unit: 'USD',
        error_code: null, error_message: null, date_created: now, date_updated: now, date_sent: null,
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`, accountSid, authToken, sent, optedOut,
    get requests() { return api.requests; },
    failNext: (count, status) => { failures = { count, status }; },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The messaging settings that send a store's SMS through this API (`PATCH /api/v1/messaging/settings`), from a sender number by default. */
export function smsSettings(api: Pick<SmsApi, 'baseUrl' | 'accountSid' | 'authToken'>, sender: { sms_from: string } | { sms_messaging_service_sid: string } = { sms_from: '+15005550006' }) {
  return { sms_base_url: api.baseUrl, sms_account_sid: api.accountSid, sms_auth_token: api.authToken, ...sender };
}
