/**
 * Group commit: requests that arrive while a group is being written wait and are written together
 * in the next group, one transaction for all of them, so a burst pays one BEGIN and one COMMIT
 * instead of one each. Each request's promise settles only after its group has committed (or
 * failed): an answer never names a write that could still be rolled back.
 *
 * `writeGroup` runs the items in order inside one transaction and returns one outcome per item: a
 * refusal (an error thrown before the item wrote anything, such as "not enough points") is that
 * item's answer and the others go on. Any other failure rolls the whole group back; its items are
 * then written again one at a time with `writeOne`, so one bad item never fails the requests
 * grouped with it.
 */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Waiting<I, R> { item: I; resolve: (value: R) => void; reject: (error: unknown) => void }

export class GroupCommit<I, R> {
  private queue: Waiting<I, R>[] = [];
  private running = false;

  constructor(
    private readonly writeGroup: (items: readonly I[]) => Promise<Outcome<R>[]>,
    private readonly writeOne: (item: I) => Promise<R>,
    private readonly maxGroup = 256,
  ) {}

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        // Let the requests already waiting in the event loop (read, parsed, checked) join this group.
        await new Promise((resolve) => setImmediate(resolve));
        const group = this.queue.splice(0, this.maxGroup);
        await this.write(group);
      }
    } finally {
      this.running = false;
    }
  }

  private async write(group: Waiting<I, R>[]): Promise<void> {
    let outcomes: Outcome<R>[] | undefined;
    try {
      outcomes = group.length === 1 ? undefined : await this.writeGroup(group.map((w) => w.item));
    } catch {
      outcomes = undefined;
    }
    if (outcomes) {
      group.forEach((w, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) w.resolve(outcome.value);
        else w.reject(outcome.error);
      });
      return;
    }
    // A group of one, or a group that failed as a whole: each item on its own.
    for (const w of group) {
      try {
        w.resolve(await this.writeOne(w.item));
      } catch (error) {
        w.reject(error);
      }
    }
  }
}
