// Runs every benchmark in bench/*.bench.mjs (or those named on the command line) in sequence and
// prints one table. Each benchmark module exports `default async function (ctx)` returning rows
// { name, value, unit, baseline?, ratio?, note? } — ratios are to a baseline measured in the same run.
//
//   node bench/run.mjs                  every benchmark at full scale → bench/results.md
//   node bench/run.mjs import ingest    some of them → bench/results.partial.md
//   node bench/run.mjs --scale tiny     every benchmark on tiny data in well under a minute (the
//                                       smoke run CI does; it checks that they still run, its
//                                       figures mean nothing) → bench/results.partial.md
//   node bench/run.mjs --scale 0.1      a tenth of the full data sizes → bench/results.partial.md
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** `--scale tiny`, `--scale=tiny`, `--scale 0.1`; default full (1). */
function parseArgs(argv) {
  const names = [];
  let scaleText = 'full';
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--scale') scaleText = argv[++i] ?? '';
    else if (arg.startsWith('--scale=')) scaleText = arg.slice('--scale='.length);
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else names.push(arg);
  }
  // Tiny: each benchmark's smallest data (a thousand customers, ten thousand order lines, a second
  // of load); every benchmark clamps its sizes to a floor, so any small number lands there.
  const named = { full: 1, tiny: 0.001 };
  const scale = named[scaleText] ?? Number(scaleText);
  if (!(scale > 0 && scale <= 1)) throw new Error(`--scale: "${scaleText}" is not tiny, full or a number in (0, 1]`);
  return { names, scale, tiny: scaleText === 'tiny' };
}

const { names: wanted, scale, tiny } = parseArgs(process.argv.slice(2));
// The demo benchmark first: it makes the demo store the others read, so its time shows there.
const files = readdirSync(here).filter((f) => f.endsWith('.bench.mjs')).filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort((a, b) => Number(b === 'demo.bench.mjs') - Number(a === 'demo.bench.mjs') || a.localeCompare(b));
if (files.length === 0) throw new Error(`no benchmark matches ${wanted.join(', ')}`);

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`Hearth benchmarks on ${machine}${scale !== 1 ? ` (scale ${tiny ? 'tiny' : scale})` : ''}\n`);
const rows = [];
const runStarted = Date.now();
for (const file of files) {
  const bench = await import(pathToFileURL(join(here, file)).href);
  const started = Date.now();
  console.log(`▶ ${file}`);
  const result = await bench.default({ scale, tiny, log: (text) => console.log(`  ${text}`) });
  for (const row of result) {
    rows.push({ bench: file.replace('.bench.mjs', ''), ...row });
    console.log(`  ${row.name}: ${row.value} ${row.unit}${row.ratio !== undefined ? ` (ratio ${row.ratio})` : ''}${row.note ? ` — ${row.note}` : ''}`);
  }
  // The smoke test looks for this line for every benchmark.
  console.log(`✔ ${file}: ${result.length} figures in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  globalThis.gc?.();
}
const table = ['| benchmark | measure | result | ratio / target | note |', '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.bench} | ${r.name} | ${r.value} ${r.unit} | ${r.ratio ?? ''} | ${r.note ?? ''} |`)].join('\n');
// Only a full run (all benchmarks, scale 1) replaces the published results.
const out = join(here, wanted.length === 0 && scale === 1 ? 'results.md' : 'results.partial.md');
const scaleNote = scale === 1 ? '' : `; scale ${tiny ? 'tiny' : scale}`;
writeFileSync(out, `Machine: ${machine}; ${new Date().toISOString().slice(0, 10)}${scaleNote}; ${((Date.now() - runStarted) / 1000).toFixed(0)} s in all\n\n${table}\n`);
console.log(table);
console.log(`\nAll ${files.length} benchmark(s) finished in ${((Date.now() - runStarted) / 1000).toFixed(1)} s; wrote ${out.slice(here.length + 1)}`);
