// Hearth in the benchmark's process, wired as `hearth serve` wires it (Storage, createServices, the
// dispatcher with every module's subscribers, the server's job workers), under a movable clock;
// and the peak-RSS sampler the flow benchmarks report.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
 * `close()` stops them and removes the directory. HEARTH_DB_MEMORY_LIMIT passes through.
 */
export async function wiredHearth(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_LOG_LEVEL: 'silent', ...(process.env.HEARTH_DB_MEMORY_LIMIT && { HEARTH_DB_MEMORY_LIMIT: process.env.HEARTH_DB_MEMORY_LIMIT }) });
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
export async function withPeakRss(work) {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 100);
  try {
    const result = await work();
    return { result, peakRssMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20) };
  } finally {
    clearInterval(sampler);
  }
}
