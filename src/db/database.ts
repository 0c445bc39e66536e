/**
 * The store: one DuckDB file under the data directory, owned by this process. Writes go through
 * one writer connection (so set-based upserts never race); reads use a small pool of reader
 * connections, which DuckDB's MVCC lets run beside the writer.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Kysely, Migrator, type Transaction } from 'kysely';
import type { JobTable, ImportRunTable } from '../jobs/jobs.table.js';
import type { ApiKeyTable, MembershipTable, SessionTable, StoreTable, UserTable } from '../modules/accounts/index.js';
import type { ProductTable, VariantTable } from '../modules/catalog/index.js';
import type { DomainEventTable, EventSubscriptionTable } from '../modules/domain-events/index.js';
import type { CustomerAliasTable, CustomerTable } from '../modules/customers/index.js';
import type { EventTable, IdentityTable } from '../modules/events/index.js';
import type {
  CaughtMessageTable, MessageBodyTable, MessageSendStateTable, MessageSendTable, MessageSettingsTable, MessageSourcePauseTable, MessageSuppressionTable,
} from '../modules/messaging/index.js';
import type {
  CheckoutOrderTable, CheckoutTable, FulfillmentTable, OrderLineTable, OrderTable, ReturnLineTable, ReturnTable,
} from '../modules/orders/index.js';
import { ConnectionPool, DuckDBDialect } from './duckdb/dialect.js';
import { migrationProvider } from './migrations/index.js';

export interface Database {
  stores: StoreTable;
  users: UserTable;
  memberships: MembershipTable;
  sessions: SessionTable;
  api_keys: ApiKeyTable;
  customers: CustomerTable;
  customer_aliases: CustomerAliasTable;
  products: ProductTable;
  variants: VariantTable;
  orders: OrderTable;
  order_lines: OrderLineTable;
  returns: ReturnTable;
  return_lines: ReturnLineTable;
  fulfillments: FulfillmentTable;
  checkouts: CheckoutTable;
  checkout_orders: CheckoutOrderTable;
  events: EventTable;
  identities: IdentityTable;
  jobs: JobTable;
  import_runs: ImportRunTable;
  domain_events: DomainEventTable;
  event_subscriptions: EventSubscriptionTable;
  message_sends: MessageSendTable;
  message_bodies: MessageBodyTable;
  message_send_states: MessageSendStateTable;
  message_suppressions: MessageSuppressionTable;
  message_settings: MessageSettingsTable;
  message_source_pauses: MessageSourcePauseTable;
  caught_messages: CaughtMessageTable;
}

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

export interface StorageOptions {
  dataDir: string;
  readers?: number;
  memoryLimit?: string;
  threads?: number | undefined;
}

/** WAL size at which DuckDB checkpoints on its own (see Storage.open). */
const CHECKPOINT_THRESHOLD = '64MB';

/** The database file's name inside the data directory. */
export const DATABASE_FILE = 'hearth.duckdb';

export class DataDirInUseError extends Error {
  constructor(readonly dataDir: string, readonly detail: string) {
    super(`The data directory ${dataDir} is in use by another Hearth process (${detail}). Stop that process or choose another --data-dir.`);
    this.name = 'DataDirInUseError';
  }
}

export class Storage {
  private constructor(
    readonly file: string,
    private readonly instance: DuckDBInstance,
    private readonly writerPool: ConnectionPool,
    private readonly readerPool: ConnectionPool,
    /** Serialised writes. */
    readonly write: Db,
    /** Concurrent reads. */
    readonly read: Db,
  ) {}

