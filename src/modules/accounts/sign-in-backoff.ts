/**
 * Back-off per account for sign-in: after 5 wrong passwords in a row, each further attempt must
 * wait — 30 s, then twice as long after each new failure, up to 15 minutes — and a success clears
 * the count. Kept in memory (one process owns the data directory); a restart forgets it, which
 * costs a guesser a restart of the server they cannot cause. Per-address limits are the HTTP
 * layer's (@fastify/rate-limit on the sign-in route).
 */
import { AppError } from '../../lib/errors.js';

const FREE_FAILURES = 5;
const FIRST_WAIT_MS = 30_000;
const MAX_WAIT_MS = 15 * 60_000;

export class SignInBackoff {
  private readonly accounts = new Map<string, { failures: number; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Throws rate_limited (with Retry-After) while the account must wait. */
  check(account: string): void {
    const state = this.accounts.get(account);
    const now = this.now();
    if (!state || state.until <= now) return;
    const error = new AppError('rate_limited', `Too many wrong passwords for this account; try again in ${Math.ceil((state.until - now) / 1000)} s`);
    error.retryAfterSeconds = Math.ceil((state.until - now) / 1000);
    throw error;
  }

  failed(account: string): void {
    const state = this.accounts.get(account) ?? { failures: 0, until: 0 };
    state.failures += 1;
    if (state.failures >= FREE_FAILURES) {
      state.until = this.now() + Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (state.failures - FREE_FAILURES));
    }
    this.accounts.set(account, state);
    if (this.accounts.size > 100_000) this.accounts.delete(this.accounts.keys().next().value!);
  }

  succeeded(account: string): void {
    this.accounts.delete(account);
  }
}
