/** Answers of the sending API: messages (the send ledger and the outbox), suppressions, sending settings. */
import { z } from 'zod';
import { sendStates, suppressedReasons, suppressionReasons, transactionalPolicies, webhookConsents } from '../../modules/messaging/index.js';
import { component, count, list, timestamp } from './common.schemas.js';

export const sendState = z.enum(sendStates);
export const suppressionReason = z.enum(suppressionReasons);

export const messageSchema = component('Message', z.strictObject({
  id: z.number().int(),
  send_key: z.string().meta({ description: 'Unique per store; queuing the same key again sends nothing new' }),
  channel: z.enum(['email', 'sms', 'webhook']),
  purpose: z.enum(['marketing', 'transactional']),
  source: z.string().nullable().meta({ description: 'The batch source that queued it (campaign:<id>), which can be paused' }),
  customer_id: z.number().int().nullable(),
  to: z.string(),
  from: z.string(),
  subject: z.string(),
  state: sendState,
  reason: z.string().nullable().meta({ description: `Why it was suppressed (${suppressedReasons.join(', ')}) or failed (rejected, invalid_address, transport_error), or why it is uncertain` }),
  detail: z.string().nullable().meta({ description: "The SMTP server's or the SMS API's or the webhook's answer, or the error" }),
  sms: z.strictObject({
    encoding: z.enum(['GSM-7', 'UCS-2']),
    segments: count.meta({ description: 'Messages the body is split into (GSM-7: 160 characters in one, 153 a segment; UCS-2: 70, 67)' }),
    units: count.meta({ description: 'GSM-7 septets or UCS-2 code units' }),
  }).nullable().meta({ description: 'An SMS: how its body is encoded and how many segments it costs' }),
  attempts: count,
  provider_message_id: z.string().nullable(),
  template_id: z.string().nullable(),
  template_version: z.number().int().nullable(),
  topic_id: z.string().nullable().meta({ description: 'The email topic it belongs to' }),
  created_at: timestamp,
  updated_at: timestamp.meta({ description: 'When it reached its current state' }),
  not_before: timestamp.nullable().meta({ description: "A queued message waits until then: its campaign's timing (local time, usual hour) or the end of quiet hours (reason quiet_hours)" }),
}));

export const messageListSchema = z.strictObject({
  data: z.array(messageSchema),
  next_cursor: z.string().nullable(),
  counts: z.strictObject(Object.fromEntries(sendStates.map((state) => [state, count])) as Record<(typeof sendStates)[number], typeof count>),
});

export const messageDetailSchema = component('MessageDetail', z.strictObject({
  message: messageSchema,
  history: z.array(z.strictObject({
    state: sendState, reason: z.string().nullable(), detail: z.string().nullable(), provider_message_id: z.string().nullable(), attempt: count, at: timestamp,
  })),
  content: z.strictObject({
    origin: z.enum(['received', 'queued']).meta({ description: 'received: as the built-in SMTP catcher received it; queued: as rendered when queued' }),
    received_at: timestamp.nullable(),
    headers: z.array(z.strictObject({ name: z.string(), value: z.string() })),
    html: z.string().meta({ description: 'Show it only in a sandboxed frame: it is the message as sent' }),
    text: z.string().meta({ description: 'The plain-text part; an SMS: its body' }),
    payload: z.string().nullable().meta({ description: 'A webhook message: the JSON body posted (the same bytes on every attempt)' }),
  }),
}));

export const queuedMessageSchema = z.strictObject({
  message: messageSchema,
  created: z.boolean().meta({ description: 'false when the send key was already in the ledger: nothing new was queued' }),
});

export const resendSchema = z.strictObject({ queued: count, job_ids: z.array(z.number().int()) });

export const suppressionSchema = component('Suppression', z.strictObject({
  address: z.string(),
  reason: suppressionReason,
  source: z.string(),
  note: z.string().nullable(),
  expires_at: timestamp.nullable(),
  created_at: timestamp,
}));
export const suppressionListSchema = list(suppressionSchema);

