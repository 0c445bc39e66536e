/**
 * Adding an offer's generated codes to its Shopify discount (docs/offers.md, "Codes in Shopify"),
 * so that a code works at the shop's checkout before a customer is given it. Each pass:
 * 1. codes sent in a request whose answer was lost (a crash, a timeout) are looked up one by one:
 *    held by the offer's discount, confirmed; held by nothing, sent again; held by another
 *    discount, refused;
 * 2. bulk creations still running are asked again; once done, each code is confirmed or refused
 *    with Shopify's reason;
 * 3. an active offer whose confirmed free codes run low gets more from its pattern;
 * 4. codes never sent go, 250 a call, each recorded as sent before the request leaves.
 * A refused code is never handed out. Every step is recorded before the next, so a pass that
 * stops anywhere is finished by the next without adding a code twice.
 */
import { sql } from 'kysely';
import { extendPool } from './offer-pool.js';
import { SHOPIFY_CODES_PER_CALL, ShopifyAdminError, type ShopifyAdmin } from './shopify-admin.js';
import type { OffersDb, OfferTable } from './offers.table.js';

export interface PushState {
  /** Codes Shopify confirmed. */
  confirmed: number;
  /** Codes sent and not yet confirmed or refused. */
  pending: number;
  refused: number;
  /** Codes of the pool not sent yet. */
  unsent: number;
}

export interface PushOptions {
  /** Asks for a running bulk creation at most this many times per pass. */
  polls?: number;
  /** Waits between those asks. */
  wait?: (ms: number) => Promise<void>;
  /** At most this many calls of 250 codes per pass. */
  maxCalls?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function pushState(db: OffersDb, storeId: string, offerId: string): Promise<PushState> {
  const { rows } = await sql<{ confirmed: number; pending: number; refused: number; unsent: number }>`
    select count(p.code) filter (where p.pushed_at is not null) as confirmed,
      count(p.code) filter (where p.pushed_at is null and p.error is null) as pending,
      count(p.code) filter (where p.error is not null) as refused,
      count(*) filter (where p.code is null) as unsent
    from offer_codes c left join offer_code_pushes p on p.store_id = c.store_id and p.code = c.code
    where c.store_id = ${storeId} and c.offer_id = ${offerId}`.execute(db);
  const r = rows[0]!;
  return { confirmed: Number(r.confirmed), pending: Number(r.pending), refused: Number(r.refused), unsent: Number(r.unsent) };
}

async function settle(db: OffersDb, storeId: string, code: string, outcome: { error: string | null }, now: Date): Promise<void> {
  await db.updateTable('offer_code_pushes').set(outcome.error === null ? { pushed_at: now, error: null } : { error: outcome.error.slice(0, 500) })
    .where('store_id', '=', storeId).where('code', '=', code).execute();
}

/** One pass for one offer linked to `discountId`; returns where its codes stand after it. */
export async function pushOfferCodes(
  db: OffersDb, admin: ShopifyAdmin, storeId: string, offer: OfferTable, discountId: string, now: Date, options: PushOptions = {},
): Promise<PushState> {
  const { polls = 5, wait = sleep, maxCalls = 40 } = options;
  // 1. Requests whose answer was lost.
  const lost = await db.selectFrom('offer_code_pushes').select('code').where('store_id', '=', storeId).where('offer_id', '=', offer.id)
    .where('batch_id', 'is', null).where('pushed_at', 'is', null).where('error', 'is', null).execute();
  for (const { code } of lost) {
    const holder = await admin.discountOf(code);
    if (holder === discountId) await settle(db, storeId, code, { error: null }, now);
    else if (holder === null) await db.deleteFrom('offer_code_pushes').where('store_id', '=', storeId).where('code', '=', code).execute();
    else await settle(db, storeId, code, { error: `Shopify has this code on another discount (${holder})` }, now);
  }
  // 2. Bulk creations still running.
  const running = async () => (await db.selectFrom('offer_code_pushes').select('batch_id').distinct().where('store_id', '=', storeId).where('offer_id', '=', offer.id)
    .where('batch_id', 'is not', null).where('pushed_at', 'is', null).where('error', 'is', null).execute()).map((r) => r.batch_id!);
  const finish = async (batchId: string): Promise<boolean> => {
    for (let attempt = 0; attempt < polls; attempt += 1) {
      const creation = await admin.creation(batchId);
      if (creation.done) {
        const results = new Map(creation.codes.map((c) => [c.code.toUpperCase(), c.errors]));
        const sent = await db.selectFrom('offer_code_pushes').select('code').where('store_id', '=', storeId).where('batch_id', '=', batchId).execute();
        for (const { code } of sent) {
          const errors = results.get(code);
          await settle(db, storeId, code, { error: errors === undefined ? 'not in Shopify\'s answer' : errors.length ? errors.join('; ') : null }, now);
        }
        return true;
      }
      if (attempt < polls - 1) await wait(Math.min(8000, 500 * 2 ** attempt));
    }
    return false;
  };
  for (const batchId of await running()) if (!(await finish(batchId))) return pushState(db, storeId, offer.id);
  // 3. Enough confirmed or pending codes for the next sends.
  if (offer.status === 'active' && offer.source === 'pattern' && offer.pattern) {
    const { rows } = await sql<{ free: number }>`select count(*) as free from offer_codes c
      where c.store_id = ${storeId} and c.offer_id = ${offer.id}
        and not exists (select 1 from offer_issues i where i.store_id = c.store_id and i.code = c.code)
        and not exists (select 1 from offer_code_pushes p where p.store_id = c.store_id and p.code = c.code and p.error is not null)`.execute(db);
    if (Number(rows[0]?.free ?? 0) < offer.pool_size / 2) {
      await db.transaction().execute(async (tx) => extendPool(tx, storeId, offer.id, offer.pattern!, offer.pool_size, now));
    }
  }
  // 4. Codes never sent, lowest first (the order they are handed out in).
  for (let calls = 0; calls < maxCalls; calls += 1) {
    const { rows } = await sql<{ code: string }>`select c.code from offer_codes c
      where c.store_id = ${storeId} and c.offer_id = ${offer.id}
        and not exists (select 1 from offer_code_pushes p where p.store_id = c.store_id and p.code = c.code)
        and not exists (select 1 from offer_issues i where i.store_id = c.store_id and i.code = c.code)
      order by c.seq limit ${SHOPIFY_CODES_PER_CALL}`.execute(db);
    if (rows.length === 0) break;
    const codes = rows.map((r) => r.code);
    await db.insertInto('offer_code_pushes').values(codes.map((code) => ({ store_id: storeId, code, offer_id: offer.id, batch_id: null, sent_at: now, pushed_at: null, error: null }))).execute();
    let batchId: string;
    try {
      batchId = await admin.addCodes(discountId, codes);
    } catch (error) {
      // Refused with an answer: none of them was created, so they are unsent again. Without one, step 1 finds out next time.
      if (error instanceof ShopifyAdminError && error.answered) await db.deleteFrom('offer_code_pushes').where('store_id', '=', storeId).where('code', 'in', codes).execute();
      throw error;
    }
    await db.updateTable('offer_code_pushes').set({ batch_id: batchId }).where('store_id', '=', storeId).where('code', 'in', codes).execute();
    if (!(await finish(batchId))) break;
  }
  return pushState(db, storeId, offer.id);
}
