/**
 * The fraud checks of a referral (docs/loyalty.md, "Fraud checks"). Each failed check is a value
 * with its reason, never an exception; the referral is rejected with the first and the detail
 * lists them all. They run at the friend's sign-up and again at the friend's first order, with
 * what is known then (the order's customer may be known only at the order).
 */
import { sql } from 'kysely';
import { normaliseEmail } from './referral.normalise.js';
import type { RejectionReason } from './referral.table.js';
import type { LoyaltyDb, LoyaltyTx } from './loyalty.table.js';
import type { ReferralSettings } from './loyalty.settings.js';

type Reader = LoyaltyDb | LoyaltyTx;

export interface Failure { reason: RejectionReason; detail: string }

/** What is known of the friend (normalised). */
export interface Friend {
  email: string | null;
  customerId: number | null;
  anonymousIds: readonly string[];
  address: string | null;
  payment: string | null;
}

/**
 * The same normal form as `normaliseEmail`, in SQL, to find customers by a normalised address
 * (DuckDB's RE2 regexp functions).
 */
const normalisedEmailSql = sql`(case
  when regexp_extract(lower(trim(email)), '@([^@]*)$', 1) in ('gmail.com', 'googlemail.com')
    then replace(regexp_replace(regexp_extract(lower(trim(email)), '^(.*)@[^@]*$', 1), '^([^+]+)\\+.*$', '\\1'), '.', '') || '@gmail.com'
  else regexp_replace(regexp_extract(lower(trim(email)), '^(.*)@[^@]*$', 1), '^([^+]+)\\+.*$', '\\1') || '@' || regexp_extract(lower(trim(email)), '@([^@]*)$', 1)
end)`;

/** Customers of the store whose email is the same mailbox, lowest id first. */
export async function customersByEmail(db: Reader, storeId: string, normalised: string): Promise<number[]> {
  const domain = normalised.slice(normalised.lastIndexOf('@') + 1);
  const domains = domain === 'gmail.com' ? ['gmail.com', 'googlemail.com'] : [domain];
  const { rows } = await sql<{ id: number }>`select id from customers where store_id = ${storeId} and email is not null
    and regexp_extract(lower(trim(email)), '@([^@]*)$', 1) in (select unnest(${domains}::varchar[]))
    and ${normalisedEmailSql} = ${normalised} order by id`.execute(db);
  return rows.map((r) => Number(r.id));
}

/** The anonymous (device) ids linked to a customer (docs/identity.md, "Anonymous visitors"). */
export async function anonymousIdsOf(db: Reader, storeId: string, customerId: number): Promise<string[]> {
  const rows = await db.selectFrom('identities').select('anonymous_id').where('store_id', '=', storeId).where('customer_id', '=', customerId).execute();
  return rows.map((r) => r.anonymous_id);
}

function periodStart(per: ReferralSettings['limit']['per'], now: Date): Date {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  if (per === 'day') return day;
  if (per === 'week') return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000);
  if (per === 'month') return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  return new Date(Date.UTC(now.getUTCFullYear(), 0, 1));
}

/**
 * Every check that fails for this friend of this referrer. `limit`: also count the referrer's
 * accepted sign-ups in the period (only at sign-up; the order does not count again).
 */
export async function fraudChecks(db: Reader, storeId: string, referral: { id: string; referrer_id: number; clicked_at: Date }, friend: Friend,
  settings: ReferralSettings, now: Date, options: { limit: boolean }): Promise<Failure[]> {
  const failures: Failure[] = [];
  const referrerId = referral.referrer_id;
  const referrer = await db.selectFrom('customers').select('email').where('store_id', '=', storeId).where('id', '=', referrerId).executeTakeFirst();
  // Other customer records with the friend's mailbox: the friend's own, when not the referrer's.
  const friendIds = new Set<number>(friend.customerId !== null ? [friend.customerId] : []);
  if (friend.email) for (const id of await customersByEmail(db, storeId, friend.email)) friendIds.add(id);
  friendIds.delete(referrerId);

  if (friend.customerId === referrerId) failures.push({ reason: 'same_customer', detail: 'the friend is the referrer (the same customer)' });
  const referrerEmail = referrer?.email ? normaliseEmail(referrer.email) : undefined;
  if (friend.email && referrerEmail && friend.email === referrerEmail) failures.push({ reason: 'same_email', detail: `the friend's email is the referrer's (${friend.email} after normalising)` });

  const facts = await db.selectFrom('loyalty_referral_facts').select(['kind', 'value']).where('store_id', '=', storeId).where('customer_id', '=', referrerId).execute();
  if (friend.address && facts.some((f) => f.kind === 'address' && f.value === friend.address)) failures.push({ reason: 'same_address', detail: 'the friend\'s shipping address is the referrer\'s' });
  if (friend.payment && facts.some((f) => f.kind === 'payment' && f.value === friend.payment)) failures.push({ reason: 'same_payment', detail: 'the friend pays with the referrer\'s payment method (same fingerprint)' });

  const devices = new Set(await anonymousIdsOf(db, storeId, referrerId));
  const friendDevices = new Set(friend.anonymousIds);
  for (const id of friendIds) for (const a of await anonymousIdsOf(db, storeId, id)) friendDevices.add(a);
  if ([...friendDevices].some((a) => devices.has(a))) failures.push({ reason: 'same_device', detail: 'the friend browsed with an anonymous id of the referrer\'s (same device)' });

  if (friendIds.size) {
    const before = await db.selectFrom('orders').select(sql<number>`count(*)`.as('n')).where('store_id', '=', storeId)
      .where('customer_id', 'in', [...friendIds]).where('placed_at', '<', referral.clicked_at).executeTakeFirst();
    if (Number(before?.n ?? 0) > 0) failures.push({ reason: 'existing_customer', detail: 'the friend had ordered before following the referral link' });
  }

  if (options.limit) {
    const since = periodStart(settings.limit.per, now);
    const { rows } = await sql<{ n: number }>`select count(distinct r.id) as n from loyalty_referrals r
      join loyalty_referral_steps s on s.store_id = r.store_id and s.referral_id = r.id and s.state = 'signed_up'
      where r.store_id = ${storeId} and r.referrer_id = ${referrerId} and r.id <> ${referral.id} and s.occurred_at >= ${since}`.execute(db);
    const n = Number(rows[0]?.n ?? 0);
    if (n >= settings.limit.max) failures.push({ reason: 'too_many_referrals', detail: `the referrer already brought ${n} sign-ups this ${settings.limit.per} (at most ${settings.limit.max})` });
  }
  return failures;
}
