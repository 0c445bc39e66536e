/**
 * Customer service (docs/listen.md): tickets from the API, from Zendesk and Gorgias
 * webhooks and from the order-status page's contact form, on the customer's profile; the signed
 * order-status page that answers "where is my order?" and counts the contacts it deflected; the
 * automation rules (topic from the text, WISMO auto-reply, escalation). Every write runs in one
 * transaction on the writer connection.
 */
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import { AppError, invalid, notFound } from '../../lib/errors.js';
import { safeEqual, sha256 } from '../../lib/ids.js';
import type { StoreTable } from '../accounts/index.js';
import type { EmailToQueue, QueueResult } from '../messaging/index.js';
import type { OrderView } from '../orders/index.js';
import { customerPrediction } from '../predictions/index.js';
import { readGorgias, readZendesk, type TicketChange, type WebhookRead } from './helpdesk-webhooks.js';
import { orderStatusPage } from './order-status.page.js';
import { ORDER_LINK_DAYS, orderTokenKey, readOrderToken, signOrderToken, verifyOrderToken } from './order-status.token.js';
import { describeStatus, orderStatusView, transitMedians, type OrderStatusView } from './order-status.view.js';
import { supportDb, type SupportDb, type SupportSettingsTable, type TicketStatus } from './support.table.js';
import { applyRequester, applyTicket, type ApplyContext, type ApplyOutcome } from './ticket-apply.js';
import { contactFormSchema, supportSettingsSchema, ticketInputSchema, type SupportSettingsInput, type TicketInput } from './ticket.input.js';
import { topicRuleSchema, WISMO_TOPIC, type TopicRule } from './ticket-topics.js';
import { ticketView, type TicketView } from './support.views.js';
import { ticketRetention, type TicketRetention } from './support-retention.js';

export const helpdesks = ['zendesk', 'gorgias'] as const;
export type Helpdesk = (typeof helpdesks)[number];

/** Zendesk signs with the time it sent; a signature older than this is refused (a replayed capture). */
export const SIGNATURE_MAX_AGE_MS = 60 * 60_000;
/** A view of the order-status page counts as a deflected contact when no ticket of that order or customer follows within this many days. */
export const DEFLECTION_DAYS = 7;
/** A detractor answer this recent escalates a new ticket of the customer. */
export const DETRACTOR_ESCALATION_DAYS = 90;

export interface SupportDependencies {
  linkKey: (storeId: string) => Promise<Buffer>;
  findStore: (storeId: string) => Promise<StoreTable | undefined>;
  order: (storeId: string, ref: string) => Promise<OrderView>;
  queueEmails: (storeId: string, emails: readonly EmailToQueue[]) => Promise<QueueResult>;
  /** Whether the customer gave a detractor answer since `since`. */
  recentDetractor: (storeId: string, customerId: number, since: Date) => Promise<boolean>;
}

export interface WebhookOutcome { received: number; created: number; updated: number; unchanged: number; stale: number; requesters: number; ignored: string | null }

export class SupportService {
  private readonly write: SupportDb;
  private readonly read: SupportDb;

  constructor(private readonly storage: Storage, private readonly deps: () => SupportDependencies, private readonly publicUrl: string) {
    this.write = supportDb(storage.write);
    this.read = supportDb(storage.read);
  }

  async settings(storeId: string): Promise<SupportSettingsTable> {
    return await this.read.selectFrom('support_settings').selectAll().where('store_id', '=', storeId).executeTakeFirst()
      ?? { store_id: storeId, zendesk_signing_secret: null, topic_rules: null, high_value_clv: null, updated_at: new Date(0) };
  }

  private async rules(storeId: string): Promise<TopicRule[]> {
    const text = (await this.settings(storeId)).topic_rules;
    if (!text) return [];
    const parsed = topicRuleSchema.array().safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : [];
  }

  /** The settings as the API shows them: the secret only as whether one is set. */
  async settingsView(storeId: string) {
    const s = await this.settings(storeId);
    const urls = await this.webhookUrls(storeId);
    return { zendesk_signing_secret_set: s.zendesk_signing_secret !== null, topic_rules: await this.rules(storeId), high_value_clv: s.high_value_clv, webhook_urls: urls };
  }

