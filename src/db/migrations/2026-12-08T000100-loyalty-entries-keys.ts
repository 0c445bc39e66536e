import { sql, type Kysely } from 'kysely';

/**
 * The ledger without its (store, id) primary key. Ids come from one sequence, so the key checked
 * nothing, and DuckDB never used it to find a row (it looks rows up only through one-column
 * indexes); keeping it cost a third of the time of writing ledger rows (9 s of the 25 s of a
 * 10M-order backfill's inserts, measured) and of every checkpoint. The idempotency key stays
 * unique per store; the customer index stays. DuckDB cannot drop a constraint, so the table is
 * rebuilt with its rows in id order.
 */
const columns = `store_id, id, customer_id, kind, points, state, available_at, expires_at, source, order_id, redemption_id, reason, actor, idempotency_key, created_at`;

const table = (name: string, primaryKey: boolean) => `create table ${name} (
    store_id varchar not null,
    id bigint not null,
    customer_id bigint not null,
    kind varchar not null,
    points bigint not null,
    state varchar not null,
    available_at timestamp,
    expires_at timestamp,
    source varchar not null,
    order_id bigint,
    redemption_id varchar,
    reason varchar,
    actor varchar,
    idempotency_key varchar not null,
    created_at timestamp not null,
    ${primaryKey ? 'primary key (store_id, id),' : ''}
    unique (store_id, idempotency_key)
  )`;

async function rebuild(db: Kysely<unknown>, primaryKey: boolean): Promise<void> {
  const statements = [
    table('loyalty_entries_rebuilt', primaryKey),
    `insert into loyalty_entries_rebuilt (${columns}) select ${columns} from loyalty_entries order by id`,
    `drop index loyalty_entries_customer`,
    `drop table loyalty_entries`,
    `alter table loyalty_entries_rebuilt rename to loyalty_entries`,
    `create index loyalty_entries_customer on loyalty_entries (customer_id)`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, false);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, true);
}
