/**
 * The survey widget in real Chromium, on a shop's order confirmation page served from another
 * origin than Hearth's, for customers the shop's server signed (with node:crypto, as a shop
 * would): the score chosen with the keyboard, the follow-up and the thank-you with the loyalty
 * points, the answer as the admin API lists it, a second visit showing the thank-you, a non-member
 * thanked without points, the page's question text shown as text, and nothing shown for a forged
 * signature or a page on an origin the store does not list. Screenshots at 390 and 1280 px.
 */
import { createHmac } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderInput } from '../../src/modules/commerce/commerce.input.js';
import { launchBrowser, screenshot } from '../e2e/helpers/browser.js';
import { bearer } from '../helpers/app.js';
import { shopPage } from '../helpers/shop-page.js';
import { loyaltyHarness, settingsWith, type LoyaltyHarness } from '../loyalty/harness.js';

let h: LoyaltyHarness;
let browser: Browser;
let shop: Awaited<ReturnType<typeof shopPage>>;
let sign: (customer: string) => string;
const hostileQuestion = 'How was your parcel? <img src=x onerror="document.title=\'owned\'">';

const order = (externalId: string, customer: string, euros: number): OrderInput => ({
  external_id: externalId, customer_external_id: customer, placed_at: new Date(Date.now() - 86_400_000), currency: 'EUR',
  lines: [{ product_external_id: 'tea', quantity: 1, unit_price: euros * 100 }],
});
const admin = (url: string) => h.t.app.inject({ method: 'GET', url, headers: bearer(h.secretKey) });
/** The text the widget draws (in its shadow root: the host's own text is empty). */
const widgetText = async (page: Page) => String(await page.evaluate("document.querySelector('#survey')?.shadowRoot?.querySelector('section')?.textContent ?? ''"));

beforeAll(async () => {
  h = await loyaltyHarness(settingsWith({ earning: { points_per_currency_unit: 1, points_per_order: 0, signup_points: 0, survey_points: 20 }, pending: { days: 0, from: 'payment' } }));
  await h.write({ customers: ['ada', 'bob'].map((c) => ({ external_id: c, email: `${c}@example.com` })) });
  // Ada's order makes her a member of the programme; Bob has no points at all.
  await h.write({ orders: [order('a1', 'ada', 30)] });
  const key = Buffer.from((await admin('/api/v1/storefront/key')).json().key, 'hex');
  sign = (customer) => createHmac('sha256', key).update(customer).digest('hex');
  const hearth = await h.t.app.listen({ port: 0, host: '127.0.0.1' });
  shop = await shopPage((url) => {
    const page = new URL(url, 'http://shop');
    const customer = page.searchParams.get('customer') ?? 'ada';
    const kind = page.searchParams.get('kind') ?? 'nps';
    const signature = page.searchParams.has('forged') ? sign('bob') : sign(customer);
    const question = page.searchParams.has('question') ? ` data-question="${hostileQuestion.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;')}"` : '';
    return `<!doctype html><html><head><title>Thank you for your order</title><meta name="viewport" content="width=device-width">
<style>body{font-family:Georgia,serif;margin:16px}button{background:red!important;font-size:40px}h3{color:magenta}</style></head><body>
<h1>Thank you for your order</h1><p>Order a1 is on its way.</p>
<div id="survey" data-hearth-survey data-kind="${kind}" data-survey-key="order-a1" data-customer="${customer}" data-signature="${signature}"${question}></div>
<script src="${hearth}/v1/surveys/widget.js" data-key="${h.writeKey}" async></script></body></html>`;
  });
  // The store lists the shop's origin: a page elsewhere is refused.
  await h.t.services.accounts.updateStore(h.storeId, { trackingOrigins: [shop.base] });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await h.close();
});

