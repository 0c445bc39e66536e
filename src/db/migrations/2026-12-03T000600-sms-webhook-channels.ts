import { sql, type Kysely } from 'kysely';

/**
 * The SMS and webhook channels' settings per store (docs/messaging.md, "SMS" and "Webhook
 * channel"): the Twilio-compatible API's base URL, account SID, auth token (never returned), the
 * sender (a number or a messaging service SID); the webhook's URL, its signing secret (shown once)
 * and which consent its marketing messages need.
 */
const columns: [string, string][] = [
  ['sms_base_url', 'varchar'],
  ['sms_account_sid', 'varchar'],
  ['sms_auth_token', 'varchar'],
  ['sms_from', 'varchar'],
  ['sms_messaging_service_sid', 'varchar'],
  ['webhook_url', 'varchar'],
  ['webhook_secret', 'varchar'],
  ['webhook_consent', 'varchar'],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [column, type] of columns) await sql.raw(`alter table message_settings add column ${column} ${type}`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [column] of columns) await sql.raw(`alter table message_settings drop column ${column}`).execute(db);
}