export const pausedSourceSchema = z.strictObject({ source: z.string(), reason: z.string().nullable(), paused_at: timestamp });

export const messagingSettingsSchema = component('MessagingSettings', z.strictObject({
  from_address: z.string().nullable(),
  from_name: z.string().nullable(),
  reply_to: z.string().nullable(),
  smtp: z.strictObject({
    origin: z.enum(['store', 'operator', 'catcher']).meta({ description: "store: the store's own server; operator: HEARTH_SMTP_URL; catcher: nothing leaves the machine" }),
    host: z.string().nullable(),
    port: z.number().int().nullable(),
    user: z.string().nullable(),
    password_set: z.boolean(),
  }),
  dkim: z.strictObject({ domain: z.string().nullable(), selector: z.string().nullable(), key_set: z.boolean() }),
  rate_per_second: z.number().int().nullable(),
  frequency_cap_hours: z.number().int().meta({ description: 'At most one marketing email per customer in this many hours; 0: no cap' }),
  transactional_policy: z.enum(transactionalPolicies),
  pause_after_errors: z.number().int(),
  weekly_cap: z.number().int().meta({ description: 'At most this many marketing emails per customer in 7 days; 0: no weekly cap' }),
  quiet_hours: z.strictObject({
    enabled: z.boolean().meta({ description: 'Off by default; transactional mail ignores quiet hours' }),
    start: z.string().meta({ description: "HH:MM on the customer's own clock (their time zone, else the store's)" }),
    end: z.string().meta({ description: 'HH:MM; a marketing message due in quiet hours waits until this time' }),
  }),
  paused_sources: z.array(pausedSourceSchema),
  delivery_webhooks: z.strictObject({
    urls: z.strictObject({ ses: z.string(), postmark: z.string(), sendgrid: z.string(), mailgun: z.string() })
      .meta({ description: 'Where each provider posts bounces and complaints (the URL is a secret)' }),
    sendgrid_key_set: z.boolean(),
    mailgun_key_set: z.boolean(),
  }),
  sms: z.strictObject({
    ready: z.boolean().meta({ description: 'An account SID, an auth token and a sender are set: SMS can be sent' }),
    base_url: z.string().meta({ description: 'The Twilio-compatible API (https://api.twilio.com unless set)' }),
    account_sid: z.string().nullable(),
    auth_token_set: z.boolean().meta({ description: 'The auth token is never returned' }),
    from: z.string().nullable().meta({ description: 'The sending number (E.164) or alphanumeric sender id' }),
    messaging_service_sid: z.string().nullable().meta({ description: 'Sends through a messaging service instead of one number (wins over from)' }),
    webhook_urls: z.strictObject({
      incoming: z.string().meta({ description: "Paste as the number's \"A message comes in\" webhook: STOP and START replies" }),
      status: z.string().meta({ description: 'Sent with each message as its StatusCallback: delivered, undelivered, failed' }),
    }),
  }),
  webhook: z.strictObject({
    ready: z.boolean(),
    url: z.string().nullable().meta({ description: 'Each webhook message is a signed JSON POST to this URL' }),
    secret_set: z.boolean(),
    secret_hint: z.string().nullable().meta({ description: 'The last four characters of the signing secret' }),
    secret: z.string().optional().meta({ description: 'The signing secret, only in the answer that made it (shown once)' }),
    consent: z.enum(webhookConsents).meta({ description: 'The customer consent a marketing message over the webhook needs' }),
  }),
}));

export type Message = z.input<typeof messageSchema>;
export type MessageList = z.input<typeof messageListSchema>;
export type MessageDetail = z.input<typeof messageDetailSchema>;
export type Suppression = z.input<typeof suppressionSchema>;
export type MessagingSettings = z.input<typeof messagingSettingsSchema>;
export type SendState = z.infer<typeof sendState>;
