/**
 * The loyalty widget in real Chromium, on a shop's account page served from another origin than
 * Hearth's, for a customer the shop's server signed (with node:crypto, as a shop would): the
 * points and their value as the API computes them, the tier progress, how to earn, a reward
 * redeemed once with its code shown and the balance drawn, an unaffordable reward disabled, the
 * store's text shown as text, and a page with a forged signature showing nothing. Screenshot at 390 px.
 */
import { createHmac } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderInput } from '../../src/modules/commerce/commerce.input.js';
import { launchBrowser, screenshot } from '../e2e/helpers/browser.js';
import { bearer } from '../helpers/app.js';
import { shopPage } from '../helpers/shop-page.js';
import { loyaltyHarness, settingsWith, type LoyaltyHarness } from './harness.js';

let h: LoyaltyHarness;
let browser: Browser;
let shop: Awaited<ReturnType<typeof shopPage>>;
let shopBase: string;
let sign: (customer: string) => string;
const hostileReward = 'Mug <img src=x onerror="document.title=\'owned\'">';

const order = (externalId: string, customer: string, euros: number): OrderInput => ({
  external_id: externalId, customer_external_id: customer, placed_at: new Date(Date.now() - 86_400_000), currency: 'EUR',
  lines: [{ product_external_id: 'toy', quantity: 1, unit_price: euros * 100 }],
});

beforeAll(async () => {
  h = await loyaltyHarness(settingsWith({
    earning: { points_per_currency_unit: 2, points_per_order: 10, signup_points: 0 },
    pending: { days: 0, from: 'payment' },
    point_value: 1,
    tiers: { basis: 'points_earned', levels: [{ name: 'Gold', threshold: 500, multiplier: 1 }] },
    rewards: [
      { id: 'five-off', name: '5 EUR off', kind: 'amount_off', points: 100, value: 500 },
      { id: 'mug', name: hostileReward, kind: 'free_shipping', points: 5_000, value: 0 },
    ],
  }));
  await h.write({ customers: [{ external_id: 'ada', email: 'ada@example.com' }] });
  await h.write({ orders: [order('a1', 'ada', 120)] });
  const key = Buffer.from((await h.t.app.inject({ method: 'GET', url: '/api/v1/storefront/key', headers: bearer(h.secretKey) })).json().key, 'hex');
  sign = (customer) => createHmac('sha256', key).update(customer).digest('hex');
  const hearth = await h.t.app.listen({ port: 0, host: '127.0.0.1' });
  shop = await shopPage((url) => `<!doctype html><html><head><title>My account</title><meta name="viewport" content="width=device-width"></head><body>
<h1>My account</h1><div id="points" data-hearth-loyalty data-customer="ada" data-signature="${url.includes('forged') ? sign('bob') : sign('ada')}"></div>
<script src="${hearth}/v1/loyalty/widget.js" data-key="${h.writeKey}" async></script></body></html>`);
  shopBase = shop.base;
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await h.close();
});

describe('the loyalty widget', () => {
  it('shows the signed-in customer their points, tier and rewards, and redeems one once', async () => {
    const adaId = await h.customerId('ada');
    const balance = (await h.t.app.inject({ method: 'GET', url: `/api/v1/loyalty/customers/${adaId}`, headers: bearer(h.secretKey) })).json();
    // 120 EUR at 2 points each, plus 10 for the order.
    expect(balance.available).toBe(250);
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    await page.goto(`${shopBase}/account`);
    const points = page.locator('#points .hl-points');
    await points.waitFor({ timeout: 15_000 });
    expect(await points.textContent()).toBe('250 points');
    expect(await page.locator('#points').textContent()).toContain('worth €2.50');
    expect(await page.locator('#points').textContent()).toContain('250 points to Gold');
    // Half of the 500 points Gold needs are earned: the bar is half full.
    expect(await page.locator('#points .hl-bar i').getAttribute('style')).toContain('width: 50%');
    expect(await page.locator('#points ul').first().allTextContents()).toEqual(['2 points for every €1 spent10 points for every order']);

    // The reward named with markup is text, and too dear: its button is disabled.
    const mug = page.locator('[data-reward-id="mug"]');
    expect(await mug.locator('strong').textContent()).toBe(hostileReward);
    expect(await page.locator('#points img').count()).toBe(0);
    expect(await mug.getByRole('button', { name: 'Redeem' }).isDisabled()).toBe(true);
    expect(await page.title()).toBe('My account');

    const five = page.locator('[data-reward-id="five-off"]');
    await five.getByRole('button', { name: 'Redeem' }).click();
    await expect.poll(() => page.locator('#points .hl-points').textContent(), { timeout: 15_000 }).toBe('150 points');
    const code = await page.locator('[data-reward-id="five-off"] .hl-code').textContent();
    const redemptions = (await h.t.app.inject({ method: 'GET', url: `/api/v1/loyalty/customers/${adaId}/redemptions`, headers: bearer(h.secretKey) })).json().data as { code: string; points: number }[];
    expect(redemptions).toEqual([expect.objectContaining({ code, points: 100 })]);
    expect(await page.locator('#points .hl-history li').allTextContents()).toEqual([expect.stringMatching(/^5 EUR off · .*-100$/), expect.stringMatching(/^Earned · .*\+250$/)]);
    await screenshot(page, 'loyalty-widget-390');
    await page.close();
  });

  it('shows nothing for a signature made for someone else', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const refused = page.waitForResponse((r) => r.url().includes('/v1/loyalty?'));
    await page.goto(`${shopBase}/account?forged`);
    expect((await refused).status()).toBe(403);
    expect(await page.locator('#points').textContent()).toBe('');
    await page.close();
  });
});
