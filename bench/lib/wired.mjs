// Hearth in the benchmark's process, wired as `hearth serve` wires it (Storage, createServices, the
// dispatcher with every module's subscribers, the server's job workers), under a movable clock;
// and the peak-RSS sampler the flow benchmarks report.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../../dist/config.js';
import { Storage } from '../../dist/db/database.js';
import { serverWorkers } from '../../dist/jobs/handlers.js';
import { TestClock } from '../../dist/lib/clock.js';
import { silentLogger } from '../../dist/lib/logger.js';
import { modules } from '../../dist/modules.js';
import { Dispatcher } from '../../dist/modules/domain-events/index.js';
import { createServices } from '../../dist/services.js';

/**
 * A fresh data directory with the schema migrated and the services made, nothing started yet:
 * `start()` runs the module start hooks, the workers and the dispatcher as the server does;
 * `close()` stops them and removes the directory. HEARTH_DB_MEMORY_LIMIT and
 * HEARTH_SMTP_MAX_CONNECTIONS (the SMTP pool, 5 by default) pass through.
 */
export async function wiredHearth(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const passed = Object.fromEntries(['HEARTH_DB_MEMORY_LIMIT', 'HEARTH_SMTP_MAX_CONNECTIONS'].flatMap((name) => process.env[name] ? [[name, process.env[name]]] : []));
  const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_LOG_LEVEL: 'silent', ...passed });
  const storage = await Storage.open({ dataDir: config.dataDir, readers: config.db.readers, memoryLimit: config.db.memoryLimit, threads: config.db.threads });
  let services;
  let dispatcher;
  let workers = [];
  const close = async () => {
    await dispatcher?.stop();
    await Promise.all(workers.map((worker) => worker.stop()));
    await services?.shutdown();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await storage.migrate();
    const clock = new TestClock();
    services = createServices(config, storage, silentLogger, clock);
    dispatcher = new Dispatcher(storage, silentLogger);
    for (const module of modules) for (const subscriber of module.subscribers?.(services) ?? []) dispatcher.subscribe(subscriber);
    services.commerce.onWritten(() => dispatcher.notify());
    workers = serverWorkers(services, silentLogger);
  } catch (error) {
    await close();
    throw error;
  }
  const start = async () => {
    for (const module of modules) await module.start?.(services);
    for (const worker of workers) worker.start();
    await dispatcher.start();
  };
  return { config, storage, services, clock: services.clock, start, close };
}

/** Peak of process.memoryUsage().rss, sampled every 100 ms while `work` runs; MB. */
async function withPeakRss(work) {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 100);
  try {
    const result = await work();
    return { result, peakRssMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20) };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * Enrols the segment in the flow (what `POST /api/v1/flows/:id/enrol` calls) and waits until no
 * run is in progress and no message is queued or being sent, logging progress every 30 s, while a
 * ticker moves the clock 15 s every 250 ms (a minute's wait passes in about a second). Resolves
 * with the seconds it all took, the enrolment call's, and the peak RSS meanwhile (MB).
 */
export async function enrolAndFinish({ storage, services, clock }, { storeId, flowId, segmentId, expected, log }) {
  const ticker = setInterval(() => clock.advance(15_000), 250);
  let enrolSeconds;
  try {
    const { result: seconds, peakRssMb } = await withPeakRss(async () => {
      const started = performance.now();
      let lastLog = started;
      const enrolled = await services.flows.enrolSegment(storeId, flowId, segmentId);
      enrolSeconds = (performance.now() - started) / 1000;
      if (enrolled.enrolled !== expected) throw new Error(`enrolled ${enrolled.enrolled} of ${expected}`);
      for (;;) {
        const { rows: [runs] } = await sql`select count(*) filter (where status = 'active') as active from flow_runs where store_id = ${storeId}`.execute(storage.read);
        const counts = await services.messages.counts(storeId);
        if (performance.now() - lastLog > 30_000) {
          lastLog = performance.now();
          log(`${((lastLog - started) / 1000).toFixed(0)} s: ${Number(runs.active).toLocaleString('en')} runs in progress, ${counts.sent.toLocaleString('en')} messages sent, ${counts.queued.toLocaleString('en')} queued, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);
        }
        if (Number(runs.active) === 0 && counts.queued === 0 && counts.sending === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      return (performance.now() - started) / 1000;
    });
    return { seconds, enrolSeconds, peakRssMb };
  } finally {
    clearInterval(ticker);
  }
}
