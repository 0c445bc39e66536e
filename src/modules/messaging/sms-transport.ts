/**
 * SMS through a Twilio-compatible HTTP API (Twilio's Programmable Messaging, 2010-04-01):
 * `POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded `To`, `From` or
 * `MessagingServiceSid`, `Body`, `StatusCallback`, with HTTP Basic auth AccountSid:AuthToken. The
 * answer is the Message resource as JSON (`sid`, `status` "queued"…); an error is
 * `{code, message, more_info, status}` with Twilio's error code.
 *
 * What an answer means for the message:
 * - 2xx with a `sid`: accepted (the sid is the provider message id the status callbacks name);
 * - 21211 / 21614 / 21217 (not a valid, or not a mobile, number): failed, the number suppressed as
 *   invalid; 21610 (the recipient replied STOP to this sender): failed, suppressed as unsubscribed;
 * - 429 or 20429 (too many requests), any 5xx, or no connection made: tried again later;
 * - 401 / 20003 (the account or token is wrong): a transport error, which pauses a campaign;
 * - other 4xx: failed for good;
 * - the request went out and no answer came (a timeout, a reset): uncertain — Twilio's API has
 *   no idempotency key, so sending it again could text the customer twice.
 *
 * Twilio signs the requests it makes to us (status callbacks, incoming messages) with
 * `X-Twilio-Signature`: base64 HMAC-SHA1, keyed by the auth token, of the full URL followed by
 * every POST parameter's name and value, sorted by name.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { inflatedText } from './message-bodies.js';
import type { Deliverer, SendOutcome } from './transport.js';

export const TWILIO_API = 'https://api.twilio.com';

export interface SmsApiOptions {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  from: string | null;
  messagingServiceSid: string | null;
  /** Where the API posts the message's later states. */
  statusCallback: string;
  timeoutMs?: number;
  inFlight?: number;
}

/** Twilio error codes that say the number cannot receive SMS. */
const INVALID_NUMBER = new Set([21211, 21614, 21217, 21401, 21407]);
const OPTED_OUT = 21610;
const TOO_MANY_REQUESTS = 20429;
const AUTHENTICATION = 20003;

export function messagesUrl(baseUrl: string, accountSid: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
}

export function smsDeliverer(options: SmsApiOptions): Deliverer {
  const url = messagesUrl(options.baseUrl, options.accountSid);
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  return {
    inFlight: options.inFlight ?? 5,
    name: 'sms',
    async deliver(send, bodies) {
      const form = new URLSearchParams({ To: send.to_address, Body: inflatedText(bodies.text), StatusCallback: options.statusCallback });
      if (options.messagingServiceSid) form.set('MessagingServiceSid', options.messagingServiceSid);
      else if (options.from) form.set('From', options.from);
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST', body: form, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
          headers: { authorization, accept: 'application/json' },
        });
      } catch (error) {
        return requestFailed(error, false);
      }
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        return requestFailed(error, true);
      }
      return smsOutcome(response.status, text);
    },
    close: () => undefined,
  };
}

/** What the API's answer means for the message. */
export function smsOutcome(status: number, text: string): SendOutcome {
  const body = parse(text);
  if (status >= 200 && status < 300) {
    if (typeof body.sid !== 'string') return { kind: 'uncertain', detail: `${status} without a message sid: ${text.slice(0, 200)}` };
    return { kind: 'accepted', messageId: body.sid, response: `${status} ${String(body.status ?? 'queued')} ${body.sid}` };
  }
  const code = typeof body.code === 'number' ? body.code : Number(body.code ?? NaN);
  const detail = `${status}${Number.isFinite(code) ? ` ${code}` : ''} ${typeof body.message === 'string' ? body.message : text.slice(0, 200)}`.trim();
  if (status === 429 || code === TOO_MANY_REQUESTS || status >= 500) return { kind: 'retry', detail };
  if (status === 401 || code === AUTHENTICATION) return { kind: 'transport_error', detail };
  if (code === OPTED_OUT) return { kind: 'rejected', detail, invalidAddress: false, suppressAs: 'unsubscribed' };
  return { kind: 'rejected', detail, invalidAddress: INVALID_NUMBER.has(code) };
}

/**
 * A request that failed without an answer: when the connection was never made, nothing was sent
 * (try again); when it broke or timed out after the request went out, it may have been.
 */
export function requestFailed(error: unknown, afterAnswer: boolean): SendOutcome {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (error as { code?: string }).code ?? '';
  const detail = `${(error as Error).name ?? 'Error'}: ${cause?.message ?? (error as Error).message ?? String(error)}`.slice(0, 500);
  const notSent = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT'];
  // fetch refuses some ports before connecting (the "bad port" list of the Fetch standard).
  if (!afterAnswer && (notSent.includes(code) || cause?.message === 'bad port')) return { kind: 'retry', detail };
  return { kind: 'uncertain', detail };
}

function parse(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? value as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

/** Twilio's request signature: base64 HMAC-SHA1 of the URL and the sorted POST parameters. */
export function twilioSignature(authToken: string, url: string, params: Iterable<[string, string]>): string {
  const sorted = [...params].sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const hmac = createHmac('sha1', authToken).update(url);
  for (const [name, value] of sorted) hmac.update(name + value);
  return hmac.digest('base64');
}

export function verifyTwilio(authToken: string, url: string, params: Iterable<[string, string]>, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Incoming messages are posted to `<path><store>/<token>`, status callbacks to `…/status`. */
export const SMS_WEBHOOK_PATH = '/webhooks/sms/twilio/';

/** The secret path part of the store's SMS webhook URLs, derived from its link key. */
export function smsWebhookToken(linkKey: Buffer): string {
  return createHmac('sha256', linkKey).update('sms-webhooks').digest('base64url').slice(0, 32);
}
