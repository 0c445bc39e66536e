/**
 * The Outbox in Chromium: with no SMTP server configured, messages sent through the product's
 * sender are caught on the machine and listed (recipient, subject, state, time in the store's time
 * zone); one opens with its HTML in a sandboxed frame, its text part and its headers. A message's
 * own markup never runs. Screenshots at 1280 and 390 px.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, screenshotDir, settled, signIn } from './helpers/browser.js';
import { startE2eServer, type E2eServer } from './helpers/server.js';

let hearth: E2eServer;
let browser: Browser;
let sentAt: Date;
const hostile = '<img src=x onerror="window.parent.__xss=1"><script>window.parent.__xss=2</script>';

beforeAll(async () => {
  hearth = await startE2eServer({ customers: 40, seed: 5 });
  const { services } = hearth.server;
  await services.commerce.write(hearth.storeId, {
    customers: [
      { external_id: 'out-1', email: 'mia@example.com', first_name: 'Mia', email_consent: { status: 'subscribed' } },
      { external_id: 'out-2', email: 'noah@example.com', first_name: 'Noah', email_consent: { status: 'never_asked' } },
    ],
  });
  const rows = await services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', hearth.storeId).where('external_id', 'in', ['out-1', 'out-2']).execute();
  const id = (ext: string) => Number(rows.find((r) => r.external_id === ext)!.id);
  const queued = await services.messages.queueEmails(hearth.storeId, [
    {
      sendKey: 'campaign:autumn:out-1', purpose: 'marketing', customerId: id('out-1'), source: 'campaign:autumn',
      build: (links) => ({
        subject: `Autumn picks for Mia ${hostile}`, preheader: 'New in',
        html: `<html><body style="font-family:sans-serif"><h1 style="color:#2f4b3a">Autumn picks, Mia</h1><p>Freshly roasted beans are back.</p>${hostile}<p><a href="${links.unsubscribe_url}">Unsubscribe</a></p></body></html>`,
        text: 'Autumn picks, Mia. Freshly roasted beans are back.',
      }),
    },
    {
      sendKey: 'campaign:autumn:out-2', purpose: 'marketing', customerId: id('out-2'), source: 'campaign:autumn',
      build: () => ({ subject: 'Autumn picks for Noah', preheader: '', html: '<p>Autumn</p>', text: 'Autumn' }),
    },
    {
      sendKey: 'order:out-9', purpose: 'transactional', customerId: id('out-2'),
      build: () => ({ subject: 'Your order is on its way', preheader: '', html: '<p>Shipped today.</p>', text: 'Shipped today.' }),
    },
  ]);
  await services.messages.sendBatch(hearth.storeId, queued.sends.map((s) => s.id));
  const [latest] = await services.messages.list(hearth.storeId, { limit: 1 });
  sentAt = latest!.at;
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

let signedIn: Awaited<ReturnType<BrowserContext['storageState']>> | undefined;

/**
 * The Outbox, signed in as the owner. The page's Content-Security-Policy is bypassed so that a
 * script in a message could only be stopped by the frame's sandbox and the escaping under test.
 */
async function openOutbox(width: number): Promise<Page> {
  if (!signedIn) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const first = await context.newPage();
    await signIn(first, hearth.url, hearth.owner.email, hearth.owner.password);
    signedIn = await context.storageState();
    await context.close();
  }
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'en-US', bypassCSP: true, storageState: signedIn });
  const page = await context.newPage();
  await page.goto(`${hearth.url}/outbox`);
  await page.getByRole('heading', { name: 'Outbox', level: 1 }).waitFor();
  await settled(page);
  return page;
}

