/**
 * The SMS and webhook channels' part of queuing and sending; the ledger, the lanes and the rules
 * of exactly-once are the email ones.
 *
 * Queuing: an SMS goes to the number given or the customer's phone, in E.164 form (a number that
 * cannot be read is refused when given, and suppressed as `invalid_address` when it is the
 * customer's); a marketing SMS gets "Reply STOP to opt out" unless it names STOP; its encoding and
 * segments are kept with it. A webhook message goes to the store's webhook URL, its JSON body
 * written once. Sending: SMS marketing needs the customer's SMS consent; the suppression list is
 * read by number. A webhook message needs the consent the store chose (`webhook_consent`, email by
 * default), and the list is read by that channel's address of the customer. The frequency cap
 * counts each channel's messages apart.
 */
import type { Db } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import type { MessageLinks, MessagePurpose, RenderedEmail } from './message.types.js';
import { screen, type ScreenPolicy, type Screened } from './send-screen.js';
import type { NewSend } from './sends.repository.js';
import type { MessageSettingsTable, SendHeading } from './sends.table.js';
import { normalisePhone, smsSize, withOptOut } from './sms-text.js';
import { smsDeliverer, TWILIO_API } from './sms-transport.js';
import type { Deliverer } from './transport.js';
import { webhookDeliverer, type WebhookPayload } from './webhook-channel.js';

export type OtherChannel = 'sms' | 'webhook';

/** What an SMS or webhook message renders to: the SMS body is `text`; a webhook carries all four. */
export type RenderedMessage = Partial<RenderedEmail> & { text: string };

export interface MessageToQueue {
  channel: OtherChannel;
  /** Unique per store, as for email: campaign:<id>:<customer>, flow:<run>:<step>, test:<uuid>. */
  sendKey: string;
  purpose: MessagePurpose;
  customerId?: number | null;
  /** SMS: a phone number instead of the customer's. Webhook: not used (the store's URL). */
  to?: string | null;
  source?: string | null;
  templateId?: string | null;
  templateVersion?: number | null;
  /** Not sent before this time (a campaign's delivery timing); null: at once. */
  notBefore?: Date | null;
  /** Webhook: what the message is about, carried in the body as `context` (a flow's run: the flow, the step, what started it). */
  context?: Record<string, unknown>;
  build: (links: MessageLinks) => RenderedMessage | Promise<RenderedMessage>;
}

export interface ChannelCustomer {
  id: number;
  external_id: string | null;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
  country: string | null;
}

export async function channelCustomers(db: Db, storeId: string, ids: readonly number[]): Promise<Map<number, ChannelCustomer>> {
  const found = new Map<number, ChannelCustomer>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 1000) {
    const rows = await db.selectFrom('customers').select(['id', 'external_id', 'email', 'phone', 'first_name', 'last_name', 'country'])
      .where('store_id', '=', storeId).where('id', 'in', unique.slice(i, i + 1000)).execute();
    for (const row of rows) found.set(Number(row.id), { ...row, id: Number(row.id) });
  }
  return found;
}

/** Refuses a channel the store has not set up (422 naming `channel`). */
export function checkChannelReady(channel: OtherChannel, settings: MessageSettingsTable): void {
  const missing = channel === 'sms'
    ? !settings.sms_account_sid || !settings.sms_auth_token || !(settings.sms_from || settings.sms_messaging_service_sid)
    : !settings.webhook_url || !settings.webhook_secret;
  if (missing) {
    const what = channel === 'sms' ? 'an account SID, an auth token and a sender (sms_from or sms_messaging_service_sid)' : 'a webhook URL';
    throw new AppError('validation_failed', `The store has not set up ${channel === 'sms' ? 'SMS' : 'the webhook channel'}`, [{ path: 'channel', reason: `needs ${what} in the messaging settings` }]);
  }
}

/** The ledger row of one SMS or webhook message, and whether its number cannot be used. */
export interface PreparedSend {
  row: NewSend;
  invalid: string | null;
}

