/**
 * Blocks of ids from the tables' sequences, for bulk writers that append rows with their ids
 * (the demo generator, the tracked-events writer).
 */
import type { DuckDBConnection } from '@duckdb/node-api';

const SEQUENCES = { customers: 'customers_id_seq', products: 'products_id_seq', variants: 'variants_id_seq', orders: 'orders_id_seq', returns: 'returns_id_seq', events: 'events_id_seq' } as const;
export type SequenceOwner = keyof typeof SEQUENCES;

/**
 * Draws `count` consecutive ids from a table's sequence and returns the first. DuckDB has no
 * setval, so the block is taken with nextval in one statement: later API writes continue after
 * it. The writer connection is held exclusively, so nothing else can interleave.
 */
export async function drawIds(connection: DuckDBConnection, owner: SequenceOwner, count: number): Promise<number> {
  if (count === 0) return 0;
  const sequence = SEQUENCES[owner];
  const reader = await connection.runAndReadAll(`select min(v)::bigint as lo, max(v)::bigint as hi from (select nextval('${sequence}') as v from range($1::bigint))`, [BigInt(count)]);
  const [lo, hi] = reader.getRows()[0]! as [bigint, bigint];
  if (Number(hi - lo) + 1 !== count) throw new Error(`${sequence} did not hand out a contiguous block of ${count} ids`);
  return Number(lo);
}
