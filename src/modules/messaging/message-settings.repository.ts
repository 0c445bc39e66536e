/** The store's sending settings (one row per store, created with a random signing key on first use). */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/database.js';
import type { MessageSettingsTable } from './sends.table.js';

export type SettingsChanges = Partial<Omit<MessageSettingsTable, 'store_id' | 'signing_key' | 'updated_at'>>;

export async function loadSettings(write: Db, read: Db, storeId: string): Promise<MessageSettingsTable> {
  const found = await read.selectFrom('message_settings').selectAll().where('store_id', '=', storeId).executeTakeFirst();
  if (found) return found;
  await write.insertInto('message_settings').values({
    store_id: storeId, from_address: null, from_name: null, reply_to: null, smtp_url: null, dkim_domain: null, dkim_selector: null,
    dkim_private_key: null, rate_per_second: null, frequency_cap_hours: null, transactional_policy: null, pause_after_errors: null, sendgrid_verification_key: null, mailgun_signing_key: null,
    quiet_hours_enabled: null, quiet_hours_start: null, quiet_hours_end: null, weekly_cap: null,
    signing_key: randomBytes(32).toString('base64url'), updated_at: new Date(),
    sms_base_url: null, sms_account_sid: null, sms_auth_token: null, sms_from: null, sms_messaging_service_sid: null, webhook_url: null, webhook_secret: null, webhook_consent: null,
    global_holdout_share: null, global_holdout_since: null,
  }).onConflict((oc) => oc.column('store_id').doNothing()).execute();
  return write.selectFrom('message_settings').selectAll().where('store_id', '=', storeId).executeTakeFirstOrThrow();
}

export async function saveSettings(db: Db, storeId: string, changes: SettingsChanges): Promise<void> {
  if (Object.keys(changes).length === 0) return;
  await db.updateTable('message_settings').set({ ...changes, updated_at: new Date() }).where('store_id', '=', storeId).execute();
}
