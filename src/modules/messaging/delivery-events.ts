/**
 * What mail providers report after sending — bounces, complaints, unsubscribes, deliveries — read
 * from each provider's documented webhook payload into one shape. Reading is a value, not an
 * exception: a payload that is not what the provider documents is `{ ok: false }` naming where.
 *
 * - Amazon SES notifications (inside an SNS message, see sns.ts): `notificationType` (or
 *   `eventType` with event publishing) Bounce / Complaint / Delivery; bounceType Permanent is hard,
 *   Transient and Undetermined are soft.
 * - Postmark bounce and spam complaint webhooks: `RecordType` Bounce / SpamComplaint / Delivery;
 *   the bounce `Type` names hard (HardBounce, BadEmailAddress, ManuallyDeactivated) and soft kinds.
 * - SendGrid Event Webhook: a JSON array; `bounce` (type bounce: hard, blocked: soft), `dropped`
 *   for a suppressed address, `spamreport`, `unsubscribe`, `group_unsubscribe`, `delivered`.
 * - Mailgun webhooks: `event-data.event` failed (severity permanent: hard, temporary: soft),
 *   complained, unsubscribed, delivered.
 */

export const deliveryEventKinds = ['hard_bounce', 'soft_bounce', 'complaint', 'unsubscribe', 'delivered'] as const;
export type DeliveryEventKind = (typeof deliveryEventKinds)[number];
export type MailProvider = 'ses' | 'postmark' | 'sendgrid' | 'mailgun' | 'dsn';

export interface DeliveryEvent {
  provider: MailProvider;
  kind: DeliveryEventKind;
  /** The recipient's address, lower-cased. */
  email: string;
  at: Date;
  /** The provider's id of this event, to ignore a repeated delivery of the same webhook. */
  provider_event_id: string | null;
  /** The id of the message it is about (the provider's, or the Message-ID header we sent). */
  provider_message_id: string | null;
  /** The provider's reason in words (a diagnostic code, a bounce description). */
  detail: string | null;
}

