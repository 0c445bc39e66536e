/**
 * A larger store for timing tests, generated inside DuckDB in one statement: `customers` buyers
 * over two years, each with a first order day, a personal gap between orders and a number of
 * orders, all from hashes of the customer number, so every run writes the same orders.
 */
import { sql } from 'kysely';
import type { Storage } from '../../src/db/database.js';

export async function insertSyntheticOrders(storage: Storage, storeId: string, customers: number): Promise<number> {
  const result = await sql`
    insert into orders (store_id, id, external_id, customer_id, placed_at, currency, subtotal, total, created_at, updated_at)
    with buyers as (
      select range as c, hash(range, 1) % 700 as first_day, 7 + hash(range, 2) % 120 as gap, 1 + hash(range, 3) % 3 * (1 + hash(range, 4) % 4) as n
      from range(cast(${customers} as bigint))
    ),
    days as (
      select c, k, first_day + k * gap + hash(c, k, 5) % 5 as day
      from buyers, range(12) as r(k) where k < n
    )
    select ${storeId}, row_number() over (order by c, k), 'syn-' || c || '-' || k, c + 1,
      timestamp '2024-01-01' + to_days(cast(day as integer)), 'USD', 1000 + hash(c, k, 6) % 9000, 1000 + hash(c, k, 6) % 9000,
      timestamp '2026-01-01', timestamp '2026-01-01'
    from days where day < 730
  `.execute(storage.write);
  return Number(result.numAffectedRows ?? 0);
}
