/**
 * Switching from Smile.io or LoyaltyLion: their customer exports (fixtures written from the
 * documented columns) bring balances, tiers and referral codes over; customers are matched by
 * normalised email; running the import again changes nothing; a bad line refuses the whole file.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../src/modules/loyalty/index.js';
import { loyaltyHarness, settingsWith, type LoyaltyHarness } from './harness.js';
import { storefront } from './referral-helpers.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/loyalty/${name}`, import.meta.url), 'utf8');

let h: LoyaltyHarness;
beforeAll(async () => {
  h = await loyaltyHarness(settingsWith({
    tiers: { basis: 'points_earned', levels: [{ name: 'Bronze', threshold: 0, multiplier: 1 }, { name: 'Silver', threshold: 500, multiplier: 1.25 }, { name: 'Gold', threshold: 2000, multiplier: 1.5 }] },
    referrals: { enabled: true, referrer_points: 500, friend_offer: { kind: 'amount_off', value: 1000 }, link_base: 'https://loyal-pets.example/', share_message: 'Ten euros off', limit: { max: 10, per: 'month' } },
  }));
  await h.write({
    customers: [
      { external_id: 'maria', email: 'maria@example.com' }, { external_id: 'tom', email: 'Tom.Smith@Gmail.com' }, { external_id: 'anh', email: 'anh@example.com' },
      { external_id: 'cara', email: 'cara@example.com' }, { external_id: 'lee', email: 'lee@example.com' },
    ],
  });
}, 60_000);
afterAll(async () => h.close());

async function importFile(from: string, csv: string, dryRun = false) {
  return h.t.app.inject({ method: 'POST', url: '/api/v1/loyalty/imports', headers: { authorization: `Bearer ${h.secretKey}` }, payload: { from, csv, dry_run: dryRun } });
}
const balanceOf = async (who: string) => h.t.services.loyalty.balance(h.storeId, await h.customerId(who));

describe('a bad file', () => {
  it('is refused whole, naming each bad line and column', async () => {
    const res = await importFile('smile', fixture('smile-bad.csv'));
    expect(res.statusCode).toBe(422);
    const details = res.json<{ error: { details: { path: string; reason: string; line: number }[] } }>().error.details;
    expect(details.map((d) => d.path)).toEqual(['line 3, column points_balance', 'line 4, column vip_tier']);
    expect(details[0]!.reason).toContain('"1,300"');
    expect(details[1]!.reason).toContain('Platinum');
    // Maria's line was fine, but nothing was applied.
    expect(await balanceOf('maria')).toMatchObject({ available: 0, ledger: 0, tier: null });
  });

  it('without the email or points column is refused at line 1; broken CSV names its line', async () => {
    const noPoints = await importFile('loyaltylion', 'Email,Tier\nlee@example.com,Silver\n');
    expect(noPoints.statusCode).toBe(422);
    expect(noPoints.json()).toMatchObject({ error: { details: [{ path: 'line 1', reason: expect.stringContaining('points_approved') as unknown }] } });
    const broken = await importFile('smile', 'email,points_balance\nmaria@example.com,"12\n');
    expect(broken.statusCode).toBe(422);
    expect(broken.json()).toMatchObject({ error: { details: [{ path: 'line 2' }] } });
    const duplicate = await importFile('smile', 'email,points_balance\nmaria@example.com,1\nMARIA@example.com,2\n');
    expect(duplicate.json()).toMatchObject({ error: { details: [{ path: 'line 3, column email', reason: 'the same customer as line 2' }] } });
  });
});

describe('a Smile.io export', () => {
  it('a dry run counts what the import will do and writes nothing', async () => {
    const res = await importFile('smile', fixture('smile-customers.csv'), true);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ dry_run: true, rows: 5, matched: 4, balances: { imported: 3, points: 1250 + 300 + 45 } });
    expect(await balanceOf('maria')).toMatchObject({ available: 0, tier: null });
  });

  it('imports balances, tiers and referral codes, reports unknown emails by line, and changes nothing when run again', async () => {
    const first = (await importFile('smile', fixture('smile-customers.csv'))).json<ImportSummary>();
    // Matched: maria, tom (tomsmith+news@gmail.com is Tom.Smith@Gmail.com), anh (0 points), cara (CARA@example.com).
    expect(first).toEqual({
      from: 'smile', dry_run: false, rows: 5, matched: 4, balances: { imported: 3, points: 1595, already: 0 },
      tiers: { changed: 2, unchanged: 0 }, referral_codes: { imported: 3, already: 0 }, unknown: [{ line: 5, email: 'gone@example.com' }],
    });
    expect(await balanceOf('maria')).toMatchObject({ available: 1250, pending: 0, tier: 'Gold' });
    expect(await balanceOf('tom')).toMatchObject({ available: 300, tier: 'Silver' });
    expect(await balanceOf('cara')).toMatchObject({ available: 45, tier: null });
    const [row] = (await h.t.services.loyalty.history(h.storeId, await h.customerId('maria'))).data;
    expect(row).toMatchObject({ kind: 'adjust', points: 1250, source: 'import:smile', idempotency_key: 'import:smile:maria@example.com' });

    const again = (await importFile('smile', fixture('smile-customers.csv'))).json<ImportSummary>();
    expect(again).toMatchObject({ balances: { imported: 0, points: 0, already: 3 }, tiers: { changed: 0, unchanged: 2 }, referral_codes: { imported: 0, already: 3 } });
    expect(await balanceOf('maria')).toMatchObject({ available: 1250, tier: 'Gold' });
    expect((await h.t.services.loyalty.history(h.storeId, await h.customerId('maria'))).data).toHaveLength(1);
    expect(await h.t.services.loyalty.check(h.storeId)).toEqual([]);
  });

  it('keeps old referral links working: an imported code is its customer\'s', async () => {
    const click = await storefront(h, 'click', { code: '9qr5Pw' }, 'old-link');
    expect(click.statusCode).toBe(201);
    const referral = await h.t.services.loyalty.referrals.get(h.storeId, click.answer.referral_id);
    expect(referral.referrer_id).toBe(await h.customerId('maria'));
    const code = await h.t.app.inject({ method: 'POST', url: '/api/v1/loyalty/customers/ext:maria/referral-code', headers: { authorization: `Bearer ${h.secretKey}`, 'idempotency-key': 'm1' } });
    expect(code.json()).toMatchObject({ imported_codes: ['9qr5Pw'] });
  });
});

describe('a LoyaltyLion export', () => {
  it('imports approved and pending points as one balance, the tier and the referral link\'s code', async () => {
    const res = (await importFile('loyaltylion', fixture('loyaltylion-customers.csv'))).json<ImportSummary>();
    expect(res).toMatchObject({ rows: 3, matched: 2, balances: { imported: 2, points: 900 + 150 + 40 }, unknown: [{ line: 3, email: 'nobody@example.com' }] });
    expect(await balanceOf('lee')).toMatchObject({ available: 1050, tier: 'Silver' });
    const click = await storefront(h, 'click', { code: 'LeeP42' }, 'lee-link');
    expect(click.statusCode).toBe(201);
    expect((await importFile('loyaltylion', fixture('loyaltylion-customers.csv'))).json()).toMatchObject({ balances: { imported: 0, already: 2 } });
  });

  it('refuses a referral code that is another customer\'s, applying nothing', async () => {
    const res = await importFile('loyaltylion', 'Email,Points Approved,Referral Link\ncara@example.com,10,https://x.example/?ref=LeeP42\n');
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { details: [{ path: 'line 2, referral code' }] } });
    expect(await balanceOf('cara')).toMatchObject({ available: 45 });
  });
});
