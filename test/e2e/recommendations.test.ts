/**
 * The customer profile's "Recommended for them" panel, end to end: a real server with a seeded
 * store, the models fitted through the API, and Debian's Chromium reading the panel. What it
 * shows is compared with the API's answer for the same customer.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, settled, signIn } from './helpers/browser.js';
import { startE2eServer, type E2eServer } from './helpers/server.js';

let hearth: E2eServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  hearth = await startE2eServer();
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' })).newPage();
  await signIn(page, hearth.url, hearth.owner.email, hearth.owner.password);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

describe('recommendations on the customer profile', () => {
  it('lists the customer\'s recommended products with the reason for each', async () => {
    const fit = await page.request.post(`${hearth.url}/api/v1/recommendations/fit-now`, { headers: { 'x-csrf-token': await csrf() } });
    expect(fit.status()).toBe(200);
    const found = await (await page.request.get(`${hearth.url}/api/v1/customers/search?q=${encodeURIComponent(hearth.seed.firstCustomer.email)}`)).json() as { data: { id: number }[] };
    const customer = String(found.data[0]!.id);
    const served = await (await page.request.get(`${hearth.url}/api/v1/customers/${encodeURIComponent(customer)}/recommendations?k=5`)).json() as { items: { title: string; explanation: string }[] };
    expect(served.items.length).toBeGreaterThan(0);
    await page.goto(`${hearth.url}/customers/${customer}`);
    const panel = page.getByTestId('profile-recommendations');
    await panel.waitFor();
    await settled(page);
    const rows = await panel.locator('li').allInnerTexts();
    expect(rows).toHaveLength(served.items.length);
    rows.forEach((text, i) => {
      expect(text).toContain(served.items[i]!.title);
      expect(text).toContain(served.items[i]!.explanation);
    });
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'recommendations-profile-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await settled(page);
    await screenshot(page, 'recommendations-profile-390');
  }, 60_000);
});

async function csrf(): Promise<string> {
  const session = await (await page.request.get(`${hearth.url}/api/v1/session`)).json() as { csrf_token: string };
  return session.csrf_token;
}
