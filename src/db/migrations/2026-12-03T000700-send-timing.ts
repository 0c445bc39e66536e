import { sql, type Kysely } from 'kysely';

/**
 * When messages go out (docs/messaging.md, "Timing"):
 * - `message_send_states.not_before`: a queued message is not sent before this instant (a campaign
 *   sent at each recipient's local time or usual hour, or a message deferred by quiet hours).
 * - `message_settings`: the store's quiet hours (off by default; local wall-clock times, evaluated
 *   in each customer's time zone) and the weekly cap on marketing messages per customer.
 * - `campaigns.delivery`: when each recipient of a campaign gets it (JSON; null: at the start).
 */
const statements = [
  `alter table message_send_states add column not_before timestamp`,
  `alter table message_settings add column quiet_hours_enabled boolean`,
  `alter table message_settings add column quiet_hours_start varchar`,
  `alter table message_settings add column quiet_hours_end varchar`,
  `alter table message_settings add column weekly_cap integer`,
  `alter table campaigns add column delivery varchar`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table campaigns drop column delivery').execute(db);
  for (const column of ['weekly_cap', 'quiet_hours_end', 'quiet_hours_start', 'quiet_hours_enabled']) {
    await sql.raw(`alter table message_settings drop column ${column}`).execute(db);
  }
  await sql.raw('alter table message_send_states drop column not_before').execute(db);
}
