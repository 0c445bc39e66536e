/**
 * The Templates page in Chromium: the store's templates (the starters on first visit), the editor
 * with its live preview in a sandboxed frame at phone and desktop widths, problems shown with their
 * line and column (a click puts the cursor there), a save that makes a new version, and a preview
 * for one of the store's own customers. Screenshots at 1280 and 390 px.
 */
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, settled, signIn } from './helpers/browser.js';
import { startE2eServer, type E2eServer } from './helpers/server.js';

let hearth: E2eServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  hearth = await startE2eServer({ customers: 60 });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signIn(page, hearth.url, hearth.owner.email, hearth.owner.password);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

const frame = (): FrameLocator => page.frameLocator('[data-testid="preview-frame"]');

describe('Templates page', () => {
  it('lists the starters, previews one live and refuses a broken body with line and column', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('heading', { name: 'Templates', level: 1 }).waitFor();
    await settled(page);
    const table = page.getByRole('table', { name: 'Templates' });
    await expect(table.getByRole('row').count()).resolves.toBe(15); // a header and the fourteen starters
    await table.getByRole('row', { name: /Abandoned cart/ }).click();
    await frame().getByText('Still thinking it over?').waitFor();
    await expect(page.getByTestId('preview-envelope').textContent()).resolves.toContain('You left something behind, Ada');
    await page.getByTestId('preview-frame').scrollIntoViewIfNeeded();
    await screenshot(page, 'templates-1280');

    // Phone width: the frame is 390 px wide and the message fits it.
    await page.getByRole('radio', { name: 'Phone' }).click();
    const box = await page.getByTestId('preview-frame').boundingBox();
    expect(Math.round(box!.width)).toBe(390);
    await screenshot(page, 'templates-1280-phone-preview');

    // A typo in a variable and an unclosed element: both named with their line and column.
    const body = page.getByLabel('Body');
    const text = await body.inputValue();
    const broken = text.replace('{{ checkout.recovery_url }}', '{{ checkout.recovery_link }}').replace('</mjml>', '');
    await body.fill(broken);
    const problems = page.getByTestId('template-problems');
    await problems.waitFor();
    const brokenLines = broken.split('\n');
    const typoLine = brokenLines.findIndex((line) => line.includes('checkout.recovery_link')) + 1;
    const typoColumn = brokenLines[typoLine - 1]!.indexOf('checkout.recovery_link') + 1;
    await expect(problems.textContent()).resolves.toContain(`body, line ${typoLine}, column ${typoColumn}: unknown variable "checkout.recovery_link"`);
    await expect(problems.textContent()).resolves.toContain('<mjml> is never closed');
    await expect(page.getByRole('button', { name: /Save as version 2/ }).isDisabled()).resolves.toBe(true);
    await problems.getByRole('button', { name: `body, line ${typoLine}, column ${typoColumn}` }).click();
    const cursor = await body.evaluate((el: { selectionStart: number }) => el.selectionStart);
    expect(broken.slice(cursor).startsWith('checkout.recovery_link')).toBe(true);

    // Fixed and saved: version 2.
    await body.fill(text.replace('Still thinking it over?', 'Forgot something?'));
    await page.getByTestId('template-problems').waitFor({ state: 'detached' });
    await frame().getByText('Forgot something?').waitFor();
    await page.getByRole('button', { name: 'Save as version 2' }).click();
    await page.getByText('Version 2, saved').waitFor();
  }, 60_000);

  it('previews with one of the store\'s customers', async () => {
    const customer = hearth.seed.firstCustomer;
    await page.getByPlaceholder('Sample customer').fill(customer.email);
    await expect.poll(async () => page.getByTestId('preview-envelope').textContent(), { timeout: 10_000 }).toContain(customer.name);
    await page.getByRole('radio', { name: 'Plain text' }).click();
    await expect(page.getByTestId('preview-text').textContent()).resolves.toContain(`Hi ${customer.name.split(' ')[0]},`);
  });

  it('shows the branding set on the Settings page', async () => {
    await page.goto(`${hearth.url}/settings`);
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await page.locator('textarea[name="postal-address"]').fill('12 Roaster Lane, Portland, OR 97201');
    await page.locator('input[name="website-url"]').fill('https://coffee.example');
    await page.getByRole('button', { name: 'Save store settings' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    await screenshot(page, 'templates-settings-branding');
    await page.goto(`${hearth.url}/templates`);
    await settled(page);
    await page.getByRole('table', { name: 'Templates' }).getByRole('row', { name: /^Win-back/ }).click();
    await frame().getByText('12 Roaster Lane, Portland, OR 97201', { exact: false }).waitFor();
    await expect(frame().getByRole('link', { name: 'See what is new' }).getAttribute('href')).resolves.toBe('https://coffee.example');
  }, 60_000);

  it('fits a phone screen', async () => {
    const small = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US', storageState: await page.context().storageState() });
    const phone = await small.newPage();
    await phone.goto(`${hearth.url}/templates`);
    await settled(phone);
    await phone.getByRole('table', { name: 'Templates' }).getByRole('row', { name: /^Welcome/ }).click();
    await phone.frameLocator('[data-testid="preview-frame"]').getByText('Welcome to Hearth Coffee Co').waitFor();
    await phone.getByRole('radio', { name: 'Phone' }).click();
    await screenshot(phone, 'templates-390');
    expect(Number(await phone.evaluate('document.documentElement.scrollWidth - window.innerWidth'))).toBeLessThanOrEqual(0);
    await small.close();
  }, 60_000);
});
