/**
 * Email topics: what a store's marketing email is about (Newsletter, Offers, New products,
 * Reviews …). A store gets these starters the first time its topics are read and edits them; a
 * campaign names its topic, and each message carries it. On the preference page a recipient keeps
 * or drops each topic; dropping one stops only that topic's marketing email (checked at send
 * time). A recipient who never chose is subscribed to every topic. Each change is appended to the
 * recipient's choices and, for a known customer, recorded as a `customer.topics_changed` event in
 * the same transaction.
 */
import type { Storage } from '../../db/database.js';
import { AppError, invalid, notFound } from '../../lib/errors.js';
import { recordEvents } from '../domain-events/index.js';
import * as repo from './topics.repository.js';
import { topicsDb, type MessageTopicTable, type TopicsDb } from './topics.table.js';
import { normaliseAddress } from './suppressions.repository.js';

export interface TopicView {
  id: string;
  name: string;
  description: string | null;
  position: number;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface TopicInput {
  id?: string | undefined;
  name: string;
  description?: string | null | undefined;
  position?: number | undefined;
}

export interface TopicChoice {
  id: string;
  name: string;
  description: string | null;
  subscribed: boolean;
}

/** Who is choosing: the address (and customer) of a signed link, and the message it came in. */
export interface Chooser {
  address: string;
  customerId: number | null;
  sendKey: string | null;
}

export const STARTER_TOPICS: readonly { id: string; name: string; description: string }[] = [
  { id: 'newsletter', name: 'Newsletter', description: 'News and stories from the store' },
  { id: 'offers', name: 'Offers', description: 'Discounts, sales and codes' },
  { id: 'new_products', name: 'New products', description: 'What just arrived' },
  { id: 'reviews', name: 'Reviews', description: 'Requests to review what you bought' },
];

export const TOPIC_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

const viewOf = ({ store_id: _store, ...row }: MessageTopicTable): TopicView => row;

/** A key from a name: `New products` → `new_products`. */
export function topicIdOf(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40) || 'topic';
}

export class TopicsService {
  private readonly read: TopicsDb;
  private readonly write: TopicsDb;
  private readonly seeding = new Map<string, Promise<void>>();

  constructor(private readonly storage: Storage) {
    this.read = topicsDb(storage.read);
    this.write = topicsDb(storage.write);
  }

  /** The store's topics in their order; a store that never had any gets the starters first. */
  async list(storeId: string, options: { archived?: boolean } = {}): Promise<TopicView[]> {
    await this.ensureStarters(storeId);
    return (await repo.listTopics(this.read, storeId, options)).map(viewOf);
  }

  private ensureStarters(storeId: string): Promise<void> {
    let pending = this.seeding.get(storeId);
    if (!pending) {
      pending = (async () => {
        if ((await repo.countTopics(this.read, storeId)) > 0) return;
        const now = new Date();
        await repo.insertTopics(this.write, STARTER_TOPICS.map((t, position) => ({
          store_id: storeId, id: t.id, name: t.name, description: t.description, position, archived_at: null, created_at: now, updated_at: now,
        })));
      })().finally(() => this.seeding.delete(storeId));
      this.seeding.set(storeId, pending);
    }
    return pending;
  }

  async get(storeId: string, id: string): Promise<TopicView> {
    await this.ensureStarters(storeId);
    const row = await repo.findTopic(this.read, storeId, id);
    if (!row) throw notFound(`Topic "${id}"`);
    return viewOf(row);
  }

  async create(storeId: string, input: TopicInput): Promise<TopicView> {
    const existing = await this.list(storeId, { archived: true });
    const name = input.name.trim();
    if (!name) throw invalid('Invalid topic', [{ path: 'name', reason: 'must not be empty' }]);
    const id = input.id ?? topicIdOf(name);
    if (!TOPIC_ID.test(id)) throw invalid('Invalid topic', [{ path: 'id', reason: 'use 1–40 lower-case letters, digits, _ or -, starting with a letter or digit' }]);
    if (existing.some((t) => t.id === id)) throw new AppError('conflict', `Topic "${id}" exists`, [{ path: input.id ? 'id' : 'name', reason: `a topic "${id}" exists already${input.id ? '' : '; give another id'}` }]);
    const now = new Date();
    const position = input.position ?? Math.max(-1, ...existing.map((t) => t.position)) + 1;
    await repo.insertTopics(this.write, [{ store_id: storeId, id, name, description: input.description ?? null, position, archived_at: null, created_at: now, updated_at: now }]);
    return this.get(storeId, id);
  }

