/**
 * What the `loyalty` subscriber does with each domain event (docs/loyalty.md): order events go
 * to the order rules (loyalty.orders.ts); sign-ups, subscriptions, survey answers, reviews (more
 * with a photo) and tracked events pay the store's rule points, each once per key, tracked events within their cap per period;
 * birthdays pay theirs from the daily job.
 */
import { sql } from 'kysely';
import { birthdaysOn } from '../customers/index.js';
import type { DomainEvent } from '../domain-events/index.js';
import { addMonths } from './earning.js';
import { entryByKey } from './ledger.repository.js';
import { writeAward } from './ledger.writer.js';
import { awardOrder, clawBackCancellation, clawBackRefunds, releaseOrder } from './loyalty.orders.js';
import { voidRefundedRewards } from './loyalty.redemptions.js';
import type { LoyaltySettings } from './loyalty.settings.js';
import type { LoyaltyDb, LoyaltyTx } from './loyalty.table.js';
import { reconsiderTier } from './loyalty.tiers.js';
import { lastRefundAt, referralOrderPlaced, referralOrderReleased, referralOrderReturned } from './referral.orders.js';

export async function handleEvent(tx: LoyaltyTx, settings: LoyaltySettings, event: DomainEvent, now: Date): Promise<void> {
  const storeId = event.storeId;
  switch (event.type) {
    case 'order.placed':
      if (event.entityId !== null) {
        await awardOrder(tx, storeId, settings, event.entityId, now);
        await referralOrderPlaced(tx, storeId, settings, event.entityId, now);
      }
      return;
    case 'order.delivered': {
      const data = event.data as DomainEvent<'order.delivered'>['data'];
      if (event.entityId !== null && settings.pending.from === 'delivery') {
        await releaseOrder(tx, storeId, settings, event.entityId, data.delivered_at ? new Date(data.delivered_at) : event.occurredAt, now);
        await referralOrderReleased(tx, storeId, settings, event.entityId, now);
      }
      return;
    }
    case 'order.updated': {
      const data = event.data as DomainEvent<'order.updated'>['data'];
      if (event.entityId !== null && settings.pending.from === 'payment' && data.previous_status === 'pending' && data.status !== 'pending') {
        await releaseOrder(tx, storeId, settings, event.entityId, event.occurredAt, now);
        await referralOrderReleased(tx, storeId, settings, event.entityId, now);
      }
      return;
    }
    case 'order.refunded':
      if (event.entityId !== null) {
        await clawBackRefunds(tx, storeId, settings, event.entityId, now);
        await voidRefundedRewards(tx, storeId, event.entityId, now);
        await referralOrderReturned(tx, storeId, event.entityId, 'refund', await lastRefundAt(tx, storeId, event.entityId, event.occurredAt), now);
      }
      return;
    case 'order.cancelled':
      if (event.entityId !== null) {
        await clawBackCancellation(tx, storeId, settings, event.entityId, now);
        await voidRefundedRewards(tx, storeId, event.entityId, now);
        await referralOrderReturned(tx, storeId, event.entityId, 'cancel', event.occurredAt, now);
      }
      return;
    case 'customer.created': {
      if (event.customerId === null) return;
      await ruleAward(tx, settings, storeId, event.customerId, 'signup', settings.earning.signup_points, `signup:${event.customerId}`, now);
      // A customer who arrives subscribed records no consent change: the subscription counts now.
      if ((event.data as DomainEvent<'customer.created'>['data']).accepts_marketing) {
        await ruleAward(tx, settings, storeId, event.customerId, 'subscribe', settings.earning.subscribe_points, `subscribe:${event.customerId}`, now);
      }
      return;
    }
    case 'customer.consent_changed': {
      const data = event.data as DomainEvent<'customer.consent_changed'>['data'];
      if (event.customerId !== null && data.email === 'subscribed') await ruleAward(tx, settings, storeId, event.customerId, 'subscribe', settings.earning.subscribe_points, `subscribe:${event.customerId}`, now);
      return;
    }
    case 'event.received': {
      const data = event.data as DomainEvent<'event.received'>['data'];
      const rule = settings.earning.events.find((r) => r.name === data.name);
      if (!rule || event.customerId === null || data.type !== 'track') return;
      const since = periodStart(rule.per, now);
      const { rows } = await sql<{ n: number }>`select count(*) as n from loyalty_entries where store_id = ${storeId} and customer_id = ${event.customerId}
        and source = ${`rule:event:${rule.name}`} ${since ? sql`and created_at >= ${since}` : sql``}`.execute(tx);
      if (Number(rows[0]?.n ?? 0) >= rule.cap) return;
      await ruleAward(tx, settings, storeId, event.customerId, `event:${rule.name}`, rule.points, `event:${event.entityId ?? event.id}`, now);
      return;
    }
    case 'survey.answered': {
      const data = event.data as DomainEvent<'survey.answered'>['data'];
      if (event.customerId === null || settings.earning.survey_points <= 0 || !await isMember(tx, storeId, event.customerId)) return;
      // Once per answer: a changed answer records no new event, a redelivered one finds its key taken.
      await ruleAward(tx, settings, storeId, event.customerId, `survey:${data.kind}${data.key ? `:${data.key}` : ''}`, settings.earning.survey_points, surveyAwardKey(data.answer_id), now);
      return;
    }
    case 'review.submitted': {
      // A review refused at once earns nothing (imports of earlier reviews record no event).
      const data = event.data as DomainEvent<'review.submitted'>['data'] & { photos?: number };
      if (event.customerId === null || data.status === 'rejected' || !await isMember(tx, storeId, event.customerId)) return;
      const rule = `review:${data.product_id}`;
      await ruleAward(tx, settings, storeId, event.customerId, rule, settings.earning.review_points, `review:${data.review_id}`, now);
      if ((data.photos ?? 0) > 0) await ruleAward(tx, settings, storeId, event.customerId, `${rule}:photo`, settings.earning.review_photo_points, `review:${data.review_id}:photo`, now);
      return;
    }
    default:
  }
}

