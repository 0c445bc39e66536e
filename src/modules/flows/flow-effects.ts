/**
 * What the flow engine needs from the rest of Hearth, declared here and built over the module
 * services: queue an email (idempotent by send key; one naming an offer carries the recipient's
 * code, issued under the same send key), test a segment rule for one customer now, tag a profile
 * or set a custom attribute on it, award loyalty points (keyed by run and step), email the store's
 * team (by send key), and know a customer's time zone.
 */
import { sql } from 'kysely';
import type { z } from 'zod';
import type { Storage } from '../../db/database.js';
import { AppError, notFound } from '../../lib/errors.js';
import type { CommerceService } from '../commerce/index.js';
import type { AccountsService } from '../accounts/index.js';
import type { ExperimentsService } from '../experiments/index.js';
import type { LoyaltyService } from '../loyalty/index.js';
import {
  checkChannelReady, customerVariables, escapeHtml, htmlToText, recipientVariables, renderText, type CompiledText, type MessagePurpose, type MessagesService, type OtherChannel,
  type CustomerFacts, type TemplatesService,
} from '../messaging/index.js';
import type { OffersService } from '../offers/index.js';
import type { ReviewRequests } from '../reviews/index.js';
import type { SupportService } from '../support/index.js';
import { emailContexts, type ContextRequest, type EmailContext, type EmailTrigger } from './flow-email-context.js';
import { flowSource } from './flow-steps.js';
import { flowsDb } from './flows.table.js';
import type { ruleSchema, SegmentsService } from '../segments/index.js';

export type FlowRule = z.infer<typeof ruleSchema>;

/** Messages queued per call to the ledger (each call renders, then inserts in one transaction). */
const QUEUE_SLICE = 500;

export interface FlowEmail {
  sendKey: string;
  purpose: MessagePurpose;
  customerId: number;
  templateId: string;
  source: string;
  /** The offer whose code the email carries as `discount_code`. */
  offerId?: string;
  /** What started the run: the email's `order`, `fulfillment` and `checkout` come from it (flow-email-context.ts). */
  trigger?: EmailTrigger;
  /** A segment-entry flow's segment: a customer without orders is recommended what is popular in it. */
  segmentId?: string;
}

/** An SMS or webhook message of a step (`send_sms`, `send_webhook`). */
export interface FlowMessage {
  channel: OtherChannel;
  sendKey: string;
  purpose: MessagePurpose;
  customerId: number;
  source: string;
  /** The SMS body, or the webhook's `content.text`: Liquid rendered per recipient. */
  text: CompiledText | null;
  trigger?: EmailTrigger;
  /** Webhook: the run and step the body's `context` describes. */
  about?: { flowId: string; stepId: string; stepName: string | null; event: string | null; runId: number; enteredAt: Date; triggerKind: string; triggerEventId: number | null };
}

/**
 * How a step's message was queued: `sms_queued` or `webhook_queued`, `already_queued` (its send key
 * was in the ledger), `suppressed` at once (a number that cannot be read), or `not_set_up` (the store's channel).
 */
export interface MessageOutcome {
  outcome: 'sms_queued' | 'webhook_queued' | 'already_queued' | 'suppressed' | 'not_set_up';
  detail: string;
}

export interface FlowEffects {
  /** Refuses a template that cannot be sent (missing, archived) before the run counts the step as done. */
  checkTemplate(storeId: string, templateId: string): Promise<void>;
  /** Queues emails, rendered per recipient; a send key already in the ledger queues nothing. Codes of offers are issued at `now`, the engine's clock. */
  sendEmails(storeId: string, emails: readonly FlowEmail[], now: Date): Promise<void>;
  /** Queues SMS and webhook messages, rendered per recipient, by the same rules; answers each message's outcome by send key. */
  sendMessages(storeId: string, messages: readonly FlowMessage[], now: Date): Promise<Map<string, MessageOutcome>>;
  /** Of these customers, those the rule holds for at `now` (one query for a whole batch of runs). */
  matching(storeId: string, rule: FlowRule, customerIds: readonly number[], now: Date): Promise<Set<number>>;
  /** Adds a tag to the profile: `tagged`, `unchanged` (had it) or `skipped` (no external id to write by). */
  addTag(storeId: string, customerId: number, tag: string): Promise<'tagged' | 'unchanged' | 'skipped'>;
  /** Sets a custom attribute on the profile: `set`, `unchanged` (had that value) or `skipped` (no external id to write by). */
  setAttribute(storeId: string, customerId: number, name: string, value: string | number | boolean): Promise<'set' | 'unchanged' | 'skipped'>;
  timeZoneOf(storeId: string, customerId: number): Promise<string>;
  /** Schedules the review request of the delivered order, by its row id (the reviews module keeps its rules). */
  requestReview(storeId: string, customerId: number, orderId: number | null): Promise<{ outcome: string; detail: string }>;
  /** Awards points under the key (a key already used awards nothing again); `skipped` while the store's programme is off. */
  awardPoints(storeId: string, award: PointsAward, now: Date): Promise<{ outcome: 'awarded' | 'already_awarded' | 'skipped'; detail: string }>;
  /** Queues a transactional email to the store's team about the run's customer; a send key already in the ledger queues nothing. */
  /** Emails the team (`notice.to`, else the store's team address); answers where it went, or that the store has no address. */
  notifyStore(storeId: string, notice: StoreNotice): Promise<{ outcome: 'queued' | 'already_queued'; to: string } | { outcome: 'no_address'; to: null }>;
}

