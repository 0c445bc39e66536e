/**
 * `hearth recommendations evaluate` on the UCI Online Retail sample (two days of a UK gift
 * retailer), imported with `hearth import`: trained on 2010-12-01, tested on the customers who
 * came back on 2010-12-02. The chosen model must beat both baselines on hit rate@10.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/main.js';
import { realData } from '../helpers/imports.js';
import { tempDir } from '../helpers/store.js';

const retail = realData('online-retail/online-retail-2010-12-01_02.csv');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    return { code: await run(args), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/** Customers with a sale on both sides of the cutoff, from the raw file (cancellations and stock adjustments aside). */
function returningCustomers(cutoff: string): number {
  const rows = parse(readFileSync(retail, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const sides = new Map<string, Set<boolean>>();
  for (const row of rows) {
    if (!row.CustomerID || row.InvoiceNo!.startsWith('C') || Number(row.Quantity) <= 0) continue;
    const customer = String(Math.trunc(Number(row.CustomerID)));
    sides.set(customer, (sides.get(customer) ?? new Set()).add(row.InvoiceDate!.slice(0, 10) >= cutoff));
  }
  return [...sides.values()].filter((s) => s.size === 2).length;
}

describe('hearth recommendations evaluate on Online Retail', () => {
  const dir = tempDir('hearth-recs-');
  afterAll(() => dir.remove());

  it('beats the popularity and buy-again baselines on hit rate@10', async () => {
    const dataDir = join(dir.path, 'retail');
    expect((await cli(['import', retail, '--format', 'online-retail', '--data-dir', dataDir])).code).toBe(0);
    const json = await cli(['recommendations', 'evaluate', '--cutoff', '2010-12-02', '--json', '--data-dir', dataDir]);
    expect(json.code, json.err).toBe(0);
    const report = JSON.parse(json.out);
    expect(report.test_customers).toBe(returningCustomers('2010-12-02'));
    const hit = (model: string) => report.rows.find((r: { model: string }) => r.model === model).hit_rate as number;
    expect(report.chosen).toBe('for_you');
    expect(hit('for_you')).toBeGreaterThan(hit('baseline_popularity'));
    expect(hit('for_you')).toBeGreaterThan(hit('baseline_buy_again'));
    expect(report.beats_baselines).toBe(true);

    const table = await cli(['recommendations', 'evaluate', '--cutoff', '2010-12-02', '--data-dir', dataDir]);
    expect(table.out).toMatch(/for_you \(chosen\)/);
    expect(table.out).toMatch(/for_you beats both baselines on hit rate@10/);
  }, 120_000);

  it('exits 2 naming a bad cutoff or k', async () => {
    const bad = await cli(['recommendations', 'evaluate', '--cutoff', 'yesterday', '--data-dir', join(dir.path, 'retail')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--cutoff: expected a day YYYY-MM-DD, got "yesterday"/);
    const badK = await cli(['recommendations', 'evaluate', '--cutoff', '2010-12-02', '--k', '0', '--data-dir', join(dir.path, 'retail')]);
    expect(badK.code).toBe(2);
    expect(badK.err).toMatch(/--k: expected a whole number from 1 to 100/);
  });
});
