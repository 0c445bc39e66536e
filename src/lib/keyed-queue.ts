/**
 * Work run one at a time per key: each call starts once the call before it with the same key has
 * settled, whatever its outcome. Keys hold nothing once their work is done.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(work);
    const settled = next.finally(() => { if (this.tails.get(key) === settled) this.tails.delete(key); });
    this.tails.set(key, settled);
    return settled;
  }
}
