/**
 * The Offers page in Chromium: an offer whose codes went out six weeks ago lists with its discount
 * and pool; its panel shows the codes issued, held out and redeemed and the revenue and discounts
 * the API computes, the extra orders over the holdout per window, and the codes customers hold;
 * an offer created through the form appears and can be paused; names are text, not markup; the
 * page fits a phone.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openSignedIn, screenshot } from './helpers/browser.js';
import { startE2eServer, type E2eServer } from './helpers/server.js';

const DAY = 86_400_000;
let hearth: E2eServer;
let browser: Browser;
let offerId = '';

beforeAll(async () => {
  hearth = await startE2eServer({ customers: 150, seed: 21 });
  const services = hearth.server.services;
  const issuedAt = new Date(Date.now() - 45 * DAY);
  const offer = await services.offers.create(hearth.storeId, {
    name: 'Come back <i>15</i>', value_kind: 'percent', value: 15, minimum_spend: 3_000, pattern: 'CB-????-????', valid_days: 30, holdout_share: 0.3, pool_size: 50,
  }, new Date(issuedAt.getTime() - DAY));
  offerId = offer.id;
  const customers = (await services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', hearth.storeId).orderBy('id').limit(120).execute())
    .map((c) => ({ id: Number(c.id), external: String(c.external_id) }));
  const given: { external: string; code: string }[] = [];
  for (const c of customers) {
    const { issue } = await services.offers.issue(hearth.storeId, offer.id, c.id, `e2e-send-${c.id}`, issuedAt);
    if (issue.code) given.push({ external: c.external, code: issue.code });
  }
  // A few of them use their code in the two weeks after.
  await services.commerce.write(hearth.storeId, {
    orders: given.slice(0, 6).map((g, i) => ({
      external_id: `offer-order-${i}`, customer_external_id: g.external, placed_at: new Date(issuedAt.getTime() + (2 + i) * DAY), currency: 'USD',
      discount: 600, discount_codes: [g.code], lines: [{ product_external_id: 'grinder', quantity: 1, unit_price: 4_000 }],
    })),
  });
  await hearth.runJobs();
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

const open = (path: string, width = 1280): Promise<Page> => openSignedIn(browser, { url: hearth.url, user: hearth.owner }, path, width);

describe('the Offers page', () => {
  it('lists the offer and opens its codes, redemptions and what it added over the holdout, as the API computes them', async () => {
    const results = await hearth.server.services.offers.results(hearth.storeId, offerId);
    expect(results.issued).toBeGreaterThan(50);
    expect(results.held_out).toBeGreaterThan(10);
    expect(results.redeemed).toBe(6);

    const page = await open('/offers');
    const row = page.getByTestId('offers-list').getByRole('row', { name: /Come back <i>15<\/i>/ });
    await row.waitFor();
    // The name is text, not markup.
    expect(await page.locator('i', { hasText: '15' }).count()).toBe(0);
    expect(await row.textContent()).toContain('15 % off over $30.00');
    await row.click();
    const detail = page.getByTestId('offer-detail');
    await detail.getByTestId('offer-figures').waitFor();
    const figures = await detail.getByTestId('offer-figures').textContent();
    expect(figures).toContain(`Codes issued${results.issued.toLocaleString('en-US')}`);
    expect(figures).toContain(`${results.held_out.toLocaleString('en-US')} held out`);
    expect(figures).toContain('Redeemed6');
    expect(figures).toContain(`$${(results.revenue / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
    expect(figures).toContain('$36.00');
    // Per window: the 7- and 30-day windows have closed for everyone given a code six weeks ago.
    const windows = detail.getByRole('table', { name: /against its holdout/ });
    await windows.waitFor();
    // The 90-day window has closed for nobody yet: not shown.
    for (const w of results.incremental) {
      expect(await windows.getByRole('row', { name: new RegExp(`^${w.days} days`) }).count()).toBe(w.days < 90 ? 1 : 0);
      if (w.days < 90) expect(w.people + w.control_people).toBe(results.issued + results.held_out);
    }
    expect(results.incremental.map((w) => w.days)).toEqual(expect.arrayContaining([7, 30]));
    expect(await windows.textContent()).toMatch(/Increase|Decrease|Too early to tell/);
    // The codes customers hold, the redeemed ones first, then those that lapsed unused.
    const codes = detail.getByRole('table', { name: 'Codes given to customers' });
    expect(await codes.textContent()).toMatch(/CB-[A-Z2-9]{4}-[A-Z2-9]{4}/);
    expect(await codes.getByRole('row', { name: /redeemed/ }).count()).toBe(6);
    expect(await codes.getByRole('row', { name: /expired/ }).count()).toBe(10);
    await screenshot(page, '70-offers');
  });

  it('creates an offer through the form and pauses it', async () => {
    const page = await open('/offers');
    const form = page.getByTestId('new-offer');
    await form.getByLabel('Offer name').fill('Free delivery week');
    await form.locator('select[name="offer-kind"]').selectOption('free_shipping');
    await form.getByLabel('Code pattern').fill('SHIP-??????');
    await form.getByRole('button', { name: 'Create offer' }).click();
    const detail = page.getByTestId('offer-detail');
    await detail.getByRole('heading', { name: 'Free delivery week' }).waitFor();
    const created = (await hearth.server.services.offers.list(hearth.storeId)).find((o) => o.name === 'Free delivery week')!;
    expect(created).toMatchObject({ value_kind: 'free_shipping', value: 0, pattern: 'SHIP-??????', valid_days: 30, holdout_share: 0.1, status: 'active' });
    expect(created.pool.available).toBeGreaterThan(0);
    await detail.getByRole('button', { name: 'Pause' }).click();
    await detail.getByRole('button', { name: 'Resume' }).waitFor();
    expect((await hearth.server.services.offers.get(hearth.storeId, created.id)).status).toBe('paused');

    // A bad pattern is refused with the field's reason, nothing created.
    await form.getByLabel('Offer name').fill('Too short');
    await form.getByLabel('Code pattern').fill('AB-??');
    await form.getByRole('button', { name: 'Create offer' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/pattern/);
    expect((await hearth.server.services.offers.list(hearth.storeId)).some((o) => o.name === 'Too short')).toBe(false);
  });

  it('fits a phone', async () => {
    const phone = await open(`/offers?offer=${offerId}`, 390);
    await phone.getByTestId('offer-figures').waitFor();
    const overflow = Number(await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone, '71-offers-phone');
  });
});