export type ReadResult = { ok: true; events: DeliveryEvent[] } | { ok: false; path: string; reason: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const address = (v: unknown): string | null => {
  const s = text(v);
  // "Name <a@b>" or a bare address.
  const bare = s?.match(/<([^>]+)>/)?.[1] ?? s;
  return bare && bare.includes('@') ? bare.toLowerCase() : null;
};
const time = (v: unknown): Date | null => {
  const d = typeof v === 'number' ? new Date(v * 1000) : typeof v === 'string' ? new Date(v) : null;
  return d && Number.isFinite(d.getTime()) ? d : null;
};
const fail = (path: string, reason: string): ReadResult => ({ ok: false, path, reason });

/** An SES notification (the SNS message's `Message`, parsed). */
export function readSesNotification(message: unknown): ReadResult {
  if (!isObject(message)) return fail('Message', 'is not a JSON object');
  const type = text(message.notificationType) ?? text(message.eventType);
  const mail = isObject(message.mail) ? message.mail : {};
  const messageId = text(mail.messageId);
  const events: DeliveryEvent[] = [];
  const push = (kind: DeliveryEventKind, email: string | null, at: Date | null, eventId: string | null, detail: string | null) => {
    if (email) events.push({ provider: 'ses', kind, email, at: at ?? new Date(), provider_event_id: eventId, provider_message_id: messageId, detail });
  };
  if (type === 'Bounce') {
    const bounce = message.bounce;
    if (!isObject(bounce) || !Array.isArray(bounce.bouncedRecipients)) return fail('Message.bounce.bouncedRecipients', 'is missing');
    const kind = text(bounce.bounceType) === 'Permanent' ? 'hard_bounce' : 'soft_bounce';
    for (const r of bounce.bouncedRecipients) {
      if (!isObject(r)) continue;
      push(kind, address(r.emailAddress), time(bounce.timestamp), text(bounce.feedbackId), text(r.diagnosticCode) ?? text(r.status) ?? text(bounce.bounceSubType));
    }
  } else if (type === 'Complaint') {
    const complaint = message.complaint;
    if (!isObject(complaint) || !Array.isArray(complaint.complainedRecipients)) return fail('Message.complaint.complainedRecipients', 'is missing');
    // A recipient's "not spam" report is not a complaint.
    if (text(complaint.complaintFeedbackType) === 'not-spam') return { ok: true, events: [] };
    for (const r of complaint.complainedRecipients) {
      if (isObject(r)) push('complaint', address(r.emailAddress), time(complaint.timestamp), text(complaint.feedbackId), text(complaint.complaintFeedbackType));
    }
  } else if (type === 'Delivery') {
    const delivery = isObject(message.delivery) ? message.delivery : {};
    const recipients = Array.isArray(delivery.recipients) ? delivery.recipients : [];
    for (const r of recipients) push('delivered', address(r), time(delivery.timestamp), null, text(delivery.smtpResponse));
  } else {
    // Sends, opens, clicks and other event-publishing types are not about deliverability.
    return { ok: true, events: [] };
  }
  return { ok: true, events };
}

const POSTMARK_HARD = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated']);
const POSTMARK_SOFT = new Set(['SoftBounce', 'Transient', 'DnsError', 'Blocked', 'Unknown']);

/** One Postmark webhook (bounce, spam complaint or delivery). */
export function readPostmark(body: unknown): ReadResult {
  if (!isObject(body)) return fail('body', 'is not a JSON object');
  const record = text(body.RecordType);
  const type = text(body.Type);
  const email = address(body.Email) ?? address(body.Recipient);
  if (!record) return fail('RecordType', 'is missing');
  // Postmark's ids can pass 2^53, where JSON numbers lose digits: then the message, record and time name the event.
  const eventId = typeof body.ID === 'number' && Number.isSafeInteger(body.ID) ? String(body.ID)
    : [text(body.MessageID), record, text(body.BouncedAt) ?? text(body.DeliveredAt)].filter(Boolean).join(':') || null;
  const base = { provider: 'postmark' as const, provider_event_id: eventId, provider_message_id: text(body.MessageID) };
  let kind: DeliveryEventKind | null = null;
  if (record === 'SpamComplaint' || type === 'SpamComplaint') kind = 'complaint';
  else if (record === 'Bounce' && type && POSTMARK_HARD.has(type)) kind = 'hard_bounce';
  else if (record === 'Bounce' && type && POSTMARK_SOFT.has(type)) kind = 'soft_bounce';
  else if (record === 'Bounce' && type === 'Unsubscribe') kind = 'unsubscribe';
  else if (record === 'Delivery') kind = 'delivered';
  if (!kind) return { ok: true, events: [] };
  if (!email) return fail(record === 'Delivery' ? 'Recipient' : 'Email', 'is not an email address');
  const at = time(body.BouncedAt) ?? time(body.DeliveredAt) ?? new Date();
  return { ok: true, events: [{ ...base, kind, email, at, detail: text(body.Description) ?? text(body.Details) ?? text(body.Name) }] };
}

/** A SendGrid Event Webhook post: an array of events. */
export function readSendGrid(body: unknown): ReadResult {
  if (!Array.isArray(body)) return fail('body', 'is not a JSON array of events');
  const events: DeliveryEvent[] = [];
  for (const [i, e] of body.entries()) {
    if (!isObject(e)) return fail(`${i}`, 'is not an event object');
    const name = text(e.event);
    let kind: DeliveryEventKind | null = null;
    if (name === 'bounce') kind = text(e.type) === 'blocked' ? 'soft_bounce' : 'hard_bounce';
    else if (name === 'spamreport') kind = 'complaint';
    else if (name === 'unsubscribe' || name === 'group_unsubscribe') kind = 'unsubscribe';
    else if (name === 'delivered') kind = 'delivered';
    else if (name === 'dropped') {
      // Dropped because SendGrid already suppresses the address: keep our list in step.
      const reason = text(e.reason) ?? '';
      kind = /bounced/i.test(reason) ? 'hard_bounce' : /spam/i.test(reason) ? 'complaint' : /unsubscribed/i.test(reason) ? 'unsubscribe' : null;
    }
    if (!kind) continue;
    const email = address(e.email);
    if (!email) return fail(`${i}.email`, 'is not an email address');
    events.push({
      provider: 'sendgrid', kind, email, at: time(e.timestamp) ?? new Date(), provider_event_id: text(e.sg_event_id),
      provider_message_id: text(e.sg_message_id) ?? text(e['smtp-id']), detail: text(e.reason) ?? text(e.status),
    });
  }
  return { ok: true, events };
}

/** A Mailgun webhook (`{ signature, "event-data" }`). */
export function readMailgun(body: unknown): ReadResult {
  if (!isObject(body) || !isObject(body['event-data'])) return fail('event-data', 'is missing');
  const data = body['event-data'];
  const name = text(data.event);
  let kind: DeliveryEventKind | null = null;
  if (name === 'failed') kind = text(data.severity) === 'permanent' ? 'hard_bounce' : 'soft_bounce';
  else if (name === 'complained') kind = 'complaint';
  else if (name === 'unsubscribed') kind = 'unsubscribe';
  else if (name === 'delivered') kind = 'delivered';
  if (!kind) return { ok: true, events: [] };
  const email = address(data.recipient);
  if (!email) return fail('event-data.recipient', 'is not an email address');
  const message = isObject(data.message) ? data.message : {};
  const headers = isObject(message.headers) ? message.headers : {};
  const status = isObject(data['delivery-status']) ? data['delivery-status'] : {};
  return {
    ok: true,
    events: [{
      provider: 'mailgun', kind, email, at: time(data.timestamp) ?? new Date(), provider_event_id: text(data.id),
      provider_message_id: text(headers['message-id']), detail: text(status.message) ?? text(status.description) ?? text(data.reason),
    }],
  };
}
