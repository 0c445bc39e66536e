/**
 * The Loyalty page in Chromium: the programme's members, points and liability as the API computes
 * them, its tiers and rewards, the members by balance with their names (text, not markup) linking
 * to their profiles, and the referrals with the fraud check that rejected one; it fits a phone.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LOYALTY_SETTINGS } from '../../src/modules/demo/demo-loyalty.js';
import { launchBrowser, openSignedIn, screenshot } from './helpers/browser.js';
import { startE2eServer, type E2eServer } from './helpers/server.js';

let hearth: E2eServer;
let browser: Browser;
let top: { id: number; points: number };

beforeAll(async () => {
  hearth = await startE2eServer({ customers: 60, seed: 17 });
  const { loyalty, commerce, storage } = hearth.server.services;
  await loyalty.saveSettings(hearth.storeId, {
    ...DEMO_LOYALTY_SETTINGS,
    referrals: { enabled: true, referrer_points: 500, friend_offer: { kind: 'amount_off', value: 1_000 }, link_base: 'https://shop.example/', share_message: 'Ten off your first order', limit: { max: 10, per: 'month' } },
  }, 'owner@example.com');
  await commerce.write(hearth.storeId, { customers: [{ external_id: 'markup', email: 'markup@example.com', first_name: '<b>Bold</b>', last_name: 'Name' }] });
  const customers = (await storage.read.selectFrom('customers').select('id').where('store_id', '=', hearth.storeId).orderBy('id').limit(12).execute()).map((c) => Number(c.id));
  const markup = Number((await storage.read.selectFrom('customers').select('id').where('store_id', '=', hearth.storeId).where('external_id', '=', 'markup').executeTakeFirstOrThrow()).id);
  for (const [i, id] of [...customers, markup].entries()) {
    await loyalty.adjust(hearth.storeId, id, { points: 100 * (i + 1), reason: 'Welcome gift', key: `e2e-gift-${id}`, actor: 'owner@example.com' });
  }
  top = { id: markup, points: 100 * (customers.length + 1) };
  // A referral whose friend signs up with the referrer's own email (so is the referrer): rejected.
  const { answer: code } = await loyalty.referrals.codeFor(hearth.storeId, customers[0]!, { key: 'e2e-code' });
  const referrer = await hearth.server.services.customers.get(hearth.storeId, String(customers[0]));
  await loyalty.referrals.signup(hearth.storeId, { code: code.code, email: referrer.email! }, 'e2e-signup');
  await loyalty.referrals.signup(hearth.storeId, { code: code.code, email: 'new.friend@example.com' }, 'e2e-signup-2');
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

const open = (width = 1280): Promise<Page> => openSignedIn(browser, { url: hearth.url, user: hearth.owner }, '/loyalty', width);

describe('the Loyalty page', () => {
  it('shows the members, points and liability the API computes, the tiers and rewards, the members by balance and the rejected referral', async () => {
    const liability = await hearth.server.services.loyalty.liability(hearth.storeId);
    expect(liability.members).toBeGreaterThanOrEqual(13);
    const listed = (await hearth.server.services.loyalty.members(hearth.storeId, { limit: 1000 })).data;
    const highest = [...listed].sort((a, b) => b.available - a.available || a.customer_id - b.customer_id)[0]!;
    // The gifts make the customer named in markup the highest balance.
    expect(highest.customer_id).toBe(top.id);
    const page = await open();
    const figures = page.getByTestId('loyalty-figures');
    await figures.waitFor();
    const text = (await figures.innerText()).replace(/\s+/g, ' ');
    expect(text).toContain(`Members ${liability.members}`);
    expect(text).toContain(`Points held ${liability.available_points.toLocaleString('en-US')}`);
    const programme = page.getByTestId('loyalty-programme');
    for (const tier of DEMO_LOYALTY_SETTINGS.tiers.levels) await expect(programme.getByRole('cell', { name: tier.name, exact: true }).count()).resolves.toBe(1);
    for (const reward of DEMO_LOYALTY_SETTINGS.rewards) {
      await expect(programme.getByRole('row').filter({ hasText: reward.name }).filter({ hasText: `${reward.points} points` }).count()).resolves.toBe(1);
    }

    const members = page.getByTestId('loyalty-members');
    const first = members.getByRole('row').nth(1);
    // The highest balance first; the name is text, not markup, and opens the profile.
    await expect(first.innerText()).resolves.toContain('<b>Bold</b> Name');
    await expect(first.innerText()).resolves.toContain(highest.available.toLocaleString('en-US'));
    expect(highest.available).toBeGreaterThanOrEqual(top.points);
    expect(await members.locator('b').count()).toBe(0);
    await expect(first.getByRole('link').getAttribute('href')).resolves.toBe(`/customers/${top.id}`);

    const referrals = page.getByTestId('loyalty-referrals');
    const rejected = referrals.getByRole('row').filter({ hasText: 'the friend is the referrer' });
    await expect(rejected.count()).resolves.toBe(1);
    await expect(rejected.innerText()).resolves.toMatch(/\brejected\b/);
    await expect(referrals.getByRole('row', { name: /new\.friend@example\.com/ }).innerText()).resolves.toContain('signed up');
    await screenshot(page, 'loyalty-1280');
    await page.close();
  });

  it('shows the last year\'s points, rates and members against other buyers as the API computes them', async () => {
    const analytics = await hearth.server.services.loyalty.analytics(hearth.storeId);
    expect(analytics.points.issued).toBeGreaterThan(0);
    const page = await open();
    const rates = page.getByTestId('loyalty-rates');
    await rates.waitFor();
    const text = (await rates.innerText()).replace(/\s+/g, ' ');
    expect(text).toContain(`Points issued ${analytics.points.issued.toLocaleString('en-US')}`);
    const percent = (v: number | null) => (v === null ? '—' : new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v));
    expect(text).toContain(`Redemption rate ${percent(analytics.redemption_rate)}`);
    expect(text).toContain(`Breakage ${percent(analytics.breakage)}`);
    const members = page.getByTestId('loyalty-analytics').getByRole('row').filter({ hasText: /^Members/ });
    await expect(members.innerText()).resolves.toContain(analytics.comparison.members.customers.toLocaleString('en-US'));
    await page.close();
  });

  it('fits a phone', async () => {
    const page = await open(390);
    await page.getByTestId('loyalty-figures').waitFor();
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'loyalty-390');
    await page.close();
  });
});

describe('loyalty on the customer\'s profile', () => {
  const profile = (width = 1280): Promise<Page> => openSignedIn(browser, { url: hearth.url, user: hearth.owner }, `/customers/${top.id}`, width);

  it('shows the balance and ledger the API computes, and records a hand adjustment with its reason once', async () => {
    const { loyalty } = hearth.server.services;
    const before = await loyalty.balance(hearth.storeId, top.id);
    const page = await profile();
    const panel = page.getByTestId('profile-loyalty');
    await panel.getByTestId('loyalty-ledger').waitFor();
    await expect(panel.getByTestId('loyalty-available').innerText()).resolves.toContain(`${before.available.toLocaleString('en-US')} points`);
    await expect(panel.getByTestId('loyalty-ledger').innerText()).resolves.toContain('Welcome gift');

    // A reason is required: the browser holds the form back until one is typed.
    await panel.getByRole('spinbutton', { name: /^Points/ }).fill('-40');
    await panel.getByRole('button', { name: 'Adjust points' }).click();
    expect((await loyalty.history(hearth.storeId, top.id)).data.filter((e) => e.kind === 'adjust')).toHaveLength(1);
    await panel.getByRole('textbox', { name: /^Reason/ }).fill('Parcel arrived late <sorry>');
    await panel.getByRole('button', { name: 'Adjust points' }).click();
    await panel.getByTestId('loyalty-ledger').getByText('Parcel arrived late <sorry>').waitFor();
    const after = await loyalty.balance(hearth.storeId, top.id);
    expect(after.available).toBe(before.available - 40);
    await expect(panel.getByTestId('loyalty-available').innerText()).resolves.toContain(`${after.available.toLocaleString('en-US')} points`);
    const adjustments = (await loyalty.history(hearth.storeId, top.id)).data.filter((e) => e.kind === 'adjust');
    expect(adjustments.map((e) => [e.points, e.reason])).toEqual([[-40, 'Parcel arrived late <sorry>'], [top.points, 'Welcome gift']]);
    expect(adjustments[0]!.actor).toMatch(/^user:/);
    await screenshot(page, 'profile-loyalty-1280');
    await page.close();
  });

  it('fits a phone', async () => {
    const page = await profile(390);
    await page.getByTestId('loyalty-ledger').waitFor();
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByTestId('profile-loyalty').screenshot({ path: await screenshot(page, 'profile-loyalty-390') });
    await page.close();
  });
});

describe('editing the programme', () => {
  it('saves the changed rules, tiers and rewards as a new version, keeps what the form does not show, and names what the API refuses', async () => {
    const { loyalty } = hearth.server.services;
    const before = await loyalty.settings(hearth.storeId);
    const page = await open();
    await page.getByRole('button', { name: 'Edit the programme' }).click();
    const form = page.getByRole('form', { name: 'Loyalty programme settings' });
    await form.locator('input[name="earning.review_points"]').fill('40');
    await form.locator('input[name="earning.points_per_currency_unit"]').fill('1.5');
    // A threshold below the tier before it: refused by the API, which names it; nothing is saved.
    const last = before.settings.tiers.levels.length - 1;
    await form.locator(`input[name="tiers.levels.${last}.threshold"]`).fill('1');
    await form.getByRole('button', { name: 'Save the programme' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toContain(`tiers.levels.${last}.threshold`);
    expect((await loyalty.settings(hearth.storeId)).version).toBe(before.version);

    await form.locator(`input[name="tiers.levels.${last}.threshold"]`).fill(String(before.settings.tiers.levels[last]!.threshold + 50));
    // Redemptions sent to the shop's webhook need the webhook channel, which this store lacks: refused, named.
    const fulfilment = form.locator('input[name="fulfilment.webhook"]');
    await fulfilment.check();
    await form.getByRole('button', { name: 'Save the programme' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toContain('fulfilment.webhook');
    expect((await loyalty.settings(hearth.storeId)).version).toBe(before.version);
    await fulfilment.uncheck();
    await form.getByRole('button', { name: 'Add a reward' }).click();
    const added = before.settings.rewards.length;
    await form.locator(`input[name="rewards.${added}.name"]`).fill('Free tote <bag>');
    // A free product names one of the store's products.
    const [product] = await hearth.server.services.storage.read.selectFrom('products').select('external_id').where('store_id', '=', hearth.storeId).orderBy('id').limit(1).execute();
    await form.locator(`select[name="rewards.${added}.kind"]`).selectOption('free_product');
    await form.locator(`input[name="rewards.${added}.product_id"]`).fill(product!.external_id);
    await form.locator(`input[name="rewards.${added}.points"]`).fill('300');
    await screenshot(page, 'loyalty-settings-editor');
    await form.getByRole('button', { name: 'Save the programme' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();

    const after = await loyalty.settings(hearth.storeId);
    expect(after.version).toBe(before.version + 1);
    expect(after.settings.earning).toEqual({ ...before.settings.earning, review_points: 40, points_per_currency_unit: 1.5 });
    expect(after.settings.tiers.levels[last]!.threshold).toBe(before.settings.tiers.levels[last]!.threshold + 50);
    expect(after.settings.rewards.at(-1)).toEqual({ id: 'free-tote-bag', name: 'Free tote <bag>', kind: 'free_product', points: 300, value: 0, product_id: product!.external_id });
    // What the form does not show is kept as it was.
    expect(after.settings.referrals).toEqual(before.settings.referrals);
    expect(after.settings.negative_balance).toBe(before.settings.negative_balance);
    expect(after.settings.expiry.reminder_days).toEqual(before.settings.expiry.reminder_days);
    // The programme now reads as saved, the new reward's name as text.
    const programme = page.getByTestId('loyalty-programme');
    await expect.poll(() => programme.textContent()).toContain('40 for a review');
    expect(await programme.textContent()).toContain('Free tote <bag>');
    await page.close();

    const phone = await open(390);
    await phone.getByRole('button', { name: 'Edit the programme' }).click();
    await phone.getByRole('form', { name: 'Loyalty programme settings' }).waitFor();
    expect(Number(await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'))).toBeLessThanOrEqual(0);
    await screenshot(phone, 'loyalty-settings-editor-390');
    await phone.close();
  });
});
