// Runs every benchmark in bench/*.bench.mjs (or those named on the command line) in sequence and
// prints one table. Each benchmark module exports `default async function (ctx)` returning rows
// { name, value, unit, baseline?, ratio?, note? } — ratios are to a baseline measured in the same run.
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const scaleArg = process.argv.find((arg) => arg.startsWith('--scale='));
const scale = scaleArg ? Number(scaleArg.split('=')[1]) : 1;
const files = readdirSync(here).filter((f) => f.endsWith('.bench.mjs')).filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w))).sort();

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`Hearth benchmarks on ${machine}${scale !== 1 ? ` (scale ${scale})` : ''}\n`);
const rows = [];
for (const file of files) {
  const bench = await import(pathToFileURL(join(here, file)).href);
  const started = Date.now();
  console.log(`▶ ${file}`);
  const result = await bench.default({ scale, log: (text) => console.log(`  ${text}`) });
  for (const row of result) {
    rows.push({ bench: file.replace('.bench.mjs', ''), ...row });
    console.log(`  ${row.name}: ${row.value} ${row.unit}${row.ratio !== undefined ? ` (ratio ${row.ratio})` : ''}${row.note ? ` — ${row.note}` : ''}`);
  }
  console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  globalThis.gc?.();
}
const table = ['| benchmark | measure | result | ratio / target | note |', '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.bench} | ${r.name} | ${r.value} ${r.unit} | ${r.ratio ?? ''} | ${r.note ?? ''} |`)].join('\n');
// Only a full run (all benchmarks, scale 1) replaces the published results.
const out = join(here, wanted.length === 0 && scale === 1 ? 'results.md' : 'results.partial.md');
writeFileSync(out, `Machine: ${machine}; ${new Date().toISOString().slice(0, 10)}\n\n${table}\n`);
console.log(table);
