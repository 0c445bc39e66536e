/**
 * Every starter template rendered with the sample customer in Chromium at a phone width (390 px)
 * and a desktop mail client's reading pane (800 px): nothing may be wider than the phone's screen,
 * and the screenshots (test/e2e/screenshots/starter-*) are there for a person to look at.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTemplate, renderEmail, sampleVariables, starterTemplates, type StoreVariables } from '../../src/modules/messaging/index.js';
import { launchBrowser, screenshot } from './helpers/browser.js';

const store: StoreVariables = {
  name: 'Linen & Co', url: 'https://linen.example', logo_url: null, address: '1 Quay Street, Bristol BS1 4DJ, United Kingdom',
  currency: 'GBP', timezone: 'Europe/London', colors: { primary: '#2f5d50', background: '#f4f1ec', text: '#1f2328' },
};

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

describe('starter templates in Chromium', () => {
  it.each(starterTemplates().map((starter) => [starter.key, starter] as const))('%s fits a phone and a desktop pane', async (key, starter) => {
    const result = await compileTemplate(starter, { storeHasAddress: true });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const email = renderEmail(result.compiled, sampleVariables(store, new Date('2026-06-15T10:00:00Z')));
    for (const width of [390, 800]) {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      await page.setContent(email.html, { waitUntil: 'load' });
      const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
      expect(overflow, `${key} at ${width}px`).toBeLessThanOrEqual(0);
      // The content a reader needs is visible: the store's name and, for marketing mail, the unsubscribe link.
      await page.getByText('Linen & Co', { exact: true }).first().waitFor();
      if (starter.purpose === 'marketing') await page.getByRole('link', { name: 'Unsubscribe' }).waitFor();
      await screenshot(page, `starter-${key}-${width}`);
      await page.close();
    }
  }, 30_000);
});
