/**
 * In Chromium: the messages sent to a customer and their email topic changes on the customer's
 * timeline (each message links to its Outbox entry), the email topics panel in Settings, a
 * campaign's topic in the builder, and "Send a test" on the Templates page. Screenshots of the
 * profile at 1280 and 390 px; a phone never scrolls sideways.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, screenshotDir, settled, signIn } from './helpers/browser.js';
import { startE2eServer, type E2eServer } from './helpers/server.js';

let hearth: E2eServer;
let browser: Browser;
let customerId: number;

beforeAll(async () => {
  hearth = await startE2eServer({ customers: 40, seed: 7 });
  const { services } = hearth.server;
  await services.commerce.write(hearth.storeId, {
    customers: [{ external_id: 'tl-1', email: 'lena@example.com', first_name: 'Lena', last_name: 'Park', email_consent: { status: 'subscribed' } }],
  });
  customerId = Number((await services.storage.read.selectFrom('customers').select('id').where('store_id', '=', hearth.storeId).where('external_id', '=', 'tl-1').executeTakeFirstOrThrow()).id);
  await services.messages.updateSettings(hearth.storeId, { frequency_cap_hours: 0 });
  let preferences = '';
  const queued = await services.messages.queueEmails(hearth.storeId, [
    {
      sendKey: 'campaign:spring:tl-1', purpose: 'marketing', customerId, source: 'campaign:spring', topic: 'offers',
      build: (links) => {
        preferences = links.preferences_url;
        return { subject: 'Spring offers for Lena', preheader: '', html: `<p>Spring</p><a href="${links.unsubscribe_url}">Unsubscribe</a>`, text: 'Spring' };
      },
    },
    { sendKey: 'order:tl-1', purpose: 'transactional', customerId, build: () => ({ subject: 'Your order is on its way', preheader: '', html: '<p>Shipped.</p>', text: 'Shipped.' }) },
  ]);
  await services.topics.list(hearth.storeId);
  await services.messages.sendBatch(hearth.storeId, queued.sends.map((s) => s.id));
  // Lena drops Offers on her preference page (the form a browser posts).
  const token = preferences.slice(preferences.lastIndexOf('/') + 1);
  const answer = await fetch(`${hearth.url}/u/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=topics&shown=offers&shown=newsletter&topic=newsletter' });
  if (answer.status !== 200) throw new Error(`preference page answered ${answer.status}`);
  const later = await services.messages.queueEmails(hearth.storeId, [{
    sendKey: 'campaign:summer:tl-1', purpose: 'marketing', customerId, source: 'campaign:summer', topic: 'offers',
    build: () => ({ subject: 'Summer offers for Lena', preheader: '', html: '<p>Summer</p>', text: 'Summer' }),
  }]);
  await services.messages.sendBatch(hearth.storeId, later.sends.map((s) => s.id));
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

let signedIn: Awaited<ReturnType<BrowserContext['storageState']>> | undefined;

async function open(path: string, width: number): Promise<Page> {
  if (!signedIn) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const first = await context.newPage();
    await signIn(first, hearth.url, hearth.owner.email, hearth.owner.password);
    signedIn = await context.storageState();
    await context.close();
  }
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'en-US', storageState: signedIn });
  const page = await context.newPage();
  await page.goto(`${hearth.url}${path}`);
  await settled(page);
  return page;
}

describe('messages and topics in the dashboard', () => {
  it("shows the customer's messages and topic change on the timeline, each message linking to the Outbox", async () => {
    const page = await open(`/customers/${customerId}`, 1280);
    await page.getByRole('heading', { level: 1, name: 'Lena Park' }).waitFor();
    const messages = page.getByTestId('timeline-message');
    await expect(messages.count()).resolves.toBe(3);
    const texts = await messages.allInnerTexts();
    expect(texts.find((t) => t.includes('Summer offers for Lena'))).toMatch(/suppressed \(topic opt out\) · campaign · topic offers/);
    expect(texts.find((t) => t.includes('Spring offers for Lena'))).toMatch(/sent · campaign · topic offers/);
    expect(texts.find((t) => t.includes('Your order is on its way'))).toMatch(/sent · transactional/);
    await expect(page.locator('.timeline li', { hasText: 'dropped Offers' }).count()).resolves.toBe(1);
    await expect(page.getByTestId('consent-topics').textContent()).resolves.toBe('Newsletter, Offers (dropped), New products, Reviews');
    await screenshot(page, 'profile-messages-1280');
    await page.getByRole('link', { name: 'Spring offers for Lena' }).click();
    await page.getByRole('heading', { level: 1, name: 'Spring offers for Lena' }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/outbox\/\d+$/);
    await page.close();
  });

  it('fits the profile on a phone', async () => {
    const page = await open(`/customers/${customerId}`, 390);
    await page.getByRole('heading', { level: 1, name: 'Lena Park' }).waitFor();
    await screenshot(page, 'profile-messages-390');
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    expect(overflow).toBeLessThanOrEqual(1);
    await page.close();
  });

  it('adds a topic in Settings and offers it to a new campaign', async () => {
    const page = await open('/settings', 1280);
    const panel = page.getByTestId('email-topics');
    await panel.getByText('New products').waitFor();
    await panel.getByLabel('New topic').fill('Workshops');
    await panel.getByRole('button', { name: 'Add topic' }).click();
    await panel.getByText('workshops', { exact: true }).waitFor();
    await panel.screenshot({ path: `${screenshotDir}/settings-topics-1280.png` });
    await page.goto(`${hearth.url}/campaigns`);
    await settled(page);
    // The topics load on their own request: wait for the new one rather than for the page alone.
    await page.locator('select[name="campaign-topic"] option', { hasText: 'Workshops' }).waitFor({ state: 'attached' });
    const options = await page.locator('select[name="campaign-topic"] option').allInnerTexts();
    expect(options).toEqual(['— none —', 'Newsletter', 'Offers', 'New products', 'Reviews', 'Workshops']);
    await page.close();
  });

  it('sends a test of a template from the Templates page', async () => {
    const page = await open('/templates', 1280);
    await page.getByRole('table').getByRole('row', { name: /Welcome/ }).first().click();
    await page.getByLabel('Send a test to').waitFor();
    await page.getByLabel('Send a test to').fill('me@hearth-coffee.example');
    await page.getByRole('button', { name: 'Send a test' }).click();
    const result = page.getByTestId('test-send-result');
    await result.waitFor();
    await expect(result.textContent()).resolves.toMatch(/^Sent to me@hearth-coffee\.example/);
    await screenshot(page, 'templates-send-test-1280');
    const sent = await hearth.server.services.messages.list(hearth.storeId, { limit: 1, to: 'me@hearth-coffee.example' });
    expect(sent[0]).toMatchObject({ state: 'sent', purpose: 'transactional' });
    expect(sent[0]!.subject).toMatch(/^\[Test\] /);
    await page.close();
  });
});
