/**
 * Every benchmark still runs: `node bench/run.mjs --scale tiny` runs all of them on tiny data
 * against the built product (dist/, built by `npm test` before vitest) and must print figures
 * for each, so a change to the schema or the wiring breaks this test rather than, silently, the
 * next benchmark run. The figures themselves are not checked: at this size they mean nothing.
 * The limit is generous: the benchmarks take about 45 s alone, several times that beside the
 * rest of the suite on two cores.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const benchDir = join(root, 'bench');
const benchmarks = readdirSync(benchDir).filter((f) => f.endsWith('.bench.mjs')).map((f) => f.replace('.bench.mjs', '')).sort();

describe('benchmarks at tiny scale', () => {
  it('each benchmark finishes and prints its figures', async () => {
    expect(existsSync(join(root, 'dist', 'cli', 'main.js')), 'the benchmarks run the built product: `npm run build` first').toBe(true);
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', join(benchDir, 'run.mjs'), '--scale', 'tiny'], {
      cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: 400_000,
      // The benchmarks' own configuration only: a memory limit set for the tests must not leak in.
      env: { ...process.env, HEARTH_DB_MEMORY_LIMIT: '', HEARTH_DATA_DIR: '' },
    });
    for (const name of benchmarks) {
      expect(stdout, `${name} did not finish`).toMatch(new RegExp(`^✔ ${name}\\.bench\\.mjs: [1-9]\\d* figures`, 'm'));
    }
    const table = readFileSync(join(benchDir, 'results.partial.md'), 'utf8');
    expect(table).toMatch(/scale tiny/);
    const rows = table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| benchmark')).map((line) => line.split('|').map((cell) => cell.trim()));
    expect(new Set(rows.map((cells) => cells[1]))).toEqual(new Set(benchmarks));
    for (const cells of rows) {
      // A figure that came out as a non-number is a broken benchmark too.
      expect(cells[3], `${cells[1]}: ${cells[2]}`).not.toMatch(/NaN|undefined|null|Infinity/);
    }
  }, 420_000);
});
