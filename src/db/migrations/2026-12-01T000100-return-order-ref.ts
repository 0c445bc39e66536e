import { sql, type Kysely } from 'kysely';

/**
 * Returns keep the external id of the order they refund, so a refund that arrives before its order
 * (webhooks are not delivered in order) is attached when the order arrives instead of staying
 * orphaned. Returns already attached get their order's external id.
 */
const statements = [
  `alter table returns add column order_external_id varchar`,
  `update returns set order_external_id = o.external_id from orders o where returns.store_id = o.store_id and returns.order_id = o.id`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`alter table returns drop column order_external_id`).execute(db);
}
