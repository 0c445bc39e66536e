/**
 * The Support and Surveys pages in Chromium: the figures are those the API computes (the median
 * response computed here from the API's tickets), a ticket's hostile subject is text, not markup,
 * and both pages fit a phone (390 px) as well as a desktop (1280 px).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDemoListening } from '../../src/modules/demo/demo-listen.js';
import { launchBrowser, openSignedIn, screenshot } from '../e2e/helpers/browser.js';
import { startE2eServer, type E2eServer } from '../e2e/helpers/server.js';

let hearth: E2eServer;
let browser: Browser;

beforeAll(async () => {
  hearth = await startE2eServer({ customers: 150, seed: 18 });
  await addDemoListening(hearth.server.services, hearth.storeId, new Date());
  const customer = (await hearth.server.services.storage.read.selectFrom('customers').select('id').where('store_id', '=', hearth.storeId).orderBy('id').limit(1).executeTakeFirstOrThrow()).id;
  await hearth.server.services.support.createTicket(hearth.storeId, { external_id: 'hostile', customer_id: Number(customer), subject: '<img src=x onerror=alert(1)> Parcel?' });
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

const open = (path: string, width = 1280): Promise<Page> => openSignedIn(browser, { url: hearth.url, user: hearth.owner }, path, width);
const overflowOf = async (page: Page) => Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));

describe('the Support page', () => {
  it('shows the tickets, the median first response and the deflection the API computes; a hostile subject is text', async () => {
    const services = hearth.server.services;
    const tickets = await services.support.list(hearth.storeId, { limit: 200 });
    const minutes = tickets.map((t) => t.first_response_minutes).filter((m): m is number => m !== null).sort((a, b) => a - b);
    const mid = Math.floor(minutes.length / 2);
    const median = minutes.length % 2 ? minutes[mid]! : (minutes[mid - 1]! + minutes[mid]!) / 2;
    const deflection = await services.support.deflection(hearth.storeId, new Date(Date.now() - 90 * 86_400_000), new Date());

    const page = await open('/support');
    await page.getByTestId('tickets-list').waitFor();
    expect(await page.getByTestId('ticket-count').textContent()).toBe(String(tickets.length));
    expect(await page.getByTestId('median-response').textContent()).toBe(`${Math.round(median).toLocaleString('en-US')} min`);
    expect(await page.getByTestId('deflection-views').textContent()).toBe(deflection.views.toLocaleString('en-US'));
    await page.getByText('<img src=x onerror=alert(1)> Parcel?').waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.getByTestId('retention-response').waitFor();
    expect(await overflowOf(page)).toBeLessThanOrEqual(0);
    await screenshot(page, '80-support');

    const phone = await open('/support', 390);
    await phone.getByTestId('tickets-list').waitFor();
    expect(await overflowOf(phone)).toBeLessThanOrEqual(0);
    await screenshot(phone, '81-support-phone');
  });
});

describe('the Surveys page', () => {
  it('shows the NPS, its answers and themes as the API computes them, at desktop and phone width', async () => {
    const now = new Date();
    const results = await hearth.server.services.surveys.results(hearth.storeId, 'nps', new Date(now.getTime() - 90 * 86_400_000), now);
    const page = await open('/surveys');
    await page.getByTestId('nps-score').waitFor();
    expect(results.nps!.answers).toBeGreaterThan(0);
    expect(await page.getByTestId('nps-answers').textContent()).toBe(results.nps!.answers.toLocaleString('en-US'));
    expect(await page.getByTestId('nps-value').textContent()).toContain(results.nps!.nps!.toFixed(1));
    await page.getByTestId('retention-nps').waitFor();
    expect(await overflowOf(page)).toBeLessThanOrEqual(0);
    await screenshot(page, '82-surveys');

    const phone = await open('/surveys', 390);
    await phone.getByTestId('nps-score').waitFor();
    expect(await overflowOf(phone)).toBeLessThanOrEqual(0);
    await screenshot(phone, '83-surveys-phone');
  });

  it('switches to CSAT: the share satisfied, its interval and mean as the answers give them', async () => {
    const now = new Date();
    const scores = (await hearth.server.services.surveys.answers(hearth.storeId, { kind: 'csat', limit: 1000 }))
      .filter((a) => new Date(a.answered_at).getTime() >= now.getTime() - 90 * 86_400_000).map((a) => a.score);
    expect(scores.length).toBeGreaterThan(0);
    const share = scores.filter((s) => s >= 4).length / scores.length;
    const mean = scores.reduce((a, s) => a + s, 0) / scores.length;

    const page = await open('/surveys');
    await page.getByTestId('nps-score').waitFor();
    await page.locator('select[name="survey-kind"]').selectOption('csat');
    await page.getByTestId('csat-score').waitFor();
    expect(page.url()).toContain('kind=csat');
    expect(await page.getByTestId('csat-answers').textContent()).toBe(scores.length.toLocaleString('en-US'));
    expect(await page.getByTestId('csat-value').textContent()).toContain(`${(share * 100).toFixed(1)} %`);
    expect(await page.getByTestId('csat-mean').textContent()).toContain(mean.toFixed(2));
    expect(await page.getByTestId('nps-retention').count()).toBe(0);
    await page.getByTestId('survey-answers-list').getByText(/\((satisfied|neutral|dissatisfied)\)/).first().waitFor();
    await screenshot(page, '84-surveys-csat');

    const phone = await open('/surveys?kind=csat', 390);
    await phone.getByTestId('csat-score').waitFor();
    expect(await overflowOf(phone)).toBeLessThanOrEqual(0);
    await screenshot(phone, '85-surveys-csat-phone');
  });
});
