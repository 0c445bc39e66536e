/**
 * Work on a list in order, each item's work starting before the one before it has ended, at most
 * `depth` at once. Queuing a campaign is a chain of unlike steps per slice of recipients — reads
 * on DuckDB, rendering in the render thread, the insert on the writer — and one slice at a time
 * left each of them idle while the others ran. If an item's work fails, no further item starts,
 * the work already started is waited for, and the first failure is thrown.
 */
export async function overlapping<T>(items: Iterable<T>, depth: number, work: (item: T) => Promise<void>): Promise<void> {
  const running: Promise<void>[] = [];
  try {
    for (const item of items) {
      if (running.length >= depth) await running.shift();
      const started = work(item);
      // Awaited in turn below; until then a failure must not count as unhandled.
      started.catch(() => undefined);
      running.push(started);
    }
    while (running.length > 0) await running.shift();
  } finally {
    await Promise.allSettled(running);
  }
}

/** The list cut into slices of `size`, in order. */
export function* slices<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}
