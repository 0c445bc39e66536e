/** Flow documents without a store: the step graph checks and the time-of-day wait across time zones. */
import { describe, expect, it } from 'vitest';
import { flowDocumentSchema } from '../../src/modules/flows/index.js';
import { graphProblems } from '../../src/modules/flows/flow.validate.js';
import { nextLocalTime, zoneOffsetMs } from '../../src/modules/flows/local-time.js';

const steps = (...list: unknown[]) => flowDocumentSchema.parse({ trigger: { kind: 'manual' }, steps: list });

describe('the step graph', () => {
  it('accepts a loop through a wait, and refuses one without', () => {
    expect(graphProblems(steps(
      { id: 'mail', type: 'send_email', template_id: 't', next: 'wait' },
      { id: 'wait', type: 'wait', duration: { days: 7 }, next: 'mail' },
    ))).toEqual([]);
    expect(graphProblems(steps(
      { id: 'start', type: 'wait', duration: { days: 1 }, next: 'c1' },
      { id: 'c1', type: 'condition', rule: { kind: 'orders', metric: 'count', op: 'eq', value: 0 }, yes: 'c2', no: 'start' },
      { id: 'c2', type: 'split', branches: [{ weight: 1, next: 'c1' }, { weight: 1 }] },
    ))).toEqual([{ path: 'steps.1', reason: 'the steps c1 → c2 → c1 loop without a wait' }]);
  });

  it('names duplicate ids and pointers to nothing', () => {
    expect(graphProblems(steps(
      { id: 'a', type: 'wait_for_event', event: 'Order Completed', timeout: { hours: 2 }, next: 'b', timeout_next: 'zz' },
      { id: 'a', type: 'exit' },
    ))).toEqual([{ path: 'steps.1.id', reason: '"a" is also the id of steps.0' }, { path: 'steps.0.next', reason: 'no step "b"' }, { path: 'steps.0.timeout_next', reason: 'no step "zz"' }]);
  });

  it('fills the defaults: re-entry never, no exit conditions, a 10 % holdout', () => {
    expect(steps({ id: 'x', type: 'exit' })).toMatchObject({ entry: { re_entry: 'never' }, exit_when: [], holdout_share: 0.1 });
  });
});

describe('a wait until a time of day', () => {
  it('ends at that local time, today when it is still ahead, tomorrow otherwise', () => {
    // 08:30 in Paris (winter, UTC+1) is 07:30 UTC.
    const morning = new Date('2026-01-15T07:30:00Z');
    expect(nextLocalTime(morning, '10:00', 'Europe/Paris').toISOString()).toBe('2026-01-15T09:00:00.000Z');
    expect(nextLocalTime(morning, '08:00', 'Europe/Paris').toISOString()).toBe('2026-01-16T07:00:00.000Z');
    expect(nextLocalTime(morning, '10:00', 'America/New_York').toISOString()).toBe('2026-01-15T15:00:00.000Z');
  });

  it('follows a change of offset (Paris moves to summer time on 29 March 2026)', () => {
    expect(zoneOffsetMs('Europe/Paris', new Date('2026-03-28T12:00:00Z'))).toBe(3_600_000);
    expect(nextLocalTime(new Date('2026-03-28T12:00:00Z'), '09:00', 'Europe/Paris').toISOString()).toBe('2026-03-29T07:00:00.000Z');
  });
});
