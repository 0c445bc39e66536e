/**
 * Bounces, complaints and unsubscribes reported by mail providers, applied to the store's
 * suppression list: a hard bounce suppresses the address; soft bounces do once there are
 * SOFT_BOUNCE_LIMIT of them within SOFT_BOUNCE_DAYS; a complaint or an unsubscribe suppresses it
 * and unsubscribes the customer from marketing email (a consent change recorded by the commerce
 * writer, shown on the profile). Each provider event is applied once, however often it arrives.
 *
 * Webhooks are posted to `/webhooks/email/<provider>/<store>/<token>`; the token is derived from
 * the store's signing key, so the URL itself is a secret (all Postmark offers). SendGrid and
 * Mailgun posts are also checked against their signatures once the store saved the provider's key;
 * SES notifications always are, with the certificate at the SNS message's own `SigningCertURL`,
 * fetched only from an SNS host.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import { DAY_MS } from '../../lib/time.js';
import type { CommerceService } from '../commerce/index.js';
import { readBounceMail } from './bounce-mail.js';
import { readMailgun, readPostmark, readSendGrid, readSesNotification, type DeliveryEvent, type ReadResult } from './delivery-events.js';
import type { MessagesService } from './messages.service.js';
import type { SuppressionReason } from './sends.table.js';
import { CATCHER_HEADER } from './smtp-catcher.js';
import { getSuppression } from './suppressions.repository.js';
import type { SuppressionsService } from './suppressions.service.js';
import { snsCertificateUrlAllowed, snsUrlAllowed, verifyMailgun, verifySendGrid, verifySns, type SnsEnvelope } from './webhook-signatures.js';

export const deliveryProviders = ['ses', 'postmark', 'sendgrid', 'mailgun'] as const;
export type DeliveryProvider = (typeof deliveryProviders)[number];

export const SOFT_BOUNCE_LIMIT = 3;
export const SOFT_BOUNCE_DAYS = 30;

export interface WebhookRequest {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface WebhookOutcome {
  /** Events the payload reported that concern deliverability. */
  received: number;
  /** Of those, new (not applied before). */
  applied: number;
  /** An SNS subscription confirmed (its SubscribeURL visited). */
  confirmed?: boolean;
}

