/**
 * The Campaigns page in Chromium: a campaign built from a segment with the live audience count the
 * API gives, saved with a starter template, started, sent by the worker to the built-in mail
 * catcher, and its results as the API computes them; an SMS campaign built with its text and
 * segment count, stored as written; the same page on a phone.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openSignedIn, screenshot, settled } from './helpers/browser.js';
import { startE2eServer, type E2eServer } from './helpers/server.js';

let hearth: E2eServer;
let browser: Browser;

beforeAll(async () => {
  hearth = await startE2eServer({ customers: 400, seed: 11 });
  await hearth.server.services.accounts.updateStore(hearth.storeId, { websiteUrl: 'https://shop.example', postalAddress: '1 Quay Street, Bristol' });
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

const open = (width: number): Promise<Page> => openSignedIn(browser, { url: hearth.url, user: hearth.owner }, '/campaigns', width);

describe('the Campaigns page', () => {
  it('builds a campaign with the audience the API counts, starts it and shows the results the API computes', async () => {
    const services = hearth.server.services;
    const repeat = (await services.segments.list(hearth.storeId)).find((s) => s.builtin_key === 'repeat_buyers')!;
    const expected = await services.campaigns.audience(hearth.storeId, { segment_ids: [repeat.id], holdout_share: 0.1 });
    expect(expected.audience).toBeGreaterThan(20);

    const page = await open(1280);
    await page.getByLabel('Campaign name').fill('Come back soon');
    await page.getByLabel('Email template').selectOption({ label: 'Win-back' });
    await page.getByRole('group', { name: 'Send to customers in any of' }).getByLabel(/Repeat buyers/).check();
    const audience = page.getByTestId('campaign-audience');
    await audience.waitFor();
    await expect.poll(() => audience.textContent()).toContain(`${expected.audience.toLocaleString('en-US')} customers in this campaign`);
    expect(await audience.textContent()).toContain(`${expected.without_consent.toLocaleString('en-US')} without marketing consent`);
    await screenshot(page, '20-campaign-builder');
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.getByRole('button', { name: 'Start campaign' }).click();
    const results = page.getByTestId('campaign-results');
    await results.getByRole('table').waitFor();

    const [campaign] = await services.campaigns.list(hearth.storeId);
    expect(campaign).toMatchObject({ name: 'Come back soon', status: 'sending' });
    // The worker sends the queued messages to the built-in catcher.
    await hearth.runJobs();
    await page.reload();
    await settled(page);
    const api = await services.campaigns.results(hearth.storeId, campaign!.id);
    const sent = api.groups.find((g) => g.group === 'sent')!;
    const held = api.groups.find((g) => g.group === 'holdout')!;
    expect(sent.people + held.people).toBe(expected.audience);
    expect(api.messages!.sent).toBe(sent.people - api.messages!.suppressed);
    const cells = async (name: RegExp) => (await results.getByRole('row', { name }).locator('td').allTextContents()).slice(1, 2);
    expect(await cells(/Sent the campaign/)).toEqual([sent.people.toLocaleString('en-US')]);
    expect(await cells(/Held out/)).toEqual([held.people.toLocaleString('en-US')]);
    await expect.poll(() => results.getByTestId('campaign-messages').textContent()).toContain(`Messages: ${api.messages!.sent.toLocaleString('en-US')} sent`);
    expect(await page.locator('tr[aria-current="true"]').textContent()).toContain('Come back soon');
    // Every message went out: the campaign is sent.
    expect((await services.campaigns.get(hearth.storeId, campaign!.id)).status).toBe('sent');
    expect(await page.locator('tr[aria-current="true"]').textContent()).toContain('sent');
    await screenshot(page, '21-campaign-results');

    // The list says each campaign's channel; an SMS campaign is made through the API.
    await services.campaigns.create(hearth.storeId, { name: 'Spring texts', channel: 'sms', text: 'Spring sale, {{ customer.first_name }}', segment_ids: [repeat.id] });
    await page.reload();
    await settled(page);
    const list = page.getByRole('table', { name: 'Campaigns' });
    await expect.poll(() => list.getByRole('row', { name: /Spring texts/ }).locator('td').allTextContents()).toContain('SMS');
    expect(await list.getByRole('row', { name: /Come back soon/ }).locator('td').allTextContents()).toContain('Email');

    // The Outbox lists what the catcher received.
    await page.goto(`${hearth.url}/outbox`);
    await settled(page);
    await page.getByText(/We miss you, /).first().waitFor();
    expect(await page.getByText(/We miss you, /).count()).toBeGreaterThan(0);
  });

  it('builds an SMS campaign: the text in place of the template, its segments counted, the store told SMS is not set up', async () => {
    const services = hearth.server.services;
    const repeat = (await services.segments.list(hearth.storeId)).find((s) => s.builtin_key === 'repeat_buyers')!;
    const expected = await services.campaigns.audience(hearth.storeId, { segment_ids: [repeat.id], holdout_share: 0.1, channel: 'sms' });
    const page = await open(1280);
    await page.getByLabel('Campaign name').fill('Texts for regulars');
    await page.getByRole('radiogroup', { name: 'Channel' }).getByRole('radio', { name: 'SMS' }).click();
    // The email's template, topic and A/B test are gone; the text takes their place.
    expect(await page.getByLabel('Email template').count()).toBe(0);
    expect(await page.getByLabel('Email topic').count()).toBe(0);
    const notice = page.getByTestId('campaign-channel-state');
    expect(await notice.textContent()).toContain('SMS is not set up for this store');
    expect(await notice.getByRole('link', { name: 'Settings' }).getAttribute('href')).toBe('/settings');

    // Counted on the text as written plus the opt-out line ("\nReply STOP to opt out", 22 GSM-7 characters);
    // Liquid's braces are in GSM-7's extension table, two septets each.
    const text = '{{ customer.first_name }}, <b>spring</b> sale & 20% off until Sunday at {{ store.name }}. '.repeat(2).trim();
    const area = page.getByLabel(/^Text/);
    await area.fill(text);
    const size = page.getByTestId('campaign-text-size');
    const gsm = text.length + 22 + (text.match(/[{}]/g)?.length ?? 0);
    await expect.poll(() => size.textContent()).toContain(`${text.length} of 1,600 characters`);
    expect(await size.textContent()).toContain(`${gsm} GSM-7 characters, ${Math.ceil(gsm / 153)} SMS segments`);
    // A character outside GSM-7 makes the whole text UCS-2: 67 code units a segment.
    await area.fill(`${text} ☀`);
    const ucs = text.length + 2 + 22;
    await expect.poll(() => size.textContent()).toContain(`${ucs} UCS-2 characters, ${Math.ceil(ucs / 67)} SMS segments`);
    await area.fill(text);

    await page.getByRole('group', { name: 'Send to customers in any of' }).getByLabel(/Repeat buyers/).check();
    const audience = page.getByTestId('campaign-audience');
    await expect.poll(() => audience.textContent()).toContain(`${expected.audience.toLocaleString('en-US')} customers in this campaign`);
    if (expected.without_address) expect(await audience.textContent()).toContain(`${expected.without_address.toLocaleString('en-US')} without a phone number`);
    await screenshot(page, 'campaign-sms-builder-1280');
    await page.getByRole('button', { name: 'Save as draft' }).click();

    const results = page.getByTestId('campaign-results');
    await results.getByTestId('campaign-text').waitFor();
    const stored = (await services.campaigns.list(hearth.storeId)).find((c) => c.name === 'Texts for regulars')!;
    expect(stored).toMatchObject({ channel: 'sms', text, template_id: null, topic_id: null, ab_test: null, status: 'draft' });
    // What the store wrote is shown as text, markup and all.
    expect(await results.getByTestId('campaign-text').textContent()).toBe(text);
    expect(await results.getByTestId('campaign-text').locator('b').count()).toBe(0);
    expect(await results.getByTestId('campaign-message').textContent()).toContain('Channel: SMS');
    const row = page.getByRole('table', { name: 'Campaigns' }).getByRole('row', { name: /Texts for regulars/ });
    expect(await row.locator('td').allTextContents()).toContain('SMS');
    // Starting is refused while SMS is not set up, naming the channel; the campaign stays a draft.
    await results.getByRole('button', { name: 'Start campaign' }).click();
    await expect.poll(() => results.textContent()).toContain('needs an account SID, an auth token and a sender');
    expect((await services.campaigns.get(hearth.storeId, stored.id)).status).toBe('draft');
    await screenshot(page, 'campaign-sms-page-1280');

    const phone = await open(390);
    await phone.getByRole('radiogroup', { name: 'Channel' }).getByRole('radio', { name: 'SMS' }).click();
    await phone.getByLabel(/^Text/).fill(text);
    await phone.getByTestId('campaign-text-size').waitFor();
    const overflow = await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBe(0);
    await screenshot(phone, 'campaign-sms-builder-390');
  });

  it('shows the bounce and complaint webhook addresses in Settings', async () => {
    const page = await open(1280);
    await page.goto(`${hearth.url}/settings`);
    await settled(page);
    const urls = await hearth.server.services.deliveryReports.webhookUrls(hearth.storeId);
    const list = page.getByTestId('delivery-webhooks');
    await list.waitFor();
    for (const url of Object.values(urls)) expect(await list.textContent()).toContain(url);
    await list.scrollIntoViewIfNeeded();
    await screenshot(page, '23-settings-webhooks');
  });

  it('fits a phone', async () => {
    const page = await open(390);
    await page.getByRole('cell', { name: 'Come back soon' }).first().click();
    await page.getByTestId('campaign-results').getByRole('table').waitFor();
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBe(0);
    await screenshot(page, '22-campaigns-phone');
  });
});
