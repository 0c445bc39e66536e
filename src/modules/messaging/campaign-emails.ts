/**
 * Sending a campaign: by email, each recipient's message rendered from the campaign's template (or
 * their A/B variant's), its links tracked; by SMS or webhook, the campaign's Liquid text rendered
 * for each recipient and sent through the store's channel. Either way it is queued in the send
 * ledger under the send key `campaign:<id>:<customer>` — so starting twice, a retried job or a
 * restart never sends a second copy — with the campaign as the batch source that pauses after
 * repeated transport errors.
 * A campaign naming an offer gets each recipient's code issued under the same send key, so a retry
 * carries the same code; the offer's holdout gets the email with an empty `discount_code`.
 */
import type { Db } from '../../db/database.js';
import { AppError, notFound, type ErrorDetail } from '../../lib/errors.js';
import { recipientTimes, type CampaignTiming } from './campaign-timing.js';
import type { EngagementService, SourceFigures } from './engagement.service.js';
import { customerVariables, recipientVariables } from './message-context.js';
import type { MessagesService } from './messages.service.js';
import { sourceSpread } from './send-timing.repository.js';
import { checkChannelReady, type OtherChannel } from './channel-sends.js';
import { compileText, renderText, type CompiledText } from './template-render.js';
import type { TemplatesService } from './templates.service.js';
import type { TopicsService } from './topics.service.js';

/** What a campaign is, as far as sending it goes. */
export interface CampaignToSend {
  id: string;
  /** Email (the default) sends the template; SMS and webhook send `text`. */
  channel?: 'email' | OtherChannel;
  template_id: string | null;
  /** SMS and webhook: the Liquid text. */
  text?: string | null;
  /** The email topic its messages belong to. */
  topic_id?: string | null;
  ab_test: { variants: readonly { template_id: string }[] } | null;
  /** When each recipient gets it (campaign-timing.ts); null: at once. */
  delivery?: CampaignTiming | null;
  /** The offer whose code each recipient's email carries as `discount_code`. */
  offer_id?: string | null;
  /** The audience's segments: a recipient without orders is recommended what is popular in theirs. */
  segment_ids?: readonly string[];
}

/**
 * The segments module as the campaign's emails use it: each recipient's segment among the
 * audience's (the first they are in, in the campaign's order; a deleted one recommends nothing of
 * its own), what a recipient without orders is recommended from.
 */
export interface AudienceSegments {
  firstOf(storeId: string, segmentIds: readonly string[], customerIds: readonly number[]): Promise<Map<number, string>>;
}

/** What sending needs of the offers module: checking an offer, and one code per recipient. */
export interface OfferCodes {
  /** Refuses an unknown or ended offer, naming `offer_id`. */
  check(storeId: string, offerId: string): Promise<void>;
  /** Each recipient's code under their send key, issued at `now`, by send key (the same key, the same code); null for the offer's holdout and the ineligible. */
  codesFor(storeId: string, offerId: string, recipients: readonly { customerId: number; key: string }[], now?: Date): Promise<Map<string, string | null>>;
}

/** Recipients queued per call to the ledger (each call renders, then inserts in one transaction). */
const QUEUE_SLICE = 500;

export const campaignSource = (campaignId: string) => `campaign:${campaignId}`;

export class CampaignEmails {
  constructor(
    private readonly messages: MessagesService,
    private readonly templates: TemplatesService,
    private readonly engagement: EngagementService,
    private readonly read: Db,
    private readonly topics?: TopicsService,
    private readonly offers?: () => OfferCodes,
    private readonly segments?: () => AudienceSegments,
  ) {}

  /**
   * Refuses a campaign whose templates are missing (`required`: before sending) or unknown, or
   * whose topic is unknown or archived (when it is being chosen, not when sending), naming the field.
   */
  async check(storeId: string, campaign: Pick<CampaignToSend, 'template_id' | 'ab_test' | 'topic_id' | 'offer_id' | 'channel' | 'text'>, required: boolean): Promise<void> {
    const channel = campaign.channel ?? 'email';
    if (channel !== 'email') return this.checkText(storeId, channel, campaign.text, required);
    if (!required) await this.topics?.check(storeId, campaign.topic_id);
    if (!required && campaign.offer_id && this.offers) await this.offers().check(storeId, campaign.offer_id);
    const wanted: [string, string | null][] = campaign.ab_test
      ? campaign.ab_test.variants.map((v, i) => [`ab_test.variants.${i}.template_id`, v.template_id])
      : [['template_id', campaign.template_id]];
    const details: ErrorDetail[] = [];
    for (const [path, id] of wanted) {
      if (!id) {
        if (required) details.push({ path, reason: 'choose the template to send before starting' });
        continue;
      }
      const found = await this.templates.get(storeId, id).catch(() => undefined);
      if (!found) details.push({ path, reason: `no template "${id}" in this store` });
      else if (found.archived_at) details.push({ path, reason: `template "${found.name}" is archived` });
    }
    if (details.length) throw new AppError('validation_failed', 'Invalid campaign message', details);
  }

  /**
   * An SMS or webhook campaign's text: its Liquid compiles (problems name `text` and the line) and,
   * before sending (`required`), it is written and the store's channel is set up (422 naming `channel`).
   */
  private async checkText(storeId: string, channel: OtherChannel, text: string | null | undefined, required: boolean): Promise<void> {
    if (!text) {
      if (required) throw new AppError('validation_failed', 'Invalid campaign message', [{ path: 'text', reason: 'write the text to send before starting' }]);
      return;
    }
    this.compiledText(text);
    if (required) checkChannelReady(channel, await this.messages.settings(storeId));
  }