describe('the Outbox page', () => {
  it('lists the caught messages with their state and time in the store time zone', async () => {
    const page = await openOutbox(1280);
    await expect(page.getByTestId('catcher-notice').textContent()).resolves.toContain('nothing leaves this machine');
    const rows = page.locator('table tbody tr');
    await expect(rows.count()).resolves.toBe(3);
    const texts = await rows.allInnerTexts();
    const row = (to: string, subject: string) => texts.find((t) => t.includes(to) && t.includes(subject));
    expect(row('mia@example.com', 'Autumn picks for Mia')).toMatch(/sent/);
    expect(row('noah@example.com', 'Autumn picks for Noah')).toMatch(/suppressed · no consent/);
    expect(row('noah@example.com', 'Your order is on its way')).toMatch(/sent/);
    // The subject's markup is shown as text.
    expect(row('mia@example.com', 'Autumn picks for Mia')).toContain('<script>');
    // Times are in the store's zone (America/New_York), as the dashboard formats them.
    const storeTime = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'America/New_York' }).format(sentAt);
    expect(texts[0]).toContain(storeTime);
    await expect(page.getByTestId('outbox-counts').textContent()).resolves.toContain('2 sent');
    await screenshot(page, 'outbox-1280');

    // The list reloads after the filter changes; wait until it shows only the suppressed message.
    await page.getByLabel('State').selectOption('suppressed');
    await expect.poll(() => page.locator('table tbody tr').count(), { timeout: 15_000 }).toBe(1);
    await expect(page.locator('table tbody tr').first().innerText()).resolves.toMatch(/suppressed · no consent/);
    await page.close();
  });

  it('shows one message: HTML in a sandboxed frame, the text part and the headers, running nothing', async () => {
    const page = await openOutbox(1280);
    await page.getByRole('link', { name: 'mia@example.com' }).click();
    await page.getByRole('heading', { level: 1, name: /Autumn picks for Mia/ }).waitFor();
    await settled(page);
    const frame = page.locator('iframe.message-frame');
    await expect(frame.getAttribute('sandbox')).resolves.toBe('');
    await expect(page.frameLocator('iframe.message-frame').getByRole('heading', { name: 'Autumn picks, Mia' }).textContent()).resolves.toBe('Autumn picks, Mia');
    await screenshot(page, 'outbox-message-1280');
    await frame.screenshot({ path: `${screenshotDir}/outbox-message-frame-1280.png` });
    await page.getByRole('radio', { name: 'Text' }).click();
    await expect(page.locator('pre.message-text').textContent()).resolves.toContain('Freshly roasted beans are back.');
    await page.getByRole('radio', { name: 'Headers' }).click();
    const headers = await page.locator('table').first().innerText();
    expect(headers).toContain('list-unsubscribe-post');
    expect(headers).toContain('List-Unsubscribe=One-Click');
    // Nothing from the message ran, in the frame or the page.
    await expect(page.evaluate('window.__xss')).resolves.toBeUndefined();
    await page.close();
  });

  it('fits a phone screen', async () => {
    const page = await openOutbox(390);
    await expect(page.locator('table tbody tr').count()).resolves.toBe(3);
    await screenshot(page, 'outbox-390');
    await page.getByRole('link', { name: 'mia@example.com' }).click();
    await page.getByRole('heading', { level: 1, name: /Autumn picks for Mia/ }).waitFor();
    await settled(page);
    await page.frameLocator('iframe.message-frame').getByRole('heading', { name: 'Autumn picks, Mia' }).waitFor();
    await screenshot(page, 'outbox-message-390');
    await page.locator('iframe.message-frame').screenshot({ path: `${screenshotDir}/outbox-message-frame-390.png` });
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    expect(overflow).toBeLessThanOrEqual(1);
    await page.close();
  });

  it('sets the store\'s SMTP server in Settings without ever showing its password', async () => {
    const page = await openOutbox(1280);
    await page.goto(`${hearth.url}/settings`);
    const form = page.getByRole('form', { name: 'Sending settings' });
    await form.waitFor();
    await settled(page);
    await expect(page.getByTestId('smtp-origin').textContent()).resolves.toContain('mail stays on this machine');
    await form.getByLabel('From address').fill('hello@coffee.example');
    await form.getByLabel('SMTP server').fill('smtp://mailer:s3cret-pass@smtp.coffee.example:2525');
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/messaging/settings') && r.request().method() === 'PATCH');
    await form.getByRole('button', { name: 'Save sending settings' }).click();
    const body = await (await answered).text();
    expect(body).not.toContain('s3cret-pass');
    await page.getByText('Mail goes through smtp.coffee.example:2525 as mailer').waitFor();
    await expect(page.getByTestId('smtp-origin').textContent()).resolves.toContain('password set');
    await expect(form.getByLabel('SMTP server').inputValue()).resolves.toBe('');
    await expect(page.content()).resolves.not.toContain('s3cret-pass');
    await screenshot(page, 'settings-sending-1280');
    await page.setViewportSize({ width: 390, height: 900 });
    await screenshot(page, 'settings-sending-390');
    expect(Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'))).toBeLessThanOrEqual(1);
    // Back to the catcher.
    await form.getByRole('button', { name: 'Remove the SMTP server' }).click();
    await page.getByText('mail stays on this machine').waitFor();
    await page.close();
  });
});
