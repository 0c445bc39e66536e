/** Answers of the sending API: messages (the send ledger and the outbox), suppressions, sending settings. */
import { z } from 'zod';
import { sendStates, suppressedReasons, suppressionReasons, transactionalPolicies } from '../../modules/messaging/index.js';
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
  detail: z.string().nullable().meta({ description: "The SMTP server's answer, or the error" }),
  attempts: count,
  provider_message_id: z.string().nullable(),
  template_id: z.string().nullable(),
  template_version: z.number().int().nullable(),
  topic_id: z.string().nullable().meta({ description: 'The email topic it belongs to' }),
  created_at: timestamp,
  updated_at: timestamp.meta({ description: 'When it reached its current state' }),
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
    text: z.string(),
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
  paused_sources: z.array(pausedSourceSchema),
  delivery_webhooks: z.strictObject({
    urls: z.strictObject({ ses: z.string(), postmark: z.string(), sendgrid: z.string(), mailgun: z.string() })
      .meta({ description: 'Where each provider posts bounces and complaints (the URL is a secret)' }),
    sendgrid_key_set: z.boolean(),
    mailgun_key_set: z.boolean(),
  }),
}));

export type Message = z.input<typeof messageSchema>;
export type MessageList = z.input<typeof messageListSchema>;
export type MessageDetail = z.input<typeof messageDetailSchema>;
export type Suppression = z.input<typeof suppressionSchema>;
export type MessagingSettings = z.input<typeof messagingSettingsSchema>;
export type SendState = z.infer<typeof sendState>;
