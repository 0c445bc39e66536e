/**
 * The Flows pages in Chromium: a flow written as JSON, refused with its problem named by path (a
 * click selects the step), fixed, created and published; a segment enrolled through the API; the
 * graph's counts on steps and edges agree with the runs the API lists; a run shows on the
 * customer's profile; the list shows each flow's revenue and incremental revenue with its interval
 * as the API gives them (a flow whose entrants entered months ago), and why a flow has none yet;
 * SMS and webhook steps read in words, and a text's problem named by step and line. Screenshots at
 * 1280 and 390 px.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { JobQueue } from '../../src/jobs/queue.js';
import { silentLogger } from '../../src/lib/logger.js';
import { FlowsService } from '../../src/modules/flows/index.js';
import { launchBrowser, screenshot, screenshotDir, settled, signIn } from './helpers/browser.js';
import { SEED_END } from './helpers/seed.js';
import { startE2eServer, type E2eServer } from './helpers/server.js';

let hearth: E2eServer;
let browser: Browser;
let page: Page;
let csrf: string;

interface Run { id: number; customer_id: number; holdout: boolean; status: string; step_id: string | null; steps: { step_id: string | null; outcome: string }[] }

const api = async <T>(method: 'GET' | 'POST', path: string, data?: unknown): Promise<T> => {
  const response = await page.request.fetch(`${hearth.url}${path}`, {
    method, headers: { 'x-csrf-token': csrf, 'x-hearth-store': hearth.storeId }, ...(data !== undefined && { data }),
  });
  expect(response.status(), await response.text()).toBeLessThan(300);
  return (await response.json()) as T;
};

beforeAll(async () => {
  hearth = await startE2eServer({ customers: 60 });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (dialog) => void dialog.accept());
  await signIn(page, hearth.url, hearth.owner.email, hearth.owner.password);
  csrf = ((await (await page.request.get(`${hearth.url}/api/v1/session`)).json()) as { csrf_token: string }).csrf_token;
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await hearth?.stop();
});

const name = 'Win-back <i>VIP</i> & co';
let flowId: string;
let template: { id: string; name: string };
let profileCustomer: number;
let everyone: string;

const documentWith = (noBranch: string) => ({
  trigger: { kind: 'manual' },
  exit_when: [{ kind: 'ordered' }],
  steps: [
    { id: 'check', type: 'condition', rule: { kind: 'orders', metric: 'count', op: 'gte', value: 2 }, yes: 'hello', no: noBranch },
    { id: 'hello', type: 'send_email', template_id: template.id, next: 'wait' },
    // Nothing after the wait: the run completes there.
    { id: 'wait', type: 'wait', duration: { days: 3 } },
  ],
});

describe('Flows pages', () => {
  it('refuses a document with its problem named by path, then creates and publishes the fixed flow', async () => {
    template = await api<{ id: string; name: string }>('POST', '/api/v1/templates/from-starter', { starter: 'welcome', name: 'We miss you' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Flows' }).click();
    await page.getByRole('heading', { name: 'Flows', level: 1 }).waitFor();
    await settled(page);
    await page.getByRole('link', { name: 'New flow' }).click();
    await page.getByRole('heading', { name: 'New flow', level: 1 }).waitFor();
    await settled(page);
    await page.getByLabel('Name').fill(name);
    const source = page.getByLabel('Document (JSON)');
    await source.fill(JSON.stringify(documentWith('nowhere'), null, 2));
    // The summary reads the document as it is typed.
    await expect.poll(() => page.getByTestId('flow-summary').textContent()).toContain(`Send email ${template.name}`);
    await page.getByRole('button', { name: 'Create draft' }).click();
    const problems = page.getByTestId('flow-problems');
    await problems.waitFor();
    await expect(problems.textContent()).resolves.toContain('steps.0.no: no step "nowhere"');
    // The path selects the step it names in the text.
    await problems.getByRole('button', { name: 'steps.0.no' }).click();
    const selected = await source.evaluate((el: { value: string; selectionStart: number; selectionEnd: number }) => el.value.slice(el.selectionStart, el.selectionEnd));
    expect(selected).toBe('"id": "check"');
    await screenshot(page, 'flows-new-problem-1280');

    await source.fill(JSON.stringify(documentWith('wait'), null, 2));
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.waitForURL(/\/flows\/flow_/);
    flowId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    // The name is text, never markup.
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    await expect(page.locator('h1 i').count()).resolves.toBe(0);
    await expect(page.getByTestId('flow-status').textContent()).resolves.toContain('never published');

    await page.getByRole('button', { name: 'Publish version 1' }).click();
    await expect.poll(() => page.getByTestId('flow-status').textContent()).toContain('version 1 live');
    // Pausing and resuming keep an unsaved edit of the draft.
    const editor = page.getByLabel('Document (JSON)');
    const edited = (await editor.inputValue()).replace('"days": 3', '"days": 4');
    await editor.fill(edited);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByTestId('flow-status').textContent()).toContain('paused');
    await expect(editor.inputValue()).resolves.toBe(edited);
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.getByTestId('flow-status').textContent()).toContain('live');
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await expect(editor.inputValue()).resolves.toContain('"days": 3');
  }, 90_000);

  it('shows the runs of an enrolled segment on the graph, in the runs and on the profile', async () => {
    const segment = await api<{ id: string }>('POST', '/api/v1/segments', { name: 'Everyone with an email', rule: { kind: 'profile', field: 'email', op: 'contains', value: '@' } });
    everyone = segment.id;
    const enrolled = await api<{ members: number; enrolled: number }>('POST', `/api/v1/flows/${flowId}/enrol`, { segment_id: segment.id });
    expect(enrolled.enrolled).toBeGreaterThan(0);
    await hearth.runJobs();

    const runs = (await api<{ data: Run[] }>('GET', `/api/v1/flows/${flowId}/runs?limit=1000`)).data;
    expect(runs.length).toBe(enrolled.enrolled);
    const took = (outcome: string) => runs.filter((r) => r.steps.some((s) => s.step_id === 'check' && s.outcome === outcome)).length;
    const waiting = runs.filter((r) => r.status === 'active' && r.step_id === 'wait').length;
    expect(took('yes')).toBeGreaterThan(0);
    expect(took('no')).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Refresh' }).click();
    await settled(page);
    const graph = page.getByTestId('flow-graph');
    const n = (value: number) => value.toLocaleString('en-US');
    await expect.poll(() => graph.getByTestId('flow-step-check').textContent()).toContain(`reached ${n(runs.length)}`);
    await expect(graph.getByTestId('flow-edge-check-yes').textContent()).resolves.toBe(`yes · ${n(took('yes'))}`);
    await expect(graph.getByTestId('flow-edge-check-no').textContent()).resolves.toBe(`no · ${n(took('no'))}`);
    await expect(graph.getByTestId('flow-edge-hello-next').textContent()).resolves.toBe(n(took('yes')));
    await expect(graph.getByTestId('flow-step-wait').textContent()).resolves.toContain(`waiting ${n(waiting)}`);
    await expect(graph.getByTestId('flow-edge-wait-next').textContent()).resolves.toBe('end · 0');
    await expect(page.getByTestId('flow-totals').textContent()).resolves.toContain(`${n(runs.length)} entered`);
    await graph.scrollIntoViewIfNeeded();
    await screenshot(page, 'flows-view-1280');
    await graph.screenshot({ path: join(screenshotDir, 'flows-graph-1280.png') });

    // The latest runs, newest first, link to the customer.
    const table = page.getByRole('table', { name: 'Latest runs' });
    await expect(table.getByRole('row').count()).resolves.toBe(Math.min(50, runs.length) + 1);
    const newest = [...runs].sort((a, b) => b.id - a.id)[0]!;
    await expect(table.getByRole('row').nth(1).textContent()).resolves.toContain(`Customer ${newest.customer_id}`);

    // A customer who was sent the email: the run on their profile.
    const mailed = runs.find((r) => !r.holdout && r.steps.some((s) => s.outcome === 'queued'))!;
    profileCustomer = mailed.customer_id;
    await page.goto(`${hearth.url}/customers/${mailed.customer_id}`);
    const panel = page.getByTestId('profile-flows');
    await panel.waitFor();
    await settled(page);
    const line = panel.getByTestId('profile-flow-run');
    await expect(line.count()).resolves.toBe(1);
    await expect(line.textContent()).resolves.toContain(`entered ${name}`);
    await expect(line.textContent()).resolves.toContain(`email “${template.name}” queued`);
    await expect(line.textContent()).resolves.toContain('now at wait');
    // The email itself is on the timeline, marked as a flow's.
    await expect(page.getByTestId('timeline-message').first().textContent()).resolves.toContain('· flow');
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'flows-profile-1280');
  }, 90_000);

  it('lists the flows with their figures, revenue and incremental revenue as the API gives them, and fits a phone', async () => {
    // A flow the store switched on months ago: its entrants entered 200 days before the seed's last
    // day (the engine under that day's clock), so their 30 days have long ended.
    const measuredName = 'Thank-you <b>note</b>';
    const created = await api<{ id: string }>('POST', '/api/v1/flows', {
      name: measuredName, document: { trigger: { kind: 'manual' }, holdout_share: 0.3, steps: [{ id: 'pause', type: 'wait', duration: { days: 1 } }] },
    });
    await api('POST', `/api/v1/flows/${created.id}/publish`);
    const services = hearth.server.services;
    const then = { now: () => new Date(SEED_END.getTime() - 200 * 86_400_000) };
    const past = new FlowsService(services.storage, new JobQueue(services.storage.write, services.storage.read, then), then, () => services, silentLogger);
    expect((await past.enrolSegment(hearth.storeId, created.id, everyone)).enrolled).toBeGreaterThan(0);
    await hearth.runJobs();

    await page.goto(`${hearth.url}/flows`);
    await settled(page);
    const flows = (await api<{ data: {
      id: string; entrants: number; in_progress: number; messages: number; holdout: number; revenue: number | null; incremental_revenue: { value: number; low: number; high: number } | null;
      measurement: { people: number; holdout_people: number; reason: string | null };
    }[] }>('GET', '/api/v1/flows')).data;
    const listed = flows.find((f) => f.id === flowId)!;
    const table = page.getByRole('table', { name: 'Flows' });
    const row = table.getByRole('row', { name: /Win-back/ });
    const cells = await row.getByRole('cell').allTextContents();
    // Entered today: no 30-day window has ended, and the list says so instead of a figure.
    expect(listed.revenue).toBeNull();
    expect(listed.measurement.reason).toBe(`No entrant's 30-day window has ended yet (${listed.entrants} people still inside it).`);
    expect(cells[0]).toBe(`${name}Enrolled by hand (a segment)`);
    expect(cells.slice(1)).toEqual(['live · v1', String(listed.entrants), String(listed.in_progress), String(listed.messages), String(listed.holdout), '—', `—${listed.measurement.reason}`]);
    await expect(row.getByRole('cell').nth(6).locator('span').getAttribute('title')).resolves.toBe(listed.measurement.reason);

    const measured = flows.find((f) => f.id === created.id)!;
    expect(measured.revenue).not.toBeNull();
    expect(measured.incremental_revenue).not.toBeNull();
    const money = (minor: number, sign = false) => `${sign && minor > 0 ? '+' : ''}${(minor / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD' })}`;
    const extra = measured.incremental_revenue!;
    const measuredRow = table.getByRole('row', { name: /Thank-you/ });
    // The name is text, never markup.
    await expect(measuredRow.getByRole('cell').first().getByRole('link').textContent()).resolves.toBe(measuredName);
    const measuredCells = await measuredRow.getByRole('cell').allTextContents();
    expect(measuredCells[6]).toBe(`${money(measured.revenue!)}30 days · ${measured.measurement.people.toLocaleString('en-US')} entrants`);
    expect(measuredCells[7]).toBe(`${money(extra.value, true)}95 %: ${money(extra.low, true)} to ${money(extra.high, true)}`);
    await expect(measuredRow.getByRole('cell').nth(7).locator('.flow-figure').getAttribute('title'))
      .resolves.toContain(`${measured.measurement.people.toLocaleString('en-US')} entrants against ${measured.measurement.holdout_people.toLocaleString('en-US')} held out`);
    await screenshot(page, 'flows-list-1280');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await settled(page);
    const width = await page.locator('html').evaluate((el: { scrollWidth: number }) => el.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    // On a phone each flow is a card, the figures under their names.
    const card = page.getByRole('table', { name: 'Flows' }).getByRole('row', { name: /Thank-you/ });
    await expect(card.getByRole('cell').nth(6).getAttribute('data-label')).resolves.toBe('Revenue');
    await expect(card.getByRole('cell').nth(6).isVisible()).resolves.toBe(true);
    await expect(card.getByRole('cell').nth(7).textContent()).resolves.toContain(`95 %: ${money(extra.low, true)}`);
    await screenshot(page, 'flows-list-390');
    await page.goto(`${hearth.url}/flows/${encodeURIComponent(flowId)}`);
    await settled(page);
    await page.getByTestId('flow-step-check').waitFor();
    expect(await page.locator('html').evaluate((el: { scrollWidth: number }) => el.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'flows-view-390');
    // Enrolling again from the page adds nobody: they are all in the flow.
    await page.getByLabel('Segment to enrol').selectOption(everyone);
    await page.getByRole('button', { name: 'Enrol now' }).click();
    await expect.poll(() => page.getByTestId('flow-enrol').textContent()).toMatch(/0 of \d+ members enrolled/);
    // The top of the page as a phone shows it: the header, the buttons and the graph.
    await page.screenshot({ path: join(screenshotDir, 'flows-view-390-top.png') });
    await page.getByLabel('Document (JSON)').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshotDir, 'flows-editor-390.png') });
    await page.goto(`${hearth.url}/customers/${profileCustomer}`);
    await page.getByTestId('profile-flows').scrollIntoViewIfNeeded();
    await settled(page);
    await page.getByTestId('profile-flows').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshotDir, 'flows-profile-390.png') });
  }, 60_000);

  it('shows an analyst the flow without the buttons that change it', async () => {
    const analyst = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(analyst, hearth.url, hearth.analyst.email, hearth.analyst.password);
    await analyst.goto(`${hearth.url}/flows/${encodeURIComponent(flowId)}`);
    await analyst.getByTestId('flow-step-check').waitFor();
    await settled(analyst);
    for (const name of [/^Publish/, /^Pause$/, /^Enrol now$/, /^Save draft$/]) await expect(analyst.getByRole('button', { name }).count()).resolves.toBe(0);
    await expect(analyst.getByLabel('Document (JSON)').isDisabled()).resolves.toBe(true);
    await analyst.close();
  }, 60_000);

  it('reads SMS and webhook steps in words, and names the step and line of a text that does not compile', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${hearth.url}/flows/new`);
    await page.getByRole('heading', { name: 'New flow', level: 1 }).waitFor();
    await settled(page);
    await page.getByLabel('Name').fill('Texts and chat');
    const textsWith = (text: string) => JSON.stringify({
      trigger: { kind: 'manual' },
      steps: [
        { id: 'sms', type: 'send_sms', text, next: 'chat' },
        { id: 'chat', type: 'send_webhook', event: 'whatsapp_welcome' },
      ],
    }, null, 2);
    await page.getByLabel('Document (JSON)').fill(textsWith('Hi {{ customer.frist_name }}, welcome'));
    await expect.poll(() => page.getByTestId('flow-summary').textContent()).toContain('Send SMS “Hi {{ customer.frist_name }}, welcome”');
    await expect(page.getByTestId('flow-summary').textContent()).resolves.toContain('Post to the store\'s webhook (event “whatsapp_welcome”)');
    await page.getByRole('button', { name: 'Create draft' }).click();
    const problems = page.getByTestId('flow-problems');
    await problems.waitFor();
    await expect(problems.textContent()).resolves.toContain('steps.0.text: step "sms", line 1, column 7: unknown variable "customer.frist_name"');
    await screenshot(page, 'flows-sms-problem-1280');
  }, 60_000);
});
