/**
 * The Reviews page in Chromium: the moderation queue shows what waits and why, a review published
 * there leaves the queue, a reply is saved (and queued to the reviewer), the product ratings and
 * their returns and repeat rates match the API, reviewers' text is text, not markup, a waiting review's photo shows as a thumbnail, and
 * the page fits a phone.
 */
import type { Browser, Page } from 'playwright-core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png } from '../reviews/images.js';
import { launchBrowser, openSignedIn, screenshot } from './helpers/browser.js';
import { startE2eServer, type E2eServer } from './helpers/server.js';

let hearth: E2eServer;
let browser: Browser;

beforeAll(async () => {
  hearth = await startE2eServer({ customers: 40, seed: 5 });
  const reviews = hearth.server.services.reviews;
  await reviews.updateSettings(hearth.storeId, { auto_publish_min_rating: 4 });
  const at = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
  const write = (id: string, product: string, rating: number, body: string, days: number, extra: Record<string, unknown> = {}) =>
    reviews.submit(hearth.storeId, { review_id: id, product_id: product, product_name: product === 'p-grinder' ? 'Burr Grinder' : 'Pour-over Kettle', rating, body, reviewed_at: at(days), author_name: `Reader ${id}`, ...extra });
  await write('e1', 'p-grinder', 5, 'Consistent grind.', 80);
  await write('e2', 'p-grinder', 4, 'Loud but good.', 40);
  await write('e3', 'p-grinder', 2, 'Burrs wore out <img src=x onerror=alert(1)>', 10, { author_email: 'reader@example.com' });
  // Held for its word, with a 48×36 photo: the queue shows it although the public cannot see it yet.
  await write('e4', 'p-kettle', 5, 'What the shit, it is perfect', 5, { photos: [{ data: png(48, 36, [30, 110, 160]).toString('base64') }] });
  await write('e5', 'p-kettle', 5, 'Pours well.', 3);
  // Reviews of the demo's own orders, so their products have return and repeat rates.
  const { rows } = await sql<{ order_id: string; customer_id: string; product_id: string }>`
    select o.external_id as order_id, c.external_id as customer_id, min(p.external_id) as product_id
    from orders o join customers c on c.store_id = o.store_id and c.id = o.customer_id
    join order_lines l on l.store_id = o.store_id and l.order_id = o.id join products p on p.store_id = l.store_id and p.id = l.product_id
    where o.store_id = ${hearth.storeId} group by o.external_id, c.external_id order by o.external_id limit 12`.execute(hearth.server.services.storage.read);
  for (const [i, row] of rows.entries()) await write(`o${i}`, row.product_id, 4 + (i % 2), 'About my order.', 20, { customer_id: row.customer_id, order_id: row.order_id });
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

const open = (path: string, width = 1280): Promise<Page> => openSignedIn(browser, { url: hearth.url, user: hearth.owner }, path, width);

describe('the Reviews page', () => {
  it('moderates, replies and shows the ratings per product as the API computes them', async () => {
    const page = await open('/reviews');
    const queue = page.getByTestId('review-list').getByTestId('review');
    await expect.poll(() => queue.count(), { timeout: 15_000 }).toBe(2);
    const held = queue.filter({ hasText: 'held for profanity' });
    expect(await held.count()).toBe(1);
    // The hostile text is shown as text.
    const hostile = queue.filter({ hasText: 'Burrs wore out' });
    expect(await hostile.locator('p').first().textContent()).toBe('Burrs wore out <img src=x onerror=alert(1)>');
    expect(await hostile.locator('img').count()).toBe(0);
    const thumbnail = held.getByTestId('review-photos').locator('img');
    expect(await thumbnail.count()).toBe(1);
    await expect.poll(() => thumbnail.evaluate((node) => (node as unknown as { naturalWidth: number }).naturalWidth), { timeout: 15_000 }).toBe(48);
    expect(await thumbnail.isVisible()).toBe(true);
    expect(await held.getByTestId('review-photos').locator('a').getAttribute('href')).toMatch(/^\/api\/v1\/reviews\/photos\/pho_[0-9a-f]{32}\?store=/);

    const analytics = await hearth.server.services.reviews.analytics(hearth.storeId);
    const table = page.getByTestId('review-rate');
    for (const [i, product] of analytics.products.entries()) {
      // In the API's order; two products may share a title.
      const row = table.locator('tbody tr').nth(i);
      // Name, count, then the mean to two decimals at most (5, 3.67).
      const shown = `${product.product_title}${product.reviews}${new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(product.average)}`;
      await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain(shown);
    }

    // Ratings against returns and repeat purchases, as the API computes them.
    const outcomes = await hearth.server.services.reviews.outcomes(hearth.storeId);
    const panel = page.getByTestId('review-outcomes');
    await expect.poll(() => panel.getByTestId('rating-outcomes').locator('tbody tr').count(), { timeout: 15_000 }).toBe(5);
    expect(outcomes.products.filter((p) => p.returns.rate !== null).length).toBeGreaterThan(0);
    const productRows = panel.getByTestId('product-outcomes').locator('tbody tr');
    expect(await productRows.count()).toBe(outcomes.products.length);
    const percent = (v: number) => new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v);
    for (const [i, product] of outcomes.products.entries()) {
      const text = await productRows.nth(i).textContent();
      expect(text).toContain(product.product_title ?? product.product_id);
      if (product.returns.rate !== null) expect(text).toContain(percent(product.returns.rate));
    }

    await hostile.getByRole('button', { name: 'Reply' }).click();
    await hostile.getByLabel(/Public reply/).fill('Sorry about that: new burrs are on their way.');
    await hostile.getByRole('button', { name: 'Send reply' }).click();
    await page.getByRole('status').filter({ hasText: 'Reply saved and emailed to reader@example.com.' }).waitFor();
    await hostile.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => queue.count(), { timeout: 15_000 }).toBe(1);
    const stored = (await hearth.server.services.reviews.list(hearth.storeId, { status: 'published' })).data.find((r) => r.body.startsWith('Burrs wore out'));
    expect(stored).toMatchObject({ status: 'published', reply: 'Sorry about that: new burrs are on their way.' });
    await screenshot(page, 'reviews-1280');
    await page.close();
  });

  it('fits a phone', async () => {
    const phone = await open('/reviews', 390);
    await phone.getByTestId('review').first().waitFor();
    const overflow = Number(await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone, 'reviews-390');
    await phone.close();
  });
});
