/**
 * The webhook channel: each message is a signed JSON POST to the URL the store set — how a store
 * connects WhatsApp, chat or social tools that Hearth does not speak itself.
 *
 * The body is written once, when the message is queued (the ledger keeps it), so every attempt
 * posts the same bytes. Headers:
 * - `Idempotency-Key`: the message's send key (also `send_key` in the body) — the receiver keeps
 *   the keys it has handled and ignores a repeat;
 * - `Hearth-Timestamp`: Unix seconds when this attempt was made;
 * - `Hearth-Signature`: `v1=` and the hex HMAC-SHA256, keyed by the store's webhook secret, of
 *   `<timestamp>.<body>` (as Stripe signs its webhooks), so a receiver can check the sender and
 *   refuse old replays.
 *
 * A 2xx answer: sent. 408, 429, any 5xx, no connection, a timeout or a broken answer: tried again
 * later with exponential back-off (the receiver dedupes by the key, so a request whose answer was
 * lost is safe to repeat). Any other 4xx: failed for good.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { MessageLinks, MessagePurpose } from './message.types.js';
import { inflatedText } from './message-bodies.js';
import type { Deliverer, SendOutcome } from './transport.js';

export const WEBHOOK_SIGNATURE_HEADER = 'hearth-signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'hearth-timestamp';

export interface WebhookCustomer {
  id: number;
  external_id: string | null;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
  name: string | null;
}

export interface WebhookPayload {
  send_key: string;
  channel: 'webhook';
  purpose: MessagePurpose;
  created_at: string;
  customer: WebhookCustomer | null;
  content: { subject: string; preheader: string; text: string; html: string };
  links: MessageLinks;
  /** What the message is about, when its sender says (a flow's step: `flow`, `step`, `run`, `trigger`, `event`). */
  context?: Record<string, unknown>;
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

/** The signature header's value for a body sent at `timestamp` (Unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function webhookDeliverer(options: { secret: string; timeoutMs?: number; inFlight?: number }): Deliverer {
  return {
    inFlight: options.inFlight ?? 5,
    name: 'webhook',
    async deliver(send, bodies) {
      const payload = inflatedText(bodies.text);
      const timestamp = Math.floor(Date.now() / 1000);
      let response: Response;
      let answer: string;
      try {
        response = await fetch(send.to_address, {
          method: 'POST', body: payload, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
          headers: {
            'content-type': 'application/json', 'user-agent': 'Hearth-Webhook/1', 'idempotency-key': send.send_key,
            [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp), [WEBHOOK_SIGNATURE_HEADER]: signWebhook(options.secret, timestamp, payload),
          },
        });
        answer = (await response.text()).slice(0, 300);
      } catch (error) {
        // Connection refused, a timeout, a reset: the receiver dedupes by the key, so it is tried again.
        const cause = (error as { cause?: { message?: string } }).cause;
        return { kind: 'retry', detail: `${(error as Error).name}: ${cause?.message ?? (error as Error).message}`.slice(0, 500) };
      }
      return webhookOutcome(response.status, answer, send.send_key);
    },
    close: () => undefined,
  };
}

export function webhookOutcome(status: number, answer: string, sendKey: string): SendOutcome {
  const detail = `${status} ${answer}`.trim();
  if (status >= 200 && status < 300) return { kind: 'accepted', messageId: sendKey, response: detail };
  if (status === 408 || status === 429 || status >= 500) return { kind: 'retry', detail };
  return { kind: 'rejected', detail, invalidAddress: false };
}
