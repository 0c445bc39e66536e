/**
 * Refreshes after data changes: a change made while a refresh runs queues the next one (that
 * refresh may have read the data before the change); once refreshes run back to back and take
 * long enough to matter, the next waits until nine times the last one's length after it ended (a
 * thousand times here), so a steady trickle of changes cannot keep a core refreshing. The job
 * queue runs on a movable clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/jobs/queue.js';
import { TestClock } from '../../src/lib/clock.js';
import { SegmentsService, SEGMENT_REFRESH_JOB } from '../../src/modules/segments/segments.service.js';
import { openTestStore } from '../helpers/store.js';

let store: Awaited<ReturnType<typeof openTestStore>>;

beforeAll(async () => {
  store = await openTestStore();
});
afterAll(async () => {
  await store.dispose();
});

/** The store's refreshes after changes (not the scheduled refresh of the clock-driven built-ins), oldest first. */
async function refreshJobs(storeId: string) {
  const rows = await store.read.selectFrom('jobs').select(['id', 'state', 'run_at']).where('store_id', '=', storeId)
    .where('kind', '=', SEGMENT_REFRESH_JOB).where('payload', 'like', '%on_change%').orderBy('id').execute();
  return rows.map((row) => ({ state: row.state, runAt: row.run_at }));
}

/** Runs the store's due refresh as a worker would: leased, run, completed. */
async function runRefresh(jobs: JobQueue, service: SegmentsService) {
  const job = await jobs.lease([SEGMENT_REFRESH_JOB], 60_000);
  expect(job).toBeDefined();
  await jobs.complete(job!.id, await service.runRefreshJob(JSON.parse(job!.payload)));
}

describe('segment refreshes after data changes', () => {
  it('queue another refresh for a change made while one runs', async () => {
    const jobs = new JobQueue(store.write, store.read, new TestClock());
    const service = new SegmentsService(store, jobs);
    await service.onDataChanged('st_running');
    await service.onDataChanged('st_running');
    expect(await refreshJobs('st_running')).toHaveLength(1);
    const running = await jobs.lease([SEGMENT_REFRESH_JOB], 60_000);
    await service.onDataChanged('st_running');
    const after = await refreshJobs('st_running');
    expect(after.map((job) => job.state).sort()).toEqual(['queued', 'running']);
    await jobs.complete(running!.id, null);
    await runRefresh(jobs, service);
    expect((await refreshJobs('st_running')).map((job) => job.state)).toEqual(['done', 'done']);
  });

  it('space refreshes out once they run back to back and take long enough to matter, not before', async () => {
    const clock = new TestClock();
    const jobs = new JobQueue(store.write, store.read, clock);
    // Every refresh counts as long, and the next waits a thousand times its length (real milliseconds).
    const spaced = new SegmentsService(store, jobs, undefined, { minMs: 0, factor: 1000, maxGapMs: 600_000 });
    await spaced.onDataChanged('st_spaced');
    expect((await refreshJobs('st_spaced'))[0]!.runAt.getTime()).toBeLessThanOrEqual(clock.now().getTime());
    await runRefresh(jobs, spaced);
    // After one refresh, a change is refreshed at once: refreshes are not yet back to back.
    await spaced.onDataChanged('st_spaced');
    expect((await refreshJobs('st_spaced')).find((job) => job.state === 'queued')!.runAt.getTime()).toBeLessThanOrEqual(clock.now().getTime());
    const startedAt = clock.now().getTime();
    const started = performance.now();
    await runRefresh(jobs, spaced);
    const tookMs = performance.now() - started;
    // That one followed the first at once: the next waits.
    await spaced.onDataChanged('st_spaced');
    const next = (await refreshJobs('st_spaced')).find((job) => job.state === 'queued')!;
    const waits = next.runAt.getTime() - clock.now().getTime();
    expect(waits).toBeGreaterThan(0);
    expect(next.runAt.getTime() - startedAt).toBeLessThanOrEqual(1001 * tookMs + 1);
    // Not due until then; due once the clock passes it.
    expect(await jobs.lease([SEGMENT_REFRESH_JOB], 60_000)).toBeUndefined();
    clock.advance(waits + 1);
    await runRefresh(jobs, spaced);

    // A refresh shorter than the threshold is not spaced out, even back to back.
    const quick = new SegmentsService(store, jobs, undefined, { minMs: 60_000, factor: 1000, maxGapMs: 600_000 });
    for (let i = 0; i < 2; i += 1) {
      await quick.onDataChanged('st_quick');
      await runRefresh(jobs, quick);
    }
    await quick.onDataChanged('st_quick');
    const again = (await refreshJobs('st_quick')).find((job) => job.state === 'queued')!;
    expect(again.runAt.getTime()).toBeLessThanOrEqual(clock.now().getTime());
  });
});
