/**
 * The demo's loyalty programme (docs/loyalty.md): switched on when the history window begins, it
 * earns from the orders placed since through the loyalty service's own event handling (driven by
 * demo-history.ts), and its members redeem rewards, receive a few adjustments and refer friends
 * along the way.
 */
import { sql } from 'kysely';
import { DAY_MS } from '../../lib/time.js';
import type { LoyaltySettings } from '../loyalty/index.js';
import type { Services } from '../../services.js';
import { DEMO_STORE } from './calendar.js';
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
    signup_points: 50, subscribe_points: 25, birthday_points: 100, survey_points: 0, review_points: 0, review_photo_points: 0, events: [],
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
  // A friend gets $10 off their first order; the referrer 500 points once it can no longer be returned.
  referrals: {
    enabled: true, referrer_points: 500, friend_offer: { kind: 'amount_off', value: 1_000 }, link_base: `${DEMO_STORE.site}/`,
    share_message: 'I shop at Demo Outfitters: here is $10 off your first order', limit: { max: 5, per: 'month' },
  },
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

/**
 * One day of referrals, at `now` (every third day): up to two customers whose first order comes
 * between an hour and four days later sign up through a link a customer with two or more orders shared, so
 * the referral is ordered once that first order arrives and rewarded when its return window
 * closes; every tenth day one more sign-up uses the referrer's own email, which the fraud checks
 * reject. Keys are per day, so a rebuilt day refers nobody twice.
 */
export async function referralDay(services: Services, storeId: string, now: Date, day: number): Promise<void> {
  if (day % 3 !== 0) return;
  const { rows: friends } = await sql<{ id: number; email: string }>`select c.id, c.email from customers c
    where c.store_id = ${storeId} and c.email is not null
      and (select min(o.placed_at) from orders o where o.store_id = c.store_id and o.customer_id = c.id) between ${new Date(now.getTime() + 3_600_000)} and ${new Date(now.getTime() + 4 * DAY_MS)}
    order by hash(c.id, ${day}) limit 2`.execute(services.storage.read);
  const { rows: referrers } = await sql<{ id: number; email: string | null }>`select c.id, c.email from customers c
    where c.store_id = ${storeId} and (select count(*) from orders o where o.store_id = c.store_id and o.customer_id = c.id and o.placed_at < ${now}) >= 2
    order by hash(c.id, ${day}) limit 1`.execute(services.storage.read);
  const referrer = referrers[0];
  if (!referrer) return;
  const referrals = services.loyalty.referrals;
  const { answer } = await referrals.codeFor(storeId, Number(referrer.id), { key: `demo:referral-code:${referrer.id}` }, now);
  const emails = [...friends.map((f) => f.email), ...(day % 10 === 0 && referrer.email ? [referrer.email] : [])];
  for (const [i, email] of emails.entries()) {
    const at = new Date(now.getTime() + i * 600_000);
    const { answer: clicked } = await referrals.click(storeId, { code: answer.code }, `demo:referral-click:${day}:${i}`, at);
    await referrals.signup(storeId, { code: answer.code, referral_id: clicked.referral_id, email }, `demo:referral-signup:${day}:${i}`, new Date(at.getTime() + 120_000));
  }
}
