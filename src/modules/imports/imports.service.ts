/**
 * Bulk import of files: each file is streamed a chunk at a time through its format's parser into
 * batches of whole orders, and every batch goes through the shared writer (one transaction each;
 * re-importing a file changes nothing because the writer matches entities by external id).
 * Parsing the next batch overlaps with writing the previous one. Rejected rows go to a rejects
 * file with line and reason. A large Online Retail file is instead read, checked and staged by
 * DuckDB in one write (`formats/online-retail.bulk.ts`), with the same rules and results. Only a problem with the request itself (unknown format, unreadable
 * file, bad header or mapping) stops an import, and it is found before anything is written.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Db } from '../../db/database.js';
import type { ImportRunTable } from '../../jobs/jobs.table.js';
import { AppError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { AccountsService } from '../accounts/index.js';
import type { StoreTable } from '../accounts/index.js';
import type { Staged } from '../commerce/index.js';
import type { CommerceBatch, WriteSummary } from '../commerce/index.js';
import { recordEvents } from '../domain-events/index.js';
import { BatchBuilder, defaultLimits, type BatchLimits, type PendingBatch } from './batch-builder.js';
import type { FormatParser, ImportFormat } from './formats/format.js';
import { hasPlainHeader, stageOnlineRetail, type BulkContext, type BulkResult } from './formats/online-retail.bulk.js';
import { badRequest, checkImportRequest, type ImportRequest } from './import-request.js';
import * as repo from './imports.repository.js';
import { RecordReader } from './record-reader.js';
import { RejectsFile } from './rejects-file.js';

export { checkImportRequest, type ImportRequest } from './import-request.js';

/** The shared writer (`services.commerce`), as this service needs it. */
export interface BatchWriter {
  write(storeId: string, batch: CommerceBatch, options?: { source?: string }): Promise<WriteSummary>;
  /** Merges staging tables the caller fills itself (the bulk path of large files). */
  writeStaged(storeId: string, fill: (connection: DuckDBConnection) => Promise<Staged>, options?: { source?: string }): Promise<WriteSummary>;
}


export interface ImportHooks {
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
  limits?: BatchLimits;
  /** Files of formats DuckDB can read whole from this size on take the bulk path (default 50 MB). */
  bulkBytes?: number;
}

const defaultBulkBytes = 50 * 1024 * 1024;

type Counts = WriteSummary['orders'];

export interface ImportSummary {
  format: string;
  files: string[];
  store: { id: string; slug: string; created: boolean };
  rowsRead: number;
  rowsRejected: number;
  customers: Counts;
  orders: Counts;
  returns: Counts;
  products: Counts;
  rejectsFiles: string[];
  runs: string[];
  seconds: number;
}

const zero = (): WriteSummary => ({ customers: { created: 0, updated: 0, unchanged: 0 }, products: { created: 0, updated: 0, unchanged: 0 }, orders: { created: 0, updated: 0, unchanged: 0 }, returns: { created: 0, updated: 0, unchanged: 0 } });

function addInto(total: WriteSummary, part: WriteSummary): void {
  for (const kind of ['customers', 'products', 'orders', 'returns'] as const) {
    total[kind].created += part[kind].created;
    total[kind].updated += part[kind].updated;
    total[kind].unchanged += part[kind].unchanged;
  }
}


/** The services an import uses; a function when they are built after this one. */
export interface ImportDeps {
  accounts: Pick<AccountsService, 'findStore' | 'listStores' | 'createStore'>;
  writer: BatchWriter;
}

export class ImportsService {
  constructor(
    private readonly write: Db,
    private readonly read: Db,
    private readonly deps: ImportDeps | (() => ImportDeps),
    private readonly defaultTimeZone = 'UTC',
  ) {}

  private get accounts() {
    return (typeof this.deps === 'function' ? this.deps() : this.deps).accounts;
  }

  private get writer() {
    return (typeof this.deps === 'function' ? this.deps() : this.deps).writer;
  }

