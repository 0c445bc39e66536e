/**
 * The personas panel in Chromium: how many personas were chosen (the silhouette of every k tried,
 * the chosen one marked), and for each persona its size, revenue share, traits, needs and
 * motivators — at desktop and phone widths, with a category name holding a script payload shown
 * as text.
 */
import { sql } from 'kysely';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, settled, signIn } from './helpers/browser.js';
import { startE2eServer, type E2eServer } from './helpers/server.js';
import { fitAndScore } from '../../src/modules/predictions/index.js';

const PAYLOAD = '<img src=x onerror="window.__xss=1">';
let hearth: E2eServer;
let browser: Browser;
let k: number;

beforeAll(async () => {
  hearth = await startE2eServer({ customers: 400, seed: 7 });
  // Buyers of a category whose name is a script payload, big enough to be one of the top categories.
  await hearth.server.services.commerce.write(hearth.storeId, {
    products: [{ external_id: 'hostile-product', title: 'Grinder', category: PAYLOAD }],
    customers: Array.from({ length: 40 }, (_, i) => ({ external_id: `hostile-${i}`, email: `hostile${i}@example.com` })),
    orders: Array.from({ length: 40 }, (_, i) => ({
      external_id: `hostile-order-${i}`, customer_external_id: `hostile-${i}`, placed_at: new Date(Date.UTC(2026, 2 + (i % 6), 3 + i % 20, 10)), currency: 'USD',
      lines: [{ product_external_id: 'hostile-product', title: 'Grinder', quantity: 1, unit_price: 25_000 }],
    })),
  });
  await hearth.server.dispatcher.idle();
  await hearth.runJobs();
  await fitAndScore(hearth.server.services.storage, hearth.storeId);
  k = (await hearth.server.services.personas.run(hearth.storeId, { seed: 1 })).k;
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

describe('the personas panel', () => {
  it('shows the silhouette per k with the chosen k marked, and every persona with its traits, needs and motivators', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await signIn(page, hearth.url, hearth.owner.email, hearth.owner.password);
    await page.goto(`${hearth.url}/segments`);
    await settled(page);
    const panel = page.getByTestId('personas');
    await panel.getByTestId('persona').first().waitFor();
    const rows = panel.getByTestId('persona-silhouettes').locator('tbody tr');
    expect(await rows.count()).toBe(5);
    const chosen = panel.getByTestId('persona-silhouettes').locator('tr.chosen');
    expect(await chosen.count()).toBe(1);
    expect((await chosen.locator('td').first().textContent())?.startsWith(String(k))).toBe(true);
    await expect.poll(() => panel.getByTestId('persona-silhouettes').textContent()).toMatch(new RegExp(`${k} personas among [\\d,]+ buyers\\. k = ${k} has the highest mean silhouette`));

    const listed = (await hearth.server.services.personas.list(hearth.storeId));
    const cards = panel.getByTestId('persona');
    expect(await cards.count()).toBe(listed.length);
    for (const [i, persona] of listed.entries()) {
      const card = cards.nth(i);
      expect(await card.getByRole('heading', { level: 3 }).textContent()).toBe(persona.name);
      const text = (await card.textContent())!;
      expect(text).toContain(`${persona.size.toLocaleString('en-US')} customers`);
      expect(text).toContain(`${Math.round(persona.revenue_share * 100)}% of revenue`);
      expect(persona.predicted_clv).not.toBeNull();
      expect(text).toMatch(/predicted CLV \$[\d,.]+/);
      for (const trait of persona.profile.filter((c) => c.distinguishing)) expect(text).toContain(trait.text);
      for (const need of persona.needs) expect(text).toContain(need);
      for (const motivator of persona.motivators) expect(text).toContain(motivator);
    }
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    const named = listed.some((p) => p.name.includes(PAYLOAD) || p.profile.some((c) => c.distinguishing && c.text.includes(PAYLOAD)));
    if (named) expect(await panel.textContent()).toContain(PAYLOAD);
    await panel.screenshot({ path: await screenshot(page, 'personas-1280').then((p) => p.replace(/\.png$/, '-panel.png')) });

    // Asking for another number of personas: the table still shows every k, the asked one marked.
    const other = k === 3 ? 4 : 3;
    await panel.getByRole('combobox', { name: 'Number of personas' }).selectOption(String(other));
    await panel.getByRole('button', { name: 'Find personas again' }).click();
    await expect.poll(() => chosen.locator('td').first().textContent(), { timeout: 30_000 }).toMatch(new RegExp(`^${other}`));
    expect(await rows.count()).toBe(5);
    expect(await panel.getByTestId('persona-silhouettes').textContent()).toContain(`k = ${other} was requested`);
    const now = await hearth.server.services.personas.list(hearth.storeId);
    expect(await cards.count()).toBe(now.length);

    // A member's profile names the persona and what it responds to.
    const [member] = (await sql<{ customer_id: number }>`select customer_id from persona_members where persona_id = ${now[0]!.id} limit 1`.execute(hearth.server.services.storage.read)).rows;
    await page.goto(`${hearth.url}/customers/${member!.customer_id}`);
    await settled(page);
    await expect.poll(() => page.getByTestId('profile-personas').textContent()).toContain(now[0]!.name);
    await screenshot(page, 'personas-profile-1280');
    expect(await page.getByTestId('profile-personas').textContent()).toContain(`responds to ${now[0]!.motivators.slice(0, 2).join('; ')}`);
    await context.close();
  }, 120_000);

  it('fits a phone', async () => {
    const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await signIn(await desktop.newPage(), hearth.url, hearth.owner.email, hearth.owner.password);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await desktop.storageState() });
    await desktop.close();
    const page = await context.newPage();
    await page.goto(`${hearth.url}/segments`);
    await settled(page);
    const panel = page.getByTestId('personas');
    await panel.getByTestId('persona').first().waitFor();
    expect(Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'))).toBeLessThanOrEqual(0);
    const box = (await panel.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    for (const card of await panel.getByTestId('persona').all()) {
      const cardBox = (await card.boundingBox())!;
      expect(cardBox.x + cardBox.width).toBeLessThanOrEqual(box.x + box.width);
    }
    await panel.screenshot({ path: await screenshot(page, 'personas-390').then((p) => p.replace(/\.png$/, '-panel.png')) });
    await context.close();
  }, 120_000);
});
