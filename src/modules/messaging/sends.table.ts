/** The tables of sending (migration 2026-12-03T000100) and the closed lists they use. */
import type { MessageChannel, MessagePurpose } from './message.types.js';

/**
 * queued → sending → sent | failed | suppressed | uncertain. `sending` is written (committed) before
 * the SMTP conversation starts; a message still `sending` when the process restarts may or may not
 * have been delivered, so it becomes `uncertain` and is sent again only when a user asks.
 */
export const sendStates = ['queued', 'sending', 'sent', 'failed', 'suppressed', 'uncertain'] as const;
export type SendState = (typeof sendStates)[number];

/** Why an address is never mailed. `paused` ends at `expires_at`. */
export const suppressionReasons = ['unsubscribed', 'hard_bounce', 'complaint', 'invalid_address', 'manual', 'paused'] as const;
export type SuppressionReason = (typeof suppressionReasons)[number];

/** Why a message was suppressed at send time. */
/** `topic_opt_out`: the recipient dropped the message's topic on the preference page. */
/** `global_holdout`: the customer is in the store's global holdout, which receives no marketing at all (docs/measurement.md). */
export const suppressedReasons = [...suppressionReasons, 'no_consent', 'frequency_cap', 'weekly_cap', 'no_address', 'topic_opt_out', 'global_holdout'] as const;
export type SuppressedReason = (typeof suppressedReasons)[number];

/**
 * What the suppression list means for transactional messages (order confirmations, shipping):
 * `deliverability` skips only addresses that cannot or must not receive mail (hard bounces,
 * complaints, invalid addresses, manual entries) and still mails customers who unsubscribed from
 * marketing; `all` applies the whole list, unsubscribes included.
 */
export const transactionalPolicies = ['deliverability', 'all'] as const;
export type TransactionalPolicy = (typeof transactionalPolicies)[number];

export interface MessageSendTable {
  store_id: string;
  id: number;
  /** Unique per store: campaign:<id>:<customer>, flow:<run>:<step>, test:<uuid>… */
  send_key: string;
  channel: MessageChannel;
  purpose: MessagePurpose;
  /** The batch source that queued it (a campaign), which can be paused; null for single sends. */
  source: string | null;
  customer_id: number | null;
  to_address: string;
  from_address: string;
  subject: string;
  preheader: string;
  /** Extra headers (List-Unsubscribe…) as a JSON object. */
  headers: string;
  template_id: string | null;
  template_version: number | null;
  /** The email topic it belongs to (migration 2026-12-03T000800); a recipient who dropped it is not sent it. */
  topic_id: string | null;
  created_at: Date;
}

/**
 * A message's rendered HTML and text (migration 2026-12-12T000100), written with its ledger row in
 * the same transaction and never updated, deflated (migration 2026-12-13T000100,
 * `message-bodies.ts`). An SMS keeps its text here, a webhook message its JSON payload.
 */
export interface MessageBodyTable {
  store_id: string;
  send_id: number;
  html: Uint8Array;
  text: Uint8Array;
}

/** A message of the ledger without its bodies: what checking and scheduling it read. */
export type SendHeading = MessageSendTable;

/** A message with its bodies as text. */
export type SendWithBodies = SendHeading & { html: string; text: string };

export interface MessageSendStateTable {
  seq: number;
  store_id: string;
  send_id: number;
  state: SendState;
  reason: string | null;
  /** The SMTP server's answer, or the error. */
  detail: string | null;
  provider_message_id: string | null;
  attempt: number;
  changed_at: Date;
  /** A queued message is not sent before this instant (its campaign's timing, or quiet hours). */
  not_before: Date | null;
}

export interface MessageSuppressionTable {
  store_id: string;
  /** Lower-cased email address. */
  address: string;
  reason: SuppressionReason;
  /** Who added it: unsubscribe, api, bounce:<provider>, smtp… */
  source: string;
  note: string | null;
  expires_at: Date | null;
  created_at: Date;
}

export interface MessageSettingsTable {
  store_id: string;
  from_address: string | null;
  from_name: string | null;
  reply_to: string | null;
  /** smtp(s)://user:pass@host:port — never returned by the API. */
  smtp_url: string | null;
  dkim_domain: string | null;
  dkim_selector: string | null;
  dkim_private_key: string | null;
  rate_per_second: number | null;
  frequency_cap_hours: number | null;
  transactional_policy: TransactionalPolicy | null;
  pause_after_errors: number | null;
  /** Quiet hours: no marketing message between these local wall-clock times (HH:MM) in the customer's zone. */
  quiet_hours_enabled: boolean | null;
  quiet_hours_start: string | null;
  quiet_hours_end: string | null;
  /** At most this many marketing messages per customer in 7 days; 0 or null: no weekly cap. */
  weekly_cap: number | null;
  /** SendGrid's Event Webhook verification key (base64 DER) and Mailgun's webhook signing key: never returned. */
  sendgrid_verification_key: string | null;
  mailgun_signing_key: string | null;
  /** Random per store; with HEARTH_SECRET it keys the unsubscribe tokens' HMAC. */
  signing_key: string;
  updated_at: Date;
  // The SMS and webhook channels (migration 2026-12-03T000600).
  /** A Twilio-compatible API: https://api.twilio.com when null. */
  sms_base_url: string | null;
  sms_account_sid: string | null;
  /** Basic-auth password of the API and the key of Twilio's request signatures: never returned. */
  sms_auth_token: string | null;
  /** The sender: an E.164 number (or alphanumeric sender id), or a messaging service SID. */
  sms_from: string | null;
  sms_messaging_service_sid: string | null;
  webhook_url: string | null;
  /** Keys the HMAC-SHA256 signature of every webhook message; shown once when made. */
  webhook_secret: string | null;
  /** Which consent a marketing message over the webhook needs (email by default). */
  webhook_consent: WebhookConsent | null;
  // The global holdout (migration 2026-12-03T001200): see global-holdout.ts.
  /** Share of customers (0 … 0.2) who receive no marketing message at all; null or 0: off. */
  global_holdout_share: number | null;
  /** When the global holdout was last turned on (or its share changed); null while off. */
  global_holdout_since: Date | null;
}

/** The customer's consent that a marketing message over the webhook channel needs. */
export const webhookConsents = ['email', 'sms'] as const;
export type WebhookConsent = (typeof webhookConsents)[number];

export interface MessageSourcePauseTable {
  store_id: string;
  source: string;
  action: 'paused' | 'resumed';
  reason: string | null;
  changed_at: Date;
}

export interface CaughtMessageTable {
  id: number;
  store_id: string | null;
  send_id: number | null;
  envelope_from: string | null;
  envelope_to: string;
  /** The whole message as received (RFC 5322). */
  raw: string;
  received_at: Date;
}
