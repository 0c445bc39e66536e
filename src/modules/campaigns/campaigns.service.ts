/**
 * Campaigns: one message to an audience — customers in any of the chosen segments, minus those in
 * the excluded ones, who have an address on the campaign's channel (email, or phone for SMS) and
 * consent to marketing on it — with a random holdout
 * that receives nothing. Starting a campaign freezes its audience with each person's group (see
 * holdout.ts), so the results compare the same people however the segments change afterwards.
 * Delivery (rendering and sending) is the messaging module's; this module declares what it needs.
 */
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import type { JobQueue } from '../../jobs/queue.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { membersOfAny, type SegmentsService } from '../segments/index.js';
import { channelProblems, DEFAULT_ATTRIBUTION_DAYS, DEFAULT_HOLDOUT_SHARE, type CampaignInput, type CampaignPatch, type Delivery } from './campaign.input.js';
import { campaignsDb, type CampaignChannel, type CampaignsDb } from './campaigns.table.js';
import { viewOf, type CampaignView } from './campaign.view.js';
import { assignGroup, type GroupPlan } from './holdout.js';
import { campaignResults, type CampaignResults } from './campaign-results.js';
import { chooseWinner } from './ab-winner.js';

export interface AudienceCount {
  /** Customers in any of the chosen segments. */
  in_segments: number;
  /** Of those, in an excluded segment. */
  excluded: number;
  /** Left without an email address. */
  without_email: number;
  /** Left without an address on the campaign's channel (email, or phone for SMS). */
  without_address: number;
  /** Left with an address on the channel but no marketing consent on it (unsubscribed, never asked, …). */
  without_consent: number;
  /** Who the campaign is for: holdout and recipients together. */
  audience: number;
  /** Expected to be held out (the exact split is made when the campaign starts). */
  holdout_expected: number;
}

/** What happened to a campaign's messages (from the messaging module). */
export interface MessageFigures {
  queued: number;
  sent: number;
  failed: number;
  suppressed: number;
  uncertain: number;
  opened: number;
  clicked: number;
  unsubscribed: number;
  complained: number;
  bounced: number;
}

/** What a campaign needs from the messaging module to deliver it and report on its messages. */
export interface CampaignDelivery {
  /** Refuses missing (when `required`) or unknown templates, a text that does not compile, a channel not set up (when `required`), naming the field. */
  check(storeId: string, campaign: Pick<CampaignView, 'template_id' | 'ab_test'> & { topic_id?: string | null; offer_id?: string | null; channel?: CampaignChannel; text?: string | null }, required: boolean): Promise<void>;
  /** Whose address and consent a campaign on this channel needs: email, or SMS (a webhook campaign: the store's webhook consent). */
  addressChannel(storeId: string, channel: CampaignChannel): Promise<'email' | 'sms'>;
  /**
   * Queues one message per recipient, idempotent by send key (`campaign:<id>:<customer>`), each not
   * sent before its time under the campaign's delivery, counted from `from`.
   */
  queue(storeId: string, campaign: CampaignView, recipients: readonly { customerId: number; variant: number }[], from?: Date): Promise<void>;
  /** When the campaign's messages are planned to go out, first and last. */
  spread(storeId: string, campaignId: string): Promise<{ first_at: Date | null; last_at: Date | null }>;
  figures(storeId: string, campaignId: string): Promise<MessageFigures>;
  /** Each recipient's first click, for orders attributed to a click. */
  firstClicks(storeId: string, campaignId: string): Promise<{ customer_id: number; clicked_at: Date }[]>;
}

export const CAMPAIGN_START_JOB = 'campaign.start';
export const CAMPAIGN_WINNER_JOB = 'campaign.pick_winner';

/** Recipients are written in slices, one insert each. */
const INSERT_SLICE = 50_000;

export class CampaignsService {
  private readonly write: CampaignsDb;
  private readonly read: CampaignsDb;

  /**
   * `heldOut`: the customers the store's global holdout held out at a moment (they got no
   * marketing then), left out of a campaign's results (the experiments module keeps them).
   */
  constructor(
    storage: Storage, private readonly segments: SegmentsService, private readonly jobs: JobQueue, private readonly delivery?: () => CampaignDelivery | undefined,
    private readonly heldOut?: (storeId: string, at: Date) => Promise<number[]>,
  ) {
    this.write = campaignsDb(storage.write);
    this.read = campaignsDb(storage.read);
  }

