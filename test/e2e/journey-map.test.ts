/**
 * The journey map in Chromium: the lifecycle stages in order with the lifecycle report's counts
 * and month-after movements; a page that customers read before lapsing (planted through the
 * tracking API) under "At risk" with the exits report's lift; the levers — a ready flow installed
 * from the map in one click (once, as a draft, then shown with its status), a segment's "send a
 * campaign" opening the campaign builder with that segment chosen, nothing to install for an
 * analyst; the page fits a phone.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openSignedIn, screenshot } from './helpers/browser.js';
import { startE2eServer, trackBatch, type E2eServer } from './helpers/server.js';
import { SEED_END } from './helpers/seed.js';

const DAY = 86_400_000;
const THRESHOLD_DAYS = 90;
const PLANTED = '/pages/delivery-information';
let hearth: E2eServer;
let browser: Browser;

beforeAll(async () => {
  hearth = await startE2eServer({ customers: 240, seed: 21 });
  const services = hearth.server.services;
  await services.accounts.updateStore(hearth.storeId, { inactivityDays: THRESHOLD_DAYS });
  const buyers = await services.storage.read.selectFrom('orders').innerJoin('customers', 'customers.id', 'orders.customer_id')
    .select(['customers.external_id as externalId']).select((eb) => eb.fn.max('orders.placed_at').as('last'))
    .where('orders.store_id', '=', hearth.storeId).where('orders.status', '<>', 'cancelled')
    .groupBy('customers.external_id').orderBy('customers.external_id').execute();
  // A visit the day before each buyer's last order: most of those who then lapse read the delivery
  // information page, few of those who stay do.
  const batch: Record<string, unknown>[] = [];
  let n = 0;
  buyers.forEach((b, i) => {
    const last = new Date(b.last as Date).getTime();
    const lapses = last + THRESHOLD_DAYS * DAY < SEED_END.getTime();
    const reads = lapses ? i % 5 !== 0 : i % 7 === 0;
    const start = last - DAY;
    ['/', '/products/house-blend', ...(reads ? [PLANTED] : [])].forEach((path, k) => batch.push({
      type: 'page', userId: b.externalId, name: 'Page', properties: { path, url: `https://shop.example${path}`, session_id: `m-${i}` },
      timestamp: new Date(start + k * 60_000).toISOString(), messageId: `journey-map-${n++}`,
    }));
  });
  await trackBatch(hearth, batch);
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

const open = (path: string, width = 1280, user = hearth.owner): Promise<Page> => openSignedIn(browser, { url: hearth.url, user }, path, width);
const stageCard = (page: Page, stage: string) => page.locator(`section[data-stage="${stage}"]`);

describe('the journey map', () => {
  it('shows each stage with the lifecycle report\'s counts, movements and the page read before lapsing', async () => {
    const journey = hearth.server.services.analytics.journey;
    const [lifecycle, exits] = await Promise.all([journey.lifecycle(hearth.storeId, {}), journey.exits(hearth.storeId, { min_customers: 20, group: 'url' })]);
    const planted = exits.churn.rows.find((r) => r.page === PLANTED);
    expect(planted, 'the planted page is among those seen before a lapse').toBeDefined();
    expect(planted!.liftLow).toBeGreaterThan(1);

    const page = await open('/journey-map');
    await page.getByTestId('journey-map').waitFor();
    const titles = await page.locator('section[data-stage] h3').allInnerTexts();
    expect(titles).toEqual(['Prospect', 'New', 'Active', 'At risk', 'Lapsed', 'Reactivated']);

    const last = lifecycle.months.at(-1)!;
    for (const stage of ['prospect', 'new', 'active', 'at_risk', 'lapsed', 'reactivated']) {
      const expected = last.stages.find((s) => s.stage === stage)?.customers ?? 0;
      expect(Number((await page.getByTestId(`stage-count-${stage}`).innerText()).replace(/,/g, '')), stage).toBe(expected);
    }
    // Where the active customers were a month later, as shares of all the active months counted.
    const fromActive = lifecycle.transitions.filter((t) => t.from === 'active');
    const total = fromActive.reduce((sum, t) => sum + t.customers, 0);
    expect(total).toBeGreaterThan(0);
    const toRisk = fromActive.find((t) => t.to === 'at_risk')!;
    expect(toRisk.customers).toBeGreaterThan(0);
    const moves = await page.getByTestId('stage-next-active').innerText();
    expect(moves).toContain(`→ At risk: ${Math.round((100 * toRisk.customers) / total)}% (${toRisk.customers})`);

    const risk = await stageCard(page, 'at_risk').getByTestId('map-lapse-pages').innerText();
    expect(risk).toContain(PLANTED);
    expect(risk).toContain(`lapsed ${planted!.lift!.toFixed(1)}× as often`);
    expect(risk).toContain(`n = ${planted!.customers}`);
    await stageCard(page, 'reactivated').locator('.map-levers').waitFor();
    await screenshot(page, '86-journey-map');
  });

  it('installs a ready flow from its stage in one click, once, as a draft', async () => {
    const page = await open('/journey-map');
    const install = stageCard(page, 'at_risk').getByRole('button', { name: 'Install the Win-back flow' });
    await install.click();
    await page.waitForURL(/\/flows\/[^/]+$/);
    const flowId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const flows = await hearth.server.services.flows.list(hearth.storeId);
    const installed = flows.filter((f) => f.name === 'Win-back');
    expect(installed.map((f) => [f.id, f.status])).toEqual([[flowId, 'draft']]);

    const again = await open('/journey-map');
    const lapsed = stageCard(again, 'lapsed');
    await lapsed.getByRole('link', { name: 'Win-back' }).waitFor();
    expect(await lapsed.getByRole('link', { name: 'Win-back' }).getAttribute('href')).toBe(`/flows/${encodeURIComponent(flowId)}`);
    expect(await lapsed.locator('.map-levers').innerText()).toContain('draft');
    expect(await again.getByRole('button', { name: 'Install the Win-back flow' }).count()).toBe(0);
  });

  it('opens the campaign builder with the stage\'s segment chosen', async () => {
    const segments = await hearth.server.services.segments.list(hearth.storeId);
    const atRisk = segments.find((s) => s.builtin_key === 'at_risk')!;
    const page = await open('/journey-map');
    await stageCard(page, 'at_risk').getByRole('link', { name: `Send a campaign to ${atRisk.name}` }).click();
    await page.waitForURL(/\/campaigns\?segment=/);
    const choice = page.getByRole('group', { name: 'Send to customers in any of' }).getByRole('checkbox', { name: atRisk.name });
    await choice.waitFor();
    expect(await choice.isChecked()).toBe(true);
  });

  it('offers nothing to install to an analyst, and fits a phone', async () => {
    const analyst = await open('/journey-map', 1280, hearth.analyst);
    await stageCard(analyst, 'prospect').locator('.map-levers').waitFor();
    expect(await analyst.getByRole('button', { name: /^Install the / }).count()).toBe(0);
    expect(await stageCard(analyst, 'prospect').innerText()).toContain('not installed');

    const phone = await open('/journey-map', 390);
    await phone.getByTestId('journey-map').waitFor();
    await stageCard(phone, 'reactivated').locator('.map-levers').waitFor();
    const overflow = Number(await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone, '87-journey-map-phone');
  });
});
