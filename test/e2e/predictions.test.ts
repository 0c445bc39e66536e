/**
 * Predictions end to end, and the pages that read them beside the reports: the seeded store gets a
 * fitted model in setup (the predictions service's own fit), then Chromium reads the Predictions
 * page, the overview's cards, trends and comparison, the same "high churn risk" count across pages,
 * a customer's predictions panel, and the RFM and Products pages. Numbers on the screen are compared
 * with the API's answers, and the API's with figures computed here from the seeded orders.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReturningRevenueReport } from '../../src/http/schemas/analytics.schemas.js';
import type { AtRisk, CurrentModel, PredictionDistribution } from '../../src/http/schemas/predictions.schemas.js';
import { launchBrowser, screenshot, settled, signIn } from './helpers/browser.js';
import { startE2eServer, type E2eServer } from './helpers/server.js';

let hearth: E2eServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const TIME_ZONE = 'America/New_York';
const localDay = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
/** The dashboard's money format for USD in en-US (compact from 10,000 dollars on KPI cards). */
const usd = (minor: number, compact = false) => new Intl.NumberFormat('en-US', {
  style: 'currency', currency: 'USD', ...(compact && Math.abs(minor / 100) >= 10_000 && { notation: 'compact', maximumFractionDigits: 1 }),
}).format(minor / 100);

async function api<T>(path: string): Promise<T> {
  const response = await page.request.get(`${hearth.url}${path}`);
  expect(response.status(), path).toBe(200);
  return (await response.json()) as T;
}

async function visit(path: string, name: string): Promise<void> {
  await page.goto(`${hearth.url}${path}`);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await settled(page);
  await screenshot(page, name);
}

type ModelAnswer = CurrentModel;

/** The session's CSRF token, for writes the test makes through the page's cookies. */
async function csrf(): Promise<string> {
  const session = await api<{ csrf_token: string }>('/api/v1/session');
  return session.csrf_token;
}
type Distribution = PredictionDistribution;