  async run(request: ImportRequest, hooks: ImportHooks = {}): Promise<ImportSummary> {
    const started = performance.now();
    const format = await checkImportRequest(request);
    const { store, created } = await this.targetStore(request, format);
    const currency = (request.currency ?? format.currency ?? store.currency).toUpperCase();
    const sizes = request.files.map((file) => statSync(file).size);
    const bytesTotal = sizes.reduce((a, b) => a + b, 0);
    const totals = zero();
    const summary: ImportSummary = {
      format: format.name, files: request.names ?? request.files, store: { id: store.id, slug: store.slug, created },
      rowsRead: 0, rowsRejected: 0, customers: totals.customers, orders: totals.orders, returns: totals.returns, products: totals.products,
      rejectsFiles: [], runs: [], seconds: 0,
    };
    const shared = request.rejectsFile ? new RejectsFile(request.rejectsFile) : undefined;
    let offset = 0;
    try {
      for (const [i, file] of request.files.entries()) {
        const name = request.names?.[i] ?? file;
        const rejects = shared ?? new RejectsFile(join(request.rejectsDir, `${basename(name)}.rejects.csv`));
        const parser = format.parser({ currency, timeZone: store.timezone, mapping: request.mapping });
        const base = offset;
        const bulk = format.name === 'online-retail' && sizes[i]! >= (hooks.bulkBytes ?? defaultBulkBytes)
          && await hasPlainHeader(file);
        const result = bulk ? await this.importFileBulk(store.id, format.name, file, name, { currency, timeZone: store.timezone }, rejects,
          () => hooks.onProgress?.(base + sizes[i]!, bytesTotal)) : await this.importFile(store.id, format.name, file, name, parser, rejects, {
          limits: hooks.limits ?? defaultLimits,
          onProgress: (bytes) => hooks.onProgress?.(base + bytes, bytesTotal),
        });
        offset += sizes[i]!;
        summary.runs.push(result.runId);
        summary.rowsRead += result.rowsRead;
        summary.rowsRejected += result.rowsRejected;
        addInto(totals, result.counts);
        if (!shared) await rejects.close();
        if (rejects.written && !summary.rejectsFiles.includes(rejects.path)) summary.rejectsFiles.push(rejects.path);
      }
    } finally {
      await shared?.close();
    }
    summary.seconds = Math.round((performance.now() - started) / 10) / 100;
    return summary;
  }

  listRuns(storeId: string, limit = 50) {
    return repo.listRuns(this.read, storeId, limit);
  }

  /** The named store; else the only one; else a new one named after the first file. */
  private async targetStore(request: ImportRequest, format: ImportFormat): Promise<{ store: StoreTable; created: boolean }> {
    if (request.store) {
      const store = await this.accounts.findStore(request.store);
      if (!store) throw badRequest(`no store "${request.store}"`, 'store');
      return { store, created: false };
    }
    const stores = await this.accounts.listStores();
    if (stores.length === 1) return { store: stores[0]!, created: false };
    if (stores.length > 1) throw badRequest(`there are ${stores.length} stores; choose one with --store (${stores.map((s) => s.slug).join(', ')})`, 'store');
    const first = request.names?.[0] ?? request.files[0]!;
    const store = await this.accounts.createStore({
      name: basename(first, extname(first)) || 'Imported store',
      currency: (request.currency ?? format.currency ?? 'USD').toUpperCase(),
      timezone: format.timeZone ?? this.defaultTimeZone,
    });
    return { store, created: true };
  }

  private async importFile(storeId: string, formatName: string, file: string, name: string, parser: FormatParser, rejects: RejectsFile,
    options: { limits: BatchLimits; onProgress: (bytes: number) => void }) {
    const runId = newId('imp');
    await repo.insertRun(this.write, {
      id: runId, store_id: storeId, format: formatName, file_name: name, file_sha256: '', state: 'running',
      rows_read: 0, rows_rejected: 0, summary: null, started_at: new Date(), finished_at: null,
    });
    const builder = new BatchBuilder(options.limits);
    const counts = zero();
    const source = `import:${formatName}`;
    let inflight: Promise<void> = Promise.resolve();
    // Writes one batch while the next is parsed; a failed write surfaces at the next dispatch or at the end.
    const dispatch = async (pending: PendingBatch) => {
      await inflight;
      inflight = this.writeBatch(storeId, pending, builder, source).then((part) => addInto(counts, part));
      inflight.catch(() => undefined);
    };
    const reader = new RecordReader(createReadStream(file, { highWaterMark: 1 << 16 }), { syntax: parser.syntax, delimiter: parser.delimiter, onProgress: options.onProgress });
    try {
      let header = parser.header !== undefined;
      for await (const records of reader.chunks()) {
        for (const record of records) {
          if (header) {
            parser.header!(record.fields);
            header = false;
            continue;
          }
          builder.rowsRead += 1;
          parser.row(record, builder);
        }
        if (builder.ready) await dispatch(builder.take());
        await rejects.add(name, builder.rejects.splice(0));
      }
      builder.close();
      if (!builder.empty) await dispatch(builder.take());
      await inflight;
      await rejects.add(name, builder.rejects.splice(0));
      await this.finishDone(storeId, formatName, runId, counts, {
        file_sha256: reader.sha256, rows_read: builder.rowsRead, rows_rejected: builder.rowsRejected,
        summary: JSON.stringify(counts), finished_at: new Date(),
      });
    } catch (error) {
      await inflight.catch(() => undefined);
      await repo.finishRun(this.write, runId, {
        state: 'failed', file_sha256: reader.sha256, rows_read: builder.rowsRead, rows_rejected: builder.rowsRejected,
        summary: JSON.stringify({ ...counts, error: error instanceof Error ? error.message : String(error) }), finished_at: new Date(),
      }).catch(() => undefined);
      throw error;
    }
    return { runId, rowsRead: builder.rowsRead, rowsRejected: builder.rowsRejected, counts };
  }

