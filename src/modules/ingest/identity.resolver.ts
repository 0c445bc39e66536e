/**
 * Which customer an event belongs to: by `userId` (the customer's external id) or by an anonymous
 * id linked to a customer. Lookups are cached because every tracked event asks; the links are
 * written only by this process's ingest writer, so "not linked" can be cached too and is replaced
 * when a link is committed.
 */
import type { EventsService } from '../events/index.js';

/** A map that forgets everything when it grows past its limit: bounded memory, simple and fast. */
class BoundedCache<V> {
  private map = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  set(key: string, value: V): void {
    if (this.map.size >= this.limit) this.map = new Map();
    this.map.set(key, value);
  }
}

const keyOf = (storeId: string, id: string) => `${storeId}\u0000${id}`;

export class IdentityResolver {
  private readonly customers: BoundedCache<number>;
  private readonly anonymous: BoundedCache<number | null>;

  constructor(private readonly events: EventsService, limit = 200_000) {
    this.customers = new BoundedCache(limit);
    this.anonymous = new BoundedCache(limit);
  }

  /** Customer ids of the external ids that exist (cached ones first, the rest in one query). */
  async customerIds(storeId: string, externalIds: Iterable<string>): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    const missing: string[] = [];
    for (const id of new Set(externalIds)) {
      const cached = this.customers.get(keyOf(storeId, id));
      if (cached !== undefined) found.set(id, cached);
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const [id, customerId] of await this.events.customerIdsByExternalId(storeId, missing)) {
        this.customers.set(keyOf(storeId, id), customerId);
        found.set(id, customerId);
      }
    }
    return found;
  }

  /** The customers anonymous ids are linked to (null: not linked). */
  async linkedCustomers(storeId: string, anonymousIds: Iterable<string>): Promise<Map<string, number | null>> {
    const found = new Map<string, number | null>();
    const missing: string[] = [];
    for (const id of new Set(anonymousIds)) {
      const key = keyOf(storeId, id);
      if (this.anonymous.has(key)) found.set(id, this.anonymous.get(key)!);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const linked = await this.events.customerIdsByAnonymousId(storeId, missing);
      for (const id of missing) {
        const customerId = linked.get(id) ?? null;
        found.set(id, customerId);
        // A link committed while the query ran has already been cached; keep it.
        const key = keyOf(storeId, id);
        if (!this.anonymous.has(key)) this.anonymous.set(key, customerId);
      }
    }
    return found;
  }

  /** Records committed links. */
  linked(links: { storeId: string; anonymousId: string; customerId: number }[]): void {
    for (const link of links) this.anonymous.set(keyOf(link.storeId, link.anonymousId), link.customerId);
  }
}
