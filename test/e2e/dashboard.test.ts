/**
 * The dashboard end to end: a real server with a seeded store, Debian's Chromium signing in
 * through the form and visiting every page. Numbers on the screen are compared with the API's
 * answers; pages whose API this server lacks must say so instead of showing nothing.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopifyCustomer, shopifyHeaders } from '../helpers/shopify.js';
import { launchBrowser, screenshot, settled, signIn } from './helpers/browser.js';
import { startE2eServer, type E2eServer } from './helpers/server.js';

let hearth: E2eServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function api<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await page.request.get(`${hearth.url}${path}`);
  return { status: response.status(), body: (await response.json()) as T };
}

/** Visits a page and waits for its data; returns the status of the page's main API. */
async function visit(path: string, name: string): Promise<void> {
  await page.goto(`${hearth.url}${path}`);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await settled(page);
  await screenshot(page, name);
}

/** When the API is missing on this server, the page must say "Not available yet". */
async function expectUnavailable(): Promise<void> {
  await page.getByText('Not available yet.').first().waitFor();
}

beforeAll(async () => {
  hearth = await startE2eServer();
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

describe('dashboard as the owner', () => {
  it('refuses a wrong password with the reason, then signs in', async () => {
    await page.goto(`${hearth.url}/`);
    await page.getByLabel('Email').fill(hearth.owner.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Wrong email or password');
    await screenshot(page, '00-sign-in');
    await signIn(page, hearth.url, hearth.owner.email, hearth.owner.password);
    await page.getByText('Hearth Coffee Co').first().waitFor();
  });

  it('overview shows the KPIs the API computes', async () => {
    await visit('/', '01-overview');
    const kpis = await api<{ current: { customers: number; repeat_purchase_rate: number } }>('/api/v1/analytics/kpis');
    if (kpis.status === 404) return expectUnavailable();
    expect(kpis.status).toBe(200);
    expect(kpis.body.current.customers).toBeGreaterThan(0);
    const shown = await page.getByTestId('kpi-value-customers').textContent();
    expect(Number(shown?.replace(/[^\d]/g, ''))).toBe(kpis.body.current.customers);
    const rate = await page.getByTestId('kpi-value-repeat_purchase_rate').textContent();
    expect(rate).toBe(`${(kpis.body.current.repeat_purchase_rate * 100).toFixed(1)}%`);
  });

  it('cohorts, RFM, predictions and products render their data or say they are unavailable', async () => {
    for (const [path, name, endpoint] of [
      ['/cohorts', '02-cohorts', '/api/v1/analytics/cohorts'],
      ['/rfm', '03-rfm', '/api/v1/analytics/rfm'],
      ['/predictions', '04-predictions', '/api/v1/predictions/model'],
      ['/products', '07-products', '/api/v1/analytics/products'],
    ] as const) {
      await visit(path, name);
      const answer = await api<unknown>(endpoint);
      const text = await page.locator('main').textContent();
      if (answer.status === 404 && JSON.stringify(answer.body).includes('No route')) await expectUnavailable();
      else expect(text, `${path} shows an error`).not.toContain('Could not load this');
    }
  });

  it('cohorts: months named "Oct 2025", a first-order range, the banner names the months compared, a phone layout', async () => {
    await visit('/cohorts', '02-cohorts');
    type Best = { age: number; mature: { cohorts: number; first: string | null; last: string | null }; best: { cohort: string } | null };
    const report = await api<{ store: { last_day: string }; query: { from: string; to: string }; cohorts: { cohort: string }[]; best_retention: Best }>('/api/v1/analytics/cohorts');
    expect(report.status).toBe(200);
    // The seeded store's last day is in late October 2026, which is still running: the last 12
    // full months are Oct 2025 – Sep 2026.
    expect(report.body.store.last_day).toMatch(/^2026-10-(2\d|30)$/);
    expect([report.body.query.from, report.body.query.to]).toEqual(['2025-10-01', '2026-09-30']);
    const values = page.getByTestId('cohort-value');
    const firstRow = values.getByRole('row').nth(1).getByRole('cell');
    await expect(firstRow.first().textContent()).resolves.toBe('Oct 2025');
    // Month 12 of Oct 2025 is Oct 2026, still running: a dash, not a partial figure.
    await expect(firstRow.last().textContent()).resolves.toBe('—');
    // Month 3 has ended for the cohorts up to June 2026 (June's month 3 is September). About 20
    // customers a month: none reaches 30, so no best is named, and the banner says why and which months.
    const b = report.body.best_retention;
    expect([b.mature.cohorts, b.mature.first, b.mature.last, b.best]).toEqual([9, '2025-10-01', '2026-06-01', null]);
    const banner = (await page.getByTestId('best-cohort').textContent()) ?? '';
    expect(banner).toContain('No best month-3 retention yet: of the 9 cohorts old enough to have a complete month 3 (Oct 2025–Jun 2026)');

    await page.getByRole('combobox', { name: 'Cohorts' }).selectOption('custom');
    await page.getByLabel('First order from').fill('2026-01');
    await page.getByLabel('to', { exact: true }).fill('2026-03');
    await page.waitForURL(/from=2026-01&to=2026-03/);
    await settled(page);
    await expect(values.getByRole('row').nth(1).getByRole('cell').first().textContent()).resolves.toBe('Jan 2026');
    const chosen = await api<{ cohorts: unknown[] }>('/api/v1/analytics/cohorts?from=2026-01-01&to=2026-03-31');
    // Three cohorts and the "all cohorts that old" row, under the header row.
    await expect(values.getByRole('row').count()).resolves.toBe(chosen.body.cohorts.length + 2);
    expect(chosen.body.cohorts).toHaveLength(3);
    await screenshot(page, '02c-cohorts-range');

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US', storageState: await context.storageState() });
    const small = await phone.newPage();
    await small.goto(`${hearth.url}/cohorts`);
    await small.getByTestId('cohort-value').getByRole('row').nth(1).waitFor();
    await settled(small);
    await screenshot(small, '02b-cohorts-phone');
    await phone.close();
  });

  it('products sort by a column: repeat rate, largest first, then smallest first', async () => {
    await visit('/products', '07-products');
    const report = await api<{ rows: { title: string; repeat_rate: number | null }[] }>('/api/v1/analytics/products');
    const rated = report.body.rows.filter((r) => r.repeat_rate !== null);
    expect(rated.length).toBeGreaterThan(1);
    const firstTitle = async () => (await page.getByRole('row').nth(1).getByRole('cell').first().textContent()) ?? '';
    const header = page.getByRole('button', { name: /^Repeat rate/ });
    await header.click();
    const highest = Math.max(...rated.map((r) => r.repeat_rate!));
    expect(rated.filter((r) => r.repeat_rate === highest).map((r) => r.title)).toContain(await firstTitle());
    await expect(page.getByRole('columnheader', { name: /Repeat rate/ }).getAttribute('aria-sort')).resolves.toBe('descending');
    await header.click();
    const lowest = Math.min(...rated.map((r) => r.repeat_rate!));
    expect(rated.filter((r) => r.repeat_rate === lowest).map((r) => r.title)).toContain(await firstTitle());
  });

  it('RFM grid shows the counts the API computes and lists a segment\'s members', async () => {
    await visit('/rfm', '03-rfm');
    const rfm = await api<{ segments: { segment: string; customers: number }[] }>('/api/v1/analytics/rfm');
    if (rfm.status === 404) return expectUnavailable();
    const top = [...rfm.body.segments].sort((a, b) => b.customers - a.customers)[0]!;
    const cell = page.getByTestId(`rfm-${top.segment}`);
    await expect(cell.textContent()).resolves.toContain(String(top.customers));
    await cell.click();
    await page.getByTestId('rfm-members').getByRole('cell').first().waitFor();
    await settled(page);
    await screenshot(page, '03b-rfm-members');
  });

  it('customers list shows the seeded customers and opens a profile', async () => {
    await visit('/customers', '06-customers');
    const list = await api<{ data: { email: string }[] }>(`/api/v1/customers/search?q=${encodeURIComponent(hearth.seed.firstCustomer.email)}`);
    if (list.status === 404) return expectUnavailable();
    expect(list.body.data.map((c) => c.email)).toContain(hearth.seed.firstCustomer.email);
    // The customer browses: a page view and two product views, which the timeline sums up.
    const { key } = await hearth.server.services.accounts.createApiKey(hearth.storeId, 'write', 'profile test');
    const userId = hearth.seed.firstCustomer.externalId;
    const sent = await page.request.post(`${hearth.url}/v1/batch`, {
      headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
      data: { batch: [{ type: 'page', userId, name: 'Home' }, { type: 'track', userId, event: 'Product Viewed' }, { type: 'track', userId, event: 'Product Viewed' }] },
    });
    expect(((await sent.json()) as { stored: number }).stored).toBe(3);
    await page.getByRole('searchbox', { name: 'Search' }).fill(hearth.seed.firstCustomer.email);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('heading', { level: 1, name: /^Customers matching/ }).waitFor();
    await settled(page);
    // A click anywhere on the row opens the customer, not only on the name's link.
    await page.getByTestId('customer-list').getByText(hearth.seed.firstCustomer.email, { exact: true }).click();
    await page.getByRole('heading', { level: 1, name: hearth.seed.firstCustomer.name }).waitFor();
    await settled(page);
    await expect(page.getByText('1 page · 3 events · Product Viewed ×2, Home').count()).resolves.toBe(1);
    await screenshot(page, '06b-customer');
  });

  it('lists all customers with their figures, sorts by revenue both ways and opens a profile from a row', async () => {
    await visit('/customers', '06a-customers-list');
    const list = page.getByTestId('customer-list');
    const firstPage = async (sort: string) => (await api<{ data: { id: number; first_name: string; last_name: string; revenue: number }[]; total: number }>(`/api/v1/customers?sort=${sort}&limit=25`)).body;
    const largest = await firstPage('-revenue');
    expect(largest.total).toBe(hearth.seed.customers);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`All customers ${largest.total}`);
    const revenueHeader = page.getByRole('columnheader', { name: /Revenue/ });
    await expect(revenueHeader.getAttribute('aria-sort')).resolves.toBe('descending');
    const shownNames = () => list.getByRole('row').locator('a.row-link').allTextContents();
    const names = (rows: { first_name: string; last_name: string }[]) => rows.map((c) => `${c.first_name} ${c.last_name}`);
    expect(await shownNames()).toEqual(names(largest.data));
    // The independent check: revenue per customer from the seeded orders, largest first.
    const byCustomer = new Map<string, number>();
    for (const order of hearth.seed.orderList) byCustomer.set(order.customer, (byCustomer.get(order.customer) ?? 0) + order.total);
    expect(largest.data[0]!.revenue).toBe(Math.max(...byCustomer.values()));
    await list.getByRole('button', { name: 'Revenue' }).click();
    await expect(revenueHeader.getAttribute('aria-sort')).resolves.toBe('ascending');
    await settled(page);
    const smallest = await firstPage('revenue');
    expect(smallest.data[0]!.revenue).toBe(Math.min(...byCustomer.values()));
    await expect.poll(shownNames).toEqual(names(smallest.data));
    expect(page.url()).toContain('sort=revenue');
    await screenshot(page, '06c-customers-by-revenue');
    // The next page continues the order; the range says where we are.
    await list.getByRole('button', { name: 'Next' }).click();
    await settled(page);
    await expect(list.getByTestId('list-range').textContent()).resolves.toBe(`26–50 of ${largest.total}`);
    await list.getByRole('button', { name: 'Previous' }).click();
    await settled(page);
    // Rows are real links: reachable by the keyboard, opening the profile.
    const first = list.getByRole('link', { name: names(smallest.data)[0]! });
    await expect(first.getAttribute('href')).resolves.toBe(`/customers/${smallest.data[0]!.id}`);
    await first.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: names(smallest.data)[0]! }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/customers/${smallest.data[0]!.id}`);
  });

  it('filters customers by orders; the title says what the list is', async () => {
    await page.goto(`${hearth.url}/customers?min_orders=2`);
    await settled(page);
    // The count arrives with the list; the heading shows it then.
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(`Customers with at least 2 orders ${hearth.seed.repeatCustomers}`);
    await page.getByLabel('Churn risk').waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('heading', { level: 1, name: /^All customers/ }).waitFor();
  });

  it('creates a segment and sees its count', async () => {
    await visit('/segments', '05-segments');
    const fields = await api<unknown>('/api/v1/segments/fields');
    if (fields.status === 404) return expectUnavailable();
    // The count, or the preview's error with its message: a failure says why instead of timing out.
    const count = page.getByTestId('segment-count');
    await page.locator('[data-testid="segment-count"], .state-error').first().waitFor();
    await expect(page.locator('.state-error').allTextContents()).resolves.toEqual([]);
    const shown = Number((await count.textContent())?.replace(/[^\d]/g, ''));
    expect(shown).toBe(hearth.seed.repeatCustomers);
    await page.getByLabel('Segment name').fill('Came back');
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.getByRole('cell', { name: 'Came back' }).waitFor();
  });

  it('shows a saved segment\'s members with their figures and a CSV download', async () => {
    await visit('/segments', '05b-segments');
    // A new condition starts complete ("Orders at least 2"), so the count does not break.
    await page.getByRole('button', { name: 'Add condition' }).click();
    const second = page.getByRole('group', { name: 'Condition 2' });
    await expect(second.getByLabel('Field').inputValue()).resolves.toBe('count');
    await expect(second.getByLabel('Value').inputValue()).resolves.toBe('2');
    await page.getByRole('button', { name: 'Remove condition 2' }).click();

    await page.getByRole('cell', { name: 'Came back' }).click();
    const panel = page.getByTestId('segment-members');
    await panel.getByRole('link').first().waitFor();
    await settled(page);
    const segments = await api<{ data: { id: string; name: string; member_count: number }[] }>('/api/v1/segments');
    const segment = segments.body.data.find((s) => s.name === 'Came back')!;
    // The chosen segment is marked in the list and named in the URL, so a reload keeps it.
    const current = page.locator('tr[aria-current="true"]');
    await expect(current.count()).resolves.toBe(1);
    await expect(current.textContent()).resolves.toContain('Came back');
    expect(new URL(page.url()).searchParams.get('segment')).toBe(segment.id);
    await page.reload();
    await panel.getByRole('link').first().waitFor();
    await settled(page);
    await expect(page.locator('tr[aria-current="true"]').textContent()).resolves.toContain('Came back');
    expect(segment.member_count).toBe(hearth.seed.repeatCustomers);
    const members = await api<{ data: { id: number; orders: number }[]; total: number }>(`/api/v1/customers?segment_id=${segment.id}&sort=-revenue&limit=10`);
    expect(members.body.total).toBe(segment.member_count);
    expect(members.body.data.every((m) => m.orders >= 2)).toBe(true);
    const links = await panel.locator('a.row-link').all();
    const hrefs = await Promise.all(links.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(members.body.data.map((m) => `/customers/${m.id}`));
    await expect(panel.getByTestId('list-range').textContent()).resolves.toBe(`1–10 of ${segment.member_count}`);
    await panel.getByRole('button', { name: 'Orders' }).click();
    await expect(panel.getByRole('columnheader', { name: /Orders/ }).getAttribute('aria-sort')).resolves.toBe('descending');

    // The CSV link works with the session cookie alone, as a browser follows a link.
    const link = panel.getByTestId('segment-csv');
    const href = (await link.getAttribute('href'))!;
    expect(href).toBe(`/api/v1/segments/${segment.id}/members.csv?store=${hearth.storeId}`);
    const csv = await page.request.get(`${hearth.url}${href}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toContain('orders,revenue,last_order_on,predicted_clv,p_alive,churn_risk');
    expect(lines).toHaveLength(segment.member_count + 1);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('came-back.csv');
    await page.getByRole('heading', { name: 'Came back: size over time' }).waitFor();
    await settled(page);
    await screenshot(page, '05c-segment-members');
  });

  it('creates a key, shows it once, and revokes it', async () => {
    await visit('/data', '08-data');
    await page.getByLabel('Name').fill('storefront');
    await page.getByRole('button', { name: 'Create key' }).click();
    const notice = page.getByTestId('new-key');
    await notice.waitFor();
    const key = (await notice.locator('code').textContent()) ?? '';
    expect(key).toMatch(/^hk_write_/);
    // The snippet is ready to paste with the new key.
    await expect(page.getByTestId('snippet').textContent()).resolves.toContain(`data-write-key="${key}"`);
    // The key works for tracking until it is revoked: one good event and one without its name.
    const sent = await page.request.post(`${hearth.url}/v1/batch`, {
      headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
      data: { batch: [{ type: 'track', anonymousId: 'e2e-visitor', event: 'Product Viewed' }, { type: 'track', anonymousId: 'e2e-visitor' }] },
    });
    expect((await sent.json()) as unknown).toMatchObject({ stored: 1, rejected: [{ index: 1, path: 'event' }] });
    const keys = await api<{ data: { id: string; name: string; revoked_at: string | null; last_used_at: string | null }[] }>('/api/v1/keys');
    expect(keys.body.data.find((k) => k.name === 'storefront')?.revoked_at).toBeNull();
    await expect.poll(async () => (await api<{ data: { name: string; last_used_at: string | null }[] }>('/api/v1/keys')).body.data.find((k) => k.name === 'storefront')?.last_used_at, { timeout: 5_000 }).not.toBeNull();

    // The Data page shows what arrived, as the status API counts it, with the rejection's reason.
    await page.reload();
    await settled(page);
    const status = await api<{ sources: { source: string; received: number; stored: number; deduplicated: number; rejected: number }[] }>('/api/v1/ingest/status');
    const viaApi = status.body.sources.find((s) => s.source === 'api')!;
    expect(viaApi.rejected).toBeGreaterThanOrEqual(1);
    const row = page.getByTestId('tracking-status').getByRole('row', { name: /HTTP API/ });
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells.slice(1, 5).map((c) => Number(c.replace(/,/g, '')))).toEqual([viaApi.received, viaApi.stored, viaApi.deduplicated, viaApi.rejected]);
    expect(cells[5]).toContain('event: is required for track');
    const keysRow = page.getByRole('row', { name: /storefront/ });
    await expect(keysRow.textContent()).resolves.not.toContain('never');
    await screenshot(page, '08a-data-after-tracking');
    await page.getByRole('button', { name: 'Revoke key storefront' }).click();
    await page.getByText(/revoked/).first().waitFor();
    await expect(page.getByTestId('snippet').textContent()).resolves.not.toContain(key);
    const after = await api<{ data: { name: string; revoked_at: string | null }[] }>('/api/v1/keys');
    expect(after.body.data.find((k) => k.name === 'storefront')?.revoked_at).not.toBeNull();
    await page.reload();
    await settled(page);
    await expect(page.getByTestId('new-key').count()).resolves.toBe(0);
    await expect(page.locator('main').textContent()).resolves.not.toContain(key);
    await screenshot(page, '08b-data-after-revoke');
  });

  it('settings show the store and its users', async () => {
    await visit('/settings', '09-settings');
    await expect(page.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe('Hearth Coffee Co');
    await expect(page.locator('select[name=currency]').inputValue()).resolves.toBe('USD');
    await page.getByRole('cell', { name: hearth.analyst.email }).waitFor();

    // The owner limits tracking to the shop's pages; a bad origin is named, a good list is saved.
    const origins = page.locator('textarea[name=tracking-origins]');
    await origins.fill('https://shop.example/path');
    await page.getByRole('button', { name: 'Save store settings' }).click();
    await page.getByRole('alert').waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('without a path');
    await origins.fill('https://shop.example\nhttps://*.shop.example');
    await page.getByRole('button', { name: 'Save store settings' }).click();
    const listed = () => api<{ tracking_origins: string[] | null }>('/api/v1/store').then((r) => r.body.tracking_origins);
    await expect.poll(listed).toEqual(['https://shop.example', 'https://*.shop.example']);
    await origins.fill('');
    await page.getByRole('button', { name: 'Save store settings' }).click();
    await expect.poll(listed).toBeNull();
  });

  it('sets up Shopify: the webhook URL to paste, a secret that signed deliveries must match', async () => {
    await visit('/settings', '09b-settings-shopify');
    const url = (await page.getByTestId('shopify-url').textContent()) ?? '';
    expect(url).toBe(`${hearth.url}/webhooks/shopify/hearth-coffee`);
    await expect(page.getByTestId('shopify-secret-state').textContent()).resolves.toBe('not set');
    const secretField = page.locator('input[name=shopify-secret]');
    await secretField.fill('short');
    await page.getByRole('button', { name: 'Save secret' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('shopify_secret');
    const secret = 'shpss_e2e_0123456789abcdef';
    await secretField.fill(secret);
    await page.getByRole('button', { name: 'Save secret' }).click();
    await page.getByTestId('shopify-secret-state').getByText('set', { exact: true }).waitFor();
    await screenshot(page, '09c-settings-shopify-set');

    // Shopify's delivery to that URL, signed with the secret, is taken; a wrong signature is not.
    const body = JSON.stringify(shopifyCustomer);
    const signed = await page.request.post(url, { headers: shopifyHeaders(secret, 'customers/create', body), data: body });
    expect(signed.status()).toBe(200);
    const forged = await page.request.post(url, { headers: shopifyHeaders('not the secret', 'customers/create', body), data: body });
    expect(forged.status()).toBe(401);

    await page.getByRole('button', { name: 'Remove secret' }).click();
    await page.getByTestId('shopify-secret-state').getByText('not set').waitFor();
    await expect.poll(() => api<{ shopify_secret_set: boolean }>('/api/v1/store').then((r) => r.body.shopify_secret_set), { timeout: 5_000 }).toBe(false);
  });

  it('fits a phone-width screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US', storageState: await context.storageState() });
    const mobile = await phone.newPage();
    await mobile.goto(`${hearth.url}/`);
    await mobile.getByRole('button', { name: 'Menu' }).waitFor();
    await settled(mobile);
    const overflow = Number(await mobile.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(mobile, '10-phone-overview');
    await mobile.getByRole('button', { name: 'Menu' }).click();
    await screenshot(mobile, '10b-phone-menu');
    // Every page fits the width; wide tables scroll inside their panel, not the page.
    for (const path of ['/cohorts', '/rfm', '/predictions', '/segments', '/customers', '/products', '/data', '/settings']) {
      await mobile.goto(`${hearth.url}${path}`);
      await mobile.getByRole('heading', { level: 1 }).first().waitFor();
      await settled(mobile);
      expect(Number(await mobile.evaluate('document.documentElement.scrollWidth - window.innerWidth')), path).toBeLessThanOrEqual(0);
    }
    // The lists scroll sideways inside their panel, the customer's name staying in view.
    await mobile.goto(`${hearth.url}/customers`);
    await mobile.getByTestId('customer-list').getByRole('link').first().waitFor();
    await screenshot(mobile, '10c-phone-customers');
    await mobile.goto(`${hearth.url}/segments`);
    await mobile.getByRole('cell', { name: 'Came back' }).click();
    await mobile.getByTestId('segment-members').getByRole('link').first().waitFor();
    await settled(mobile);
    expect(Number(await mobile.evaluate('document.documentElement.scrollWidth - window.innerWidth'))).toBeLessThanOrEqual(0);
    await screenshot(mobile, '10d-phone-segments');
    await phone.close();
  });
});

describe('dashboard as an analyst', () => {
  it('can read but not write', async () => {
    const analystContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const analystPage = await analystContext.newPage();
    await signIn(analystPage, hearth.url, hearth.analyst.email, hearth.analyst.password);
    await analystPage.getByText('read-only').waitFor();
    await analystPage.goto(`${hearth.url}/settings`);
    await settled(analystPage);
    await expect(analystPage.getByLabel('Name', { exact: true }).isDisabled()).resolves.toBe(true);
    await expect(analystPage.getByRole('button', { name: 'Save store settings' }).count()).resolves.toBe(0);
    await analystPage.goto(`${hearth.url}/data`);
    await settled(analystPage);
    await analystPage.getByText('Only owners and admins see and manage API keys.').waitFor();
    await screenshot(analystPage, '11-analyst-data');
    // Even a hand-made request with the analyst's session and CSRF token is refused by the server.
    const session = (await (await analystPage.request.get(`${hearth.url}/api/v1/session`)).json()) as { csrf_token: string };
    const attempt = await analystPage.request.post(`${hearth.url}/api/v1/keys`, { headers: { 'x-csrf-token': session.csrf_token }, data: { kind: 'write', name: 'nope' } });
    expect(attempt.status()).toBe(403);
    await analystContext.close();
  });
});
