/**
 * Debian's Chromium driven by playwright-core: no browser download, headless, no background
 * traffic. Screenshots go to test/e2e/screenshots/ (not committed) for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const screenshotDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** Signs in through the form, as a person would, and waits for the overview. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Waits until no loading indicator is left on the page. */
export async function settled(page: Page, timeout = 15_000): Promise<void> {
  // A locator, not a page function: the dashboard's Content-Security-Policy forbids evaluating strings.
  await page.locator('.state-loading').first().waitFor({ state: 'detached', timeout });
}

/**
 * A signed-in page at `path`: signed in at desktop width, where the menu is open, then narrowed to
 * `width`; dialogs accepted. bypassCSP: the dashboard's policy forbids the page script that
 * measures the width.
 */
export async function openSignedIn(browser: Browser, site: { url: string; user: { email: string; password: string } }, path: string, width = 1280): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })).newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await signIn(page, site.url, site.user.email, site.user.password);
  if (width < 1280) await page.setViewportSize({ width, height: 900 });
  await page.goto(`${site.url}${path}`);
  await settled(page);
  return page;
}
