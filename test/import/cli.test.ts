import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/main.js';
import { realData } from '../helpers/imports.js';
import { onlineRetailExpectations } from '../helpers/online-retail-figures.js';
import { tempDir } from '../helpers/store.js';

const retail = realData('online-retail/online-retail-2010-12-01_02.csv');
const cdnowFile = realData('cdnow/CDNOW_sample.txt');

/** Runs the CLI in this process and returns its exit code and what it printed. */
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

/** The real executable in a child process (TypeScript loaded by tsx, so no build is needed). */
function spawnCli(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join('src', 'cli', 'main.ts'), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('hearth import', () => {
  const dir = tempDir('hearth-import-cli-');
  afterAll(() => dir.remove());

  it('imports the Online Retail sample and `hearth status` shows the counts computed from the raw file', async () => {
    const want = onlineRetailExpectations(retail);
    const dataDir = join(dir.path, 'retail');
    const imported = await cli(['import', retail, '--format', 'online-retail', '--data-dir', dataDir, '--json']);
    expect(imported.err).toBe('');
    expect(imported.code).toBe(0);
    const summary = JSON.parse(imported.out);
    expect(summary).toMatchObject({ format: 'online-retail', files: [retail], rows_read: want.rows, rows_rejected: want.rejected, store: { created: true } });
    expect(Object.keys(summary)).toEqual(expect.arrayContaining(['customers', 'orders', 'returns', 'products', 'seconds']));
    expect(summary.rejects_files[0]).toBe(join(dataDir, 'imports', 'online-retail-2010-12-01_02.csv.rejects.csv'));
    expect(existsSync(summary.rejects_files[0])).toBe(true);

    const status = await cli(['status', '--json', '--data-dir', dataDir]);
    expect(status.code).toBe(0);
    const [store] = JSON.parse(status.out).stores;
    expect(store.counts).toMatchObject({
      customers: want.customers, orders: want.orders, order_lines: want.orderLines, returns: want.returns,
      return_lines: want.returnLines, products: want.products,
    });
    expect(store.guest_orders).toBe(want.guestOrders);

    // Again: nothing new, and a human summary without --json.
    const again = await cli(['import', retail, '--format', 'online-retail', '--data-dir', dataDir]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(new RegExp(`orders\\s+0 created, 0 updated, ${want.orders.toLocaleString('en')} unchanged`));
  });

  it('writes rejects where --rejects says', async () => {
    const dataDir = join(dir.path, 'rejects');
    const rejects = join(dir.path, 'my-rejects.csv');
    const result = await cli(['import', retail, '--format', 'online-retail', '--data-dir', dataDir, '--rejects', rejects, '--json']);
    expect(result.code).toBe(0);
    const lines = readFileSync(rejects, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('file,line,reason,row');
    expect(lines.length - 1).toBe(JSON.parse(result.out).rows_rejected);
  });

  describe('as a real process', () => {
    let dataDir: string;
    beforeAll(() => {
      dataDir = join(dir.path, 'spawned');
    });

    it('imports the CDNOW sample into a fresh data dir: 2,357 customers, 6,919 orders', () => {
      const result = spawnCli(['import', cdnowFile, '--format', 'cdnow', '--data-dir', dataDir, '--json']);
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.out);
      expect(summary.customers.created).toBe(2357);
      expect(summary.orders.created).toBe(6919);
      const status = JSON.parse(spawnCli(['status', '--json', '--data-dir', dataDir]).out);
      expect(status.stores[0].counts).toMatchObject({ customers: 2357, orders: 6919 });
      expect(status.stores[0].name).toBe('CDNOW_sample');
    });

    it('exits 2 naming a missing file', () => {
      const result = spawnCli(['import', join(dir.path, 'missing.csv'), '--format', 'cdnow', '--data-dir', join(dir.path, 'never')]);
      expect(result.code).toBe(2);
      expect(result.err.trim().split('\n')).toHaveLength(1);
      expect(result.err).toMatch(/missing\.csv: no such file/);
      // Nothing was created for a refused command.
      expect(existsSync(join(dir.path, 'never'))).toBe(false);
    });

  });

  it('exits 2 without --format, on an unknown format, a bad mapping, and a file whose header is not the format', async () => {
    const dataDir = join(dir.path, 'wrong');
    expect((await cli(['import', retail, '--data-dir', dataDir])).code).toBe(2);
    const format = await cli(['import', retail, '--format', 'xml', '--data-dir', dataDir]);
    expect(format.code).toBe(2);
    expect(format.err).toMatch(/unknown format "xml"/);
    const mapping = await cli(['import', retail, '--format', 'csv', '--mapping', join('test', 'fixtures', 'imports', 'bad.mapping.json'), '--data-dir', dataDir]);
    expect(mapping.code).toBe(2);
    expect(mapping.err).toMatch(/bad mapping .*colour/);
    const header = await cli(['import', retail, '--format', 'shopify-orders', '--data-dir', dataDir]);
    expect(header.code).toBe(2);
    expect(header.err).toMatch(/lacks columns Name, Created at, Lineitem quantity, Lineitem price/);
  });
});
