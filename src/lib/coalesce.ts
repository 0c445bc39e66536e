/**
 * Runs follow-up work per key in the background, never two at once for a key, and folds the
 * requests that arrive while a run is in progress into one more run. Callers are not delayed;
 * `idle()` waits for everything (used at shutdown).
 */
export class Coalescer {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();

  constructor(
    private readonly work: (key: string) => Promise<void>,
    private readonly onError: (key: string, error: unknown) => void,
  ) {}

  request(key: string): void {
    if (this.running.has(key)) {
      this.again.add(key);
      return;
    }
    const run = (async () => {
      do {
        this.again.delete(key);
        try {
          await this.work(key);
        } catch (error) {
          this.onError(key, error);
        }
      } while (this.again.has(key));
    })().finally(() => this.running.delete(key));
    this.running.set(key, run);
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }
}