beforeAll(async () => {
  hearth = await startE2eServer({ fitPredictions: {} });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  page = await context.newPage();
  await signIn(page, hearth.url, hearth.owner.email, hearth.owner.password);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

describe('predictions page', () => {
  it('shows the fitted model, why it is used, and the backtest figures the API reports', async () => {
    expect(hearth.fit?.status).toBe('ok');
    await visit('/predictions', '12-predictions');
    const model = await api<ModelAnswer>('/api/v1/predictions/model');
    expect(model.fit.status).toBe('ok');
    if (model.fit.status !== 'ok') return;
    await expect(page.getByTestId('model-name').textContent()).resolves.toContain(model.fit.model === 'bgnbd' ? 'BG/NBD' : 'Pareto/NBD');
    const reason = model.fit.reason.replace(/\bpareto-nbd\b/g, 'Pareto/NBD').replace(/\bbgnbd\b/g, 'BG/NBD');
    await expect(page.getByTestId('model-reason').textContent()).resolves.toBe(reason);
    const metrics = model.backtest!.metrics.find((m) => m.model === model.backtest!.chosen.model)!;
    await expect(page.getByTestId('backtest-totals').textContent()).resolves.toContain(`actual ${metrics.total_actual.toLocaleString('en-US')}`);
    await expect(page.getByTestId('brier').textContent()).resolves.toBe(metrics.brier.toFixed(3));
    // Three calibration charts and two histograms are drawn.
    await expect(page.locator('.chart canvas').count()).resolves.toBe(5);
    await expect(page.locator('main').textContent()).resolves.not.toContain('Could not load this');
  });

  it('shows the distributions the API computes, over every seeded customer', async () => {
    await visit('/predictions', '12-predictions');
    const d = await api<Distribution>('/api/v1/predictions/distribution');
    // Every seeded customer has an order, so every one is scored.
    expect(d.customers).toBe(hearth.seed.customers);
    expect(d.p_alive.bins.reduce((s, b) => s + b.customers, 0)).toBe(d.customers);
    expect(d.churn_risk.low + d.churn_risk.medium + d.churn_risk.high).toBe(d.customers);
    await expect(page.getByTestId('distribution-customers').textContent()).resolves.toBe(d.customers.toLocaleString('en-US'));
    await expect(page.getByTestId('clv-total').textContent()).resolves.toBe(usd(d.clv.total));
  });

  it('lists valuable customers at risk, most valuable first, and opens a profile with its predictions', async () => {
    await visit('/predictions', '12-predictions');
    const atRisk = await api<AtRisk>('/api/v1/predictions/at-risk?limit=20');
    expect(atRisk.rows.length).toBeGreaterThan(0);
    expect(atRisk.rows.every((r) => r.p_order_365d < 0.2)).toBe(true);
    const clvs = atRisk.rows.map((r) => r.clv_12m ?? -1);
    expect(clvs).toEqual([...clvs].sort((a, b) => b - a));
    const panel = page.getByTestId('at-risk');
    const names = await panel.locator('tbody tr td:first-child').allTextContents();
    expect(names).toEqual(atRisk.rows.map((r) => r.name));
    const first = atRisk.rows[0]!;
    await panel.getByRole('link', { name: first.name }).click();
    await page.getByRole('heading', { level: 1, name: first.name }).waitFor();
    await settled(page);
    await screenshot(page, '13-customer-predictions');
    const prediction = await api<{ p_alive: number; churn_risk: string }>(`/api/v1/customers/${first.id}/predictions`);
    await expect(page.getByTestId('prediction-p-alive').textContent()).resolves.toBe(`${Math.round(prediction.p_alive * 100)}%`);
    await expect(page.getByTestId('prediction-explanation').textContent()).resolves.toContain(`Churn risk is ${prediction.churn_risk}`);
    // Numbers read aloud take their article: "an 18% chance", never "a 18%".
    await expect(page.getByTestId('prediction-explanation').textContent()).resolves.not.toMatch(/\ba (8|11|18)\d*%/);
    // What the customer buys, as the profile API lists it; order statuses in words.
    const profile = await api<{ top_products: { name: string }[]; timeline: { type: string; status?: string }[] }>(`/api/v1/customers/${first.id}/profile`);
    const top = page.getByTestId('profile-top');
    for (const product of profile.top_products) await top.getByText(product.name, { exact: false }).first().waitFor();
    await expect(page.locator('.timeline').textContent()).resolves.not.toMatch(/partially_refunded/);
  });

  it('counts the same customers at high churn risk on Overview, Predictions and the built-in segment; RFM\'s "At risk" is named apart', async () => {
    const d = await api<Distribution>('/api/v1/predictions/distribution');
    const high = d.churn_risk.high;
    expect(high).toBeGreaterThan(0);
    await visit('/', '14-overview-kpis');
    await expect(page.getByTestId('kpi-value-customersAtRisk').textContent()).resolves.toBe(high.toLocaleString('en-US'));
    await visit('/predictions', '12-predictions');
    await expect(page.getByTestId('at-risk-count').textContent()).resolves.toContain(`${high.toLocaleString('en-US')} customers at high churn risk`);
    // The built-in segment follows the model's band once predictions exist.
    const segments = await api<{ data: { name: string; builtin_key: string | null; member_count: number; id: string }[] }>('/api/v1/segments');
    const builtin = segments.data.find((s) => s.builtin_key === 'at_risk')!;
    expect(builtin.name).toBe('High churn risk');
    await page.request.post(`${hearth.url}/api/v1/segments/${builtin.id}/refresh`, { headers: { 'x-csrf-token': await csrf() } });
    const refreshed = await api<{ member_count: number }>(`/api/v1/segments/${builtin.id}`);
    expect(refreshed.member_count).toBe(high);
    await visit('/segments', '05-segments');
    const row = page.getByRole('row').filter({ hasText: 'High churn risk' });
    await expect(row.locator('td').nth(2).textContent()).resolves.toBe(high.toLocaleString('en-US'));
    // RFM's own "At risk" explains itself on hover and says it is not the model's churn risk.
    await visit('/rfm', '03-rfm');
    await expect(page.getByTestId('rfm-At risk').getAttribute('title')).resolves.toMatch(/RFM: R 1–2, FM 3–4.*not the model's churn risk/);
  });

  it('shows churn with its threshold and where it came from, and the owner changes the threshold in Settings', async () => {
    const before = await api<{ store: { inactivity_days: number; inactivity_source: string } }>('/api/v1/analytics/kpis');
    expect(before.store.inactivity_source).not.toBe('store');
    await visit('/', '14-overview-kpis');
    await page.getByText(`Churn (${before.store.inactivity_days} days)`).waitFor();
    await visit('/settings', '09-settings');
    await page.getByLabel(/Inactivity threshold/).fill('45');
    await page.getByRole('button', { name: 'Save store settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const after = await api<{ store: { inactivity_days: number; inactivity_source: string } }>('/api/v1/analytics/kpis');
    expect(after.store).toMatchObject({ inactivity_days: 45, inactivity_source: 'store' });
    await visit('/', '14-overview-kpis');
    await page.getByText('Churn (45 days)').waitFor();
    // Back to the derived threshold, as the other tests expect.
    await visit('/settings', '09-settings');
    await page.getByLabel(/Inactivity threshold/).fill('');
    await page.getByRole('button', { name: 'Save store settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await api<{ store: { inactivity_source: string } }>('/api/v1/analytics/kpis')).store.inactivity_source).not.toBe('store');
  });

  it('"Refit now" queues the refit and follows the job until it is done', async () => {
    await visit('/predictions', '12-predictions');
    await page.getByRole('button', { name: 'Refit now' }).click();
    const status = page.getByTestId('refit-status');
    await status.getByText(/Refit job #\d+: Queued/).waitFor();
    const jobId = Number(/#(\d+)/.exec((await status.textContent()) ?? '')![1]);
    const job = await api<{ state: string; kind: string }>(`/api/v1/predictions/refit/${jobId}`);
    expect(job).toMatchObject({ state: 'queued', kind: 'predictions.refit' });
    await screenshot(page, '12b-refit-queued');
    // The server's worker is off in tests: run the queued job now, as it would.
    expect(await hearth.runJobs()).toBeGreaterThanOrEqual(1);
    await status.getByText(new RegExp(`Done — ${hearth.seed.customers} customers scored`)).waitFor({ timeout: 15_000 });
    await settled(page);
    await screenshot(page, '12c-refit-done');
  }, 600_000);
});

describe('overview cards from predictions and returning customers', () => {
  it('shows revenue from returning customers, predicted CLV and customers at risk as the APIs compute them', async () => {
    await visit('/', '14-overview-kpis');
    const kpis = await api<{ current: { from: string; to: string }; comparison?: { from: string; to: string } }>('/api/v1/analytics/kpis');
    const { from, to } = kpis.current;
    // Revenue from returning customers, from the seeded orders: first order (local day) before the range.
    const firstDay = new Map<string, string>();
    for (const o of hearth.seed.orderList) {
      const day = localDay.format(o.placedAt);
      if (!firstDay.has(o.customer) || day < firstDay.get(o.customer)!) firstDay.set(o.customer, day);
    }
    const expected = hearth.seed.orderList
      .filter((o) => { const day = localDay.format(o.placedAt); return day >= from && day <= to && firstDay.get(o.customer)! < from; })
      .reduce((s, o) => s + o.total, 0);
    const returning = await api<ReturningRevenueReport>(`/api/v1/overview/returning-revenue?from=${from}&to=${to}`);
    expect(returning.current.returning_revenue).toBe(expected);
    await expect(page.getByTestId('kpi-value-returningRevenue').textContent()).resolves.toBe(usd(expected, true));
    const d = await api<Distribution>('/api/v1/predictions/distribution');
    await expect(page.getByTestId('kpi-value-customersAtRisk').textContent()).resolves.toBe(d.churn_risk.high.toLocaleString('en-US'));
    await expect(page.getByTestId('kpi-value-predictedClv').textContent()).resolves.toBe(usd(d.clv.total, true));
  });

  it('answers "is it improving?": the rates for each complete month, with the cards\' definitions', async () => {
    const report = await api<{ series: { period_start: string; complete: boolean; retention_rate: number | null }[] }>('/api/v1/analytics/kpis');
    const complete = report.series.filter((p) => p.complete);
    expect(complete.length).toBeGreaterThanOrEqual(2);
    await visit('/', '14-overview-kpis');
    await expect(page.getByTestId('rate-trends').locator('canvas').count()).resolves.toBeGreaterThan(0);
    // The retention card's sparkline names each complete month and its rate.
    const spark = page.getByTestId('kpi-retention_rate').getByRole('img');
    const label = await spark.getAttribute('aria-label');
    expect(label?.split(', ')).toHaveLength(complete.length);
  });

  it('compares the period with the same dates a year earlier when asked', async () => {
    await visit('/', '14-overview-kpis');
    await page.getByLabel('Compared with').selectOption('year');
    const report = await api<{ current: { from: string; to: string }; comparison: { from: string; to: string } }>('/api/v1/analytics/kpis?compare=year');
    expect(report.comparison.from.slice(5)).toBe(report.current.from.slice(5));
    const long = (day: string) => new Date(`${day}T12:00:00Z`).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
    await page.getByTestId('kpi-range').filter({ hasText: `compared with ${long(report.comparison.from)}` }).waitFor();
    expect(page.url()).toContain('compare=year');
  });

  it('compares cohorts on Overview at the same age (month 3), leaving out the younger ones', async () => {
    const report = await api<{ cohorts: { cohort: string; value_at: { age: number; value: number | null }[] }[] }>('/api/v1/analytics/cohorts?period=month');
    const mature = report.cohorts.filter((c) => c.value_at.find((v) => v.age === 3)?.value !== null);
    expect(mature.length).toBeLessThan(report.cohorts.length);
    await visit('/', '14-overview-kpis');
    const panel = page.getByTestId('cohort-value');
    if (mature.length > 0) await expect(panel.locator('canvas').count()).resolves.toBeGreaterThan(0);
    else await panel.getByText(/No cohort is 3 months old yet/).waitFor();
  });

  it('fits a phone-width screen on the Predictions page', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US', storageState: await context.storageState() });
    const mobile = await phone.newPage();
    await mobile.goto(`${hearth.url}/predictions`);
    await mobile.getByRole('heading', { level: 1 }).waitFor();
    await settled(mobile);
    const overflow = Number(await mobile.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(mobile, '15-phone-predictions');
    await phone.close();
  });
});

describe('predictions as an analyst', () => {
  it('sees "Refit now" disabled, with the reason', async () => {
    const analystContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const analystPage = await analystContext.newPage();
    await signIn(analystPage, hearth.url, hearth.analyst.email, hearth.analyst.password);
    await analystPage.goto(`${hearth.url}/predictions`);
    await settled(analystPage);
    await expect(analystPage.getByRole('button', { name: 'Refit now' }).isDisabled()).resolves.toBe(true);
    await expect(analystPage.getByTestId('refit-status').textContent()).resolves.toContain('Only owners and admins can refit.');
    await screenshot(analystPage, '16-analyst-predictions');
    await analystContext.close();
  });
});

describe('RFM page', () => {
  it('shows segments as of a date, their averages, the R × FM grid and the movement since an earlier date', async () => {
    const now = await api<{ as_of: string }>('/api/v1/analytics/rfm');
    const since = new Date(Date.parse(`${now.as_of}T00:00:00Z`) - 90 * 86_400_000).toISOString().slice(0, 10);
    type Answer = { as_of: string; customers: number; segments: { segment: string; customers: number; avg_orders: number | null }[]; grid: { customers: number }[]; movement: { from: string | null; to: string | null; customers: number }[] };
    const report = await api<Answer>(`/api/v1/analytics/rfm?to=${now.as_of}&since=${since}`);
    await visit(`/rfm?as_of=${now.as_of}&since=${since}`, '03-rfm');
    // The grid's cells add up to the customers scored.
    const cells = await page.getByTestId('rfm-score-grid').locator('tbody td').allTextContents();
    expect(cells).toHaveLength(25);
    expect(cells.reduce((sum, text) => sum + Number(text.replace(/,/g, '')), 0)).toBe(report.customers);
    expect(report.grid.reduce((sum, c) => sum + c.customers, 0)).toBe(report.customers);
    // The largest move first, as the API counts it.
    const largest = report.movement.filter((m) => m.from !== m.to).sort((a, b) => b.customers - a.customers)[0]!;
    const firstRow = page.getByTestId('rfm-movement').locator('tbody tr').first();
    await expect(firstRow.locator('td').nth(2).textContent()).resolves.toBe(largest.customers.toLocaleString('en-US'));
    await expect(firstRow.locator('td').first().textContent()).resolves.toBe(largest.from ?? 'no order yet');
    // An earlier as-of date scores fewer (or as many) customers.
    const earlier = await api<Answer>(`/api/v1/analytics/rfm?to=${since}`);
    await visit(`/rfm?as_of=${since}`, '03-rfm');
    await page.getByTestId('rfm-as-of').filter({ hasText: `${earlier.customers.toLocaleString('en-US')} customers with an order` }).waitFor();
    expect(earlier.customers).toBeLessThanOrEqual(report.customers);
  });
});

describe('Products page', () => {
  it('shows what customers bought next by name, a chart, categories and a date range', async () => {
    type Answer = { query: { from: string; to: string }; rows: { key: string; title: string | null; customers: number; next: { key: string; title: string | null; share: number | null }[] }[] };
    const report = await api<Answer>('/api/v1/analytics/products?limit=500');
    await visit('/products', '07-products');
    await expect(page.locator('canvas').count()).resolves.toBeGreaterThan(0);
    const withNext = report.rows.slice(0, 25).find((r) => r.next.length > 0)!;
    const row = page.getByRole('row').filter({ hasText: withNext.title ?? withNext.key }).first();
    await expect(row.locator('td').last().textContent()).resolves.toContain(withNext.next[0]!.title ?? withNext.next[0]!.key);
    // By category, and over a shorter range.
    await page.locator('select[name="level"]').selectOption('category');
    const categories = await api<Answer>('/api/v1/analytics/products?breakdown=first_category&limit=500');
    await page.getByRole('columnheader', { name: 'Category' }).waitFor();
    await expect(page.locator('table tbody tr').count()).resolves.toBe(Math.min(25, categories.rows.length));
    await page.locator('select[name="range"]').selectOption('90');
    await page.waitForURL(/from=/);
    const from = new URL(page.url()).searchParams.get('from')!;
    const short = await api<Answer>(`/api/v1/analytics/products?breakdown=first_category&limit=500&from=${from}&to=${report.query.to}`);
    await settled(page);
    await expect(page.locator('table tbody tr').count()).resolves.toBe(Math.min(25, short.rows.length));
  });
});
