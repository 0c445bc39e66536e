// Customer-base models at 1M customers, two ways.
// As the product runs it: `hearth models fit --json` as a child process on (a copy of) the demo
// store `hearth demo` made for this run: backtest, model choice, fit on all orders, scoring and
// writing every customer's predictions; the CLI reports its own fit and scoring times.
// The model code alone, on simulated customers with no store: BG/NBD + Gamma-Gamma fit time on the
// unique (x, t_x, T) with counts (sufficient statistics, as the refit compresses them) against the
// fit on every customer (the ratio's baseline), the time to score every customer, and the
// Pareto/NBD fit on the same customers (on at most 20,000 unique triples, as a refit does).
// Customers are drawn from the BG/NBD process itself (fixed seed), with a two-year history in
// days, so the fitted parameters can be checked too.
import { rmSync } from 'node:fs';
import { seededRandom } from '../dist/lib/random.js';
import { fitBgNbd } from '../dist/modules/predictions/models/bgnbd.js';
import { fitGammaGamma } from '../dist/modules/predictions/models/gamma-gamma.js';
import { fitParetoNbd } from '../dist/modules/predictions/models/pareto-nbd.js';
import { compressCounts, thin, uncompressed } from '../dist/modules/predictions/models/rf-data.js';
import { scoreCustomers } from '../dist/modules/predictions/scoring.js';
import { copyOfDemoStore, demoCustomers, runHearth } from './lib/hearth.mjs';

const random = seededRandom;

function normal(rand) {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Marsaglia–Tsang gamma(shape, 1). */
function gamma(rand, shape) {
  if (shape < 1) return gamma(rand, shape + 1) * Math.pow(rand(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x;
    let v;
    do { x = normal(rand); v = 1 + c * x; } while (v <= 0);
    v = v * v * v;
    const u = rand();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

const truth = { r: 0.25, alpha: 30, a: 0.8, b: 2.5 }; // per day: CDNOW's parameters at a daily scale
const spendTruth = { p: 6, q: 4, gamma: 15 };

export function generate(n, seed = 42, historyDays = 730) {
  const rand = random(seed);
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const zbar = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    const age = 1 + Math.floor(rand() * historyDays);
    const lambda = gamma(rand, truth.r) / truth.alpha;
    const ga = gamma(rand, truth.a);
    const p = ga / (ga + gamma(rand, truth.b));
    let t = 0;
    let count = 0;
    let last = 0;
    let lastDay = 0;
    for (;;) {
      t += -Math.log(1 - rand()) / lambda;
      if (!(t <= age)) break;
      const day = Math.floor(t);
      if (day !== lastDay) { count += 1; lastDay = day; last = day; }
      if (rand() < p) break;
    }
    x[i] = count;
    tx[i] = count ? last : 0;
    T[i] = age;
    if (count) {
      const nu = gamma(rand, spendTruth.q) / spendTruth.gamma;
      let sum = 0;
      for (let k = 0; k < count; k += 1) sum += gamma(rand, spendTruth.p) / nu;
      zbar[i] = sum / count;
    }
  }
  return { x, tx, T, zbar };
}

const seconds = (start) => (performance.now() - start) / 1000;

/** `hearth models fit` on the run's demo store. */
async function fitAsWired(scale, log) {
  const { dir, summary: demo } = await copyOfDemoStore(demoCustomers(scale), { log });
  try {
    const run = await runHearth(['models', 'fit', '--json', '--data-dir', dir]);
    const report = run.json;
    if (report?.status !== 'ok') throw new Error(`hearth models fit did not fit: ${run.stdout}`);
    log(`hearth models fit: ${report.model} (${report.reason}) on ${report.customers.toLocaleString('en')} customers, converged ${report.count.converged}`);
    const customers = `${report.customers.toLocaleString('en')} customers of the demo store (${demo.counts.orders.toLocaleString('en')} orders), time unit ${report.time_unit}`;
    return [
      { name: 'hearth models fit, spawn to exit', value: +run.seconds.toFixed(2), unit: 's', note: `${customers}; backtest of both models, fit, scoring, predictions written` },
      { name: 'hearth models fit: fit on all orders', value: +report.seconds.fit.toFixed(2), unit: 's', note: `${report.model} + Gamma-Gamma, the CLI's own timing; target ≤ 2 s at 1M customers` },
      { name: 'hearth models fit: score every customer', value: +report.seconds.score.toFixed(2), unit: 's', note: 'the CLI\'s own timing; target ≤ 3 s at 1M customers' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function ({ scale = 1, log }) {
  const wired = await fitAsWired(scale, log);
  const n = Math.round(1_000_000 * scale);
  let start = performance.now();
  const data = generate(n);
  log(`generated ${n} customers in ${seconds(start).toFixed(1)} s`);

  start = performance.now();
  const compressed = compressCounts(data.x, data.tx, data.T);
  const bg = fitBgNbd(compressed);
  const repeat = [];
  for (let i = 0; i < n; i += 1) if (data.x[i] > 0) repeat.push(i);
  const spend = { x: Float64Array.from(repeat, (i) => data.x[i]), zbar: Float64Array.from(repeat, (i) => data.zbar[i]) };
  const gg = fitGammaGamma(spend);
  const fit = seconds(start);
  log(`BG/NBD ${JSON.stringify(Object.fromEntries(Object.entries(bg.params).map(([k, v]) => [k, +v.toFixed(3)])))} (true ${JSON.stringify(truth)}), ${compressed.length} unique of ${n}, converged ${bg.converged}`);
  log(`Gamma-Gamma ${JSON.stringify(Object.fromEntries(Object.entries(gg.params).map(([k, v]) => [k, +v.toFixed(3)])))} (true ${JSON.stringify(spendTruth)}) on ${repeat.length} repeat customers`);

  start = performance.now();
  fitBgNbd(uncompressed(data.x, data.tx, data.T));
  fitGammaGamma(spend);
  const baseline = seconds(start);

  start = performance.now();
  const scores = scoreCustomers({ kind: 'bgnbd', params: bg.params }, { x: data.x, tx: data.tx, T: data.T, meanRepeatValue: data.zbar, length: n },
    { timeUnit: 'day', annualDiscountRate: 0.1, spend: gg.params, minorPerMajor: 1 });
  const score = seconds(start);
  log(`scored ${scores.pAlive.length} customers`);

  start = performance.now();
  const sample = thin(compressed, 20_000);
  const pn = fitParetoNbd(sample);
  const pareto = seconds(start);
  log(`Pareto/NBD ${JSON.stringify(Object.fromEntries(Object.entries(pn.params).map(([k, v]) => [k, +v.toFixed(3)])))} on ${sample.length} unique triples, converged ${pn.converged}, ${pn.evaluations} evaluations${pn.note ? ` (${pn.note})` : ''}`);

  return [
    ...wired,
    { name: `fit BG/NBD + Gamma-Gamma, ${n} customers (unique triples)`, value: fit.toFixed(2), unit: 's', ratio: (baseline / fit).toFixed(1), note: `model code alone, simulated customers (days); ratio = every-customer fit ${baseline.toFixed(2)} s / this` },
    { name: `fit without compression (baseline)`, value: baseline.toFixed(2), unit: 's' },
    { name: `score ${n} customers`, value: score.toFixed(2), unit: 's', note: 'model code alone, simulated customers' },
    { name: `fit Pareto/NBD, ${n} customers (≤ 20,000 unique triples)`, value: pareto.toFixed(2), unit: 's', note: `${pn.evaluations} likelihood evaluations, converged ${pn.converged}` },
  ];
}
