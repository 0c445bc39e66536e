/**
 * The Campaigns builder's timing and A/B choices in Chromium: a campaign scheduled at a local time
 * on each recipient's clock with an A/B test won by clicks, saved as the API then shows it; one at
 * each recipient's usual hour, started, whose results say over how many hours it goes out — as the
 * API computes; on a desktop and on a phone without horizontal scrolling.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openSignedIn, screenshot, settled } from './helpers/browser.js';
import { startE2eServer, type E2eServer } from './helpers/server.js';

let hearth: E2eServer;
let browser: Browser;

beforeAll(async () => {
  hearth = await startE2eServer({ customers: 300, seed: 17 });
  await hearth.server.services.accounts.updateStore(hearth.storeId, { websiteUrl: 'https://shop.example', postalAddress: '1 Quay Street, Bristol' });
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

const open = (width: number): Promise<Page> => openSignedIn(browser, { url: hearth.url, user: hearth.owner }, '/campaigns', width);

async function fillBuilder(page: Page, name: string): Promise<void> {
  await page.getByLabel('Campaign name').fill(name);
  await page.getByLabel('Email template').selectOption({ label: 'Win-back' });
  await page.getByRole('group', { name: 'Send to customers in any of' }).getByLabel(/Repeat buyers/).check();
  await page.getByTestId('campaign-audience').waitFor();
}

const overflow = (page: Page) => page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');

describe('campaign timing in the builder', () => {
  it("schedules a campaign at a local time on each recipient's clock, with an A/B test won by clicks", async () => {
    const page = await open(1280);
    await fillBuilder(page, 'Tuesday ten');
    const date = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    await page.getByTestId('campaign-timing').locator('select').selectOption({ label: "At a time on each recipient's clock" });
    await page.getByLabel('Local date and time').fill(`${date}T10:00`);
    await page.getByLabel('A/B test against a second template').check();
    await page.getByLabel('Variant B template').selectOption({ label: 'Newsletter' });
    await page.getByLabel('Winner by').selectOption('clicks');
    await screenshot(page, '24-campaign-builder-timing');
    await page.getByRole('button', { name: 'Schedule' }).click();
    await page.getByTestId('campaign-results').waitFor();

    const campaign = (await hearth.server.services.campaigns.list(hearth.storeId)).find((c) => c.name === 'Tuesday ten')!;
    expect(campaign).toMatchObject({ status: 'scheduled', delivery: { mode: 'local_time', local_time: `${date}T10:00` } });
    expect(campaign.ab_test).toMatchObject({ winner_metric: 'clicks', test_share: 0.2, test_hours: 4 });
    expect(campaign.send_at!.toISOString()).toBe(new Date(Date.parse(`${date}T10:00:00Z`) - 14 * 3_600_000).toISOString());
    const row = page.getByRole('row', { name: /Tuesday ten/ });
    expect(await row.textContent()).toContain(`${date} 10:00 on each recipient's clock`);
  });

  it("starts a campaign at each recipient's usual hour and says over how many hours it goes out, on a phone", async () => {
    const page = await open(390);
    await fillBuilder(page, 'Their hour');
    await page.getByTestId('campaign-timing').locator('select').selectOption({ label: "At each recipient's usual hour" });
    expect(await overflow(page)).toBe(0);
    await screenshot(page, '25-campaign-builder-usual-hour-phone');
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.getByRole('button', { name: 'Start campaign' }).click();
    const results = page.getByTestId('campaign-results');
    await results.getByRole('table').waitFor();

    const campaign = (await hearth.server.services.campaigns.list(hearth.storeId)).find((c) => c.name === 'Their hour')!;
    expect(campaign.delivery).toEqual({ mode: 'usual_hour', default_hour: 10 });
    const api = await hearth.server.services.campaigns.results(hearth.storeId, campaign.id);
    expect(api.schedule!.hours).toBeGreaterThan(0);
    const line = results.getByTestId('campaign-schedule');
    await line.waitFor();
    expect(await line.textContent()).toContain(`Scheduled over ${api.schedule!.hours.toLocaleString('en-US')} hours`);
    expect(await line.textContent()).toContain("each recipient's usual hour");
    expect(await overflow(page)).toBe(0);
    await screenshot(page, '26-campaign-usual-hour-results-phone');

    // The Outbox shows each waiting message with the time it waits for.
    const [waiting] = await hearth.server.services.messages.list(hearth.storeId, { state: 'queued', source: `campaign:${campaign.id}`, limit: 1 });
    await page.goto(`${hearth.url}/outbox`);
    await settled(page);
    const row = page.getByRole('row', { name: new RegExp(waiting!.to_address.replace(/[.+]/g, '\\$&')) });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/queued.*until /);
  });

  it('turns quiet hours on in Settings, with a weekly cap, as the API then shows them', async () => {
    const page = await open(1280);
    await page.goto(`${hearth.url}/settings`);
    await settled(page);
    const form = page.getByRole('form', { name: 'Sending settings' });
    await form.waitFor();
    await form.locator('input[name="quiet-hours"]').check();
    await form.getByLabel('Quiet hours start').fill('22:00');
    await form.getByLabel('Quiet hours end').fill('07:30');
    await form.locator('input[name="weekly-cap"]').fill('3');
    await form.getByRole('button', { name: 'Save sending settings' }).click();
    await expect.poll(async () => (await hearth.server.services.messages.settings(hearth.storeId)).quiet_hours_enabled).toBe(true);
    const saved = await hearth.server.services.messages.settings(hearth.storeId);
    expect([saved.quiet_hours_start, saved.quiet_hours_end, saved.weekly_cap]).toEqual(['22:00', '07:30', 3]);
    await settled(page);
    expect(await form.locator('input[name="quiet-hours"]').isChecked()).toBe(true);
    await screenshot(page, '27-settings-quiet-hours');
  });
});