  static async open(options: StorageOptions): Promise<Storage> {
    mkdirSync(options.dataDir, { recursive: true });
    const file = join(options.dataDir, DATABASE_FILE);
    let instance: DuckDBInstance;
    try {
      const settings: Record<string, string> = {
        memory_limit: options.memoryLimit ?? '1GB',
        autoinstall_known_extensions: 'false',
        temp_directory: join(options.dataDir, 'tmp'),
        // A checkpoint rewrites the changed row groups; under a steady stream of tracked events
        // DuckDB's default (16 MB of WAL) checkpoints every second or two, which costs a third
        // of the commit time. 64 MB keeps restart replay short and checkpoints rarer.
        checkpoint_threshold: CHECKPOINT_THRESHOLD,
      };
      if (options.threads) settings.threads = String(options.threads);
      instance = await DuckDBInstance.create(file, settings);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const lock = /Conflicting lock is held in (.*?)(?:\. See|$)/.exec(message);
      if (lock || /Could not set lock/i.test(message)) throw new DataDirInUseError(options.dataDir, lock?.[1] ?? 'file is locked');
      throw error;
    }
    const writer = new ConnectionPool([await instance.connect()]);
    const readers: DuckDBConnection[] = [];
    for (let i = 0; i < (options.readers ?? 2); i += 1) readers.push(await instance.connect());
    const write = new Kysely<Database>({ dialect: new DuckDBDialect(writer) });
    const readerPool = new ConnectionPool(readers);
    const read = new Kysely<Database>({ dialect: new DuckDBDialect(readerPool) });
    return new Storage(file, instance, writer, readerPool, write, read);
  }

  /**
   * Exclusive use of the raw writer connection, for DuckDB appenders and multi-statement bulk
   * work. Queued behind (and ahead of) other writes like any write.
   */
  withWriter<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return borrow(this.writerPool, work);
  }

  /**
   * A raw reader connection, for reads that stream large results chunk by chunk into columns
   * instead of building one object per row.
   */
  withReader<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return borrow(this.readerPool, work);
  }

  migrator(): Migrator {
    return new Migrator({ db: this.write, provider: migrationProvider });
  }

  async pendingMigrations(): Promise<string[]> {
    const all = await this.migrator().getMigrations();
    return all.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
  }

  /** Applies pending migrations; returns the names applied. */
  async migrate(): Promise<string[]> {
    const { error, results } = await this.migrator().migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(String(error));
    const applied = (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
    // Schema changes go into the database file at once rather than waiting in the WAL: DuckDB
    // cannot replay some ALTER TABLE statements from the WAL after a crash.
    if (applied.length > 0) await this.checkpoint();
    return applied;
  }

  private bulkRuns = 0;

  /**
   * Runs a long bulk write (millions of rows in several transactions) with DuckDB's automatic
   * checkpoints held off, then checkpoints once. A checkpoint rewrites every changed table's
   * whole ART indexes: after each large commit of a 10M-row ledger that cost more than the
   * commit itself. The commits stay durable in the WAL meanwhile (a crash replays them).
   */
  async bulk<T>(work: () => Promise<T>): Promise<T> {
    if (this.bulkRuns++ === 0) await this.setCheckpointThreshold('1TB');
    try {
      return await work();
    } finally {
      if (--this.bulkRuns === 0) {
        await this.setCheckpointThreshold(CHECKPOINT_THRESHOLD);
        // Only sooner than DuckDB's own: when readers hold the database, the next threshold does it.
        await this.checkpoint().catch(() => undefined);
      }
    }
  }

  private async setCheckpointThreshold(size: string): Promise<void> {
    await this.withWriter((connection) => connection.run(`set checkpoint_threshold = '${size}'`).then(() => undefined));
  }

  async checkpoint(): Promise<void> {
    await this.withWriter((connection) => connection.run('checkpoint').then(() => undefined));
  }

  async close(): Promise<void> {
    try {
      await this.checkpoint();
    } finally {
      this.writerPool.closeIdle();
      this.readerPool.closeIdle();
      this.instance.closeSync();
    }
  }
}

/** Runs `work` with a connection of the pool, returned to the pool however `work` ends. */
async function borrow<T>(pool: ConnectionPool, work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const connection = await pool.acquire();
  try {
    return await work(connection.raw);
  } finally {
    pool.release(connection);
  }
}