export async function prepareSend(message: MessageToQueue, customer: ChannelCustomer | null, context: {
  storeId: string; settings: MessageSettingsTable; links: (address: string) => MessageLinks; now: Date;
}): Promise<PreparedSend> {
  const { storeId, settings, now } = context;
  const base = {
    store_id: storeId, send_key: message.sendKey, channel: message.channel, purpose: message.purpose, source: message.source ?? null,
    customer_id: customer?.id ?? null, template_id: message.templateId ?? null, template_version: message.templateVersion ?? null, topic_id: null, created_at: now,
  };
  // The links are the customer's email ones (preferences, view in browser); SMS opt-out is STOP.
  const links = context.links(customer?.email?.trim().toLowerCase() ?? '');
  const rendered = await message.build(links);
  if (message.channel === 'sms') {
    const given = message.to?.trim() || null;
    const raw = given ?? customer?.phone?.trim() ?? '';
    const phone = raw ? normalisePhone(raw, customer?.country) : null;
    if (given && phone && !phone.ok) throw new AppError('validation_failed', 'Invalid phone number', [{ path: 'to', reason: phone.reason }]);
    const body = message.purpose === 'marketing' ? withOptOut(rendered.text) : rendered.text;
    const size = smsSize(body);
    return {
      row: {
        ...base, to_address: phone?.ok ? phone.e164 : raw, from_address: settings.sms_messaging_service_sid ?? settings.sms_from ?? '',
        subject: rendered.subject ?? '', preheader: '', html: '', text: body, headers: JSON.stringify({ encoding: size.encoding, segments: size.segments, units: size.units }),
      },
      invalid: phone && !phone.ok ? `${raw} ${phone.reason}` : null,
    };
  }
  const payload: WebhookPayload = {
    send_key: message.sendKey, channel: 'webhook', purpose: message.purpose, created_at: now.toISOString(),
    customer: customer && {
      id: customer.id, external_id: customer.external_id, email: customer.email, phone: e164OrAsStored(customer), first_name: customer.first_name, last_name: customer.last_name,
      name: [customer.first_name, customer.last_name].filter(Boolean).join(' ') || null,
    },
    content: { subject: rendered.subject ?? '', preheader: rendered.preheader ?? '', text: rendered.text, html: rendered.html ?? '' },
    links,
    ...(message.context && { context: message.context }),
  };
  return {
    row: {
      ...base, to_address: settings.webhook_url ?? '', from_address: '', subject: rendered.subject ?? '', preheader: rendered.preheader ?? '',
      html: rendered.html ?? '', text: JSON.stringify(payload), headers: '{}',
    },
    invalid: null,
  };
}

/** The checks at send time for SMS or webhook messages (see the file's comment). */
export async function screenChannel(db: Db, storeId: string, channel: OtherChannel, sends: readonly SendHeading[], policy: ScreenPolicy, settings: MessageSettingsTable): Promise<Screened[]> {
  if (channel === 'sms') return screen(db, storeId, sends, { ...policy, consent: 'sms_consent', channel });
  const consent = settings.webhook_consent ?? 'email';
  const customers = await channelCustomers(db, storeId, sends.flatMap((s) => (s.customer_id === null ? [] : [s.customer_id])));
  // The list is read by the customer's address on the consent's channel; without one, by the URL.
  const contact = (send: SendHeading): string => {
    const customer = send.customer_id === null ? undefined : customers.get(send.customer_id);
    if (!customer) return send.to_address;
    if (consent === 'email') return customer.email?.trim() || send.to_address;
    return e164OrAsStored(customer) ?? send.to_address;
  };
  const byId = new Map(sends.map((s) => [s.id, s]));
  const screened = await screen(db, storeId, sends.map((s) => ({ ...s, to_address: contact(s) })), { ...policy, consent: `${consent}_consent`, channel });
  return screened.map((s) => ({ ...s, send: byId.get(s.send.id)! }));
}

/** The way out of an SMS or webhook message with the store's settings as they are now. */
export function channelDeliverer(channel: OtherChannel, settings: MessageSettingsTable, smsStatusUrl: string): Deliverer {
  try {
    checkChannelReady(channel, settings);
  } catch (error) {
    const detail = (error as AppError).message;
    return { inFlight: 1, name: channel, deliver: () => Promise.resolve({ kind: 'transport_error', detail }), close: () => undefined };
  }
  if (channel === 'webhook') return webhookDeliverer({ secret: settings.webhook_secret! });
  return smsDeliverer({
    baseUrl: settings.sms_base_url ?? TWILIO_API, accountSid: settings.sms_account_sid!, authToken: settings.sms_auth_token!,
    from: settings.sms_from, messagingServiceSid: settings.sms_messaging_service_sid, statusCallback: smsStatusUrl,
  });
}

/** The customer's phone in E.164 when it can be read, else as stored. */
function e164OrAsStored(customer: ChannelCustomer): string | null {
  if (!customer.phone) return null;
  const phone = normalisePhone(customer.phone, customer.country);
  return phone.ok ? phone.e164 : customer.phone;
}
