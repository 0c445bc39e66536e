/**
 * The ready flows and the backtest in Chromium: the Flows page lists the library as the API does;
 * "Install" makes the draft (once) and opens it; the flow page runs the draft's backtest over the
 * days asked for and shows the API's figures by step; a wrong number of days is refused before
 * anything runs; an analyst sees the library without install buttons; the page fits a phone.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openSignedIn, screenshot } from './helpers/browser.js';
import { startE2eServer, type E2eServer } from './helpers/server.js';

let hearth: E2eServer;
let browser: Browser;

beforeAll(async () => {
  hearth = await startE2eServer({ customers: 150, seed: 5 });
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

const open = (path: string, width = 1280, user = hearth.owner): Promise<Page> => openSignedIn(browser, { url: hearth.url, user }, path, width);

describe('ready flows and the backtest', () => {
  let flowId = '';

  it('lists the library and installs a ready flow as a draft in one click', async () => {
    const library = await hearth.server.services.flowLibrary.list(hearth.storeId);
    const page = await open('/flows');
    const cards = page.getByTestId('ready-flows').locator('li.ready-flow');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(library.length);
    const winBack = page.locator('li.ready-flow[data-key="win_back"]');
    expect(await winBack.innerText()).toContain(library.find((f) => f.key === 'win_back')!.summary);
    await screenshot(page, '88-ready-flows');

    await winBack.getByRole('button', { name: 'Install the Win-back flow' }).click();
    await page.waitForURL(/\/flows\/[^/]+$/);
    flowId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const installed = (await hearth.server.services.flows.list(hearth.storeId)).filter((f) => f.name === 'Win-back');
    expect(installed.map((f) => [f.id, f.status])).toEqual([[flowId, 'draft']]);
    await page.getByTestId('flow-status').getByText('draft').waitFor();

    const again = await open('/flows');
    const card = again.locator('li.ready-flow[data-key="win_back"]');
    await card.getByRole('link', { name: 'Win-back' }).waitFor();
    expect(await card.getByRole('button').count()).toBe(0);
  });

  it('runs the draft\'s backtest and shows the API\'s figures step by step', async () => {
    expect(flowId).not.toBe('');
    const expected = await hearth.server.services.flowBacktest.run(hearth.storeId, flowId, 365);
    expect(expected.entrants).toBeGreaterThan(0);
    const page = await open(`/flows/${encodeURIComponent(flowId)}`);
    const panel = page.getByTestId('flow-backtest');
    await panel.getByLabel('Days of history').fill('365');
    await panel.getByRole('button', { name: 'Run the backtest' }).click();
    await panel.getByTestId('backtest-summary').waitFor();
    expect(await panel.getByTestId('backtest-summary').innerText()).toBe(expected.summary);
    const rows = panel.getByRole('table', { name: 'Backtest by step' }).locator('tbody tr');
    expect(await rows.count()).toBe(expected.steps.length);
    for (const [i, step] of expected.steps.entries()) {
      const cells = await rows.nth(i).locator('td').allInnerTexts();
      expect(cells[0]).toBe(step.name ?? step.id);
      expect(Number(cells[2]!.replace(/,/g, ''))).toBe(step.reached);
      expect(Number(cells[3]!.replace(/,/g, ''))).toBe(step.waiting);
    }
    await screenshot(page, '89-flow-backtest');

    // More days than the server keeps is refused by the field, and nothing runs.
    await panel.getByLabel('Days of history').fill('9999');
    await panel.getByRole('button', { name: 'Run the backtest' }).click();
    expect(await panel.getByLabel('Days of history').evaluate((el: { validity: { valid: boolean } }) => el.validity.valid)).toBe(false);
  });

  it('shows an analyst the library without install buttons, and fits a phone', async () => {
    const analyst = await open('/flows', 1280, hearth.analyst);
    await analyst.getByTestId('ready-flows').locator('li.ready-flow').first().waitFor();
    expect(await analyst.getByRole('button', { name: /^Install the / }).count()).toBe(0);
    expect(await analyst.locator('li.ready-flow[data-key="birthday"]').innerText()).toContain('not installed');

    const phone = await open('/flows', 390);
    await phone.getByTestId('ready-flows').locator('li.ready-flow').first().waitFor();
    const overflow = Number(await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
