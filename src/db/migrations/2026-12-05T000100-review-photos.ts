/**
 * Photos on reviews (docs/listen.md, "Photos"): one row per stored photo, its bytes in a file under
 * the data directory (`review-photos/<store>/<photo id>.<ext>`). The id is random and names the
 * file and the public address; the digest keeps the same picture from being added to a review twice.
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table review_photos (
    store_id varchar not null,
    id varchar not null,
    review_id varchar not null,
    position integer not null,
    content_type varchar not null,
    bytes integer not null,
    width integer,
    height integer,
    sha256 varchar not null,
    created_at timestamp not null,
    primary key (store_id, id)
  )`,
  `create index review_photos_review on review_photos (store_id, review_id)`,
  `create unique index review_photos_id on review_photos (id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table review_photos').execute(db);
}
