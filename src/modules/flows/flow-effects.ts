/**
 * What the flow engine needs from the rest of Hearth, declared here and built over the module
 * services: queue an email (idempotent by send key), test a segment rule for one customer now,
 * tag a profile, and know a customer's time zone.
 */
import { sql } from 'kysely';
import type { z } from 'zod';
import type { Storage } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import type { CommerceService } from '../commerce/index.js';
import type { AccountsService } from '../accounts/index.js';
import { renderEmail, type EngagementService, type MessagePurpose, type MessagesService, type TemplatesService } from '../messaging/index.js';
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
}

export interface FlowEffects {
  /** Refuses a template that cannot be sent (missing, archived) before the run counts the step as done. */
  checkTemplate(storeId: string, templateId: string): Promise<void>;
  /** Queues emails, rendered per recipient; a send key already in the ledger queues nothing. */
  sendEmails(storeId: string, emails: readonly FlowEmail[]): Promise<void>;
  /** Whether the rule holds for the customer at `now`. */
  matches(storeId: string, rule: FlowRule, customerId: number, now: Date): Promise<boolean>;
  /** Adds a tag to the profile: `tagged`, `unchanged` (had it) or `skipped` (no external id to write by). */
  addTag(storeId: string, customerId: number, tag: string): Promise<'tagged' | 'unchanged' | 'skipped'>;
  timeZoneOf(storeId: string, customerId: number): Promise<string>;
}

export interface FlowServices {
  storage: Storage;
  messages: MessagesService;
  templates: TemplatesService;
  engagement: EngagementService;
  segments: SegmentsService;
  commerce: CommerceService;
  accounts: AccountsService;
}

export function serviceEffects(services: () => FlowServices): FlowEffects {
  return {
    async checkTemplate(storeId, templateId) {
      const template = await services().templates.get(storeId, templateId);
      if (template.archived_at) throw new AppError('conflict', `Template "${template.name}" is archived`);
    },

    async sendEmails(storeId, emails) {
      if (emails.length === 0) return;
      const { messages, templates, engagement } = services();
      const store = await templates.storeVariables(storeId);
      const key = await messages.linkKey(storeId);
      const compiled = new Map<string, Awaited<ReturnType<TemplatesService['compiled']>>>();
      for (const id of new Set(emails.map((e) => e.templateId))) compiled.set(id, await templates.compiled(storeId, id));
      for (let start = 0; start < emails.length; start += QUEUE_SLICE) {
        await messages.queueEmails(storeId, emails.slice(start, start + QUEUE_SLICE).map((email) => {
          const template = compiled.get(email.templateId)!;
          return {
            sendKey: email.sendKey, purpose: email.purpose, customerId: email.customerId, source: email.source,
            templateId: email.templateId, templateVersion: template.version,
            build: async (links) => {
              const variables = await templates.variablesFor(storeId, String(email.customerId), { links }, store);
              return engagement.track(renderEmail(template.compiled, variables), { storeId, sendKey: email.sendKey, customerId: email.customerId, links, key });
            },
          };
        }));
      }
    },

    async matches(storeId, rule, customerId, now) {
      const { segments, storage } = services();
      const { compiled } = await segments.compile(storeId, rule, now);
      const result = await sql<{ id: number }>`select c.id from ${compiled.from}
        where c.store_id = ${storeId} and c.id = ${customerId} and ${compiled.where} limit 1`.execute(storage.read);
      return result.rows.length > 0;
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

    async timeZoneOf(storeId, customerId) {
      const { storage, accounts } = services();
      const customer = await storage.read.selectFrom('customers').select('timezone').where('store_id', '=', storeId).where('id', '=', customerId).executeTakeFirst();
      return customer?.timezone ?? (await accounts.getStore(storeId)).timezone;
    },
  };
}
