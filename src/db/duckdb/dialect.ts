/**
 * A Kysely dialect for DuckDB through @duckdb/node-api. DuckDB speaks the PostgreSQL flavour of
 * SQL that Kysely's Postgres compiler emits ($1 placeholders, RETURNING, ON CONFLICT), so the
 * compiler and adapter are reused; the driver hands out connections from a fixed pool and
 * serialises their use (a DuckDB connection runs one statement at a time).
 */
import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBResultReader, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';
import { DuckDBIntrospector } from './introspector.js';
import { bindingType, fromJsValue, toDuckValue } from './values.js';

class DuckDBAdapter extends PostgresAdapter {
  // One process owns the file, and migrations run before the server accepts work, so the
  // advisory lock Postgres needs here has nothing to guard.
  override async acquireMigrationLock(): Promise<void> {}
  override async releaseMigrationLock(): Promise<void> {}
}

/**
 * Statements kept prepared on each connection, by their text; the least recently used is dropped.
 * The driver prepares a statement with parameters afresh for each run — parse, then plan, then
 * run, three trips to DuckDB's threads, each waiting its turn on a busy event loop — and drops it
 * after; a kept one is bound and run in one trip. DuckDB plans it again by itself when a table it
 * reads has changed since.
 */
const PREPARED_PER_CONNECTION = 200;

export class DuckDBKyselyConnection implements DatabaseConnection {
  private readonly prepared = new Map<string, DuckDBPreparedStatement>();

  constructor(readonly raw: DuckDBConnection) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const params = compiled.parameters.map(toDuckValue);
    const bindings = params.map(bindingType);
    // An undefined type leaves that parameter to the driver's guess.
    const reader = await this.run(compiled.sql, params, bindings.some((t) => t !== undefined) ? bindings as DuckDBType[] : undefined);
    const names = reader.columnNames();
    const types = reader.columnTypes().map(String);
    const kind = compiled.query.kind;
    const isWrite = kind === 'InsertQueryNode' || kind === 'UpdateQueryNode' || kind === 'DeleteQueryNode';
    const returns = isWrite && 'returning' in compiled.query && compiled.query.returning !== undefined;
    if (isWrite && !returns) {
      // DuckDB answers DML with one row holding the changed-row count.
      const count = names.length === 1 && names[0] === 'Count' ? Number(reader.getRows()[0]?.[0] ?? 0) : 0;
      return { rows: [], numAffectedRows: BigInt(count) };
    }
    const rows = reader.getRowsJS().map((row) => {
      const record: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i += 1) record[names[i]!] = fromJsValue(row[i], types[i]!);
      return record as R;
    });
    return isWrite ? { rows, numAffectedRows: BigInt(rows.length) } : { rows };
  }

  /** Runs a statement, prepared once if it has parameters (several statements in one text cannot be: those run as given). */
  private async run(sql: string, params: DuckDBValue[], types: DuckDBType[] | undefined): Promise<DuckDBResultReader> {
    if (params.length === 0) return this.raw.runAndReadAll(sql);
    let statement = this.prepared.get(sql);
    if (statement) {
      this.prepared.delete(sql);
    } else {
      try {
        statement = await this.raw.prepare(sql);
      } catch {
        return this.raw.runAndReadAll(sql, params, types);
      }
      if (this.prepared.size >= PREPARED_PER_CONNECTION) {
        const [oldest, dropped] = this.prepared.entries().next().value!;
        this.prepared.delete(oldest);
        dropped.destroySync();
      }
    }
    this.prepared.set(sql, statement);
    statement.bind(params, types);
    return statement.runAndReadAll();
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streamQuery is not supported by the DuckDB dialect; page with LIMIT instead');
  }
}

/** A fixed set of connections, each used by one caller at a time (FIFO wait). */
export class ConnectionPool {
  private readonly idle: DuckDBKyselyConnection[];
  private readonly waiting: ((connection: DuckDBKyselyConnection) => void)[] = [];

  constructor(connections: DuckDBConnection[]) {
    this.idle = connections.map((raw) => new DuckDBKyselyConnection(raw));
  }

  acquire(): Promise<DuckDBKyselyConnection> {
    const connection = this.idle.pop();
    if (connection) return Promise.resolve(connection);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(connection: DuckDBKyselyConnection): void {
    const next = this.waiting.shift();
    if (next) next(connection);
    else this.idle.push(connection);
  }

  /** Disconnects the idle connections: until they are, the database file stays open and locked. */
  closeIdle(): void {
    for (const connection of this.idle.splice(0)) connection.raw.closeSync();
  }
}

class DuckDBDriver implements Driver {
  constructor(private readonly pool: ConnectionPool) {}

  async init(): Promise<void> {}

  acquireConnection(): Promise<DatabaseConnection> {
    return this.pool.acquire();
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin transaction'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.pool.release(connection as DuckDBKyselyConnection);
  }

  async destroy(): Promise<void> {
    // Connections close with the instance.
  }
}

export class DuckDBDialect implements Dialect {
  constructor(private readonly pool: ConnectionPool) {}

  createAdapter(): PostgresAdapter {
    return new DuckDBAdapter();
  }

  createDriver(): Driver {
    return new DuckDBDriver(this.pool);
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new DuckDBIntrospector(db);
  }

  createQueryCompiler(): PostgresQueryCompiler {
    return new PostgresQueryCompiler();
  }
}
