import { describe, expect, it } from 'vitest';
import { overlapping, slices } from './overlapping.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('overlapping', () => {
  it('starts each item in order, never more than depth at once, and ends when all have', async () => {
    const events: string[] = [];
    let running = 0;
    let most = 0;
    await overlapping([30, 5, 20, 1, 10], 2, async (ms) => {
      events.push(`start ${ms}`);
      running += 1;
      most = Math.max(most, running);
      await tick(ms);
      running -= 1;
      events.push(`end ${ms}`);
    });
    expect(most).toBe(2);
    expect(running).toBe(0);
    expect(events.filter((e) => e.startsWith('start'))).toEqual(['start 30', 'start 5', 'start 20', 'start 1', 'start 10']);
    // The third starts only once the first has ended (depth 2, in order).
    expect(events.indexOf('start 20')).toBeGreaterThan(events.indexOf('end 30'));
    expect(events).toHaveLength(10);
  });

  it('starts nothing after a failure, waits for the work started, and throws the first failure', async () => {
    const started: number[] = [];
    const ended: number[] = [];
    const run = overlapping([1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await tick(n === 2 ? 20 : 5);
      if (n === 1) throw new Error('slice 1 failed');
      ended.push(n);
    });
    await expect(run).rejects.toThrow('slice 1 failed');
    expect(started).toEqual([1, 2]);
    expect(ended).toEqual([2]);
  });
});

describe('slices', () => {
  it('cuts a list into slices of a size, the last one shorter', () => {
    expect([...slices([1, 2, 3, 4, 5], 2)]).toEqual([[1, 2], [3, 4], [5]]);
    expect([...slices([], 3)]).toEqual([]);
  });
});