  /** Marks the run done and records import.finished, in one transaction. */
  private async finishDone(storeId: string, format: string, runId: string, counts: WriteSummary,
    changes: Pick<ImportRunTable, 'file_sha256' | 'rows_read' | 'rows_rejected' | 'summary' | 'finished_at'>): Promise<void> {
    await this.write.transaction().execute(async (tx) => {
      await repo.finishRun(tx, runId, { ...changes, state: 'done' });
      await recordEvents(tx, [{
        storeId, type: 'import.finished', entityId: null, customerId: null,
        data: {
          import_id: runId, format, rows_read: changes.rows_read, rows_rejected: changes.rows_rejected,
          orders_created: counts.orders.created, customers_created: counts.customers.created,
        },
      }]);
    });
  }

  /** A whole file read, checked and staged by DuckDB, then merged in one write (`online-retail.bulk.ts`). */
  private async importFileBulk(storeId: string, formatName: string, file: string, name: string, context: BulkContext, rejects: RejectsFile,
    onDone: () => void) {
    const runId = newId('imp');
    await repo.insertRun(this.write, {
      id: runId, store_id: storeId, format: formatName, file_name: name, file_sha256: '', state: 'running',
      rows_read: 0, rows_rejected: 0, summary: null, started_at: new Date(), finished_at: null,
    });
    const hash = sha256Of(file);
    hash.catch(() => undefined);
    let result: BulkResult | undefined;
    try {
      const counts = await this.writer.writeStaged(storeId, async (connection) => {
        result = await stageOnlineRetail(connection, file, context);
        return result.staged;
      }, { source: `import:${formatName}` });
      const { rowsRead, rejects: rejected } = result!;
      await rejects.add(name, rejected);
      onDone();
      await this.finishDone(storeId, formatName, runId, counts, {
        file_sha256: await hash, rows_read: rowsRead, rows_rejected: rejected.length,
        summary: JSON.stringify(counts), finished_at: new Date(),
      });
      return { runId, rowsRead, rowsRejected: rejected.length, counts };
    } catch (error) {
      await repo.finishRun(this.write, runId, {
        state: 'failed', file_sha256: await hash.catch(() => ''), rows_read: result?.rowsRead ?? 0, rows_rejected: 0,
        summary: JSON.stringify({ error: error instanceof Error ? error.message : String(error) }), finished_at: new Date(),
      }).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Writes a batch; when the writer refuses entities (it names them by position), those are
   * rejected with its reason, at the line they came from, and the rest is written.
   */
  private async writeBatch(storeId: string, pending: PendingBatch, builder: BatchBuilder, source: string): Promise<WriteSummary> {
    for (;;) {
      try {
        return await this.writer.write(storeId, pending.batch, { source });
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error;
        const refused = new Map<object, string>();
        for (const detail of error.details) {
          const match = /^(customers|products|orders|returns)\.(\d+)(?:\.(.+))?$/.exec(detail.path);
          const entity = match ? (pending.batch[match[1] as keyof PendingBatch['batch']] as object[])[Number(match[2])] : undefined;
          if (entity && !refused.has(entity)) refused.set(entity, `${match![3] ?? match![1]}: ${detail.reason}`);
        }
        if (refused.size === 0) throw error;
        for (const [entity, reason] of refused) {
          const origin = pending.origins.get(entity);
          if (origin) builder.reject(origin.line, reason, origin.raw, Math.max(1, origin.rows));
        }
        for (const kind of ['customers', 'products', 'orders', 'returns'] as const) {
          (pending.batch[kind] as object[]) = (pending.batch[kind] as object[]).filter((entity) => !refused.has(entity));
        }
      }
    }
  }
}

/** The file's SHA-256, read while DuckDB reads it too. */
async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
