/**
 * The write path for customers, products, orders and returns, shared by every source (admin API,
 * file import, Segment, Shopify, demo): one batch, one transaction, all or nothing.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Storage } from '../../db/database.js';
import type { Staged } from './commerce.staging.js';
import { AppError, type ErrorDetail } from '../../lib/errors.js';
import { CommerceWriter, type StagedWriteOptions, type WriteOptions } from './commerce.writer.js';
import type { CommerceBatch, WriteSummary } from './commerce.input.js';

export type { StagedWriteOptions, WriteOptions };
export type Outcome = 'created' | 'updated' | 'unchanged';

export type WriteListener = (storeId: string, summary: WriteSummary) => void;

export class CommerceService {
  private readonly writer: CommerceWriter;
  private readonly listeners: WriteListener[] = [];

  constructor(storage: Storage) {
    this.writer = new CommerceWriter(storage);
  }

  /** Called after each committed batch that changed something (summaries, segments follow). */
  onWritten(listener: WriteListener): void {
    this.listeners.push(listener);
  }

  async write(storeId: string, batch: CommerceBatch, options: WriteOptions = {}): Promise<WriteSummary> {
    const summary = await this.writer.write(storeId, batch, options);
    const changed = Object.values(summary).some((counts) => counts.created > 0 || counts.updated > 0);
    if (changed) for (const listener of this.listeners) listener(storeId, summary);
    return summary;
  }

  /**
   * Merges staging tables the caller fills itself, like `write`: with SQL (the bulk path of large
   * files) or streamed through a `StagingSink` (the demo store).
   */
  async writeStaged(storeId: string, fill: (connection: DuckDBConnection) => Promise<Staged>, options: StagedWriteOptions = {}): Promise<WriteSummary> {
    const summary = await this.writer.writeStaged(storeId, fill, options);
    const changed = Object.values(summary).some((counts) => counts.created > 0 || counts.updated > 0);
    if (changed) for (const listener of this.listeners) listener(storeId, summary);
    return summary;
  }

  /**
   * Upserts one entity; error paths lose the `<section>.0.` prefix so they name the entity's own
   * fields. Returns what happened to it.
   */
  async writeOne(storeId: string, section: keyof CommerceBatch, item: NonNullable<CommerceBatch[typeof section]>[number], options: WriteOptions = {}): Promise<Outcome> {
    try {
      const summary = await this.write(storeId, { [section]: [item] }, options);
      const counts = summary[section];
      if (!counts) return 'unchanged';
      return counts.created > 0 ? 'created' : counts.updated > 0 ? 'updated' : 'unchanged';
    } catch (error) {
      if (error instanceof AppError && error.code === 'validation_failed') {
        const prefix = `${section}.0.`;
        const details: ErrorDetail[] = error.details.map((d) => ({ ...d, path: d.path.startsWith(prefix) ? d.path.slice(prefix.length) : d.path }));
        throw new AppError('validation_failed', error.message.replace('The batch has', 'The request has'), details);
      }
      throw error;
    }
  }
}
