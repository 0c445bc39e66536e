/**
 * What a person reads from the `hearth` command (the built CLI over real data directories): the
 * KPI change by the dashboard's rule, times in the store's time zone, names instead of ids,
 * plurals and rounded percentages, JSON in the API's shapes, exit status 2 for every usage error.
 * Two stores: the demo store, and a tiny imported one whose second week is its ramp-up.
 * The stores are made and a few usage errors are checked by the built command as a real process
 * (needs `npm run build`); the many other commands run the same CLI code in this process, which
 * prints the same text without paying a process start each.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeysSchema, membersSchema } from '../../src/http/schemas/accounts.schemas.js';
import { backtestSchema, currentModelSchema, fitReportSchema } from '../../src/http/schemas/predictions.schemas.js';
import { customerProfileSchema } from '../../src/http/schemas/segments.schemas.js';
import { kpiChange } from '../../src/modules/analytics/kpi-change.js';
import { runCliInProcess, runHearth } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';

const dir = tempDir('hearth-cli-output-');
const demo = join(dir.path, 'demo');
const ramp = join(dir.path, 'ramp');

async function ok(args: string[]): Promise<string> {
  const result = await runCliInProcess(args);
  expect(result.code, `${args.join(' ')}\n${result.err}`).toBe(0);
  return result.out;
}
const json = async <T = any>(args: string[]): Promise<T> => JSON.parse(await ok([...args, '--json'])) as T; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The store's clock as Intl writes it in British English: "2 Dec 2026, 14:05". */
const localTime = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
const localDay = (iso: string, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(iso));

/** Every key of a JSON value, except those of maps keyed by data (event names, custom attributes). */
function keysOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => keysOf(item, out));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      if (key !== 'names' && key !== 'attributes') keysOf(item, out);
    }
  }
  return out;
}

let timezone: string;
let storeName: string;

