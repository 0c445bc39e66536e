// Ingest throughput: POST /v1/batch with 100-event batches from a load generator on the same
// machine (this process; the server runs in its own process as `hearth serve` starts it,
// bench/ingest-server.mjs). Reports
// events/s with durable acks (each 2xx comes after the commit), p50/p99 latency, and the ratio to
// a no-op endpoint of the same server measured in the same run; plus the server's RSS over the
// ingest run (the JS heap should stay flat; DuckDB's buffers grow with the data up to their limit)
// and a check that every acknowledged event was stored once.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONCURRENCY, load } from './lib/ingest-load.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function startServer(dataDir) {
  const child = spawn(process.execPath, ['--expose-gc', join(here, 'ingest-server.mjs'), dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, ...JSON.parse(line) });
    });
    child.on('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

const memory = (url) => fetch(`${url}/bench/memory`).then((r) => r.json());

/** The load of `load()` against this server's `path` for `seconds`. */
const loadFor = (server, path, seconds, onTick, url = server.url) => load({ url, path, writeKey: server.writeKey, seconds, onTick });

export default async function ({ scale, tiny, log }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-bench-ingest-'));
  const server = await startServer(dataDir);
  try {
    // The tiny run only checks that the path works end to end: a second of load.
    const ingestSeconds = tiny ? 1 : Math.max(3, Math.round(120 * scale));
    const noopSeconds = tiny ? 0.5 : Math.max(2, Math.round(20 * scale));
    const warm = await loadFor(server, '/v1/batch', tiny ? 0.5 : 2);
    await loadFor(server, '/bench/noop', tiny ? 0.25 : 1, undefined, server.benchUrl);
    const noop = await loadFor(server, '/bench/noop', noopSeconds, undefined, server.benchUrl);
    log(`no-op: ${Math.round(noop.rate)} events/s over ${noopSeconds} s`);

    const profileBefore = await fetch(`${server.benchUrl}/bench/writer`).then((r) => r.json());
    await fetch(`${server.benchUrl}/bench/lag?drain=1`);
    const samples = [await memory(server.benchUrl)];
    let lastSample = performance.now();
    const ingest = await loadFor(server, '/v1/batch', ingestSeconds, () => {
      if (performance.now() - lastSample > 10_000) {
        lastSample = performance.now();
        memory(server.benchUrl).then((m) => samples.push(m));
      }
    });
    samples.push(await memory(server.benchUrl));
    const profile = await fetch(`${server.benchUrl}/bench/writer`).then((r) => r.json());
    // Every event of the run delivered, then the lag of each from its commit to its handling.
    const lag = (await fetch(`${server.benchUrl}/bench/lag?drain=1`).then((r) => r.json())).segments ?? { events: 0, p50: 0, p99: 0, max: 0 };
    log(`domain events (event.received → segments): ${lag.events} delivered, lag p50 ${Math.round(lag.p50)} ms, p99 ${Math.round(lag.p99)} ms, max ${Math.round(lag.max)} ms`);
    const groups = profile.groups - profileBefore.groups;
    const perGroup = Object.entries(profile.ms).map(([phase, ms]) => `${phase} ${((ms - (profileBefore.ms[phase] ?? 0)) / Math.max(1, groups)).toFixed(1)}`).join(', ');
    log(`writer: ${groups} groups, mean ${Math.round((profile.events - profileBefore.events) / Math.max(1, groups))} events (max ${profile.maxGroup}); ms per group: ${perGroup}`);
    const fmt = (key) => samples.map((m) => m[key]).join(' → ');
    log(`ingest: ${Math.round(ingest.rate)} events/s over ${ingestSeconds} s, p99 ${ingest.p99.toFixed(1)} ms, refused ${ingest.refused}`);
    log(`memory MB: RSS ${fmt('rssMb')}; JS heap ${fmt('heapMb')}; DuckDB ${fmt('duckdbMb')}; dedupe window ${fmt('windowMb')}`);

    const status = await fetch(`${server.url}/api/v1/ingest/status`, { headers: { authorization: `Bearer ${server.secretKey}` } }).then((r) => r.json());
    const stored = status.sources.reduce((sum, s) => sum + s.stored, 0);
    const acked = warm.events + ingest.events;
    const [first, last] = [samples[0], samples.at(-1)];
    return [
      { name: 'no-op endpoint (same process and services, same body)', value: Math.round(noop.rate), unit: 'events/s', note: `p99 ${noop.p99.toFixed(1)} ms` },
      { name: '/v1/batch, durable acks, 100-event batches', value: Math.round(ingest.rate), unit: 'events/s', ratio: +(ingest.rate / noop.rate).toFixed(2), note: `target ≥ 20,000 events/s and ratio ≥ 0.5; ${CONCURRENCY} connections; ${ingest.refused} refused (503)` },
      { name: '/v1/batch latency p50 / p99', value: `${ingest.p50.toFixed(1)} / ${ingest.p99.toFixed(1)}`, unit: 'ms' },
      { name: 'server JS heap after GC, start → end of the ingest run', value: `${first.heapMb} → ${last.heapMb}`, unit: 'MB', note: `${ingestSeconds} s; every 10 s: ${fmt('heapMb')}` },
      { name: 'server RSS / DuckDB buffers / dedupe window, start → end', value: `${first.rssMb} → ${last.rssMb} / ${first.duckdbMb} → ${last.duckdbMb} / ${first.windowMb} → ${last.windowMb}`, unit: 'MB', note: `DuckDB caches data up to its memory_limit (HEARTH_DB_MEMORY_LIMIT=${server.memoryLimit}); the window holds 8–16 bytes per message id of the last 8 days` },
      { name: 'domain event delivery lag during the run, commit → delivered, p50 / p99 (event.received → segments subscriber)', value: `${Math.round(lag.p50)} / ${Math.round(lag.p99)}`, unit: 'ms', note: `target p99 ≤ 5,000 ms; ${lag.events} deliveries (one per store and span), max ${Math.round(lag.max)} ms` },
      { name: 'events stored = events acknowledged', value: stored === acked ? 'yes' : 'no', unit: '', note: `${stored} stored, ${acked} acknowledged (warm-up included)` },
    ];
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