/** The ledger key of a survey answer's points. */
export const surveyAwardKey = (answerId: string): string => `survey:${answerId}`;

/** A member of the programme: a customer with a row in the ledger (docs/loyalty.md). */
export async function isMember(db: LoyaltyTx | LoyaltyDb, storeId: string, customerId: number): Promise<boolean> {
  return (await db.selectFrom('loyalty_entries').select('id').where('store_id', '=', storeId).where('customer_id', '=', customerId).limit(1).executeTakeFirst()) !== undefined;
}

/**
 * Birthday points: each member whose birthday is `day` (the store's calendar day, YYYY-MM-DD) gets
 * the rule's points once that year (key `birthday:<customer>:<year>`). Returns the awards written.
 */
export async function awardBirthdays(tx: LoyaltyTx, storeId: string, settings: LoyaltySettings, day: string, now: Date): Promise<number> {
  if (settings.earning.birthday_points <= 0) return 0;
  let awarded = 0;
  for (const customerId of await birthdaysOn(tx, storeId, day)) {
    const key = `birthday:${customerId}:${day.slice(0, 4)}`;
    if (!await isMember(tx, storeId, customerId) || await entryByKey(tx, storeId, key)) continue;
    await ruleAward(tx, settings, storeId, customerId, 'birthday', settings.earning.birthday_points, key, now);
    awarded += 1;
  }
  return awarded;
}

async function ruleAward(tx: LoyaltyTx, settings: LoyaltySettings, storeId: string, customerId: number, rule: string, points: number, key: string, now: Date): Promise<void> {
  if (points <= 0 || await entryByKey(tx, storeId, key)) return;
  await writeAward(tx, {
    storeId, customerId, kind: 'earn', points, state: 'available', availableAt: now,
    expiresAt: settings.expiry.mode === 'per_award' ? addMonths(now, settings.expiry.months) : null, source: `rule:${rule}`, key, at: now,
  });
  await reconsiderTier(tx, storeId, customerId, settings.tiers, now);
}

function periodStart(per: 'day' | 'week' | 'month' | 'year' | 'ever', now: Date): Date | undefined {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  if (per === 'day') return day;
  if (per === 'week') return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000);
  if (per === 'month') return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  if (per === 'year') return new Date(Date.UTC(now.getUTCFullYear(), 0, 1));
  return undefined;
}
