import { describe, expect, it } from 'vitest';
import { SignInBackoff } from './sign-in-backoff.js';

describe('sign-in back-off', () => {
  it('lets 5 wrong passwords pass, then waits 30 s doubling to 15 minutes; a success clears it', () => {
    let now = 0;
    const backoff = new SignInBackoff(() => now);
    const waitOf = () => {
      try {
        backoff.check('ann@example.com');
        return 0;
      } catch (error) {
        return (error as { retryAfterSeconds: number }).retryAfterSeconds;
      }
    };
    for (let i = 0; i < 4; i += 1) backoff.failed('ann@example.com');
    expect(waitOf()).toBe(0);
    const waits = [];
    for (let i = 0; i < 7; i += 1) {
      backoff.failed('ann@example.com');
      waits.push(waitOf());
      now += waits.at(-1)! * 1000;
    }
    expect(waits).toEqual([30, 60, 120, 240, 480, 900, 900]);
    expect(waitOf()).toBe(0);
    backoff.succeeded('ann@example.com');
    backoff.failed('ann@example.com');
    expect(waitOf()).toBe(0);
  });
});
