/**
 * Ingestion counters per store, source and UTC hour: received, stored, rejected (with reasons) and
 * deduplicated. Counted in memory on the hot path and added to the hourly rows by the writer, in
 * the same transaction as the events they describe.
 */
import { timestampValue, type DuckDBConnection } from '@duckdb/node-api';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { IngestStatus, SourceStatus } from './ingest-status.types.js';

export type Counter = 'received' | 'stored' | 'rejected' | 'deduplicated';
const counters: readonly Counter[] = ['received', 'stored', 'rejected', 'deduplicated'];
const HOUR_MS = 3_600_000;

interface Bucket { storeId: string; source: string; hour: number; received: number; stored: number; rejected: number; deduplicated: number }
interface ReasonBucket { storeId: string; source: string; hour: number; reason: string; n: number }

export type { IngestStatus, SourceStatus } from './ingest-status.types.js';

/** Rejection reasons are grouped without the event's values, so "12 bytes" and "13 bytes" count as one. */
export function reasonKey(path: string, reason: string): string {
  const general = reason.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N');
  return (path ? `${path.replace(/\.\d+(\.|$)/g, '.N$1')}: ${general}` : general).slice(0, 200);
}

export class IngestStats {
  private buckets = new Map<string, Bucket>();
  private reasons = new Map<string, ReasonBucket>();

  count(storeId: string, source: string, counter: Counter, n = 1, at = Date.now()): void {
    if (n === 0) return;
    const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
    const key = `${storeId}\u0000${source}\u0000${hour}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { storeId, source, hour, received: 0, stored: 0, rejected: 0, deduplicated: 0 };
      this.buckets.set(key, bucket);
    }
    bucket[counter] += n;
  }

  reject(storeId: string, source: string, reason: string, at = Date.now()): void {
    this.count(storeId, source, 'rejected', 1, at);
    const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
    const key = `${storeId}\u0000${source}\u0000${hour}\u0000${reason}`;
    const bucket = this.reasons.get(key);
    if (bucket) bucket.n += 1;
    else this.reasons.set(key, { storeId, source, hour, reason, n: 1 });
  }

  get dirty(): boolean {
    return this.buckets.size > 0 || this.reasons.size > 0;
  }

  /**
   * Adds the pending counts to the hourly rows on the given (writer) connection, inside the
   * caller's transaction. The counts are taken first; `restore` puts them back if that fails.
   */
  async flush(connection: DuckDBConnection): Promise<{ restore: () => void }> {
    const buckets = [...this.buckets.values()];
    const reasons = [...this.reasons.values()];
    this.buckets = new Map();
    this.reasons = new Map();
    const restore = () => {
      for (const b of buckets) for (const c of counters) this.count(b.storeId, b.source, c, b[c], b.hour);
      for (const r of reasons) {
        const key = `${r.storeId}\u0000${r.source}\u0000${r.hour}\u0000${r.reason}`;
        const existing = this.reasons.get(key);
        if (existing) existing.n += r.n;
        else this.reasons.set(key, r);
      }
    };
    const ts = (ms: number) => timestampValue(BigInt(ms) * 1000n);
    for (const b of buckets) {
      await connection.run(
        `insert into ingest_stats (store_id, source, hour, received, stored, rejected, deduplicated) values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (store_id, source, hour) do update set received = ingest_stats.received + excluded.received,
           stored = ingest_stats.stored + excluded.stored, rejected = ingest_stats.rejected + excluded.rejected,
           deduplicated = ingest_stats.deduplicated + excluded.deduplicated`,
        [b.storeId, b.source, ts(b.hour), BigInt(b.received), BigInt(b.stored), BigInt(b.rejected), BigInt(b.deduplicated)],
      );
    }
    for (const r of reasons) {
      await connection.run(
        `insert into ingest_rejections (store_id, source, hour, reason, n) values ($1, $2, $3, $4, $5)
         on conflict (store_id, source, hour, reason) do update set n = ingest_rejections.n + excluded.n`,
        [r.storeId, r.source, ts(r.hour), r.reason, BigInt(r.n)],
      );
    }
    return { restore };
  }

  /**
   * The last 24 hours per source: stored rows plus counts not yet written. Given the writer's Db,
   * the rows are read and the memory merged while the connection is held, so no flush interleaves.
   */
  async status(db: Db, storeId: string, now = Date.now()): Promise<IngestStatus> {
    const since = new Date(Math.floor(now / HOUR_MS) * HOUR_MS - 23 * HOUR_MS);
    return db.transaction().execute(async (trx) => {
      const totals = await sql<{ source: string; received: number; stored: number; rejected: number; deduplicated: number }>`
        select source, sum(received) as received, sum(stored) as stored, sum(rejected) as rejected, sum(deduplicated) as deduplicated
        from ingest_stats where store_id = ${storeId} and hour >= ${since} group by source`.execute(trx);
      const reasons = await sql<{ source: string; reason: string; n: number }>`
        select source, reason, sum(n) as n from ingest_rejections where store_id = ${storeId} and hour >= ${since}
        group by source, reason`.execute(trx);
      return this.merge(storeId, since, totals.rows, reasons.rows);
    });
  }

  private merge(storeId: string, since: Date, totals: { source: string; received: number; stored: number; rejected: number; deduplicated: number }[], reasons: { source: string; reason: string; n: number }[]): IngestStatus {
    const bySource = new Map<string, SourceStatus>();
    const entry = (source: string) => {
      let status = bySource.get(source);
      if (!status) {
        status = { source, received: 0, stored: 0, rejected: 0, deduplicated: 0, topRejections: [] };
        bySource.set(source, status);
      }
      return status;
    };
    for (const row of totals) for (const c of counters) entry(row.source)[c] += Number(row[c]);
    for (const b of this.buckets.values()) {
      if (b.storeId === storeId && b.hour >= since.getTime()) for (const c of counters) entry(b.source)[c] += b[c];
    }
    const reasonCounts = new Map<string, number>();
    for (const row of reasons) reasonCounts.set(`${row.source}\u0000${row.reason}`, (reasonCounts.get(`${row.source}\u0000${row.reason}`) ?? 0) + Number(row.n));
    for (const r of this.reasons.values()) {
      if (r.storeId === storeId && r.hour >= since.getTime()) reasonCounts.set(`${r.source}\u0000${r.reason}`, (reasonCounts.get(`${r.source}\u0000${r.reason}`) ?? 0) + r.n);
    }
    for (const [key, count] of reasonCounts) {
      const [source, reason] = key.split('\u0000') as [string, string];
      entry(source).topRejections.push({ reason, count });
    }
    for (const status of bySource.values()) status.topRejections = status.topRejections.sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)).slice(0, 5);
    return { since: since.toISOString(), sources: [...bySource.values()].sort((a, b) => a.source.localeCompare(b.source)) };
  }
}
