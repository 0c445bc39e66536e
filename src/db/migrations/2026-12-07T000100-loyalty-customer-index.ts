import { sql, type Kysely } from 'kysely';

/**
 * A customer's ledger rows found through an index on the customer alone. DuckDB looks rows up in
 * an index only for a filter on its single column; the (store, customer) indexes were never used
 * for reading, so every read of one customer's rows scanned the table. Customer ids are unique
 * across stores, so the store is checked on the rows found.
 */
const tables = ['loyalty_entries', 'loyalty_allocations'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of tables) {
    await sql.raw(`drop index ${table}_customer`).execute(db);
    await sql.raw(`create index ${table}_customer on ${table} (customer_id)`).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of tables) {
    await sql.raw(`drop index ${table}_customer`).execute(db);
    await sql.raw(`create index ${table}_customer on ${table} (store_id, customer_id)`).execute(db);
  }
}
