/**
 * The reviews widget in real Chromium, on a shop page served from another origin than Hearth's:
 * stars on a product grid, the star summary, the list a page at a time, the reviewer's text shown
 * as text, a review's photo as a thumbnail linking to the full photo, and the product's JSON-LD
 * added to the page for search engines.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../e2e/helpers/browser.js';
import { shopPage } from '../helpers/shop-page.js';
import { reviewsHarness, type ReviewsHarness } from './harness.js';
import { png } from './images.js';
import { reviewSnippetProblems } from './review-snippet.js';

let h: ReviewsHarness;
let browser: Browser;
let shop: Awaited<ReturnType<typeof shopPage>>;
let shopUrl: string;
const ratings = [5, 4, 5, 2, 5, 4, 3, 5, 4, 5, 1, 4];
/** What the test reads of an <img> in the page (the tests compile without the DOM's types). */
type Image = { complete: boolean; naturalWidth: number; naturalHeight: number };
/** Review 10 carries a photo: a 40×30 teal PNG. */
const PHOTO = png(40, 30, [20, 140, 130]);

beforeAll(async () => {
  h = await reviewsHarness();
  for (const [i, rating] of ratings.entries()) {
    await h.api('POST', '/api/v1/reviews', {
      review_id: `w-${i}`, product_id: 'bowl', rating, author_name: `Reader ${i}`, reviewed_at: new Date(Date.UTC(2026, 9, 1 + i)).toISOString(),
      ...(i === 10 && { photos: [{ data: PHOTO.toString('base64') }] }),
      body: i === 11 ? 'Chipped <img src=x onerror="document.title=\'owned\'"> on arrival' : `Bowl review number ${i}`,
    });
  }
  const hearth = await h.app.listen({ port: 0, host: '127.0.0.1' });
  shop = await shopPage(() => `<!doctype html><html><head><title>Ramen Bowl</title></head><body>
<h1>Ramen Bowl</h1><p>Grid: <span id="grid-stars" data-hearth-stars data-product-id="bowl"></span></p>
<div id="reviews" data-hearth-reviews data-product-id="bowl"></div>
<script src="${hearth}/v1/reviews/widget.js" data-key="${h.writeKey}" async></script></body></html>`);
  shopUrl = `${shop.base}/products/bowl`;
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await h.close();
});

describe('the reviews widget', () => {
  it('shows stars, the summary and the list on a shop\'s page, the reviewer\'s text as text, and adds the JSON-LD', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(shopUrl);
    const list = page.locator('#reviews article.hr-review');
    await expect.poll(() => list.count(), { timeout: 15_000 }).toBe(10);

    const average = Math.round((ratings.reduce((s, r) => s + r, 0) / ratings.length) * 100) / 100;
    await expect.poll(() => page.locator('#grid-stars').textContent(), { timeout: 15_000 }).toContain(`(${ratings.length})`);
    expect(await page.locator('#grid-stars [role=img]').getAttribute('aria-label')).toBe(`${average.toFixed(1)} out of 5 stars`);
    expect(await page.locator('#reviews .hr-average').textContent()).toBe(average.toFixed(1));
    expect(await page.locator('#reviews .hr-summary').textContent()).toContain(`${ratings.length} reviews`);
    // The bars: one per star, with the count of that many stars.
    const bars = await page.locator('#reviews .hr-bars > span.hr-muted').allTextContents();
    expect(bars.map(Number)).toEqual([5, 4, 3, 2, 1].map((n) => ratings.filter((r) => r === n).length));

    // Newest first: the last written is the hostile one, shown as text; no element was made of it.
    const first = list.first();
    expect(await first.locator('p').first().textContent()).toBe('Chipped <img src=x onerror="document.title=\'owned\'"> on arrival');
    expect(await first.locator('img').count()).toBe(0);
    expect(await page.title()).toBe('Ramen Bowl');

    // The one photo: a thumbnail under its review, loaded from Hearth and decoded, linking to the full photo.
    const thumbnails = page.locator('#reviews .hr-photos img');
    expect(await thumbnails.count()).toBe(1);
    const withPhoto = list.nth(1);
    expect(await withPhoto.locator('p').first().textContent()).toBe('Bowl review number 10');
    const thumbnail = withPhoto.locator('.hr-photos img');
    await expect.poll(() => thumbnail.evaluate((node) => { const img = node as unknown as Image; return img.complete && img.naturalWidth; }), { timeout: 15_000 }).toBe(40);
    expect(await thumbnail.isVisible()).toBe(true);
    expect(await thumbnail.evaluate((node) => (node as unknown as Image).naturalHeight)).toBe(30);
    const href = await withPhoto.locator('.hr-photos a').getAttribute('href');
    const full = await fetch(href!);
    expect(full.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await full.arrayBuffer()).equals(PHOTO)).toBe(true);

    await page.getByRole('button', { name: 'More reviews' }).click();
    await expect.poll(() => list.count(), { timeout: 15_000 }).toBe(ratings.length);
    expect(await page.getByRole('button', { name: 'More reviews' }).count()).toBe(0);
    const names = await page.locator('#reviews article .hr-muted').allTextContents();
    expect(new Set(names.map((n) => n.split(' · ')[0])).size).toBe(ratings.length);

    const jsonLd = page.locator('script[type="application/ld+json"][data-hearth-jsonld="bowl"]');
    await expect.poll(() => jsonLd.count(), { timeout: 15_000 }).toBe(1);
    const document = JSON.parse((await jsonLd.textContent())!) as { aggregateRating: { ratingValue: number; reviewCount: number }; url: string };
    expect(reviewSnippetProblems(document).problems).toEqual([]);
    expect(document.aggregateRating).toMatchObject({ ratingValue: average, reviewCount: ratings.length });
    expect(document.url).toBe(shopUrl);
    await page.close();
  });
});