  async update(storeId: string, id: string, patch: Partial<Omit<TopicInput, 'id'>>): Promise<TopicView> {
    const current = await this.get(storeId, id);
    if (current.archived_at) throw new AppError('conflict', `Topic "${id}" is archived`, [{ path: 'id', reason: 'archived topics cannot be changed' }]);
    const name = patch.name?.trim();
    if (patch.name !== undefined && !name) throw invalid('Invalid topic', [{ path: 'name', reason: 'must not be empty' }]);
    await repo.updateTopic(this.write, storeId, id, {
      ...(name && { name }), ...(patch.description !== undefined && { description: patch.description }),
      ...(patch.position !== undefined && { position: patch.position }), updated_at: new Date(),
    });
    return this.get(storeId, id);
  }

  /** Archives: the topic leaves the preference page and cannot be chosen for new campaigns; choices made stay. */
  async archive(storeId: string, id: string): Promise<void> {
    const current = await this.get(storeId, id);
    if (!current.archived_at) await repo.updateTopic(this.write, storeId, id, { archived_at: new Date(), updated_at: new Date() });
  }

  /** Refuses a topic that is not one of the store's current topics, naming the field. */
  async check(storeId: string, id: string | null | undefined, path = 'topic_id'): Promise<void> {
    if (id === null || id === undefined) return;
    const topic = (await this.list(storeId, { archived: true })).find((t) => t.id === id);
    if (!topic) throw invalid('Invalid topic', [{ path, reason: `no topic "${id}" in this store; see GET /api/v1/messaging/topics` }]);
    if (topic.archived_at) throw invalid('Invalid topic', [{ path, reason: `topic "${topic.name}" is archived` }]);
  }

  /** The store's current topics with the address's choice for each. */
  async choicesOf(storeId: string, address: string): Promise<TopicChoice[]> {
    const topics = await this.list(storeId);
    const chosen = (await repo.currentChoices(this.read, storeId, [normaliseAddress(address)])).get(normaliseAddress(address));
    return topics.map((t) => ({ id: t.id, name: t.name, description: t.description, subscribed: chosen?.get(t.id) ?? true }));
  }

  /**
   * Sets the recipient's choice for the topics given (others stay as they are); appends only real
   * changes and records them as one `customer.topics_changed` event. Returns what changed.
   */
  async choose(storeId: string, who: Chooser, wanted: ReadonlyMap<string, boolean>, source: string): Promise<{ id: string; subscribed: boolean }[]> {
    const current = await this.choicesOf(storeId, who.address);
    const changes = current.filter((t) => wanted.has(t.id) && wanted.get(t.id) !== t.subscribed).map((t) => ({ id: t.id, name: t.name, subscribed: wanted.get(t.id)! }));
    if (changes.length === 0) return [];
    const address = normaliseAddress(who.address);
    const now = new Date();
    const customer = who.customerId === null ? undefined
      : await this.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', storeId).where('id', '=', who.customerId).executeTakeFirst();
    await this.storage.write.transaction().execute(async (tx) => {
      await repo.appendChoices(topicsDb(tx), changes.map((c) => ({
        store_id: storeId, address, customer_id: customer ? Number(customer.id) : null, topic_id: c.id, subscribed: c.subscribed, source, send_key: who.sendKey, changed_at: now,
      })));
      if (customer) {
        await recordEvents(tx, [{
          storeId, type: 'customer.topics_changed', entityId: Number(customer.id), customerId: Number(customer.id),
          data: { external_id: customer.external_id, address, topics: changes.map((c) => ({ topic: c.id, name: c.name, subscribed: c.subscribed })), source },
        }], now);
      }
    });
    return changes.map(({ id, subscribed }) => ({ id, subscribed }));
  }

  /** Addresses opted out of a topic, as `address → topics dropped` (for the checks at send time). */
  async optedOut(storeId: string, addresses: readonly string[]): Promise<Map<string, Set<string>>> {
    const choices = await repo.currentChoices(this.read, storeId, addresses.map(normaliseAddress));
    const out = new Map<string, Set<string>>();
    for (const [address, topics] of choices) {
      const dropped = [...topics].filter(([, subscribed]) => !subscribed).map(([topic]) => topic);
      if (dropped.length) out.set(address, new Set(dropped));
    }
    return out;
  }
}