  async updateSettings(storeId: string, input: SupportSettingsInput | unknown, now = new Date()) {
    const parsed = supportSettingsSchema.safeParse(input);
    if (!parsed.success) throw invalid('Invalid support settings', parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', reason: i.message })));
    const current = await this.settings(storeId);
    const next = {
      store_id: storeId,
      zendesk_signing_secret: parsed.data.zendesk_signing_secret !== undefined ? parsed.data.zendesk_signing_secret : current.zendesk_signing_secret,
      topic_rules: parsed.data.topic_rules !== undefined ? JSON.stringify(parsed.data.topic_rules) : current.topic_rules,
      high_value_clv: parsed.data.high_value_clv !== undefined ? parsed.data.high_value_clv : current.high_value_clv,
      updated_at: now,
    };
    await this.write.insertInto('support_settings').values(next)
      .onConflict((oc) => oc.column('store_id').doUpdateSet({ zendesk_signing_secret: next.zendesk_signing_secret, topic_rules: next.topic_rules, high_value_clv: next.high_value_clv, updated_at: now })).execute();
    return this.settingsView(storeId);
  }

  /** The secret part of the webhook URLs, derived from the store's link key. */
  async webhookToken(storeId: string): Promise<string> {
    return createHmac('sha256', await this.deps().linkKey(storeId)).update('support-webhooks').digest('base64url').slice(0, 32);
  }

  async webhookUrls(storeId: string): Promise<Record<Helpdesk, string>> {
    const token = await this.webhookToken(storeId);
    return { zendesk: `${this.publicUrl}/webhooks/support/zendesk/${storeId}/${token}`, gorgias: `${this.publicUrl}/webhooks/support/gorgias/${storeId}/${token}` };
  }

  private async context(storeId: string, now: Date): Promise<ApplyContext> {
    const [rules, settings] = await Promise.all([this.rules(storeId), this.settings(storeId)]);
    return {
      storeId, rules, now,
      escalation: async (customerId) => {
        if (await this.deps().recentDetractor(storeId, customerId, new Date(now.getTime() - DETRACTOR_ESCALATION_DAYS * 86_400_000))) return 'detractor';
        if (settings.high_value_clv !== null) {
          const prediction = await customerPrediction(this.storage, storeId, customerId);
          if (prediction?.clv_12m !== null && prediction?.clv_12m !== undefined && prediction.clv_12m >= settings.high_value_clv) return 'high_value';
        }
        return null;
      },
    };
  }

  /**
   * A helpdesk's post: the URL's token must be the store's; a Zendesk post must also carry a valid
   * X-Zendesk-Webhook-Signature (base64 HMAC-SHA256 of the timestamp header and the body) once
   * the store saved Zendesk's signing secret. Bad input is a 4xx and nothing is applied.
   */
  async receiveWebhook(provider: Helpdesk, storeId: string, token: string, request: { body: string; headers: Record<string, string | string[] | undefined> }, now = new Date()): Promise<WebhookOutcome> {
    const store = await this.deps().findStore(storeId);
    if (!store || !safeEqual(await this.webhookToken(store.id), token)) throw new AppError('unauthorized', 'This webhook URL is not valid for any store');
    if (provider === 'zendesk') {
      const secret = (await this.settings(store.id)).zendesk_signing_secret;
      if (secret) checkZendeskSignature(secret, request.body, request.headers, now);
    }
    let json: unknown;
    try {
      json = JSON.parse(request.body);
    } catch {
      throw new AppError('bad_request', 'The body is not JSON', [{ path: 'body', reason: 'not valid JSON' }]);
    }
    const read: WebhookRead = provider === 'zendesk' ? readZendesk(json) : readGorgias(json);
    if (!read.ok) throw invalid(`Not a ${provider === 'zendesk' ? 'Zendesk' : 'Gorgias'} ticket`, read.details);
    const outcome: WebhookOutcome = { received: read.tickets.length, created: 0, updated: 0, unchanged: 0, stale: 0, requesters: 0, ignored: read.ignored };
    const ctx = await this.context(store.id, now);
    await this.write.transaction().execute(async (tx) => {
      for (const requester of read.requesters) {
        await applyRequester(tx, ctx, provider, requester);
        outcome.requesters += 1;
      }
      for (const change of read.tickets) outcome[(await applyTicket(tx, ctx, change)).outcome] += 1;
    });
    return outcome;
  }

  /** A ticket from the API: created, or updated when its external_id is known. */
  async createTicket(storeId: string, input: TicketInput | unknown, now = new Date()): Promise<{ ticket: TicketView; outcome: ApplyOutcome }> {
    const parsed = ticketInputSchema.safeParse(input);
    if (!parsed.success) throw invalid('Invalid ticket', parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', reason: i.message })));
    const t = parsed.data;
    let externalId: string | null = null;
    if (t.customer_id !== undefined) {
      const ref = String(t.customer_id);
      const row = await this.read.selectFrom('customers').select(['id', 'external_id', 'email']).where('store_id', '=', storeId)
        .where(ref.startsWith('ext:') ? 'external_id' : 'id', '=', ref.startsWith('ext:') ? ref.slice(4) : (/^\d+$/.test(ref) ? Number(ref) : -1) as never).executeTakeFirst();
      if (!row) throw invalid('Unknown customer', [{ path: 'customer_id', reason: `no customer ${ref} in this store` }]);
      externalId = row.external_id ?? null;
      if (!externalId) t.email ??= row.email ?? undefined;
    }
    let orderId: number | null = null;
    if (t.order_id) orderId = (await this.deps().order(storeId, t.order_id).catch(() => { throw invalid('Unknown order', [{ path: 'order_id', reason: `no order ${t.order_id} in this store` }]); })).id;
    const change: TicketChange = {
      source: 'api', source_ticket_id: t.external_id, status: t.status, channel: t.channel, updated_at: t.updated_at ? new Date(t.updated_at) : null,
      ...(t.topic && { topic: t.topic }), ...(t.subject !== undefined && { subject: t.subject }), ...(t.body !== undefined && { body: t.body.slice(0, 2000) }),
      requester: { ref: null, email: t.email?.toLowerCase() ?? null, external_id: externalId },
      ...(t.opened_at && { opened_at: new Date(t.opened_at) }), ...(t.first_response_at && { first_response_at: new Date(t.first_response_at) }),
      ...(t.resolved_at && { resolved_at: new Date(t.resolved_at) }),
      ...(t.satisfaction_score !== undefined && { satisfaction_score: t.satisfaction_score, satisfied: t.satisfaction_score >= 4 ? true : t.satisfaction_score <= 2 ? false : null }),
    };
    const ctx = await this.context(storeId, now);
    const result = await this.write.transaction().execute((tx) => applyTicket(tx, ctx, change, orderId));
    return { ticket: ticketView(result.ticket), outcome: result.outcome };
  }

  async list(storeId: string, query: { status?: TicketStatus | undefined; customer_id?: number | undefined; topic?: string | undefined; limit?: number | undefined } = {}): Promise<TicketView[]> {
    let q = this.read.selectFrom('support_tickets').selectAll().where('store_id', '=', storeId);
    if (query.status) q = q.where('status', '=', query.status);
    if (query.customer_id !== undefined) q = q.where('customer_id', '=', query.customer_id);
    if (query.topic) q = q.where('topic', '=', query.topic);
    const rows = await q.orderBy('opened_at', 'desc').orderBy('id').limit(Math.min(query.limit ?? 100, 1000)).execute();
    return rows.map(ticketView);
  }

  async get(storeId: string, id: string): Promise<TicketView> {
    const row = await this.read.selectFrom('support_tickets').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`Ticket ${id}`);
    return ticketView(row);
  }

  /** The signed link of an order's status page (the `order_status_url` of order emails). */
  async orderStatusUrl(storeId: string, orderRef: string, now = new Date()): Promise<{ url: string; expires_at: Date }> {
    const order = await this.deps().order(storeId, orderRef);
    const expiresAt = new Date(now.getTime() + ORDER_LINK_DAYS * 86_400_000);
    const token = signOrderToken(orderTokenKey(await this.deps().linkKey(storeId)), { storeId, orderId: order.id, expiresAt });
    return { url: `${this.publicUrl}/o/${token}`, expires_at: expiresAt };
  }

  /** The signed status links of many orders by row id, as order emails carry them (no look-up: the ids come from the store's own rows). */
  async statusUrls(storeId: string, orderIds: readonly number[], now = new Date()): Promise<Map<number, string>> {
    const urls = new Map<number, string>();
    if (orderIds.length === 0) return urls;
    const key = orderTokenKey(await this.deps().linkKey(storeId));
    const expiresAt = new Date(now.getTime() + ORDER_LINK_DAYS * 86_400_000);
    for (const orderId of new Set(orderIds)) urls.set(orderId, `${this.publicUrl}/o/${signOrderToken(key, { storeId, orderId, expiresAt })}`);
    return urls;
  }

  /** The order a token names, after checking its signature and expiry (a bad link: 404, as for any unknown page). */
  private async orderOf(token: string, now: Date): Promise<{ store: StoreTable; order: OrderView; view: OrderStatusView }> {
    const claims = readOrderToken(token);
    const store = claims && await this.deps().findStore(claims.storeId);
    if (!claims || !store || !verifyOrderToken(orderTokenKey(await this.deps().linkKey(store.id)), token)) throw notFound('This order link is not valid');
    if (claims.expiresAt <= now) throw notFound('This order link has expired; the latest email about your order has a new one');
    const order = await this.deps().order(store.id, String(claims.orderId));
    const samples = await this.read.selectFrom('fulfillments').select(['carrier', 'shipped_at', 'delivered_at']).where('store_id', '=', store.id)
      .where('shipped_at', 'is not', null).where('delivered_at', 'is not', null).orderBy('delivered_at', 'desc').limit(500).execute();
    const medians = transitMedians(samples.map((s) => ({ carrier: s.carrier, shipped_at: s.shipped_at!, delivered_at: s.delivered_at! })));
    return { store, order, view: orderStatusView(order, medians) };
  }

  /** The page for a signed link; each order's first view of a day is recorded (the deflection count). */
  async orderStatusPage(token: string, now = new Date()): Promise<string> {
    const { store, order, view } = await this.orderOf(token, now);
    await this.write.insertInto('order_status_views').values({ store_id: store.id, order_id: order.id, day: now.toISOString().slice(0, 10), customer_id: order.customer_id, viewed_at: now })
      .onConflict((oc) => oc.doNothing()).execute();
    return orderStatusPage(store.name, view);
  }

  /**
   * The page's contact form: opens a ticket of the order's customer (the same message on the same
   * day is the same ticket), and when it asks where the order is, emails the order's status at once
   * (send key `wismo:<ticket>`: one email per ticket) and counts that as the first response.
   */
  async contact(token: string, form: unknown, now = new Date()): Promise<{ html: string; ticket: TicketView; autoReplied: boolean }> {
    const parsed = contactFormSchema.safeParse(form);
    if (!parsed.success) throw invalid('Invalid message', parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'message', reason: i.message })));
    const { store, order, view } = await this.orderOf(token, now);
    const message = parsed.data.message;
    const key = sha256(`${order.id}\n${now.toISOString().slice(0, 10)}\n${message.toLowerCase().replace(/\s+/g, ' ')}`).slice(0, 32);
    const customer = order.customer_id === null ? undefined
      : await this.read.selectFrom('customers').select(['email', 'external_id']).where('store_id', '=', store.id).where('id', '=', order.customer_id).executeTakeFirst();
    const ctx = await this.context(store.id, now);
    const change: TicketChange = {
      source: 'contact_form', source_ticket_id: key, channel: 'web', updated_at: null, subject: `About order ${order.external_id}`, body: message.slice(0, 2000),
      requester: { ref: null, email: customer?.email ?? null, external_id: customer?.external_id ?? null }, opened_at: now,
    };
    let { ticket } = await this.write.transaction().execute((tx) => applyTicket(tx, ctx, change, order.id));
    let autoReplied = false;
    if (ticket.topic === WISMO_TOPIC && customer?.email) {
      const status = describeStatus(view);
      await this.deps().queueEmails(store.id, [{
        sendKey: `wismo:${ticket.id}`, purpose: 'transactional', customerId: order.customer_id,
        build: () => ({ subject: `Where your order ${order.external_id} is`, preheader: status.split('\n')[0]!, text: `${status}\n`, html: `<pre style="font-family:inherit;white-space:pre-wrap">${escape(status)}</pre>` }),
      }]);
      if (!ticket.first_response_at) {
        ticket = (await this.write.transaction().execute((tx) => applyTicket(tx, ctx, { ...change, status: 'pending', first_response_at: now }, order.id))).ticket;
      }
      autoReplied = true;
    }
    const notice = autoReplied ? `Thank you. Your message is with ${store.name}. We have emailed you your order's status:\n${describeStatus(view)}` : `Thank you. Your message is with ${store.name}; we will answer by email.`;
    return { html: orderStatusPage(store.name, view, notice), ticket: ticketView(ticket), autoReplied };
  }

  /** Repeat rate within 90 days after a customer's first ticket, by resolution within 24 h and first-response band (support-retention.ts). */
  retention(storeId: string, asOf = new Date()): Promise<TicketRetention> {
    return ticketRetention(this.storage.read, storeId, asOf);
  }

  /**
   * WISMO deflection over [from, to): views of order-status pages (one per order and day) and how
   * many of them were not followed by a ticket of that order or customer within DEFLECTION_DAYS.
   */
  async deflection(storeId: string, from: Date, to: Date): Promise<{ views: number; deflected: number; tickets_after_view: number; wismo_tickets: number; window_days: number }> {
    const { rows } = await sql<{ views: number; deflected: number; wismo: number }>`
      select count(*) as views,
        count(*) filter (where not exists (select 1 from support_tickets t where t.store_id = v.store_id
          and (t.order_id = v.order_id or (v.customer_id is not null and t.customer_id = v.customer_id))
          and t.opened_at >= v.viewed_at and t.opened_at < v.viewed_at + ${`${DEFLECTION_DAYS} days`}::interval)) as deflected,
        (select count(*) from support_tickets t where t.store_id = ${storeId} and t.topic = ${WISMO_TOPIC} and t.opened_at >= ${from} and t.opened_at < ${to}) as wismo
      from order_status_views v where v.store_id = ${storeId} and v.viewed_at >= ${from} and v.viewed_at < ${to}`.execute(this.read);
    const r = rows[0];
    const views = Number(r?.views ?? 0);
    const deflected = Number(r?.deflected ?? 0);
    return { views, deflected, tickets_after_view: views - deflected, wismo_tickets: Number(r?.wismo ?? 0), window_days: DEFLECTION_DAYS };
  }
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Zendesk: base64(HMAC-SHA256(secret, timestamp + body)), developer.zendesk.com "Verifying webhook authenticity". */
export function zendeskSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(timestamp + body).digest('base64');
}

function checkZendeskSignature(secret: string, body: string, headers: Record<string, string | string[] | undefined>, now: Date): void {
  const signature = header(headers, 'x-zendesk-webhook-signature');
  const timestamp = header(headers, 'x-zendesk-webhook-signature-timestamp');
  if (!signature || !timestamp) throw new AppError('unauthorized', 'The Zendesk signature is missing', [{ path: signature ? 'x-zendesk-webhook-signature-timestamp' : 'x-zendesk-webhook-signature', reason: 'required once the store saved Zendesk\'s signing secret' }]);
  if (!safeEqual(zendeskSignature(secret, timestamp, body), signature)) throw new AppError('unauthorized', 'The Zendesk signature does not match', [{ path: 'x-zendesk-webhook-signature', reason: 'not the HMAC of the timestamp and body with the saved secret' }]);
  const sent = Date.parse(timestamp);
  if (Number.isNaN(sent) || Math.abs(now.getTime() - sent) > SIGNATURE_MAX_AGE_MS) throw new AppError('unauthorized', 'The Zendesk signature is too old', [{ path: 'x-zendesk-webhook-signature-timestamp', reason: 'more than an hour from now' }]);
}
