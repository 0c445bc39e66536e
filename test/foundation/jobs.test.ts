import { afterEach, describe, expect, it } from 'vitest';
import { Storage } from '../../src/db/database.js';
import { JobQueue, backoffMs } from '../../src/jobs/queue.js';
import { Worker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/lib/logger.js';
import { tempDir } from '../helpers/store.js';

describe('durable job queue', () => {
  const dirs: { remove: () => void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

  async function open(path: string) {
    const storage = await Storage.open({ dataDir: path, readers: 1, memoryLimit: '256MB', threads: 1 });
    await storage.migrate();
    return { storage, queue: new JobQueue(storage.write, storage.read) };
  }

  it('runs a job once and records its result', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const { storage, queue } = await open(dir.path);
    const seen: unknown[] = [];
    const worker = new Worker(queue, silentLogger).handle('echo', async ({ payload }) => {
      seen.push(payload);
      return { ok: true };
    });
    const id = await queue.enqueue('echo', { n: 1 });
    expect(await worker.tick()).toBe(true);
    expect(await worker.tick()).toBe(false);
    expect(seen).toEqual([{ n: 1 }]);
    const job = await queue.get(id);
    expect(job?.state).toBe('done');
    expect(job?.result).toEqual({ ok: true });
    await storage.close();
  });

  it('retries with exponential backoff, then moves the job to the dead list', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const { storage, queue } = await open(dir.path);
    const id = await queue.enqueue('flaky', {}, { maxAttempts: 3 });
    let now = new Date();
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const job = await queue.lease(['flaky'], 60_000, now);
      expect(job?.attempts).toBe(attempt);
      const state = await queue.fail(job!, `boom ${attempt}`, now);
      expect(state).toBe(attempt < 3 ? 'queued' : 'dead');
      // Not due again before its backoff has passed.
      expect(await queue.lease(['flaky'], 60_000, new Date(now.getTime() + backoffMs(attempt) - 1))).toBeUndefined();
      now = new Date(now.getTime() + backoffMs(attempt));
    }
    const job = await queue.get(id);
    expect(job?.state).toBe('dead');
    expect(job?.lastError).toBe('boom 3');
    expect(backoffMs(1)).toBe(1000);
    expect(backoffMs(4)).toBe(8000);
    await storage.close();
  });

  it('keeps queued jobs across a restart and re-leases a job whose worker died', async () => {
    const dir = tempDir();
    dirs.push(dir);
    let { storage, queue } = await open(dir.path);
    const waiting = await queue.enqueue('later', { x: 1 });
    const crashed = await queue.enqueue('crashy', { x: 2 });
    // Times are given, so a slow restart on a busy machine does not outlast the lease.
    const leasedAt = Date.now();
    const leased = await queue.lease(['crashy'], 60_000, new Date(leasedAt));
    expect(leased?.id).toBe(crashed);
    await storage.close();

    ({ storage, queue } = await open(dir.path));
    expect((await queue.get(waiting))?.state).toBe('queued');
    // The lease of the dead worker has not expired yet, then it has.
    expect(await queue.lease(['crashy'], 60_000, new Date(leasedAt + 1_000))).toBeUndefined();
    const again = await queue.lease(['crashy'], 60_000, new Date(leasedAt + 61_000));
    expect(again?.id).toBe(crashed);
    expect(again?.attempts).toBe(2);
    await storage.close();
  });

  it('wakes an idle worker when this process queues a due job, without waiting for its poll', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const { storage, queue } = await open(dir.path);
    // Leases that found nothing: after one, the worker is idle until its poll (a minute here).
    let emptyLeases = 0;
    const lease = queue.lease.bind(queue);
    queue.lease = async (...args) => {
      const job = await lease(...args);
      if (!job) emptyLeases += 1;
      return job;
    };
    const handled: string[] = [];
    // The empty leases counted when the last job was handled: the worker is idle again after one more.
    let emptyWhenHandled = 0;
    const worker = new Worker(queue, silentLogger, { pollMs: 60_000 }).handle('echo', async ({ payload }) => {
      handled.push((payload as { name: string }).name);
      emptyWhenHandled = emptyLeases;
    });
    worker.start();
    const until = async (condition: () => boolean) => {
      const deadline = Date.now() + 15_000;
      while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      return condition();
    };
    try {
      expect(await until(() => emptyLeases >= 1)).toBe(true);
      // Queued through another JobQueue over the same store, as each service holds its own.
      await new JobQueue(storage.write, storage.read).enqueue('echo', { name: 'first' });
      expect(await until(() => handled.length === 1), 'handled well before the minute-long poll').toBe(true);
      // A job queued for later wakes nobody; one of a kind this worker does not run neither.
      expect(await until(() => emptyLeases > emptyWhenHandled)).toBe(true);
      await queue.enqueue('echo', { name: 'later' }, { runAt: new Date(Date.now() + 3_600_000) });
      await queue.enqueue('other', { name: 'other' });
      await queue.enqueue('echo', { name: 'second' });
      expect(await until(() => handled.length === 2)).toBe(true);
      expect(handled).toEqual(['first', 'second']);
      expect((await queue.counts()).queued).toBe(2);
    } finally {
      await worker.stop();
      await storage.close();
    }
  });

  it('does not enqueue the same deduplicated job twice while it is pending', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const { storage, queue } = await open(dir.path);
    const first = await queue.enqueue('refit', {}, { dedupeKey: 'refit:s1' });
    const second = await queue.enqueue('refit', {}, { dedupeKey: 'refit:s1' });
    expect(second).toBe(first);
    expect((await queue.counts()).queued).toBe(1);
    await storage.close();
  });
});

describe('scheduler', () => {
  it('enqueues each scheduled kind once per interval and store, across restarts', async () => {
    const dir = tempDir();
    const storage = await Storage.open({ dataDir: dir.path, readers: 1, memoryLimit: '256MB', threads: 1 });
    await storage.migrate();
    const queue = new JobQueue(storage.write, storage.read);
    const { Scheduler } = await import('../../src/jobs/scheduler.js');
    const day = 86_400_000;
    const scheduler = new Scheduler(queue, async () => ['s1', 's2'], [{ kind: 'predictions.refit', everyMs: day }], silentLogger);
    const t0 = Date.UTC(2026, 0, 1, 10);
    expect(await scheduler.tick(t0)).toBe(2);
    expect(await scheduler.tick(t0 + 3_600_000)).toBe(0);
    const restarted = new Scheduler(queue, async () => ['s1', 's2'], [{ kind: 'predictions.refit', everyMs: day }], silentLogger);
    expect(await restarted.tick(t0 + 7_200_000)).toBe(0);
    expect(await restarted.tick(t0 + day)).toBe(2);
    expect((await queue.list({ storeId: 's1' })).map((j) => j.kind)).toEqual(['predictions.refit', 'predictions.refit']);
    await storage.close();
    dir.remove();
  });
});
