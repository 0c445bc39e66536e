/**
 * The checks at send time, before any SMTP conversation: an address to send to, the suppression
 * list (as the store's policy applies it to transactional mail), email consent for marketing, and
 * the frequency caps (one marketing message per N hours; at most M per 7 days), and the recipient's
 * choice of the message's topic, and the store's global holdout (marketing only). Each message
 * comes out as to send, or suppressed with the reason.
 */
import type { Db } from '../../db/database.js';
import { marketedCounts } from './send-timing.repository.js';
import type { MessageChannel } from './message.types.js';
import { recentlyMarketed } from './sends.repository.js';
import type { SendHeading, SuppressedReason, SuppressionReason, TransactionalPolicy } from './sends.table.js';
import { activeSuppressions, normaliseAddress } from './suppressions.repository.js';
import { currentChoices } from './topics.repository.js';
import { inGlobalHoldout } from './global-holdout.js';
import { topicsDb } from './topics.table.js';

/** Reasons that stop transactional mail under the default policy: the address cannot or must not get mail. */
const undeliverable: readonly SuppressionReason[] = ['hard_bounce', 'complaint', 'invalid_address', 'manual'];

export interface ScreenPolicy {
  transactionalPolicy: TransactionalPolicy;
  /** At most one marketing message per customer in this many hours; 0: no cap. */
  frequencyCapHours: number;
  /** At most this many marketing messages per customer in 7 days (sent, uncertain, and earlier in this batch); 0: no cap. */
  weeklyCap?: number;
  /** The consent marketing needs, and the channel whose messages the cap counts: email unless given (SMS, webhook). */
  consent?: 'email_consent' | 'sms_consent';
  channel?: MessageChannel;
  /** The store's global holdout share (0: off): those customers get no marketing message on any channel. */
  globalHoldoutShare?: number;
}

const WEEK_MS = 7 * 86_400_000;

export type Screened = { send: SendHeading; verdict: 'send' } | { send: SendHeading; verdict: 'suppressed'; reason: SuppressedReason };

export async function screen(db: Db, storeId: string, sends: readonly SendHeading[], policy: ScreenPolicy, now = new Date()): Promise<Screened[]> {
  const suppressions = await activeSuppressions(db, storeId, sends.map((s) => s.to_address), now);
  const marketingCustomers = [...new Set(sends.filter((s) => s.purpose === 'marketing' && s.customer_id !== null).map((s) => s.customer_id!))];
  const consent = new Map<number, string | null>();
  for (let i = 0; i < marketingCustomers.length; i += 1000) {
    const rows = await db.selectFrom('customers').select(['id', `${policy.consent ?? 'email_consent'} as consent`])
      .where('store_id', '=', storeId).where('id', 'in', marketingCustomers.slice(i, i + 1000)).execute();
    for (const row of rows) consent.set(Number(row.id), row.consent);
  }
  const withTopic = sends.filter((s) => s.purpose === 'marketing' && s.topic_id !== null).map((s) => normaliseAddress(s.to_address));
  const topicChoices = withTopic.length ? await currentChoices(topicsDb(db), storeId, withTopic) : new Map<string, Map<string, boolean>>();
  const capped = policy.frequencyCapHours > 0
    ? await recentlyMarketed(db, storeId, marketingCustomers, new Date(now.getTime() - policy.frequencyCapHours * 3_600_000), policy.channel ?? 'email')
    : new Set<number>();
  const weeklyCap = policy.weeklyCap ?? 0;
  const thisWeek = weeklyCap > 0 ? await marketedCounts(db, storeId, marketingCustomers, new Date(now.getTime() - WEEK_MS), policy.channel ?? 'email') : new Map<number, number>();

  return sends.map((send): Screened => {
    if (!send.to_address) return { send, verdict: 'suppressed', reason: 'no_address' };
    const listed = suppressions.get(normaliseAddress(send.to_address));
    if (send.purpose === 'marketing') {
      if (send.customer_id !== null && inGlobalHoldout(storeId, send.customer_id, policy.globalHoldoutShare ?? 0)) return { send, verdict: 'suppressed', reason: 'global_holdout' };
      if (listed) return { send, verdict: 'suppressed', reason: listed };
      if (send.customer_id === null || consent.get(send.customer_id) !== 'subscribed') return { send, verdict: 'suppressed', reason: 'no_consent' };
      if (send.topic_id !== null && topicChoices.get(normaliseAddress(send.to_address))?.get(send.topic_id) === false) return { send, verdict: 'suppressed', reason: 'topic_opt_out' };
      if (capped.has(send.customer_id)) return { send, verdict: 'suppressed', reason: 'frequency_cap' };
      const week = thisWeek.get(send.customer_id) ?? 0;
      if (weeklyCap > 0 && week >= weeklyCap) return { send, verdict: 'suppressed', reason: 'weekly_cap' };
      // A second marketing message to the same customer in this batch is capped too.
      if (policy.frequencyCapHours > 0) capped.add(send.customer_id);
      if (weeklyCap > 0) thisWeek.set(send.customer_id, week + 1);
      return { send, verdict: 'send' };
    }
    if (listed && (policy.transactionalPolicy === 'all' || undeliverable.includes(listed))) return { send, verdict: 'suppressed', reason: listed };
    return { send, verdict: 'send' };
  });
}