beforeAll(async () => {
  const made = await runHearth(['demo', '--no-serve', '--no-history', '--customers', '1000', '--seed', '3', '--data-dir', demo], {}, 180_000);
  expect(made.code, made.stderr).toBe(0);
  // One customer in the store's first week; twelve more and a repeat order in the second.
  const lines = ['InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country', '500001,P1,Blue Mug,1,2024-01-03 10:00:00,9.00,10001.0,United Kingdom'];
  for (let i = 0; i < 12; i += 1) lines.push(`5001${String(i).padStart(2, '0')},P2,Green Teapot,2,2024-01-${String(9 + (i % 5)).padStart(2, '0')} 11:00:00,4.50,${10002 + i}.0,United Kingdom`);
  lines.push('500200,P1,Blue Mug,1,2024-01-12 12:00:00,9.00,10001.0,United Kingdom');
  const file = join(dir.path, 'ramp.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const imported = await runHearth(['import', file, '--format', 'online-retail', '--data-dir', ramp]);
  expect(imported.code, imported.stderr).toBe(0);
  const stores = await json<{ data: { name: string; timezone: string }[] }>(['stores', 'list', '--data-dir', demo]);
  ({ timezone, name: storeName } = stores.data[0]!);
}, 240_000);
afterAll(() => dir.remove());

describe('hearth output for people', () => {
  it('tells a KPI change by the dashboard\'s rule: a ramp-up as the comparison figure, rates in points', async () => {
    const range = ['--from', '2024-01-08', '--to', '2024-01-14', '--data-dir', ramp];
    const report = await json<{ current: Record<string, number | null>; comparison: Record<string, number | null> }>(['report', 'kpis', ...range]);
    const text = await ok(['report', 'kpis', ...range, '--table', 'kpis']);
    const row = (metric: string) => text.split('\n').find((line) => line.startsWith(`${metric} `))!;
    // The shared definition says which rows are a ramp-up; the table says so in words.
    expect(kpiChange(report.current.customers, report.comparison.customers, { rate: false }).kind).toBe('ramp-up');
    expect(row('customers')).toMatch(new RegExp(`comparison period had ${report.comparison.customers}$`));
    expect(row('orders')).toMatch(new RegExp(`comparison period had ${report.comparison.orders}$`));
    expect(row('revenue')).toMatch(/comparison period had £\d+\.\d\d$/);
    expect(kpiChange(report.current.repeat_purchase_rate, report.comparison.repeat_purchase_rate, { rate: true }).kind).toBe('points');
    expect(row('repeat purchase rate')).toMatch(/[+-]\d+\.\d pts$/);
    expect(row('returning customers')).toMatch(/up from 0$/);
    // No relative change of 200 % or more is printed.
    for (const [, value] of text.matchAll(/\+([\d,]+\.\d)%/g)) expect(Number(value!.replace(/,/g, ''))).toBeLessThan(200);
  });

  it('shows times in the store\'s time zone and days as days, never ISO timestamps', async () => {
    const keys = await json<{ data: { created_at: string }[] }>(['keys', 'list', '--data-dir', demo]);
    const keysText = await ok(['keys', 'list', '--data-dir', demo]);
    expect(keysText).toContain(`created (${timezone})`);
    for (const key of keys.data) expect(keysText).toContain(localTime(key.created_at, timezone));
    const users = await json<{ data: { created_at: string }[] }>(['users', 'list', '--data-dir', demo]);
    expect(await ok(['users', 'list', '--data-dir', demo])).toContain(localTime(users.data[0]!.created_at, timezone));

    const profile = await json(['customer', '1', '--data-dir', demo]);
    const customer = await ok(['customer', '1', '--data-dir', demo]);
    expect(customer).toContain(`customer since ${localDay(profile.identity.created_at, timezone)}`);
    expect(customer).toContain(`when (${timezone})`);
    expect(customer).toContain(localTime(profile.timeline[0].at, timezone));
    const segments = await ok(['segments', 'list', '--data-dir', demo]);
    for (const output of [keysText, customer, segments, await ok(['report', 'predictions', '--data-dir', demo]), await ok(['report', 'kpis', '--data-dir', demo])]) {
      expect(output).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    }
  });

  it('names segments, personas, customers, products and the store instead of their ids', async () => {
    const ids = (await json<{ customers: { customer_id: number }[] }>(['report', 'predictions', '--limit', '5', '--data-dir', demo])).customers.map((c) => c.customer_id);
    const predictions = await ok(['report', 'predictions', '--limit', '5', '--data-dir', demo]);
    expect(predictions.startsWith(`${storeName}: `)).toBe(true);
    const top = await json(['customer', String(ids[0]), '--data-dir', demo]);
    const rows = predictions.split('\n').slice(predictions.split('\n').findIndex((l) => l.startsWith('---')) + 1).filter(Boolean);
    expect(rows[0]!.startsWith(`${top.identity.first_name} ${top.identity.last_name} `)).toBe(true);
    for (const line of rows) expect(line).not.toMatch(/^\d+\s/);

    // A customer in segments and a persona: their names, as the API names them.
    const members = await json<{ data: { customer_id: number }[] }>(['segments', 'members', (await json<{ data: { id: string; member_count: number }[] }>(['segments', 'list', '--data-dir', demo])).data.find((s) => s.member_count > 0)!.id, '--limit', '1', '--data-dir', demo]);
    const id = String(members.data[0]!.customer_id);
    const profile = await json(['customer', id, '--data-dir', demo]);
    const text = await ok(['customer', id, '--data-dir', demo]);
    expect(profile.segments.length).toBeGreaterThan(0);
    for (const segment of profile.segments) expect(text).toContain(segment.name);
    for (const persona of profile.personas) expect(text).toContain(persona.name);
    expect(text).toContain(`of ${storeName}`);

    const products = await json<{ rows: { title: string; next: { title: string }[] }[] }>(['report', 'products', '--limit', '3', '--data-dir', demo]);
    const productsText = await ok(['report', 'products', '--limit', '3', '--data-dir', demo]);
    expect(productsText.startsWith(`${storeName}: products`)).toBe(true);
    for (const row of products.rows) for (const next of row.next) expect(productsText).toContain(`${next.title} (`);
  });

  it('writes plurals, thousands separators and percentages with one decimal, and no raw JSON', async () => {
    const oneTime = (await json<{ data: { id: string; name: string }[] }>(['segments', 'list', '--data-dir', demo])).data.find((s) => s.name === 'One-time buyers')!;
    const id = String((await json<{ data: { customer_id: number }[] }>(['segments', 'members', oneTime.id, '--limit', '1', '--data-dir', demo])).data[0]!.customer_id);
    const once = await ok(['customer', id, '--data-dir', demo]);
    expect(once).toMatch(/^1 order, /m);
    expect(once).not.toMatch(/[{}"]/);
    const email = (await json(['customer', id, '--data-dir', demo])).identity.email as string;
    const created = await ok(['segments', 'create', '--name', 'Just one', '--rule', JSON.stringify({ kind: 'profile', field: 'email', op: 'eq', value: email }), '--data-dir', demo]);
    expect(created).toMatch(/with 1 member\n$/);
    const status = await ok(['status', '--data-dir', demo]);
    const events = (await json<{ stores: { counts: { events: number } }[] }>(['status', '--data-dir', demo])).stores[0]!.counts.events;
    expect(status).toContain(events.toLocaleString('en-US'));
    for (const output of [await ok(['report', 'kpis', '--data-dir', demo]), await ok(['report', 'predictions', '--data-dir', demo]), await ok(['report', 'rfm', '--data-dir', demo])]) {
      const percentages = [...output.matchAll(/[\d.,]+%/g)].map((m) => m[0]);
      expect(percentages.length).toBeGreaterThan(5);
      for (const p of percentages) expect(p).toMatch(/^\d{1,3}(,\d{3})*\.\d%$/);
      expect(output).not.toMatch(/[{}]/);
    }
  });

  it('prints JSON in the API\'s snake_case shapes', async () => {
    const fit = await json(['models', 'fit', '--data-dir', demo]);
    expect(fitReportSchema.safeParse(fit).error).toBeUndefined();
    const backtest = await json(['models', 'backtest', '--calibration-end', fit.backtest.calibration_end, '--holdout-end', fit.backtest.holdout_end, '--data-dir', demo]);
    expect(backtestSchema.safeParse(backtest).error).toBeUndefined();
    const predictions = await json(['report', 'predictions', '--data-dir', demo]);
    expect(currentModelSchema.safeParse(predictions.model).error).toBeUndefined();
    const users = await json(['users', 'list', '--data-dir', demo]);
    expect(membersSchema.safeParse(users).error).toBeUndefined();
    const keys = await json(['keys', 'list', '--data-dir', demo]);
    expect(apiKeysSchema.safeParse(keys).error).toBeUndefined();
    const customer = await json(['customer', '1', '--data-dir', demo]);
    expect(customerProfileSchema.safeParse(customer).error).toBeUndefined();
    const stores = await json(['stores', 'list', '--data-dir', demo]);
    expect(stores.data[0]).not.toHaveProperty('shopify_secret');
    for (const value of [fit, backtest, predictions, users, keys, customer, stores]) {
      expect(keysOf(value).filter((key) => !/^[a-z][a-z0-9_]*$/.test(key))).toEqual([]);
    }
  });

  it('exits 2 with a one-line reason naming the argument for every usage error', async () => {
    const d = (...args: string[]) => [...args, '--data-dir', demo];
    const cases: [string[], RegExp][] = [
      [['report'], /report: missing command/],
      [d('report', 'kpis', '--from', '2025-13-01'), /--from: .*not a date/],
      [d('report', 'kpis', '--period', 'fortnight'), /--period/],
      [d('report', 'kpis', '--store', 'nope'), /--store: no store "nope"/],
      [d('report', 'products', '--limit', 'abc'), /--limit/],
      [d('report', 'kpis', '--from', '2025-02-01', '--to', '2025-01-01'), /--from: must not be after/],
      [d('report', 'kpis', '--table', 'nope'), /--table: must be one of/],
      [d('report', 'predictions', '--limit', '0'), /--limit: expected a whole number/],
      [d('customer'), /missing required argument 'customer'/],
      [d('customer', 'nobody@example.com'), /Customer "nobody@example.com" not found/],
      [d('segments', 'members', 'seg_nope'), /Segment seg_nope not found/],
      [d('segments', 'preview', '--rule', '{}', '--sample', 'x'), /--sample: must be a whole number/],
      [d('status', '--store', 'nope'), /Store "nope" not found/],
      [d('models', 'fit', '--discount-rate', 'lots'), /--discount-rate: expected a number/],
      [d('models', 'fit', '--as-of', '2999-01-01'), /--as-of: must not be after/],
      [d('models', 'backtest', '--calibration-end', '2025-06-01', '--holdout-end', '2025-05-01'), /--holdout-end: /],
      [d('models', 'backtest'), /--calibration-end/],
      [d('users', 'create', '--email', 'bad'), /email: is not an email address/],
      [d('keys', 'revoke', 'key_nope'), /API key not found/],
      [d('stores', 'create', '--name', 'X', '--timezone', 'Mars/Base'), /timezone: unknown time zone/],
      [d('import', join(dir.path, 'missing.csv'), '--format', 'online-retail'), /cannot read .*missing\.csv/],
    ];
    // One at a time: each opens the data directory, which one process holds at a time. The first
    // few as real processes (their exit status is the process's), the rest in this one.
    for (const [index, [args, reason]] of cases.entries()) {
      const result = index < 3 ? await runHearth(args) : await runCliInProcess(args).then(({ code, err }) => ({ code, stderr: err }));
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr, args.join(' ')).toMatch(/^error: /);
      expect(result.stderr, args.join(' ')).toMatch(reason);
    }
  }, 120_000);
});
