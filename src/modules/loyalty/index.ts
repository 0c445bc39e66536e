/**
 * The loyalty module's public door: the points ledger, earning from orders and rules, redemptions,
 * adjustments, tiers and expiry (docs/loyalty.md).
 */
import type { HearthModule } from '../../module.js';
import type { DomainEventType, EventSubscriber } from '../domain-events/index.js';
import type { Services } from '../../services.js';
import { FULFILMENT_EVENTS, queueFulfilment } from './loyalty.fulfilment.js';
import { LOYALTY_EXPIRE_JOB, type LoyaltyService } from './loyalty.service.js';

export { LoyaltyService, LOYALTY_EXPIRE_JOB, type StoredSettings } from './loyalty.service.js';
export type { LoyaltyAnalytics } from './loyalty.analytics.js';
export { BACKFILL_CHUNK, type BackfillOptions, type BackfillProgress, type BackfillSummary } from './loyalty.backfill.js';
export { defaultLoyaltySettings, eventRuleSchema, loyaltySettingsSchema, rewardKinds, rewardSchema, tierSchema, type LoyaltySettings, type Reward } from './loyalty.settings.js';
export { entryKinds, entryStates } from './loyalty.table.js';
export { redemptionStatuses, type BalanceView, type EntryView, type LiabilityView, type MemberView, type RedemptionView } from './loyalty.views.js';
export { referralSettingsSchema, defaultReferralSettings, type ReferralSettings } from './loyalty.settings.js';
export { ReferralService, type ReferralAnswer, type ReferralCodeView, type SignupInput } from './referral.service.js';
export { referralStates, rejectionReasons, type ReferralState, type RejectionReason } from './referral.table.js';
export { addressSchema, normaliseAddress, normaliseEmail, paymentFingerprintSchema, referralLink, shareLinks, type Address } from './referral.normalise.js';
export { type ReferralView, type FriendOffer } from './referral.views.js';
export { codeOf, importSources, sourceColumns, type ImportSource, type ImportSummary } from './loyalty.import.js';
export { LOYALTY_WIDGET_SOURCE } from './loyalty-widget.js';
export { earningBase, orderPoints, pointsValue, proportion } from './earning.js';

export const LOYALTY_SUBSCRIBER = 'loyalty';

const types: readonly DomainEventType[] = [
  'order.placed', 'order.updated', 'order.delivered', 'order.refunded', 'order.cancelled',
  'customer.created', 'customer.consent_changed', 'event.received', 'survey.answered', 'review.submitted',
];

/** Acts on each order, customer, tracked event, survey answer and review; every effect is keyed, so a redelivered batch changes nothing. */
export function loyaltySubscriber(loyalty: LoyaltyService): EventSubscriber {
  return { name: LOYALTY_SUBSCRIBER, types, handle: (events) => loyalty.handleEvents(events) };
}

export const LOYALTY_FULFILMENT_SUBSCRIBER = 'loyalty-fulfilment';

/** Hands redeemed and returned rewards to the shop on its webhook channel, when the programme asks for it (loyalty.fulfilment.ts). */
export function fulfilmentSubscriber(services: Pick<Services, 'loyalty' | 'messages' | 'storage' | 'logger'>): EventSubscriber {
  return {
    name: LOYALTY_FULFILMENT_SUBSCRIBER, types: FULFILMENT_EVENTS, customersOnly: true,
    handle: (events) => queueFulfilment({
      settings: async (storeId) => (await services.loyalty.settings(storeId)).settings,
      customers: async (storeId, ids) => new Map((await services.storage.read.selectFrom('customers').select(['id', 'external_id', 'email'])
        .where('store_id', '=', storeId).where('id', 'in', [...ids]).execute()).map((c) => [Number(c.id), { id: Number(c.id), external_id: c.external_id, email: c.email }])),
      queue: (storeId, messages) => services.messages.queueMessages(storeId, messages),
      warn: (storeId, reason) => services.logger.warn({ storeId, reason }, 'loyalty fulfilment webhook not queued'),
    }, events),
  };
}

const DAY_MS = 86_400_000;

export const loyaltyModule: HearthModule = {
  name: 'loyalty',
  jobs: [{ kind: LOYALTY_EXPIRE_JOB, run: async (services, { payload }) => services.loyalty.runDaily((payload as { storeId: string }).storeId) }],
  schedules: [{ kind: LOYALTY_EXPIRE_JOB, everyMs: DAY_MS }],
  subscribers: (services) => [loyaltySubscriber(services.loyalty), fulfilmentSubscriber(services)],
};
