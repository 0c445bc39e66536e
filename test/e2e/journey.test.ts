/**
 * The Journey page in Chromium: browsing sent through the tracking API (some of it by customers who
 * later stop ordering) shows as funnel bars with the API's step counts, a table of pages seen before
 * a lapse with lift and interval, and the month-to-month movements between lifecycle stages; a
 * page path is shown as text, not markup; the page fits a phone.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openSignedIn, screenshot } from './helpers/browser.js';
import { startE2eServer, trackBatch, type E2eServer } from './helpers/server.js';
import { SEED_END } from './helpers/seed.js';

const DAY = 86_400_000;
let hearth: E2eServer;
let browser: Browser;

beforeAll(async () => {
  hearth = await startE2eServer({ customers: 150, seed: 8 });
  const services = hearth.server.services;
  const customers = await services.storage.read.selectFrom('customers').select(['external_id']).where('store_id', '=', hearth.storeId).orderBy('id').limit(120).execute();
  const batch: Record<string, unknown>[] = [];
  let n = 0;
  // Every other visitor on a phone, the rest on a computer, as analytics.js reports the browser.
  const agents = ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36'];
  // One short visit per customer in the last months before the store's last day: home, a product,
  // then the cart for some, the checkout for fewer, and a help page with markup in its path for a few.
  customers.forEach((c, i) => {
    const start = SEED_END.getTime() - (5 + (i % 150)) * DAY;
    const path = ['/', '/products/house-blend', ...(i % 3 === 0 ? ['/cart'] : []), ...(i % 7 === 0 ? ['/pages/<b>help</b>'] : [])];
    path.forEach((p, k) => batch.push({
      type: 'page', userId: c.external_id, name: 'Page', properties: { path: p, url: `https://shop.example${p}`, session_id: `s-${i}` }, context: { userAgent: agents[i % 2] },
      timestamp: new Date(start + k * 60_000).toISOString(), messageId: `journey-e2e-${n++}`,
    }));
    if (i % 6 === 0) {
      batch.push({ type: 'track', userId: c.external_id, event: 'Checkout Started', properties: { session_id: `s-${i}`, checkout_id: `co-${i}` }, timestamp: new Date(start + 5 * 60_000).toISOString(), messageId: `journey-e2e-${n++}` });
    }
  });
  await trackBatch(hearth, batch);
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

const open = (path: string, width = 1280): Promise<Page> => openSignedIn(browser, { url: hearth.url, user: hearth.owner }, path, width);

describe('the Journey page', () => {
  it('shows the funnel, the pages seen before a lapse and the stage movements as the API computes them', async () => {
    const journey = hearth.server.services.analytics.journey;
    const [funnel, exits, lifecycle] = await Promise.all([journey.funnels(hearth.storeId, {}), journey.exits(hearth.storeId, { min_customers: 5, group: 'url' }), journey.lifecycle(hearth.storeId, {})]);
    expect(funnel.steps[0]!.units).toBe(120);
    expect(funnel.steps[2]!.units).toBe(40);

    const page = await open('/journey');
    const steps = page.getByTestId('funnel-steps').locator('li');
    await steps.first().waitFor();
    expect(await steps.count()).toBe(5);
    for (const [i, step] of funnel.steps.entries()) {
      const text = await steps.nth(i).innerText();
      expect(text).toContain(step.label);
      expect(text).toContain(String(step.units));
    }
    const cart = await steps.nth(2).locator('.bar').evaluate((el: { style: { width: string } }) => el.style.width);
    expect(parseFloat(cart)).toBeCloseTo(100 * funnel.steps[2]!.conversionFromStart!, 3);

    const exitTable = page.getByTestId('journey-exits');
    const rows = exitTable.locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(Math.min(15, exits.churn.rows.length));
    const top = exits.churn.rows[0]!;
    const first = await rows.first().innerText();
    expect(first).toContain(top.page);
    expect(first).toContain(top.lift === null ? '—' : `${top.lift.toFixed(2)}×`);
    // The help page's path, with markup in it, is shown as text.
    expect(exits.churn.rows.map((r) => r.page)).toContain('/pages/<b>help</b>');
    await exitTable.getByText('/pages/<b>help</b>').first().waitFor();
    expect(await exitTable.locator('tbody b').count()).toBe(0);

    const moves = page.getByTestId('journey-lifecycle').locator('tbody tr');
    await moves.first().waitFor();
    expect(await moves.count()).toBe(lifecycle.transitions.length);
    await screenshot(page, '80-journey');
  });

  it('breaks the funnel down by device, as the API does', async () => {
    const byDevice = await hearth.server.services.analytics.journey.funnels(hearth.storeId, { breakdown: 'device' });
    expect(byDevice.breakdown.rows.map((r) => [r.value, r.entered])).toEqual([['desktop', 60], ['mobile', 60]]);
    const page = await open('/journey');
    await page.getByTestId('funnel-steps').waitFor();
    await page.locator('select[name="breakdown"]').selectOption('device');
    const table = page.getByRole('table', { name: 'Conversion by device' });
    await table.getByText('mobile').waitFor();
    const rows = await table.locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    for (const [i, r] of byDevice.breakdown.rows.entries()) {
      expect(rows[i]).toContain(r.value);
      expect(rows[i]).toContain(String(r.entered));
      expect(rows[i]).toContain(String(r.converted));
    }
  });

  it('fits a phone', async () => {
    const phone = await open('/journey', 390);
    await phone.getByTestId('funnel-steps').waitFor();
    const overflow = Number(await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone, '81-journey-phone');
  });
});
