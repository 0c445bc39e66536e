/**
 * The Impact page in Chromium: a campaign started four months ago with a holdout appears with the
 * extra orders and revenue the API computes, its row opens every outcome over 7, 30 and 90 days
 * with verdicts; the power calculator answers from the server; the store-wide holdout is turned
 * on; the campaign's own page shows the same experiment; the page on a phone.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openSignedIn, screenshot } from './helpers/browser.js';
import { SEED_END } from './helpers/seed.js';
import { startE2eServer, type E2eServer } from './helpers/server.js';

const DAY = 86_400_000;
let hearth: E2eServer;
let browser: Browser;
let campaignId = '';
const started = new Date(SEED_END.getTime() - 120 * DAY);
const day = (d: Date) => d.toISOString().slice(0, 10);
const period = `from=${day(new Date(started.getTime() - 5 * DAY))}&to=${day(new Date(started.getTime() + 5 * DAY))}`;

beforeAll(async () => {
  hearth = await startE2eServer({ customers: 600, seed: 13 });
  const services = hearth.server.services;
  const repeat = (await services.segments.list(hearth.storeId)).find((s) => s.builtin_key === 'repeat_buyers')!;
  const template = await services.templates.createFromStarter(hearth.storeId, 'win_back', { name: 'Win-back' });
  const campaign = await services.campaigns.create(hearth.storeId, { name: 'Summer <b>thanks</b>', segment_ids: [repeat.id], template_id: template.id, holdout_share: 0.3 });
  await services.campaigns.start(hearth.storeId, campaign.id, started, { refreshSegments: false });
  campaignId = campaign.id;
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

const open = (path: string, width = 1280): Promise<Page> => openSignedIn(browser, { url: hearth.url, user: hearth.owner }, path, width);

describe('the Impact page', () => {
  it('lists the campaign with the extra orders and revenue the API computes, and opens its outcomes', async () => {
    const impact = await hearth.server.services.experiments.impact(hearth.storeId, { from: day(new Date(started.getTime() - 5 * DAY)), to: day(new Date(started.getTime() + 5 * DAY)), window: 30 });
    const programme = impact.programmes.find((p) => p.name.includes('Summer'));
    expect(programme?.people).toBeGreaterThan(20);

    const page = await open(`/impact?${period}`);
    const row = page.getByTestId('impact-programmes').getByRole('row', { name: /Summer <b>thanks<\/b>/ });
    await row.waitFor();
    // The name is text, not markup.
    expect(await page.locator('b', { hasText: 'thanks' }).count()).toBe(0);
    const sign = programme!.incremental_orders.value > 0 ? '+' : '';
    expect(await row.textContent()).toContain(`${sign}${Math.round(programme!.incremental_orders.value).toLocaleString('en-US')}`);
    await row.click();
    const detail = page.getByTestId('impact-experiment');
    await detail.getByRole('table').waitFor();
    for (const outcome of ['Bought in the window', 'Orders per person', 'Net revenue per person', 'Ordered again', 'Unsubscribed']) {
      expect(await detail.getByRole('row', { name: new RegExp(outcome) }).count()).toBe(1);
    }
    expect(await detail.getByTestId('experiment-verdict').textContent()).toMatch(/Increase|Decrease|Too early to tell/);
    await detail.getByRole('radio', { name: '90 days' }).click();
    expect(await detail.textContent()).toContain('Held out');
    await screenshot(page, '60-impact');
  });

  it('answers the power calculator from the server and turns the store-wide holdout on', async () => {
    const page = await open('/impact');
    const calculator = page.getByTestId('power-calculator');
    await calculator.getByLabel('Share who buy now (%)').fill('4');
    await calculator.getByLabel('Lift to detect (points)').fill('1');
    await calculator.getByRole('button', { name: 'Calculate' }).click();
    const plan = calculator.getByTestId('power-plan');
    await plan.waitFor();
    const expected = await hearth.server.services.experiments.power(hearth.storeId, { kind: 'proportion', baseline_mean: 0.04, minimum_effect: 0.01, holdout_share: 0.1, eligible_per_day: 50, window_days: 30 });
    expect(await plan.textContent()).toContain(`${expected.days_to_result.toLocaleString('en-US')} days`);

    const holdout = page.getByTestId('global-holdout');
    await holdout.getByLabel('Held out (%)').fill('5');
    await holdout.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => holdout.getByTestId('global-holdout-state').textContent(), { timeout: 10_000 }).toContain('5%');
    expect((await hearth.server.services.experiments.globalHoldout(hearth.storeId)).share).toBe(0.05);
  });

  it('shows the same experiment on the campaign page, and fits a phone', async () => {
    const page = await open(`/campaigns?campaign=${campaignId}`);
    const details = page.getByTestId('campaign-experiment');
    await details.locator('summary').click();
    await details.getByRole('table').waitFor();
    expect(await details.textContent()).toContain('Bought in the window');

    const phone = await open(`/impact?${period}`, 390);
    await phone.getByTestId('impact-programmes').getByRole('table').waitFor();
    const overflow = Number(await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone, '61-impact-phone');
  });
});
