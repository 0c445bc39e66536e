/**
 * The time the engine reads. Production uses the system clock; a test moves a `TestClock` forward
 * (a 30-day journey in milliseconds) while the real engine, worker and database run under it.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * The system clock plus an offset that only grows: real time keeps passing (so work queued by
 * parts that read the system clock is never in the test clock's future), and `advance` jumps ahead.
 */
export class TestClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): Date {
    if (!(ms >= 0)) throw new Error('A clock only moves forward');
    this.offsetMs += ms;
    return this.now();
  }
}