  async list(storeId: string): Promise<CampaignView[]> {
    const rows = await this.read.selectFrom('campaigns').selectAll().where('store_id', '=', storeId).orderBy('created_at', 'desc').execute();
    return rows.map(viewOf);
  }

  async get(storeId: string, id: string): Promise<CampaignView> {
    const row = await this.read.selectFrom('campaigns').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`Campaign ${id}`);
    return viewOf(row);
  }

  async create(storeId: string, input: CampaignInput): Promise<CampaignView> {
    await this.checkSegments(storeId, input.segment_ids, input.exclude_segment_ids ?? []);
    const channel = input.channel ?? 'email';
    const message = { channel, text: input.text ?? null, template_id: input.template_id ?? null, ab_test: input.ab_test ?? null, topic_id: input.topic_id ?? null, offer_id: input.offer_id ?? null };
    checkChannel(message);
    await this.delivery?.()?.check(storeId, message, false);
    const now = new Date();
    const sendAt = input.send_at ? new Date(input.send_at) : startFor(input.delivery, now);
    const id = newId('cmp');
    await this.write.insertInto('campaigns').values({
      store_id: storeId, id, name: input.name, channel, message_text: message.text, template_id: input.template_id ?? null, topic_id: input.topic_id ?? null, offer_id: input.offer_id ?? null,
      segment_ids: JSON.stringify(input.segment_ids), exclude_segment_ids: JSON.stringify(input.exclude_segment_ids ?? []),
      holdout_share: input.holdout_share ?? DEFAULT_HOLDOUT_SHARE, attribution_days: input.attribution_days ?? DEFAULT_ATTRIBUTION_DAYS,
      ab_test: input.ab_test ? JSON.stringify(input.ab_test) : null, status: sendAt ? 'scheduled' : 'draft',
      send_at: sendAt, delivery: input.delivery ? JSON.stringify(input.delivery) : null, started_at: null, finished_at: null, paused_reason: null,
      winner_variant: null, winner_reason: null, created_at: now, updated_at: now,
    }).execute();
    return this.scheduled(storeId, await this.get(storeId, id));
  }

  /** Changes a campaign that has not started; a started one keeps what its recipients were sent. */
  async update(storeId: string, id: string, patch: CampaignPatch): Promise<CampaignView> {
    const current = await this.get(storeId, id);
    if (current.status !== 'draft' && current.status !== 'scheduled') {
      throw new AppError('conflict', `Campaign ${id} is ${current.status}: only a draft or scheduled campaign can be changed`);
    }
    const segmentIds = patch.segment_ids ?? current.segment_ids;
    const excluded = patch.exclude_segment_ids ?? current.exclude_segment_ids;
    if (patch.segment_ids || patch.exclude_segment_ids) await this.checkSegments(storeId, segmentIds, excluded);
    const merged = <K extends 'template_id' | 'ab_test' | 'topic_id' | 'offer_id' | 'text'>(key: K) => (patch[key] === undefined ? current[key] : patch[key] ?? null);
    const channel = patch.channel ?? current.channel;
    if (patch.channel !== undefined || patch.text !== undefined || patch.template_id !== undefined || patch.ab_test !== undefined || patch.topic_id !== undefined || patch.offer_id !== undefined) {
      checkChannel({ channel, text: merged('text'), template_id: merged('template_id'), ab_test: merged('ab_test'), topic_id: merged('topic_id'), offer_id: merged('offer_id') });
      await this.delivery?.()?.check(storeId, { channel, text: patch.text, template_id: merged('template_id'), ab_test: merged('ab_test'), topic_id: patch.topic_id, offer_id: patch.offer_id }, false);
    }
    const sendAt = patch.send_at === undefined ? startFor(patch.delivery, new Date()) ?? current.send_at : patch.send_at === null ? null : new Date(patch.send_at);
    await this.write.updateTable('campaigns').set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.channel !== undefined && { channel: patch.channel }),
      ...(patch.text !== undefined && { message_text: patch.text }),
      ...(patch.template_id !== undefined && { template_id: patch.template_id }),
      ...(patch.topic_id !== undefined && { topic_id: patch.topic_id }),
      ...(patch.offer_id !== undefined && { offer_id: patch.offer_id }),
      segment_ids: JSON.stringify(segmentIds), exclude_segment_ids: JSON.stringify(excluded),
      ...(patch.holdout_share !== undefined && { holdout_share: patch.holdout_share }),
      ...(patch.attribution_days !== undefined && { attribution_days: patch.attribution_days }),
      ...(patch.ab_test !== undefined && { ab_test: patch.ab_test ? JSON.stringify(patch.ab_test) : null }),
      ...(patch.delivery !== undefined && { delivery: JSON.stringify(patch.delivery) }),
      send_at: sendAt, status: sendAt ? 'scheduled' : 'draft', updated_at: new Date(),
    }).where('store_id', '=', storeId).where('id', '=', id).execute();
    return this.scheduled(storeId, await this.get(storeId, id));
  }

  /** Deletes a campaign that never started (a started one is kept for its results). */
  async remove(storeId: string, id: string): Promise<void> {
    const current = await this.get(storeId, id);
    if (current.started_at) throw new AppError('conflict', `Campaign ${id} has started; it is kept for its results`);
    await this.write.deleteFrom('campaigns').where('store_id', '=', storeId).where('id', '=', id).execute();
  }

  /** Who a campaign with these segments would reach now, and why the others would not. */
  async audience(storeId: string, spec: { segment_ids: readonly string[]; exclude_segment_ids?: readonly string[]; holdout_share?: number; channel?: CampaignChannel }): Promise<AudienceCount> {
    const excluded = spec.exclude_segment_ids ?? [];
    await this.checkSegments(storeId, spec.segment_ids, excluded);
    const { address, consent } = await this.reach(storeId, spec.channel ?? 'email');
    const { rows } = await sql<{ in_segments: number; excluded: number; without_email: number; without_address: number; without_consent: number; audience: number }>`
      with chosen as (
        select c.id, c.email, ${address} as address, ${consent} as consent, c.id in ${membersOfAny(storeId, excluded)} as is_excluded
        from customers c where c.store_id = ${storeId} and c.id in ${membersOfAny(storeId, spec.segment_ids)}
      )
      select count(*)::int as in_segments,
        count(*) filter (where is_excluded)::int as excluded,
        count(*) filter (where not is_excluded and coalesce(trim(email), '') = '')::int as without_email,
        count(*) filter (where not is_excluded and coalesce(trim(address), '') = '')::int as without_address,
        count(*) filter (where not is_excluded and coalesce(trim(address), '') <> '' and consent is distinct from 'subscribed')::int as without_consent,
        count(*) filter (where not is_excluded and coalesce(trim(address), '') <> '' and consent = 'subscribed')::int as audience
      from chosen`.execute(this.read);
    const counts = rows[0]!;
    return { ...counts, holdout_expected: Math.round(counts.audience * (spec.holdout_share ?? DEFAULT_HOLDOUT_SHARE)) };
  }

  /**
   * Starts a campaign: refreshes its segments, freezes the audience with each person's group, and
   * hands the recipients to delivery. Starting again is harmless: the frozen audience is kept and
   * delivery, idempotent by send key, sends nothing twice. With an A/B test, the variants go out
   * now and the rest get the winner when the test window ends.
   */
  async start(storeId: string, id: string, now = new Date(), options: { refreshSegments?: boolean } = {}): Promise<{ campaign: CampaignView; audience: number; holdout: number; recipients: number }> {
    const campaign = await this.get(storeId, id);
    if (campaign.status === 'cancelled') throw new AppError('conflict', `Campaign ${id} was cancelled`);
    if (!campaign.started_at) {
      await this.delivery?.()?.check(storeId, campaign, true);
      if (options.refreshSegments ?? true) {
        for (const segmentId of [...campaign.segment_ids, ...campaign.exclude_segment_ids]) await this.segments.refresh(storeId, segmentId, now);
      }
      await this.freezeAudience(storeId, campaign, now);
      if (campaign.ab_test) {
        const runAt = new Date(now.getTime() + campaign.ab_test.test_hours * 3_600_000);
        await this.jobs.enqueue(CAMPAIGN_WINNER_JOB, { storeId, campaignId: id }, { storeId, runAt, dedupeKey: `${CAMPAIGN_WINNER_JOB}:${id}` });
      }
    }
    const groups = await this.read.selectFrom('campaign_recipients').select(['customer_id', 'group_kind', 'variant'])
      .where('store_id', '=', storeId).where('campaign_id', '=', id).execute();
    const started = await this.get(storeId, id);
    await this.deliver(storeId, started, groups.filter((g) => g.group_kind === 'variant').map((g) => ({ customerId: Number(g.customer_id), variant: g.variant ?? 0 })), now);
    if (started.winner_variant !== null) {
      await this.deliver(storeId, started, groups.filter((g) => g.group_kind === 'rest').map((g) => ({ customerId: Number(g.customer_id), variant: started.winner_variant! })), now);
    }
    const holdout = groups.filter((g) => g.group_kind === 'holdout').length;
    return { campaign: started, audience: groups.length, holdout, recipients: groups.length - holdout };
  }

  /**
   * Marks campaigns `sent` once none of their messages waits any more (and an A/B test has sent its
   * winner). Called after each batch the sender finishes.
   */
  async settleSent(storeId: string, now = new Date()): Promise<string[]> {
    const delivery = this.delivery?.();
    if (!delivery) return [];
    const sending = (await this.list(storeId)).filter((c) => c.status === 'sending' && (!c.ab_test || c.winner_variant !== null));
    const settled: string[] = [];
    for (const campaign of sending) {
      const figures = await delivery.figures(storeId, campaign.id);
      if (figures.queued > 0) continue;
      await this.write.updateTable('campaigns').set({ status: 'sent', finished_at: now, updated_at: now })
        .where('store_id', '=', storeId).where('id', '=', campaign.id).where('status', '=', 'sending').execute();
      settled.push(campaign.id);
    }
    return settled;
  }

  /** The scheduled start: runs only if the campaign is still scheduled for that time. */
  async runStartJob(payload: { storeId: string; campaignId: string; sendAt: string }): Promise<unknown> {
    const campaign = await this.get(payload.storeId, payload.campaignId).catch(() => undefined);
    if (!campaign || campaign.status !== 'scheduled' || campaign.send_at?.toISOString() !== payload.sendAt) return { skipped: 'no longer scheduled for this time' };
    const started = await this.start(payload.storeId, payload.campaignId);
    return { recipients: started.recipients, holdout: started.holdout };
  }

  /**
   * Ends an A/B test: the variant that did best by the test's rule in the test window wins
   * (ab-winner.ts); the rest are sent the winner.
   */
  async pickWinner(storeId: string, id: string, now = new Date()): Promise<CampaignView> {
    const campaign = await this.get(storeId, id);
    if (!campaign.ab_test || !campaign.started_at || campaign.winner_variant !== null) return campaign;
    // The job runs when the test window ends; the window is the test's hours from the start.
    const end = new Date(campaign.started_at.getTime() + campaign.ab_test.test_hours * 3_600_000);
    const results = await campaignResults(this.read, storeId, campaign, { currency: '', now: end, until: end, heldOut: await this.heldOut?.(storeId, campaign.started_at) });
    const clickers = campaign.ab_test.winner_metric === 'clicks' ? await this.clickersByVariant(storeId, campaign, end) : new Map<number, number>();
    const variants = results.groups.filter((g) => /^[A-Z]$/.test(g.group)).map((g) => ({ ...g, clickers: clickers.get(g.group.charCodeAt(0) - 65) ?? 0 }));
    const { winner, reason } = chooseWinner(campaign.ab_test.winner_metric, variants, campaign.ab_test.test_hours);
    await this.write.updateTable('campaigns').set({ winner_variant: winner, winner_reason: reason, updated_at: now })
      .where('store_id', '=', storeId).where('id', '=', id).where('winner_variant', 'is', null).execute();
    const picked = await this.get(storeId, id);
    const rest = await this.read.selectFrom('campaign_recipients').select('customer_id')
      .where('store_id', '=', storeId).where('campaign_id', '=', id).where('group_kind', '=', 'rest').execute();
    await this.deliver(storeId, picked, rest.map((r) => ({ customerId: Number(r.customer_id), variant: picked.winner_variant! })), now);
    return picked;
  }

  /** People of each variant who clicked before `end` (their first click). */
  private async clickersByVariant(storeId: string, campaign: CampaignView, end: Date): Promise<Map<number, number>> {
    const clicks = await this.delivery?.()?.firstClicks(storeId, campaign.id) ?? [];
    const clicked = new Set(clicks.filter((c) => c.clicked_at.getTime() < end.getTime()).map((c) => c.customer_id));
    const tested = await this.read.selectFrom('campaign_recipients').select(['customer_id', 'variant'])
      .where('store_id', '=', storeId).where('campaign_id', '=', campaign.id).where('group_kind', '=', 'variant').execute();
    const counts = new Map<number, number>();
    for (const r of tested) if (clicked.has(Number(r.customer_id))) counts.set(r.variant ?? 0, (counts.get(r.variant ?? 0) ?? 0) + 1);
    return counts;
  }

  /** The frozen audience, by customer id, with each person's group (a page at a time). */
  async recipients(storeId: string, id: string, options: { group?: 'holdout' | 'sent'; after?: number; limit?: number } = {}): Promise<{ data: { customer_id: number; group: string }[]; next_cursor: string | null }> {
    const campaign = await this.get(storeId, id);
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const rows = await this.read.selectFrom('campaign_recipients').select(['customer_id', 'group_kind', 'variant'])
      .where('store_id', '=', storeId).where('campaign_id', '=', id).where('customer_id', '>', options.after ?? 0)
      .$if(options.group === 'holdout', (q) => q.where('group_kind', '=', 'holdout'))
      .$if(options.group === 'sent', (q) => q.where('group_kind', '<>', 'holdout'))
      .orderBy('customer_id').limit(limit + 1).execute();
    const tested = (campaign.ab_test?.variants.length ?? 1) > 1;
    const data = rows.slice(0, limit).map((r) => ({
      customer_id: Number(r.customer_id),
      group: r.group_kind === 'holdout' ? 'holdout' : r.group_kind === 'rest' ? 'rest' : tested ? String.fromCharCode(65 + (r.variant ?? 0)) : 'sent',
    }));
    return { data, next_cursor: rows.length > limit ? String(data.at(-1)!.customer_id) : null };
  }

  /** Results so far: each group's orders and revenue in the attribution window, and the lift over the holdout. */
  async results(storeId: string, id: string, now = new Date()): Promise<CampaignResults> {
    const campaign = await this.get(storeId, id);
    const currency = await this.read.selectFrom('stores').select('currency').where('id', '=', storeId).executeTakeFirst();
    const delivery = this.delivery?.();
    return campaignResults(this.read, storeId, campaign, {
      currency: currency?.currency ?? 'USD', now, ...(campaign.started_at && { heldOut: await this.heldOut?.(storeId, campaign.started_at) }),
      ...(delivery && campaign.started_at && {
        messages: await delivery.figures(storeId, id), clicks: await delivery.firstClicks(storeId, id), spread: await delivery.spread(storeId, id),
      }),
    });
  }

  private async deliver(storeId: string, campaign: CampaignView, recipients: { customerId: number; variant: number }[], from: Date): Promise<void> {
    if (recipients.length) await this.delivery?.()?.queue(storeId, campaign, recipients, from);
  }

  /** A scheduled campaign gets a start job at its time (a changed time gets a new job; the old one finds nothing to do). */
  private async scheduled(storeId: string, campaign: CampaignView): Promise<CampaignView> {
    if (campaign.status === 'scheduled' && campaign.send_at) {
      const sendAt = campaign.send_at.toISOString();
      await this.jobs.enqueue(CAMPAIGN_START_JOB, { storeId, campaignId: campaign.id, sendAt }, { storeId, runAt: campaign.send_at, dedupeKey: `${CAMPAIGN_START_JOB}:${campaign.id}:${sendAt}` });
    }
    return campaign;
  }

  /** The customer's address and consent columns a campaign on this channel reads (from an allow-list). */
  private async reach(storeId: string, channel: CampaignChannel) {
    const by = (await this.delivery?.()?.addressChannel(storeId, channel)) ?? 'email';
    return by === 'sms' ? { address: sql.ref('c.phone'), consent: sql.ref('c.sms_consent') } : { address: sql.ref('c.email'), consent: sql.ref('c.email_consent') };
  }

  private async freezeAudience(storeId: string, campaign: CampaignView, now: Date): Promise<void> {
    const excluded = campaign.exclude_segment_ids;
    const { address, consent } = await this.reach(storeId, campaign.channel);
    const { rows } = await sql<{ id: number }>`select c.id from customers c
      where c.store_id = ${storeId} and c.id in ${membersOfAny(storeId, campaign.segment_ids)}
        and c.id not in ${membersOfAny(storeId, excluded)}
        and coalesce(trim(${address}), '') <> '' and ${consent} = 'subscribed'
      order by c.id`.execute(this.read);
    const plan: GroupPlan = {
      holdoutShare: campaign.holdout_share,
      variants: campaign.ab_test?.variants.length ?? 1,
      testShare: campaign.ab_test?.test_share ?? 0,
    };
    const ids: number[] = [];
    const kinds: string[] = [];
    // -1 for "no variant": a bound list whose first item is null loses every value.
    const variants: number[] = [];
    for (const { id } of rows) {
      const group = assignGroup(campaign.id, id, plan);
      ids.push(Number(id));
      kinds.push(group.kind);
      variants.push(group.kind === 'variant' ? group.index : -1);
    }
    await this.write.transaction().execute(async (tx) => {
      for (let start = 0; start < ids.length; start += INSERT_SLICE) {
        const end = start + INSERT_SLICE;
        await sql`insert into campaign_recipients (store_id, campaign_id, customer_id, group_kind, variant, assigned_at)
          select ${storeId}, ${campaign.id}, unnest(${ids.slice(start, end)}::bigint[]), unnest(${kinds.slice(start, end)}::varchar[]),
            nullif(unnest(${variants.slice(start, end)}::integer[]), -1), ${now}`.execute(tx);
      }
      await tx.updateTable('campaigns').set({ status: 'sending', started_at: now, updated_at: now })
        .where('store_id', '=', storeId).where('id', '=', campaign.id).execute();
    });
  }

  private async checkSegments(storeId: string, included: readonly string[], excluded: readonly string[]): Promise<void> {
    const known = new Set((await this.segments.list(storeId)).map((s) => s.id));
    const details = [
      ...included.flatMap((id, i) => (known.has(id) ? [] : [{ path: `segment_ids.${i}`, reason: `no segment "${id}" in this store` }])),
      ...excluded.flatMap((id, i) => (known.has(id) ? [] : [{ path: `exclude_segment_ids.${i}`, reason: `no segment "${id}" in this store` }])),
      ...excluded.flatMap((id, i) => (included.includes(id) ? [{ path: `exclude_segment_ids.${i}`, reason: `segment "${id}" is also in segment_ids` }] : [])),
    ];
    if (details.length) throw new AppError('validation_failed', 'Invalid campaign audience', details);
  }
}

/** Refuses fields the campaign's channel does not send (campaign.input.ts), naming each. */
function checkChannel(campaign: Parameters<typeof channelProblems>[0]): void {
  const problems = channelProblems(campaign);
  if (problems.length) throw new AppError('validation_failed', 'Invalid campaign message', problems);
}

/**
 * The start a campaign sent at a local time needs when no start is given: where that time comes
 * first (UTC+14), or now when that has passed; a local time already past everywhere (UTC−12) is refused.
 */
function startFor(delivery: Delivery | undefined, now: Date): Date | null {
  if (delivery?.mode !== 'local_time') return null;
  const asUtc = new Date(`${delivery.local_time}:00Z`).getTime();
  if (asUtc + 12 * 3_600_000 <= now.getTime()) {
    throw new AppError('validation_failed', 'Invalid campaign timing', [{ path: 'delivery.local_time', reason: 'has already passed in every time zone' }]);
  }
  return new Date(Math.max(asUtc - 14 * 3_600_000, now.getTime()));
}
