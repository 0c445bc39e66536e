/**
 * The hosted review page in real Chromium at a phone's width (390 px): the form fits without
 * sideways scrolling, each product has its photo input, and a photo chosen in the browser's own
 * file input travels with the review in Chromium's multipart form and is stored byte for byte.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../e2e/helpers/browser.js';
import { placeOrder, reviewsHarness, type ReviewsHarness } from './harness.js';
import { png } from './images.js';

let h: ReviewsHarness;
let browser: Browser;
let base: string;

beforeAll(async () => {
  h = await reviewsHarness('Kiln & Co');
  await placeOrder(h, 'o-1', 'ada', ['mug', 'bowl']);
  base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h.close();
});

describe('the hosted review page in a browser', () => {
  it('fits a phone, and sends a chosen photo with the review', async () => {
    const link = (await h.api('POST', '/api/v1/reviews/links', { customer_id: 'ext:ada', order_id: 'o-1' })).json() as { token: string };
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/r/${link.token}`);
    const inputs = page.locator('input[type=file]');
    expect(await inputs.count()).toBe(2);
    expect(await page.getByLabel(/^Photos/).first().isVisible()).toBe(true);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, 'review-page-photos-390');

    const photo = png(30, 20, [200, 120, 40]);
    await page.locator('label[for="r0-4"]').click();
    await page.locator('#b0').fill('Sturdy mug, see the colour');
    await inputs.first().setInputFiles({ name: 'mug.png', mimeType: 'image/png', buffer: photo });
    await page.getByRole('button', { name: 'Send my review' }).click();
    await page.getByRole('heading', { name: 'Thank you!' }).waitFor();

    const reviews = ((await h.api('GET', '/api/v1/reviews')).json() as { data: { product_id: string; rating: number; photos: { id: string; width: number }[] }[] }).data;
    expect(reviews.map((r) => [r.product_id, r.rating, r.photos.length])).toEqual([['mug', 4, 1]]);
    const served = await h.app.inject({ method: 'GET', url: `/r/photos/${reviews[0]!.photos[0]!.id}` });
    expect(served.rawPayload.equals(photo)).toBe(true);
    await page.close();
  });
});