export interface PointsAward {
  key: string;
  flowId: string;
  customerId: number;
  points: number;
  reason: string | undefined;
}

export interface StoreNotice {
  sendKey: string;
  flowId: string;
  run: { customer_id: number; trigger_kind: string; trigger_event_id: number | null };
  to: string | undefined;
  subject: string;
  message: string | undefined;
}

export interface FlowServices {
  storage: Storage;
  messages: MessagesService;
  templates: TemplatesService;
  segments: SegmentsService;
  commerce: CommerceService;
  accounts: AccountsService;
  offers: Pick<OffersService, 'get' | 'codesFor'>;
  reviews: { requests: Pick<ReviewRequests, 'schedule'> };
  loyalty: Pick<LoyaltyService, 'adjust' | 'settings' | 'balance'>;
  support: Pick<SupportService, 'statusUrls'>;
  /** Each flow's revenue and incremental revenue against its holdout (the Flows list). */
  experiments: Pick<ExperimentsService, 'flowResults'>;
}

/** Compiled rules kept: a job evaluates the same few rules (at the same `now`) for hundreds of runs. */
const COMPILED_KEPT = 64;

export function serviceEffects(services: () => FlowServices): FlowEffects {
  const compiled = new Map<string, ReturnType<SegmentsService['compile']>>();
  const compile = (storeId: string, rule: FlowRule, now: Date) => {
    const key = `${storeId}|${now.getTime()}|${JSON.stringify(rule)}`;
    let found = compiled.get(key);
    if (!found) {
      found = services().segments.compile(storeId, rule, now);
      found.catch(() => compiled.delete(key));
      if (compiled.size >= COMPILED_KEPT) compiled.delete(compiled.keys().next().value!);
      compiled.set(key, found);
    }
    return found;
  };
  return {
    async checkTemplate(storeId, templateId) {
      const template = await services().templates.get(storeId, templateId);
      if (template.archived_at) throw new AppError('conflict', `Template "${template.name}" is archived`);
    },

    async sendEmails(storeId, emails, now) {
      if (emails.length === 0) return;
      const { messages, templates, offers } = services();
      const store = await templates.storeVariables(storeId);
      const compiled = new Map<string, Awaited<ReturnType<TemplatesService['compiled']>>>();
      for (const id of new Set(emails.map((e) => e.templateId))) compiled.set(id, await templates.compiled(storeId, id));
      // The segments of segment-entry flows that still exist (a deleted one recommends nothing of its own).
      const named = [...new Set(emails.flatMap((e) => (e.segmentId !== undefined ? [e.segmentId] : [])))];
      const segments = new Set(named.length ? (await Promise.all(named.map((id) => services().segments.find(storeId, id)))).flatMap((found) => (found ? [found.id] : [])) : []);
      for (let start = 0; start < emails.length; start += QUEUE_SLICE) {
        const slice = emails.slice(start, start + QUEUE_SLICE);
        // Codes are issued under the emails' send keys, so a step run again carries the same codes.
        const codes = new Map<string, string | null>();
        for (const offerId of new Set(slice.flatMap((e) => (e.offerId ? [e.offerId] : [])))) {
          const wanting = slice.filter((e) => e.offerId === offerId);
          const issued = await offers.codesFor(storeId, offerId, wanting.map((e) => ({ customerId: e.customerId, key: e.sendKey })), now);
          for (const e of wanting) codes.set(e.sendKey, issued.get(e.sendKey) ?? null);
        }
        const contexts = await recipientContexts(services(), storeId, slice.map((e) => ({ ...e, reads: compiled.get(e.templateId)!.compiled })), store.url, now);
        // The slice's customers are read together; each email is rendered from memory.
        const readsRecommendations = slice.some((e) => compiled.get(e.templateId)!.compiled.usesRecommendations);
        const facts = await templates.customerFacts(storeId, slice.map((e) => e.customerId), readsRecommendations
          ? { recommendations: store, segments: new Map(slice.flatMap((e) => (e.segmentId !== undefined && segments.has(e.segmentId) ? [[e.customerId, e.segmentId]] : []))) }
          : {});
        await messages.queueEmails(storeId, slice.map((email) => {
          const template = compiled.get(email.templateId)!;
          return {
            sendKey: email.sendKey, purpose: email.purpose, customerId: email.customerId, source: email.source,
            templateId: email.templateId, templateVersion: template.version,
            template: {
              compiled: template.compiled, tracked: true,
              variables: () => recipientVariables(store, factsOf(facts, email.customerId), { ...contexts.get(email.sendKey), ...(email.offerId && { discount_code: codes.get(email.sendKey) ?? null }) }),
            },
          };
        }));
      }
    },

    async sendMessages(storeId, messages, now) {
      const outcomes = new Map<string, MessageOutcome>();
      if (messages.length === 0) return outcomes;
      const { messages: ledger, templates } = services();
      const settings = await ledger.settings(storeId);
      // A channel the store has not set up sends nothing: the step records why and the run goes on.
      const ready = messages.filter((m) => {
        try {
          checkChannelReady(m.channel, settings);
          return true;
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          outcomes.set(m.sendKey, { outcome: 'not_set_up', detail: `${error.message}: it ${error.details[0]?.reason ?? 'is not ready'}` });
          return false;
        }
      });
      const store = await templates.storeVariables(storeId);
      for (let start = 0; start < ready.length; start += QUEUE_SLICE) {
        const slice = ready.slice(start, start + QUEUE_SLICE);
        const contexts = await recipientContexts(services(), storeId, slice.flatMap((m) => (m.text ? [{ ...m, reads: m.text }] : [])), store.url, now);
        const about = await webhookContexts(services(), storeId, slice);
        const texts = slice.filter((m) => m.text);
        const facts = await templates.customerFacts(storeId, texts.map((m) => m.customerId), { recommendations: texts.some((m) => m.text!.usesRecommendations) ? store : undefined });
        const result = await ledger.queueMessages(storeId, slice.map((message) => ({
          channel: message.channel, sendKey: message.sendKey, purpose: message.purpose, customerId: message.customerId, source: message.source,
          ...(about.has(message.sendKey) && { context: about.get(message.sendKey)! }),
          build: (links) => {
            if (!message.text) return { text: '' };
            const variables = customerVariables(store, factsOf(facts, message.customerId), { links, ...contexts.get(message.sendKey) }, links);
            return { text: renderText(message.text, variables) };
          },
        })));
        const channelOf = new Map(slice.map((m) => [m.sendKey, m.channel]));
        for (const send of result.sends) {
          const channel = channelOf.get(send.send_key)!;
          outcomes.set(send.send_key, send.suppressed ? { outcome: 'suppressed', detail: `invalid_address: ${send.suppressed}` }
            : { outcome: send.created ? `${channel}_queued` : 'already_queued', detail: `${channel} message ${send.id}` });
        }
      }
      return outcomes;
    },

    async matching(storeId, rule, customerIds, now) {
      const found = new Set<number>();
      if (customerIds.length === 0) return found;
      const { storage } = services();
      const { compiled: query } = await compile(storeId, rule, now);
      const ids = [...new Set(customerIds)];
      for (let i = 0; i < ids.length; i += 5000) {
        const result = await sql<{ id: number }>`select c.id from ${query.from}
          where c.store_id = ${storeId} and c.id in (select unnest(${ids.slice(i, i + 5000)}::bigint[])) and ${query.where}`.execute(storage.read);
        for (const row of result.rows) found.add(Number(row.id));
      }
      return found;
    },

    async addTag(storeId, customerId, tag) {
      const { storage, commerce } = services();
      const customer = await storage.read.selectFrom('customers').select(['external_id', 'tags']).where('store_id', '=', storeId).where('id', '=', customerId).executeTakeFirst();
      if (!customer?.external_id) return 'skipped';
      const tags = [...(customer.tags ?? [])];
      if (tags.includes(tag)) return 'unchanged';
      await commerce.writeOne(storeId, 'customers', { external_id: customer.external_id, tags: [...tags, tag] });
      return 'tagged';
    },

    async setAttribute(storeId, customerId, name, value) {
      const { storage, commerce } = services();
      const customer = await storage.read.selectFrom('customers').select(['external_id', 'attributes']).where('store_id', '=', storeId).where('id', '=', customerId).executeTakeFirst();
      if (!customer?.external_id) return 'skipped';
      const attributes = JSON.parse(customer.attributes || '{}') as Record<string, unknown>;
      if (attributes[name] === value) return 'unchanged';
      // The writer replaces the attributes it is given: the others are written back as they were.
      await commerce.writeOne(storeId, 'customers', { external_id: customer.external_id, attributes: { ...attributes, [name]: value } });
      return 'set';
    },

    requestReview(storeId, customerId, orderId) {
      return services().reviews.requests.schedule(storeId, customerId, orderId);
    },

    async awardPoints(storeId, award, now) {
      const { storage, loyalty } = services();
      if (!(await loyalty.settings(storeId)).settings.enabled) return { outcome: 'skipped', detail: 'the loyalty programme is off' };
      const flow = await flowsDb(storage.read).selectFrom('flows').select('name').where('store_id', '=', storeId).where('id', '=', award.flowId).executeTakeFirst();
      const result = await loyalty.adjust(storeId, award.customerId, {
        points: award.points, reason: award.reason ?? `Flow “${flow?.name ?? award.flowId}”`, key: award.key, actor: flowSource(award.flowId), source: 'flow',
      }, now);
      return { outcome: result.replayed ? 'already_awarded' : 'awarded', detail: `${award.points} points` };
    },

    async notifyStore(storeId, notice) {
      const { storage, messages, accounts } = services();
      const to = notice.to ?? (await messages.settings(storeId)).reply_to
        ?? (await accounts.listMembers(storeId)).find((m) => m.role === 'owner')?.email;
      if (!to) return { outcome: 'no_address', to: null };
      const customer = await storage.read.selectFrom('customers').select(['external_id', 'email', 'first_name', 'last_name'])
        .where('store_id', '=', storeId).where('id', '=', notice.run.customer_id).executeTakeFirst();
      const flow = await flowsDb(storage.read).selectFrom('flows').select('name').where('store_id', '=', storeId).where('id', '=', notice.flowId).executeTakeFirst();
      const event = notice.run.trigger_event_id === null ? undefined
        : await storage.read.selectFrom('domain_events').select(['type', 'data']).where('store_id', '=', storeId).where('id', '=', notice.run.trigger_event_id).executeTakeFirst();
      const name = [customer?.first_name, customer?.last_name].filter(Boolean).join(' ');
      const rows: [string, string][] = [
        ['Customer', name || '(no name)'], ['Email', customer?.email ?? '(none)'], ['Customer id', customer?.external_id ?? String(notice.run.customer_id)],
        ['Flow', flow?.name ?? notice.flowId], ['Started by', notice.run.trigger_kind],
        ...(event ? scalarsOf(JSON.parse(event.data) as Record<string, unknown>) : []),
      ];
      const html = `${notice.message ? `<p>${escapeHtml(notice.message).replace(/\n/g, '<br>')}</p>` : ''}<table>${rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
      const result = await messages.queueEmails(storeId, [{
        sendKey: notice.sendKey, purpose: 'transactional', to, customerId: null, source: null,
        build: () => ({ subject: notice.subject, preheader: name ? `About ${name}` : '', html, text: htmlToText(html) }),
      }]);
      return { outcome: result.sends[0]?.created ? 'queued' : 'already_queued', to };
    },

    async timeZoneOf(storeId, customerId) {
      const { storage, accounts } = services();
      const customer = await storage.read.selectFrom('customers').select('timezone').where('store_id', '=', storeId).where('id', '=', customerId).executeTakeFirst();
      return customer?.timezone ?? (await accounts.getStore(storeId)).timezone;
    },
  };
}

/**
 * What each recipient's message reads beyond their profile, loaded only for messages whose Liquid
 * reads it: what started the run (order, checkout, shipment: flow-email-context.ts) and their points.
 */
async function recipientContexts(
  services: FlowServices, storeId: string, recipients: readonly (ContextRequest & { reads: { usesOrderContext: boolean; usesLoyalty: boolean } })[], storeUrl: string | null, now: Date,
): Promise<Map<string, Partial<EmailContext> & { loyalty: Record<string, unknown> }>> {
  const contexts = await emailContexts(services.storage.read, storeId, recipients.filter((r) => r.reads.usesOrderContext), storeUrl, (ids) => services.support.statusUrls(storeId, ids, now));
  const loyalty = await loyaltyVariables(services.loyalty, storeId, recipients.filter((r) => r.reads.usesLoyalty).map((r) => r.customerId), now);
  return new Map(recipients.map((r) => [r.sendKey, { ...contexts.get(r.sendKey), loyalty: loyalty.get(r.customerId) ?? {} }]));
}

/** The `context` of each webhook message: the flow, the step, the run and what started it (the triggering event's type and data). */
async function webhookContexts(services: FlowServices, storeId: string, messages: readonly FlowMessage[]): Promise<Map<string, Record<string, unknown>>> {
  const webhooks = messages.flatMap((m) => (m.channel === 'webhook' && m.about ? [{ sendKey: m.sendKey, ...m.about }] : []));
  const found = new Map<string, Record<string, unknown>>();
  if (webhooks.length === 0) return found;
  const read = services.storage.read;
  const flows = await flowsDb(read).selectFrom('flows').select(['id', 'name']).where('store_id', '=', storeId).where('id', 'in', [...new Set(webhooks.map((w) => w.flowId))]).execute();
  const names = new Map(flows.map((f) => [f.id, f.name]));
  const eventIds = [...new Set(webhooks.flatMap((w) => (w.triggerEventId === null ? [] : [w.triggerEventId])))];
  const events = eventIds.length === 0 ? [] : await read.selectFrom('domain_events').select(['id', 'type', 'data']).where('store_id', '=', storeId).where('id', 'in', eventIds).execute();
  const byId = new Map(events.map((e) => [Number(e.id), { type: e.type, data: JSON.parse(e.data) as unknown }]));
  for (const w of webhooks) {
    found.set(w.sendKey, {
      source: 'flow', event: w.event, flow: { id: w.flowId, name: names.get(w.flowId) ?? null }, step: { id: w.stepId, name: w.stepName },
      run: { id: w.runId, entered_at: w.enteredAt.toISOString() },
      trigger: { kind: w.triggerKind, event: w.triggerEventId === null ? null : byId.get(w.triggerEventId) ?? null },
    });
  }
  return found;
}

/** A payload's plain fields as label and value ("rating", "2"), for a notice. */
/** A recipient's facts, read with the rest of the batch (a customer removed meanwhile is not found, as one read alone would say). */
function factsOf(facts: ReadonlyMap<number, CustomerFacts>, customerId: number): CustomerFacts {
  const found = facts.get(customerId);
  if (!found) throw notFound(`Customer "${customerId}"`);
  return found;
}

function scalarsOf(data: Record<string, unknown>): [string, string][] {
  return Object.entries(data).flatMap(([key, value]): [string, string][] =>
    (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? [[key.replace(/_/g, ' '), String(value).slice(0, 2000)]] : []));
}

/**
 * The `loyalty` variables of each recipient while the store's programme is on: spendable points
 * (`balance`), `pending`, what they are worth (`value`, minor units), the `tier`, the `next_tier`
 * and the `points_to_next_tier` (points, or minor units spent, by the tiers' basis).
 */
async function loyaltyVariables(loyalty: FlowServices['loyalty'], storeId: string, customerIds: readonly number[], now: Date): Promise<Map<number, Record<string, unknown>>> {
  const found = new Map<number, Record<string, unknown>>();
  if (customerIds.length === 0) return found;
  if (!(await loyalty.settings(storeId)).settings.enabled) return found;
  for (const customerId of new Set(customerIds)) {
    const b = await loyalty.balance(storeId, customerId, now);
    found.set(customerId, {
      balance: b.available, pending: b.pending, value: b.value, currency: b.currency, tier: b.tier,
      next_tier: b.next_tier?.name ?? null, points_to_next_tier: b.next_tier?.missing ?? null,
    });
  }
  return found;
}
