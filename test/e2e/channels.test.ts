/**
 * SMS and the webhook channel in Chromium: the owner sets them up on the Settings page (the auth
 * token never shown again, the webhook's signing secret shown once, the provider's webhook
 * addresses to paste); the Outbox lists each message's channel and shows an SMS's body and a
 * webhook message's payload. Screenshots at 1280 and 390 px.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmsApi, type SmsApi } from '../helpers/sms-api.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { launchBrowser, screenshot, settled, signIn } from './helpers/browser.js';
import { startE2eServer, type E2eServer } from './helpers/server.js';

let hearth: E2eServer;
let browser: Browser;
let api: SmsApi;
let receiver: WebhookReceiver;
let signedIn: Awaited<ReturnType<BrowserContext['storageState']>> | undefined;

beforeAll(async () => {
  hearth = await startE2eServer({ customers: 20, seed: 9 });
  api = await startSmsApi();
  receiver = await startWebhookReceiver();
  await hearth.server.services.commerce.write(hearth.storeId, {
    customers: [{ external_id: 'sms-1', email: 'lena@example.com', first_name: 'Lena', phone: '+1 415 555 0190', sms_consent: { status: 'subscribed' }, email_consent: { status: 'subscribed' } }],
  });
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
  await api?.close();
  await receiver?.close();
});

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

const overflow = async (page: Page) => Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));

describe('SMS and webhook channels in the dashboard', () => {
  it('sets up SMS and the webhook in Settings: the token never shown, the secret shown once', async () => {
    const page = await open('/settings', 1280);
    const form = page.getByRole('form', { name: 'SMS and webhook settings' });
    await form.waitFor();
    await expect(page.getByTestId('sms-state').textContent()).resolves.toContain('SMS is not set up');
    await form.getByLabel('API base URL').fill(api.baseUrl);
    await form.getByLabel('Account SID').fill(api.accountSid);
    await form.getByLabel('Auth token').fill(api.authToken);
    await form.getByLabel('From number').fill('+15005550006');
    await form.getByLabel('Webhook URL').fill(receiver.url);
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/messaging/settings') && r.request().method() === 'PATCH');
    await form.getByRole('button', { name: 'Save SMS and webhook settings' }).click();
    const body = await (await answered).json() as { webhook: { secret: string } };
    expect(JSON.stringify(body)).not.toContain(api.authToken);
    await page.getByTestId('webhook-secret').waitFor();
    await expect(page.getByTestId('webhook-secret').textContent()).resolves.toContain(body.webhook.secret);
    await expect(page.getByTestId('sms-state').textContent()).resolves.toContain('Texts go through');
    await expect(page.getByTestId('webhook-secret-state').textContent()).resolves.toContain(body.webhook.secret.slice(-4));
    const urls = await page.getByTestId('sms-webhooks').innerText();
    expect(urls).toMatch(new RegExp(`/webhooks/sms/twilio/${hearth.storeId}/[\\w-]+/status`));
    await expect(form.getByLabel('Auth token').inputValue()).resolves.toBe('');
    await expect(page.content()).resolves.not.toContain(api.authToken);
    await form.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-channels-1280');
    await page.setViewportSize({ width: 390, height: 900 });
    await form.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-channels-390');
    expect(await overflow(page)).toBeLessThanOrEqual(1);

    // Reloaded, the secret is no longer shown.
    await page.reload();
    await settled(page);
    await expect(page.getByTestId('webhook-secret').count()).resolves.toBe(0);
    await expect(page.content()).resolves.not.toContain(body.webhook.secret);
    await page.close();
  });

  it('lists SMS and webhook messages in the Outbox with their channel, body and payload', async () => {
    const { services } = hearth.server;
    const [customer] = await services.storage.read.selectFrom('customers').select('id').where('store_id', '=', hearth.storeId).where('external_id', '=', 'sms-1').execute();
    const customerId = Number(customer!.id);
    const queued = await services.messages.queueMessages(hearth.storeId, [
      { channel: 'sms', sendKey: 'campaign:sms-demo:sms-1', purpose: 'marketing', customerId, build: () => ({ text: 'Lena, fresh Ethiopian beans just landed ☕ 15% off today' }) },
      { channel: 'webhook', sendKey: 'flow:wa:sms-1', purpose: 'transactional', customerId, build: () => ({ subject: 'Your order shipped', text: 'Your order #1042 is on its way' }) },
    ]);
    await services.messages.sendBatch(hearth.storeId, queued.sends.map((s) => s.id));
    expect(api.sent.map((m) => m.to)).toEqual(['+14155550190']);
    expect(receiver.requests).toHaveLength(1);

    const page = await open('/outbox', 1280);
    await page.getByRole('heading', { name: 'Outbox', level: 1 }).waitFor();
    const texts = await page.locator('table tbody tr').allInnerTexts();
    const sms = texts.find((t) => t.includes('+14155550190'));
    expect(sms).toMatch(/SMS/);
    expect(sms).toMatch(/UCS-2/);
    expect(sms).toMatch(/sent/);
    expect(texts.find((t) => t.includes(receiver.url))).toMatch(/Webhook[\s\S]*Your order shipped[\s\S]*sent/);
    await screenshot(page, 'outbox-channels-1280');

    await page.getByRole('link', { name: '+14155550190' }).click();
    await page.getByTestId('sms-body').waitFor();
    await expect(page.getByTestId('sms-body').textContent()).resolves.toBe(api.sent[0]!.body);
    await screenshot(page, 'outbox-sms-1280');
    await page.goBack();
    await page.getByRole('link', { name: receiver.url }).click();
    await page.getByTestId('webhook-payload').waitFor();
    const payload = JSON.parse(await page.getByTestId('webhook-payload').textContent() ?? '{}');
    expect(payload).toEqual(JSON.parse(receiver.requests[0]!.body));
    await screenshot(page, 'outbox-webhook-1280');
    await page.setViewportSize({ width: 390, height: 900 });
    await settled(page);
    await screenshot(page, 'outbox-webhook-390');
    expect(await overflow(page)).toBeLessThanOrEqual(1);
    await page.close();

    const phone = await open('/outbox', 390);
    await phone.getByRole('heading', { name: 'Outbox', level: 1 }).waitFor();
    await screenshot(phone, 'outbox-channels-390');
    expect(await overflow(phone)).toBeLessThanOrEqual(1);
    await phone.close();
  });
});
