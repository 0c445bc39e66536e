import { sql, type Kysely } from 'kysely';

/**
 * - `customer_aliases`: the other external ids a customer is known by (a CSV import keyed by email,
 *   Shopify's id, a Segment userId), so every source lands on one customer (docs/identity.md).
 * - Consent per channel on customers (status, when, from where), birthday, language, time zone.
 * - The payment method on orders, and the first order's on the analytics summaries.
 * Existing customers who accept marketing are subscribed to email; the others were never asked.
 */
const statements = [
  `create table customer_aliases (
    store_id varchar not null,
    alias varchar not null,
    customer_id bigint not null,
    matched_by varchar not null,
    created_at timestamp not null,
    primary key (store_id, alias)
  )`,
  `alter table customers add column email_consent varchar`,
  `alter table customers add column email_consent_at timestamp`,
  `alter table customers add column email_consent_source varchar`,
  `alter table customers add column sms_consent varchar`,
  `alter table customers add column sms_consent_at timestamp`,
  `alter table customers add column sms_consent_source varchar`,
  `alter table customers add column birthday varchar`,
  `alter table customers add column language varchar`,
  `alter table customers add column timezone varchar`,
  `update customers set email_consent = case when accepts_marketing then 'subscribed' else 'never_asked' end, sms_consent = 'never_asked'`,
  `alter table orders add column payment_method varchar`,
  // The first order's payment method, a breakdown and filter of the analytics reports.
  `alter table customer_summary add column payment_method varchar`,
  `alter table customer_periods add column payment_method varchar`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`drop table customer_aliases`).execute(db);
  for (const column of ['email_consent', 'email_consent_at', 'email_consent_source', 'sms_consent', 'sms_consent_at', 'sms_consent_source', 'birthday', 'language', 'timezone']) {
    await sql.raw(`alter table customers drop column ${column}`).execute(db);
  }
  for (const table of ['orders', 'customer_summary', 'customer_periods']) await sql.raw(`alter table ${table} drop column payment_method`).execute(db);
}
