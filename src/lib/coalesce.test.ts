import { describe, expect, it } from 'vitest';
import { Coalescer } from './coalesce.js';

describe('Coalescer', () => {
  it('never overlaps runs of one key and folds requests made during a run into one more run', async () => {
    const log: string[] = [];
    let active = 0;
    let release: (() => void) | undefined;
    const coalescer = new Coalescer(async (key) => {
      active += 1;
      expect(active).toBe(1);
      log.push(`start ${key}`);
      await new Promise<void>((resolve) => (release = resolve));
      log.push(`end ${key}`);
      active -= 1;
    }, () => undefined);
    coalescer.request('a');
    coalescer.request('a');
    coalescer.request('a');
    await new Promise((resolve) => setTimeout(resolve, 5));
    release!();
    await new Promise((resolve) => setTimeout(resolve, 5));
    release!();
    await coalescer.idle();
    expect(log).toEqual(['start a', 'end a', 'start a', 'end a']);
  });

  it('reports a failing run and keeps serving the key', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const coalescer = new Coalescer(async () => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
    }, (_key, error) => errors.push(error));
    coalescer.request('s');
    await coalescer.idle();
    coalescer.request('s');
    await coalescer.idle();
    expect(calls).toBe(2);
    expect(String(errors[0])).toMatch(/boom/);
  });
});
