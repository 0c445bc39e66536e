import { sql, type Kysely } from 'kysely';

/**
 * Redemptions found by their idempotency key and by their code through one-column indexes, the
 * only kind DuckDB looks rows up with: each group of redemptions reads its keys and its new codes,
 * which scanned the whole table before (the (store, key) and (store, code) unique constraints stay,
 * and keys and codes are checked against the store on the rows found).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index loyalty_redemptions_key on loyalty_redemptions (idempotency_key)`.execute(db);
  await sql`create index loyalty_redemptions_code on loyalty_redemptions (code)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index loyalty_redemptions_code`.execute(db);
  await sql`drop index loyalty_redemptions_key`.execute(db);
}
