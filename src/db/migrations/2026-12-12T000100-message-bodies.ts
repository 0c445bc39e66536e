import { sql, type Kysely } from 'kysely';

/**
 * The rendered HTML and text of each message move from `message_sends` to `message_bodies`, a
 * table without an index, one row per message written with it and never updated.
 *
 * DuckDB adds a new row group for rows appended to a table without an index, but rewrites the
 * last one at each checkpoint of a table with one. `message_sends` has two (its key and the
 * unique send key), so every checkpoint of a sending campaign rewrote up to 122,880 rendered
 * messages: measured with 30,000 messages of 26 KB written 500 at a time, 110 s into the indexed
 * table, 48 s into the ledger without bodies and a body table beside it.
 *
 * Going back rebuilds the ledger with its bodies, as a column added to it could not be declared
 * not null.
 */
const headingColumns = `store_id, id, send_key, channel, purpose, source, customer_id, to_address, from_address, subject, preheader, headers,
  template_id, template_version, created_at, topic_id`;

const ledger = (name: string) => `create table ${name} (
    store_id varchar not null,
    id bigint not null,
    send_key varchar not null,
    channel varchar not null,
    purpose varchar not null,
    source varchar,
    customer_id bigint,
    to_address varchar not null,
    from_address varchar not null,
    subject varchar not null,
    preheader varchar not null,
    html varchar not null,
    text varchar not null,
    headers varchar not null,
    template_id varchar,
    template_version integer,
    created_at timestamp not null,
    topic_id varchar,
    primary key (store_id, id),
    unique (store_id, send_key)
  )`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `create table message_bodies (
      store_id varchar not null,
      send_id bigint not null,
      html varchar not null,
      text varchar not null
    )`,
    `insert into message_bodies select store_id, id, html, text from message_sends order by id`,
    `alter table message_sends drop column html`,
    `alter table message_sends drop column text`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const statements = [
    ledger('message_sends_rebuilt'),
    `insert into message_sends_rebuilt (${headingColumns}, html, text)
      select ${headingColumns.replace(/(\w+)/g, 's.$1')}, coalesce(b.html, ''), coalesce(b.text, '')
      from message_sends s left join message_bodies b on b.store_id = s.store_id and b.send_id = s.id order by s.id`,
    `drop table message_sends`,
    `alter table message_sends_rebuilt rename to message_sends`,
    `drop table message_bodies`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}