const header = (headers: WebhookRequest['headers'], name: string) => {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

export class DeliveryReportsService {
  private readonly certificates = new Map<string, string>();

  constructor(
    private readonly storage: Storage,
    /** The services it uses (looked up late, as services are built together). */
    private readonly deps: () => { messages: MessagesService; suppressions: SuppressionsService; commerce: CommerceService },
    private readonly options: { publicUrl: string; snsCertHosts: readonly string[]; fetchText?: (url: string) => Promise<string> },
  ) {}

  /** The secret path part of the store's webhook URLs. */
  async webhookToken(storeId: string): Promise<string> {
    return createHmac('sha256', await this.deps().messages.linkKey(storeId)).update('delivery-webhooks').digest('base64url').slice(0, 32);
  }

  async webhookUrls(storeId: string): Promise<Record<DeliveryProvider, string>> {
    const token = await this.webhookToken(storeId);
    return Object.fromEntries(deliveryProviders.map((p) => [p, `${this.options.publicUrl}/webhooks/email/${p}/${storeId}/${token}`])) as Record<DeliveryProvider, string>;
  }

  async receive(provider: DeliveryProvider, storeId: string, token: string, request: WebhookRequest): Promise<WebhookOutcome> {
    await this.checkToken(storeId, token);
    const settings = await this.deps().messages.settings(storeId);
    let result: ReadResult;
    if (provider === 'ses') {
      const envelope = this.json(request.body) as SnsEnvelope;
      await this.checkSns(envelope);
      if (envelope.Type === 'SubscriptionConfirmation') {
        if (!envelope.SubscribeURL || !snsUrlAllowed(envelope.SubscribeURL, this.options.snsCertHosts, { certificate: false })) {
          throw new AppError('validation_failed', 'Invalid subscription confirmation', [{ path: 'SubscribeURL', reason: 'is not an SNS address' }]);
        }
        await this.fetchText(envelope.SubscribeURL);
        return { received: 0, applied: 0, confirmed: true };
      }
      if (envelope.Type !== 'Notification') return { received: 0, applied: 0 };
      result = readSesNotification(this.json(envelope.Message, 'Message'));
    } else if (provider === 'postmark') {
      result = readPostmark(this.json(request.body));
    } else if (provider === 'sendgrid') {
      if (settings.sendgrid_verification_key) {
        const signature = header(request.headers, 'x-twilio-email-event-webhook-signature');
        const timestamp = header(request.headers, 'x-twilio-email-event-webhook-timestamp');
        if (!signature || !timestamp || !verifySendGrid(settings.sendgrid_verification_key, request.body, signature, timestamp)) {
          throw new AppError('unauthorized', 'The SendGrid signature does not match this store\'s verification key');
        }
      }
      result = readSendGrid(this.json(request.body));
    } else {
      const body = this.json(request.body) as { signature?: { timestamp?: string; token?: string; signature?: string } };
      if (settings.mailgun_signing_key) {
        const s = body.signature ?? {};
        if (!s.timestamp || !s.token || !s.signature || !verifyMailgun(settings.mailgun_signing_key, s.timestamp, s.token, s.signature)) {
          throw new AppError('unauthorized', 'The Mailgun signature does not match this store\'s signing key');
        }
      }
      result = readMailgun(body);
    }
    if (!result.ok) throw new AppError('validation_failed', `Not a ${provider} event`, [{ path: result.path, reason: result.reason }]);
    return this.apply(storeId, result.events);
  }

  /**
   * A report mailed to the built-in SMTP catcher: it names no store, so it is tied to the message
   * it reports on — by that message's Message-ID in the returned headers (as the ledger recorded
   * it when the catcher accepted it), or else by the catcher's own `X-Hearth-Message` header
   * there — and applied to that message's store only for that message's recipient. A report
   * about no message of ours changes nothing.
   */
  async receiveCaughtMail(raw: string | Buffer): Promise<WebhookOutcome & { store_id: string | null; send_id: number | null }> {
    const result = readBounceMail(raw);
    const none = { received: 0, applied: 0, store_id: null, send_id: null };
    if (!result.ok || result.events.length === 0) return none;
    const send = await this.originalSend(typeof raw === 'string' ? raw : raw.toString('latin1'), result.events[0]!.provider_message_id);
    if (!send) return none;
    const events = result.events.filter((e) => e.email === send.to_address.toLowerCase());
    return { ...(await this.apply(send.store_id, events)), store_id: send.store_id, send_id: send.id };
  }

  private async originalSend(raw: string, messageId: string | null): Promise<{ store_id: string; id: number; to_address: string } | undefined> {
    const read = this.storage.read;
    if (messageId) {
      const byId = await read.selectFrom('message_send_states as st').innerJoin('message_sends as s', (join) => join.onRef('s.id', '=', 'st.send_id').onRef('s.store_id', '=', 'st.store_id'))
        .select(['s.store_id', 's.id', 's.to_address']).where('st.provider_message_id', '=', messageId).limit(1).executeTakeFirst();
      if (byId) return { ...byId, id: Number(byId.id) };
    }
    const link = new RegExp(`^${CATCHER_HEADER}:\\s*([^/\\s]+)/(\\d+)`, 'im').exec(raw.slice(raw.search(/\r?\n\r?\n/) >>> 0));
    if (!link) return undefined;
    const byHeader = await read.selectFrom('message_sends').select(['store_id', 'id', 'to_address']).where('store_id', '=', link[1]!).where('id', '=', Number(link[2])).executeTakeFirst();
    return byHeader ? { ...byHeader, id: Number(byHeader.id) } : undefined;
  }

  /** A bounce or complaint report received as mail (RFC 3464 / ARF). */
  async receiveMail(storeId: string, raw: string | Buffer): Promise<WebhookOutcome> {
    const result = readBounceMail(raw);
    if (!result.ok) throw new AppError('validation_failed', 'Not a delivery report', [{ path: result.path, reason: result.reason }]);
    return this.apply(storeId, result.events);
  }

  async apply(storeId: string, events: readonly DeliveryEvent[]): Promise<WebhookOutcome> {
    let applied = 0;
    for (const event of events) {
      // One provider event can name several recipients (an SES bounce): the key names the address too.
      const key = `${event.provider_event_id ?? `${event.kind}:${event.provider_message_id ?? ''}:${event.at.toISOString()}`}:${event.email}`;
      const inserted = await sql`insert into message_delivery_events (store_id, provider, event_key, kind, address, provider_message_id, detail, occurred_at, received_at)
        values (${storeId}, ${event.provider}, ${key}, ${event.kind}, ${event.email}, ${event.provider_message_id}, ${event.detail?.slice(0, 1000) ?? null}, ${event.at}, ${new Date()})
        on conflict do nothing`.execute(this.storage.write);
      if (Number((inserted.rows[0] as { Count?: number } | undefined)?.Count ?? 0) === 0) continue;
      applied += 1;
      const source = event.provider === 'dsn' ? 'report mail' : `${event.provider} webhook`;
      if (event.kind === 'hard_bounce') {
        await this.suppress(storeId, event.email, 'hard_bounce', source, event.detail);
      } else if (event.kind === 'soft_bounce') {
        const since = new Date(event.at.getTime() - SOFT_BOUNCE_DAYS * DAY_MS);
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from message_delivery_events
          where store_id = ${storeId} and address = ${event.email} and kind = 'soft_bounce' and occurred_at >= ${since}`.execute(this.storage.read);
        if ((rows[0]?.n ?? 0) >= SOFT_BOUNCE_LIMIT) {
          await this.suppress(storeId, event.email, 'hard_bounce', source, `${SOFT_BOUNCE_LIMIT} soft bounces within ${SOFT_BOUNCE_DAYS} days; last: ${event.detail ?? 'no detail'}`);
        }
      } else if (event.kind === 'complaint' || event.kind === 'unsubscribe') {
        await this.suppress(storeId, event.email, event.kind === 'complaint' ? 'complaint' : 'unsubscribed', source, event.detail);
        await this.unsubscribeCustomer(storeId, event.email, event.kind === 'complaint' ? 'complaint' : 'unsubscribe');
      }
    }
    return { received: events.length, applied };
  }

  /** Suppresses the address, keeping the first lasting reason it has (a complaint stays a complaint after a later bounce). */
  private async suppress(storeId: string, address: string, reason: SuppressionReason, source: string, note: string | null): Promise<void> {
    const existing = await getSuppression(this.storage.read, storeId, address);
    if (existing && existing.reason !== 'paused') return;
    await this.deps().suppressions.add(storeId, { address, reason, source, note });
  }

  private async unsubscribeCustomer(storeId: string, email: string, source: string): Promise<void> {
    const customers = await this.storage.read.selectFrom('customers').select(['external_id', 'email_consent'])
      .where('store_id', '=', storeId).where(sql`lower(email)`, '=', email).execute();
    for (const customer of customers) {
      if (customer.external_id && customer.email_consent !== 'unsubscribed') {
        await this.deps().commerce.writeOne(storeId, 'customers', { external_id: customer.external_id, email_consent: { status: 'unsubscribed', source } }, { source });
      }
    }
  }

  private async checkToken(storeId: string, token: string): Promise<void> {
    const missing = new AppError('not_found', 'No such webhook');
    const store = await this.storage.read.selectFrom('stores').select('id').where('id', '=', storeId).executeTakeFirst();
    if (!store) throw missing;
    const expected = Buffer.from(await this.webhookToken(storeId));
    const given = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw missing;
  }

  private async checkSns(envelope: SnsEnvelope): Promise<void> {
    if (!envelope || typeof envelope.Type !== 'string' || typeof envelope.SigningCertURL !== 'string' || typeof envelope.Signature !== 'string') {
      throw new AppError('validation_failed', 'Not an SNS message', [{ path: 'Type', reason: 'an SNS message names its Type, Signature and SigningCertURL' }]);
    }
    if (!snsCertificateUrlAllowed(envelope.SigningCertURL, this.options.snsCertHosts)) {
      throw new AppError('unauthorized', 'The SNS signing certificate is not on an SNS host');
    }
    let certificate = this.certificates.get(envelope.SigningCertURL);
    if (!certificate) {
      certificate = await this.fetchText(envelope.SigningCertURL);
      this.certificates.set(envelope.SigningCertURL, certificate);
    }
    if (!verifySns(envelope, certificate)) throw new AppError('unauthorized', 'The SNS signature does not match');
  }

  private async fetchText(url: string): Promise<string> {
    if (this.options.fetchText) return this.options.fetchText(url);
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
    if (!response.ok) throw new AppError('unavailable', `${new URL(url).host} answered ${response.status}`);
    return response.text();
  }

  private json(text: string, path = 'body'): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw new AppError('bad_request', 'Invalid JSON', [{ path, reason: 'is not valid JSON' }]);
    }
  }
}
