/**
 * Birthday points: the daily job gives each member whose birthday is the store's calendar day the
 * `birthday_points` once that year — a birthday with or without its year, 29 February celebrated on
 * the 28th when the year has none — and nothing to customers outside the programme, on other
 * days, or a second time when the job runs again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loyaltyHarness, settingsWith, type LoyaltyHarness } from './harness.js';

const BIRTHDAY_POINTS = 200;
let h: LoyaltyHarness;

beforeAll(async () => {
  // Auckland is 13 hours ahead of UTC in March: its 14 March starts on 13 March, 11:00 UTC.
  h = await loyaltyHarness(settingsWith({ earning: { points_per_currency_unit: 1, birthday_points: BIRTHDAY_POINTS }, pending: { days: 0, from: 'payment' } }), { timezone: 'Pacific/Auckland' });
  const members = { ann: '1990-03-14', bo: '--03-14', di: '2000-02-29', ed: '1985-07-01' };
  await h.write({
    products: [{ external_id: 'bowl', title: 'Bowl', price: 1000, currency: 'EUR' }],
    customers: [
      ...Object.entries(members).map(([name, birthday]) => ({ external_id: name, email: `${name}@example.com`, birthday })),
      { external_id: 'cy', email: 'cy@example.com', birthday: '1991-03-14' },
    ],
    orders: Object.keys(members).map((name) => ({
      external_id: `o-${name}`, customer_external_id: name, placed_at: new Date('2026-10-01T10:00:00Z'), currency: 'EUR', status: 'paid', lines: [{ product_external_id: 'bowl', quantity: 1, unit_price: 1000 }],
    })),
  });
}, 60_000);
afterAll(async () => h.close());

async function birthdayPoints(name: string): Promise<number[]> {
  const rows = await h.t.services.loyalty.history(h.storeId, await h.customerId(name), { limit: 100 });
  return rows.data.filter((r) => r.source === 'rule:birthday').map((r) => r.points);
}

describe('birthday points', () => {
  it('pays the members whose birthday is the store’s day, once, and nobody else', async () => {
    // 13 March in UTC, already 14 March in Auckland.
    const first = await h.t.services.loyalty.runDaily(h.storeId, new Date('2027-03-13T12:00:00Z'));
    expect(first.birthdays).toBe(2);
    expect(await birthdayPoints('ann')).toEqual([BIRTHDAY_POINTS]);
    expect(await birthdayPoints('bo')).toEqual([BIRTHDAY_POINTS]);
    expect(await birthdayPoints('cy')).toEqual([]);
    expect(await birthdayPoints('ed')).toEqual([]);
    expect((await h.t.services.loyalty.balance(h.storeId, await h.customerId('ann'), new Date('2027-03-14T00:00:00Z'))).available).toBe(10 + BIRTHDAY_POINTS);
    // The job again later that day (a restart, the next interval) pays nothing more.
    expect((await h.t.services.loyalty.runDaily(h.storeId, new Date('2027-03-14T08:00:00Z'))).birthdays).toBe(0);
    expect(await birthdayPoints('ann')).toEqual([BIRTHDAY_POINTS]);
  });

  it('celebrates 29 February on the 28th in a year without one, and again the next year', async () => {
    expect((await h.t.services.loyalty.runDaily(h.storeId, new Date('2027-02-27T20:00:00Z'))).birthdays).toBe(1);
    expect(await birthdayPoints('di')).toEqual([BIRTHDAY_POINTS]);
    // 2028 has a 29 February: nothing on the 28th, the points on the day itself.
    expect((await h.t.services.loyalty.runDaily(h.storeId, new Date('2028-02-27T20:00:00Z'))).birthdays).toBe(0);
    expect((await h.t.services.loyalty.runDaily(h.storeId, new Date('2028-02-28T20:00:00Z'))).birthdays).toBe(1);
    expect(await birthdayPoints('di')).toEqual([BIRTHDAY_POINTS, BIRTHDAY_POINTS]);
  });
});
