/**
 * The demo's loyalty programme (docs/loyalty.md): switched on when the history window begins, it
 * earns from the orders placed since through the loyalty service's own event handling (driven by
 * demo-history.ts), and its members redeem rewards and receive a few adjustments along the way.
 */
import type { LoyaltySettings } from '../loyalty/index.js';
import type { Services } from '../../services.js';
import { plantedDraw } from './planted-effects.js';

/**
 * One point per dollar on the net of discounts, pending for the 14-day return window after
 * delivery; tiers on points earned over 12 months (Bronze from 100, Silver from 200 ×1.25, Gold from 450 ×1.5). Points lapse after
 * two months without earning or redeeming — shorter than most stores choose, so the demo's three
 * months of history show points lapsing and the reminders before.
 */
export const DEMO_LOYALTY_SETTINGS: LoyaltySettings = {
  enabled: true,
  earning: {
    points_per_currency_unit: 1, points_per_order: 0, include_shipping: false, include_tax: false,
    signup_points: 50, subscribe_points: 25, birthday_points: 0, events: [],
  },
  pending: { days: 14, from: 'delivery' },
  expiry: { mode: 'inactivity', months: 2, reminder_days: [14, 3] },
  negative_balance: 'owed',
  // A point is worth one cent: 500 points buy $5 off.
  point_value: 1,
  tiers: {
    basis: 'points_earned',
    levels: [
      { name: 'Bronze', threshold: 100, multiplier: 1 },
      { name: 'Silver', threshold: 200, multiplier: 1.25 },
      { name: 'Gold', threshold: 450, multiplier: 1.5 },
    ],
  },
  rewards: [
    { id: 'free-shipping', name: 'Free shipping', kind: 'free_shipping', points: 150, value: 0 },
    { id: 'five-off', name: '$5 off your next order', kind: 'amount_off', points: 500, value: 500 },
    { id: 'ten-percent', name: '10% off your next order', kind: 'percent_off', points: 800, value: 10 },
  ],
};

/** Of the members who can afford a reward on a redemption day, this share redeems the dearest they can. */
const REDEEM_SHARE = 0.3;
/** Goodwill credits per adjustment day (a late parcel, a damaged item). */
const GOODWILL_PER_DAY = 3;

/**
 * One day of the members' own actions, at `now`: some redeem (key per customer and day, so a
 * rebuilt day redeems nothing twice) and a few get a goodwill credit from the store's team.
 */
export async function loyaltyDay(services: Services, storeId: string, now: Date, day: number, options: { redeem: boolean; adjust: boolean }): Promise<void> {
  const loyalty = services.loyalty;
  const rewards = [...DEMO_LOYALTY_SETTINGS.rewards].sort((a, b) => b.points - a.points);
  const cheapest = rewards.at(-1)!.points;
  let credited = 0;
  for (let after: number | undefined; ;) {
    const page = await loyalty.members(storeId, { limit: 1000, ...(after !== undefined && { after }) }, now);
    for (const member of page.data) {
      if (options.redeem && member.available >= cheapest && plantedDraw(`redeem:${day}`, member.customer_id) < REDEEM_SHARE) {
        const reward = rewards.find((r) => r.points <= member.available)!;
        await loyalty.redeem(storeId, member.customer_id, { reward_id: reward.id, key: `demo:redeem:${member.customer_id}:${day}` }, now);
      }
      if (options.adjust && credited < GOODWILL_PER_DAY && plantedDraw(`goodwill:${day}`, member.customer_id) < 0.02) {
        credited += 1;
        await loyalty.adjust(storeId, member.customer_id, { points: 100, reason: 'Goodwill: the parcel arrived late', key: `demo:goodwill:${member.customer_id}:${day}`, actor: 'owner@demo-outfitters.example' }, now);
      }
    }
    if (!page.next_cursor) break;
    after = Number(page.next_cursor);
  }
}