  private compiledText(text: string): CompiledText {
    const result = compileText(text);
    if (!result.ok) {
      throw new AppError('validation_failed', 'Invalid campaign message', result.problems.map((p) => ({ ...p, reason: `${p.line ? `line ${p.line}${p.column ? `, column ${p.column}` : ''}: ` : ''}${p.reason}` })));
    }
    return result.compiled;
  }

  /** Whose address and consent a campaign on this channel needs: a webhook campaign's is the store's `webhook_consent`. */
  async addressChannel(storeId: string, channel: 'email' | OtherChannel): Promise<'email' | 'sms'> {
    if (channel !== 'webhook') return channel;
    return (await this.messages.settings(storeId)).webhook_consent ?? 'email';
  }

  /** Queues each recipient's message, not to be sent before their time under the campaign's delivery, counted from `from`. */
  async queue(storeId: string, campaign: CampaignToSend, recipients: readonly { customerId: number; variant: number }[], from = new Date()): Promise<void> {
    await this.check(storeId, campaign, true);
    const times = await recipientTimes(this.read, storeId, campaign.delivery ?? null, recipients.map((r) => r.customerId), from);
    if (campaign.channel && campaign.channel !== 'email') return this.queueTexts(storeId, { ...campaign, channel: campaign.channel }, recipients, times);
    const store = await this.templates.storeVariables(storeId);
    const templateOf = (variant: number) => campaign.ab_test?.variants[variant]?.template_id ?? campaign.template_id!;
    const compiled = new Map<string, Awaited<ReturnType<TemplatesService['compiled']>>>();
    for (const id of new Set(recipients.map((r) => templateOf(r.variant)))) compiled.set(id, await this.templates.compiled(storeId, id));
    const readsRecommendations = [...compiled.values()].some((t) => t.compiled.usesRecommendations);
    const audienceSegments = readsRecommendations && this.segments ? campaign.segment_ids ?? [] : [];
    for (let start = 0; start < recipients.length; start += QUEUE_SLICE) {
      const slice = recipients.slice(start, start + QUEUE_SLICE);
      // Each slice's customers are read together; the messages are rendered from memory.
      const ids = slice.map((r) => r.customerId);
      const facts = await this.templates.customerFacts(storeId, ids, readsRecommendations ? { recommendations: store, segments: await this.segments!().firstOf(storeId, audienceSegments, ids) } : {});
      const codes = campaign.offer_id && this.offers
        ? await this.offers().codesFor(storeId, campaign.offer_id, slice.map((r) => ({ customerId: r.customerId, key: `${campaignSource(campaign.id)}:${r.customerId}` })), from)
        : undefined;
      await this.messages.queueEmails(storeId, slice.map((r) => {
        const templateId = templateOf(r.variant);
        const template = compiled.get(templateId)!;
        const sendKey = `${campaignSource(campaign.id)}:${r.customerId}`;
        return {
          sendKey, purpose: 'marketing' as const, customerId: r.customerId, source: campaignSource(campaign.id), notBefore: times.get(r.customerId) ?? null,
          templateId, templateVersion: template.version, topic: campaign.topic_id ?? null,
          template: {
            compiled: template.compiled, tracked: true,
            variables: () => {
              const customer = facts.get(r.customerId);
              if (!customer) throw notFound(`Customer "${r.customerId}"`);
              return recipientVariables(store, customer, { ...(codes && { discount_code: codes.get(sendKey) ?? null }) });
            },
          },
        };
      }));
    }
  }

  /** An SMS or webhook campaign: its text rendered for each recipient, queued through the channel under the same send keys. */
  private async queueTexts(storeId: string, campaign: CampaignToSend & { channel: OtherChannel }, recipients: readonly { customerId: number }[], times: ReadonlyMap<number, Date | null>): Promise<void> {
    const text = this.compiledText(campaign.text!);
    const store = await this.templates.storeVariables(storeId);
    for (let start = 0; start < recipients.length; start += QUEUE_SLICE) {
      const slice = recipients.slice(start, start + QUEUE_SLICE);
      const facts = await this.templates.customerFacts(storeId, slice.map((r) => r.customerId));
      await this.messages.queueMessages(storeId, slice.map((r) => ({
        channel: campaign.channel, sendKey: `${campaignSource(campaign.id)}:${r.customerId}`, purpose: 'marketing' as const, customerId: r.customerId,
        source: campaignSource(campaign.id), notBefore: times.get(r.customerId) ?? null,
        build: (links) => {
          const customer = facts.get(r.customerId);
          if (!customer) throw notFound(`Customer "${r.customerId}"`);
          return { text: renderText(text, customerVariables(store, customer, { links }, links)) };
        },
      })));
    }
  }

  figures(storeId: string, campaignId: string): Promise<SourceFigures> {
    return this.engagement.figures(storeId, campaignSource(campaignId));
  }

  /** When the campaign's messages are planned to go out, first and last. */
  spread(storeId: string, campaignId: string): Promise<{ first_at: Date | null; last_at: Date | null }> {
    return sourceSpread(this.read, storeId, campaignSource(campaignId));
  }

  firstClicks(storeId: string, campaignId: string): Promise<{ customer_id: number; clicked_at: Date }[]> {
    return this.engagement.firstClicks(storeId, campaignSource(campaignId));
  }
}
