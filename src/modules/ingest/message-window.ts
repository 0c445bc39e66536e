/**
 * The messageId dedupe window in memory: a 53-bit fingerprint of every (store, messageId) received
 * in the last days, in one open-addressing hash set per UTC day (a day's set is dropped whole when
 * it leaves the window). A fingerprint not in the window means the message is new — the common
 * case, answered without touching the database. One that is means "probably seen": the writer
 * then compares the exact message ids of the stored events, so a fingerprint collision can
 * never drop an event.
 *
 * Memory: 8 bytes per slot, at most half full — 8 to 16 bytes per message in the window.
 */
const DAY_MS = 86_400_000;
const MIN_CAPACITY = 1 << 12;

/** A 53-bit hash of the store and message id (two 32-bit multiply-xorshift lanes), never 0. */
export function fingerprint(storeId: string, messageId: string): number {
  let h1 = 0x9e3779b9;
  let h2 = 0x85ebca6b;
  const mix = (code: number) => {
    h1 = Math.imul(h1 ^ code, 0x85ebca77);
    h2 = Math.imul(h2 ^ code, 0xc2b2ae3d);
  };
  for (let i = 0; i < storeId.length; i += 1) mix(storeId.charCodeAt(i));
  mix(0);
  for (let i = 0; i < messageId.length; i += 1) mix(messageId.charCodeAt(i));
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x2c1b3c6d) ^ Math.imul(h2 ^ (h2 >>> 13), 0x297a2d39);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0x2c1b3c6d) ^ Math.imul(h1 ^ (h1 >>> 13), 0x297a2d39);
  const value = 0x100000000 * (h2 >>> 11) + (h1 >>> 0);
  return value === 0 ? 1 : value;
}

/** A set of non-zero 53-bit integers (stored exactly in a Float64Array). */
class FingerprintSet {
  private slots = new Float64Array(MIN_CAPACITY);
  size = 0;

  has(fp: number): boolean {
    const mask = this.slots.length - 1;
    for (let i = (fp >>> 0) & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i]!;
      if (slot === fp) return true;
      if (slot === 0) return false;
    }
  }

  add(fp: number): void {
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    const mask = this.slots.length - 1;
    for (let i = (fp >>> 0) & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i]!;
      if (slot === fp) return;
      if (slot === 0) {
        this.slots[i] = fp;
        this.size += 1;
        return;
      }
    }
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    this.size = 0;
    for (const fp of old) if (fp !== 0) this.add(fp);
  }
}

export class MessageWindow {
  private readonly days = new Map<number, FingerprintSet>();

  /** `days`: how long a fingerprint is kept (the promise is 7 days; one more is kept). */
  constructor(private readonly keepDays = 8) {}

  has(fp: number): boolean {
    for (const set of this.days.values()) if (set.has(fp)) return true;
    return false;
  }

  add(fp: number, at: number): void {
    const day = Math.floor(at / DAY_MS);
    let set = this.days.get(day);
    if (!set) {
      set = new FingerprintSet();
      this.days.set(day, set);
    }
    set.add(fp);
  }

  /** Drops the days that ended more than `keepDays` before `now`. */
  prune(now: number): void {
    const oldest = Math.floor(now / DAY_MS) - this.keepDays;
    for (const day of this.days.keys()) if (day < oldest) this.days.delete(day);
  }

  get size(): number {
    let n = 0;
    for (const set of this.days.values()) n += set.size;
    return n;
  }

  get bytes(): number {
    let n = 0;
    for (const set of this.days.values()) n += set.bytes;
    return n;
  }
}