describe('the survey widget', () => {
  it('takes a score from the keyboard, then the follow-up, and thanks with the points; a second visit shows the thank-you', async () => {
    const ada = await h.customerId('ada');
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    await page.goto(`${shop.base}/confirmation`);
    const first = page.getByRole('button', { name: '0 out of 10, Not at all likely' });
    await first.waitFor({ timeout: 15_000 });
    expect(await page.getByRole('heading', { name: 'How likely are you to recommend Loyal Pets to a friend or colleague?' }).count()).toBe(1);
    expect(await page.getByRole('group', { name: 'How likely are you to recommend Loyal Pets to a friend or colleague?' }).getByRole('button').count()).toBe(11);
    // The shop's CSS (red 40 px buttons) does not reach into the widget, and nothing overflows 390 px.
    expect(await page.evaluate("getComputedStyle(document.querySelector('#survey').shadowRoot.querySelector('button')).fontSize")).not.toBe('40px');
    expect(Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'))).toBeLessThanOrEqual(0);
    await screenshot(page, 'survey-widget-390');

    // Tab to the first score, then along the scale to 9, and press Enter.
    await page.keyboard.press('Tab');
    expect(await page.evaluate("document.querySelector('#survey').shadowRoot.activeElement?.getAttribute('aria-label')")).toBe('0 out of 10, Not at all likely');
    for (let i = 0; i < 9; i += 1) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const followUp = page.getByLabel('What do you like most about us?');
    await followUp.waitFor({ timeout: 15_000 });
    expect(await answersOf(ada)).toEqual([expect.objectContaining({ kind: 'nps', score: 9, follow_up: null })]);
    await followUp.fill('The smoky oolong <b>and</b> the tin');
    await screenshot(page, 'survey-widget-follow-up-390');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Your answer (9) is saved.').waitFor({ timeout: 15_000 });
    // Said while the points are due, or once written: which one depends on how fast the event is handled.
    expect(await widgetText(page)).toMatch(/You (will receive 20 points for your answer|earned 20 points)\./);
    await screenshot(page, 'survey-widget-thanks-390');
    await page.close();

    expect(await answersOf(ada)).toEqual([expect.objectContaining({ kind: 'nps', score: 9, follow_up: 'The smoky oolong <b>and</b> the tin', category: 'promoter' })]);
    await h.idle();
    const history = (await admin(`/api/v1/loyalty/customers/${ada}/history`)).json().data as { points: number; source: string }[];
    expect(history.filter((e) => e.source.startsWith('rule:survey'))).toEqual([expect.objectContaining({ points: 20, source: 'rule:survey:nps:order-a1' })]);

    const again = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    await again.goto(`${shop.base}/confirmation`);
    await again.getByText('You earned 20 points.').waitFor({ timeout: 15_000 });
    expect(await again.getByText('Your answer (9) is saved.').count()).toBe(1);
    expect(await again.getByRole('button').count()).toBe(0);
    await screenshot(again, 'survey-widget-answered-1280');
    await again.close();
    expect(await answersOf(ada)).toHaveLength(1);
  });

  it('asks the page\'s own question as text, and thanks a customer outside the programme without points', async () => {
    const bob = await h.customerId('bob');
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    await page.goto(`${shop.base}/confirmation?customer=bob&kind=csat&question`);
    const satisfied = page.getByRole('button', { name: '5 out of 5, Very satisfied' });
    await satisfied.waitFor({ timeout: 15_000 });
    expect(await page.getByRole('heading', { level: 3 }).textContent()).toBe(hostileQuestion);
    expect(await page.evaluate("document.querySelector('#survey').shadowRoot.querySelectorAll('img').length")).toBe(0);
    expect(await page.getByRole('group').getByRole('button').count()).toBe(5);
    await screenshot(page, 'survey-widget-csat-1280');
    await satisfied.click();
    await page.getByRole('button', { name: 'No, thanks' }).click();
    await page.getByText('Your answer (5) is saved.').waitFor({ timeout: 15_000 });
    expect(await widgetText(page)).not.toContain('point');
    expect(await page.title()).toBe('Thank you for your order');
    await page.close();
    expect(await answersOf(bob)).toEqual([expect.objectContaining({ kind: 'csat', score: 5, follow_up: null })]);
    await h.idle();
    expect((await admin(`/api/v1/loyalty/customers/${bob}/history`)).json().data).toEqual([]);
  });

  it('shows nothing for a signature made for someone else, or on an origin the store does not list', async () => {
    const forged = await browser.newPage();
    const refused = forged.waitForResponse((r) => r.url().includes('/v1/surveys/state?'));
    await forged.goto(`${shop.base}/confirmation?forged`);
    expect((await refused).status()).toBe(403);
    expect(await widgetText(forged)).toBe('');
    await forged.close();

    const elsewhere = await browser.newPage();
    const other = shop.base.replace('127.0.0.1', 'localhost');
    const answered = elsewhere.waitForResponse((r) => r.url().includes('/v1/surveys/state?'));
    await elsewhere.goto(`${other}/confirmation?customer=bob`);
    const response = await answered;
    expect(response.status()).toBe(403);
    expect((await response.json()).error.message).toContain(`Origin ${other} may not show surveys`);
    expect(await widgetText(elsewhere)).toBe('');
    await elsewhere.close();
  });
});

async function answersOf(customerId: number): Promise<{ kind: string; score: number; follow_up: string | null }[]> {
  return (await admin(`/api/v1/surveys/answers?customer_id=${customerId}`)).json().data;
}
