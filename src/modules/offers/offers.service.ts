/**
 * Offers and unique discount codes (docs/offers.md): the offers, their pools of codes (made from a
 * pattern or imported), issuing a code exactly once per idempotency key, redemptions matched from
 * orders (the `offers` subscriber), and the results measured against the holdout. Every write runs
 * in one transaction on the writer connection, so the state survives a restart and concurrent
 * requests take turns.
 */
import type { Storage } from '../../db/database.js';
import { AppError, invalid, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { DomainEvent } from '../domain-events/index.js';
import { readCodeFile } from './offer-codes.js';
import { offerInputSchema, shopifyConnectionSchema, type OfferInput } from './offer.input.js';
import { DEFAULT_SHOPIFY_ADMIN_URL, shopifyAdmin, ShopifyAdminError, type ShopifyAdmin, type ShopifyConnection } from './shopify-admin.js';
import { pushOfferCodes, pushState, type PushOptions, type PushState } from './shopify-push.js';
import { armOf, earlierIssue, issueCode, issueCodes } from './offer-issue.js';
import { extendPool, insertCodes, takenCodes } from './offer-pool.js';
import { handleOrderEvents } from './offer-redemptions.js';
import { offerResults, type OfferExperiments } from './offer-results.js';
import { countedRedemptions } from './offer-redemptions.js';
import { offersDb, type OffersDb, type OfferStatus, type OfferTable } from './offers.table.js';
import { offerView, type CodeView, type IssueView, type OfferResults, type OfferView } from './offers.views.js';
import { sql } from 'kysely';

/** What the offers need of the segments: whether one exists, and whether a customer is in it now. */
export interface OfferSegments {
  exists(storeId: string, segmentId: string): Promise<boolean>;
  isMember(storeId: string, segmentId: string, customerId: number): Promise<boolean>;
}

export interface OfferDependencies {
  segments: () => OfferSegments;
  experiments: () => OfferExperiments;
  /** Shopify's Admin API: its URL (`{shop}` for the shop's domain) and the fetch that calls it (default the global one). */
  shopify?: { adminUrl: string; fetch?: typeof fetch };
  /** Queues a push of an offer's codes to Shopify (the worker runs it). */
  enqueuePush?: (storeId: string, offerId: string) => Promise<void>;
}

/** A store's Shopify connection as shown: never the token. */
export interface ShopifyConnectionView {
  shop: string;
  connected_at: Date;
}

/** Which status changes are allowed: ended is final. */
const transitions: Record<OfferStatus, readonly OfferStatus[]> = { active: ['paused', 'ended'], paused: ['active', 'ended'], ended: [] };

const EVENTS_PER_TRANSACTION = 200;

export class OffersService {
  private readonly write: OffersDb;
  private readonly read: OffersDb;

  constructor(storage: Storage, private readonly dependencies: OfferDependencies) {
    this.write = offersDb(storage.write);
    this.read = offersDb(storage.read);
  }

  /** `options.id`: a fixed id instead of a new one (the demo's, so that the holdout hash gives the same holdout on every build). */
  async create(storeId: string, input: OfferInput | unknown, now = new Date(), options: { id?: string } = {}): Promise<OfferView> {
    const parsed = offerInputSchema.safeParse(input);
    if (!parsed.success) throw invalid('Invalid offer', parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', reason: i.message })));
    const offer = parsed.data;
    if (offer.segment_id && !(await this.dependencies.segments().exists(storeId, offer.segment_id))) {
      throw invalid('Unknown segment', [{ path: 'segment_id', reason: `no segment ${offer.segment_id} in this store` }]);
    }
    if (offer.expires_at && new Date(offer.expires_at) <= now) throw invalid('Invalid offer', [{ path: 'expires_at', reason: 'must be in the future' }]);
    if (offer.shopify_discount_id && !(await this.shopifyConnection(storeId))) {
      throw invalid('The store is not connected to Shopify', [{ path: 'shopify_discount_id', reason: 'connect the store first: PUT /api/v1/offers/shopify/connection' }]);
    }
    const id = options.id ?? newId('ofr');
    const row: OfferTable = {
      store_id: storeId, id, name: offer.name, value_kind: offer.value_kind, value: offer.value, minimum_spend: offer.minimum_spend,
      expires_at: offer.expires_at ? new Date(offer.expires_at) : null, valid_days: offer.valid_days ?? null, source: offer.source,
      pattern: offer.pattern ?? null, pool_size: offer.pool_size, segment_id: offer.segment_id, guardrail_max: offer.guardrail?.max_offers ?? null,
      guardrail_days: offer.guardrail?.days ?? null, holdout_share: offer.holdout_share, seed: `offer:${id}`, status: 'active', created_at: now, updated_at: now,
    };
    await this.write.transaction().execute(async (tx) => {
      await tx.insertInto('offers').values(row).execute();
      if (row.source === 'pattern' && row.pattern) await extendPool(tx, storeId, id, row.pattern, row.pool_size, now);
      if (offer.shopify_discount_id) await tx.insertInto('offer_shopify').values({ store_id: storeId, offer_id: id, discount_id: offer.shopify_discount_id, linked_at: now }).execute();
    });
    if (offer.shopify_discount_id) await this.dependencies.enqueuePush?.(storeId, id);
    return this.get(storeId, id, this.write);
  }

  async list(storeId: string): Promise<OfferView[]> {
    const rows = await this.read.selectFrom('offers').select('id').where('store_id', '=', storeId).orderBy('created_at', 'desc').orderBy('id').execute();
    return Promise.all(rows.map((r) => this.get(storeId, r.id)));
  }

  async get(storeId: string, id: string, db: OffersDb = this.read): Promise<OfferView> {
    const row = await this.row(storeId, id, db);
    const { rows } = await sql<{ codes: number; issued: number }>`select count(*) as codes,
      count(*) filter (where exists (select 1 from offer_issues i where i.store_id = c.store_id and i.code = c.code)) as issued
      from offer_codes c where c.store_id = ${storeId} and c.offer_id = ${id}`.execute(db);
    const codes = Number(rows[0]?.codes ?? 0);
    const link = await db.selectFrom('offer_shopify').select('discount_id').where('store_id', '=', storeId).where('offer_id', '=', id).executeTakeFirst();
    const shopify = link ? { discount_id: link.discount_id, ...(await pushState(db, storeId, id)) } : null;
    return offerView(row, await this.currency(storeId, db), { codes, available: codes - Number(rows[0]?.issued ?? 0) }, shopify);
  }

  /** The offer with its results (see offer-results.ts). */
  async show(storeId: string, id: string, now = new Date()): Promise<OfferView & { results: OfferResults }> {
    const view = await this.get(storeId, id);
    return { ...view, results: await offerResults(this.read, this.dependencies.experiments(), storeId, id, view.currency, now) };
  }

  async results(storeId: string, id: string, now = new Date()): Promise<OfferResults> {
    return (await this.show(storeId, id, now)).results;
  }

  /** Pauses, resumes or ends an offer; setting the status it has changes nothing; an ended offer stays ended. */
  async setStatus(storeId: string, id: string, status: OfferStatus, now = new Date()): Promise<OfferView> {
    await this.write.transaction().execute(async (tx) => {
      const row = await this.row(storeId, id, tx);
      if (row.status === status) return;
      if (!transitions[row.status].includes(status)) throw new AppError('conflict', `The offer is ${row.status}; it cannot become ${status}`, [{ path: 'status', reason: `an ${row.status} offer stays ${row.status}` }]);
      await tx.updateTable('offers').set({ status, updated_at: now }).where('store_id', '=', storeId).where('id', '=', id).execute();
    });
    return this.get(storeId, id, this.write);
  }

  /**
   * Adds the codes of a CSV (Shopify's discount code export) to an imported offer's pool. The whole
   * file is checked first: a bad line, or a code another offer of the store has, refuses it whole.
   * Codes the offer already has are skipped, so importing the same file again adds nothing.
   */
  async importCodes(storeId: string, id: string, csv: string, now = new Date()): Promise<{ imported: number; already: number; pool: OfferView['pool'] }> {
    const codes = readCodeFile(csv);
    const result = await this.write.transaction().execute(async (tx) => {
      const row = await this.row(storeId, id, tx);
      if (row.source !== 'import') throw new AppError('conflict', 'This offer makes its codes from its pattern; only an offer with source "import" takes a file', [{ path: 'offer_id', reason: 'codes come from the pattern' }]);
      if (row.status === 'ended') throw new AppError('conflict', 'The offer has ended', [{ path: 'offer_id', reason: 'ended' }]);
      const taken = await takenCodes(tx, storeId, codes.map((c) => c.code));
      const elsewhere = codes.filter((c) => taken.has(c.code) && taken.get(c.code) !== id);
      if (elsewhere.length) {
        throw invalid(`${elsewhere.length} code${elsewhere.length === 1 ? ' belongs' : 's belong'} to another offer; nothing was imported`,
          elsewhere.slice(0, 50).map((c) => ({ path: `line ${c.line}`, reason: `${c.code} is a code of offer ${taken.get(c.code)}` })));
      }
      const fresh = codes.filter((c) => !taken.has(c.code)).map((c) => c.code);
      await insertCodes(tx, storeId, id, fresh, 'imported', now);
      return { imported: fresh.length, already: codes.length - fresh.length };
    });
    return { ...result, pool: (await this.get(storeId, id, this.write)).pool };
  }

  /**
   * Issues a code of the offer to the customer under an idempotency key (a send key): the same key
   * always gets the same answer (offer-issue.ts).
   */
  async issue(storeId: string, offerId: string, customerId: number, key: string, now = new Date()): Promise<{ issue: IssueView; replayed: boolean }> {
    // A retry is answered from a reader, without waiting for the writer (checked again inside the transaction).
    const earlier = await earlierIssue(this.read, storeId, key);
    if (earlier && earlier.offer_id === offerId && earlier.customer_id === customerId) return { issue: earlier, replayed: true };
    const offer = await this.row(storeId, offerId);
    // Membership is read before the transaction: the segments module keeps it, nothing here writes it.
    const member = offer.segment_id ? await this.dependencies.segments().isMember(storeId, offer.segment_id, customerId) : true;
    const confirmedOnly = await this.linked(storeId, offerId);
    return this.write.transaction().execute(async (tx) => issueCode(tx, storeId, {
      offer: await this.row(storeId, offerId, tx), customerId, key, inSegment: () => Promise.resolve(member), now, confirmedOnly,
    }));
  }

  /** Each customer's arm, the one issuing records when they become eligible (offer-issue.ts): the same hash, so known before. */
  async armsOf(storeId: string, offerId: string, customerIds: readonly number[]): Promise<Map<number, 'offered' | 'holdout'>> {
    const offer = await this.row(storeId, offerId);
    return new Map(customerIds.map((id) => [id, armOf(offer, id)]));
  }

  /** Refuses an offer a message cannot carry: unknown or ended (422 naming `offer_id`). */
  async check(storeId: string, offerId: string): Promise<void> {
    const row = await this.read.selectFrom('offers').select('status').where('store_id', '=', storeId).where('id', '=', offerId).executeTakeFirst();
    if (!row) throw invalid('Unknown offer', [{ path: 'offer_id', reason: `no offer ${offerId} in this store` }]);
    if (row.status === 'ended') throw invalid('The offer has ended', [{ path: 'offer_id', reason: `offer ${offerId} has ended` }]);
  }

  /**
   * One code per recipient of a message, each under its send key, in one transaction: a retried
   * send gets the same codes. Answered by send key. Null for the offer's holdout and for the ineligible (segment, guardrail).
   */
  async codesFor(storeId: string, offerId: string, recipients: readonly { customerId: number; key: string }[], now = new Date()): Promise<Map<string, string | null>> {
    const offer = await this.row(storeId, offerId);
    const members = new Map<number, boolean>();
    if (offer.segment_id) for (const r of recipients) members.set(r.customerId, await this.dependencies.segments().isMember(storeId, offer.segment_id, r.customerId));
    const confirmedOnly = await this.linked(storeId, offerId);
    return this.write.transaction().execute(async (tx) => {
      const current = await this.row(storeId, offerId, tx);
      const answers = await issueCodes(tx, storeId, { offer: current, recipients, inSegment: (customerId) => Promise.resolve(members.get(customerId) ?? false), now, confirmedOnly });
      return new Map(recipients.map((r) => [r.key, answers.get(r.key)!.issue.code]));
    });
  }

  /** The offer's codes in pool order, `limit` after the cursor (a code's position). */
  async codes(storeId: string, offerId: string, options: { after?: number; limit?: number; status?: CodeView['status'] } = {}, now = new Date()): Promise<{ data: CodeView[]; next_cursor: string | null }> {
    await this.row(storeId, offerId);
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const status = options.status ? sql`and status = ${options.status}` : sql``;
    const { rows } = await sql<{ seq: number; code: string; status: CodeView['status']; customer_id: number | null; issued_at: Date | null; expires_at: Date | null; order_id: number | null; redeemed_at: Date | null }>`
      with ${countedRedemptions(storeId, offerId)},
      listed as (
        select c.seq, c.code, i.customer_id, i.issued_at, i.expires_at, d.order_id, d.placed_at as redeemed_at,
          case when d.code is not null then 'redeemed' when i.code is null then 'available' when i.expires_at <= ${now} then 'expired' else 'issued' end as status
        from offer_codes c left join offer_issues i on i.store_id = c.store_id and i.code = c.code
          left join redeemed d on d.code = c.code
        where c.store_id = ${storeId} and c.offer_id = ${offerId}
      )
      select * from listed where seq > ${options.after ?? 0} ${status} order by seq limit ${limit + 1}`.execute(this.read);
    const data = rows.slice(0, limit).map((r) => ({
      code: r.code, status: r.status, customer_id: r.customer_id === null ? null : Number(r.customer_id), issued_at: r.issued_at, expires_at: r.expires_at,
      order_id: r.order_id === null ? null : Number(r.order_id), redeemed_at: r.redeemed_at,
    }));
    return { data, next_cursor: rows.length > limit ? String(Number(rows[limit - 1]!.seq)) : null };
  }

  /**
   * Connects the store to its Shopify shop: the token is checked with Shopify first (a refused
   * token or an unreachable shop is a 422 naming the field), then kept; it is never shown again.
   */
  async connectShopify(storeId: string, input: unknown, now = new Date()): Promise<ShopifyConnectionView> {
    const parsed = shopifyConnectionSchema.safeParse(input);
    if (!parsed.success) throw invalid('Invalid Shopify connection', parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', reason: i.message })));
    const { shop, access_token: accessToken } = parsed.data;
    try {
      await this.shopifyAdmin({ shop, accessToken }).shopDomain();
    } catch (error) {
      if (!(error instanceof ShopifyAdminError)) throw error;
      const path = error.answered && !error.retryable ? 'access_token' : 'shop';
      throw invalid('Shopify did not accept the connection', [{ path, reason: error.message }]);
    }
    await this.write.transaction().execute(async (tx) => {
      await tx.deleteFrom('shopify_connections').where('store_id', '=', storeId).execute();
      await tx.insertInto('shopify_connections').values({ store_id: storeId, shop, access_token: accessToken, connected_at: now }).execute();
    });
    return { shop, connected_at: now };
  }

  async shopifyConnection(storeId: string): Promise<ShopifyConnectionView | null> {
    const row = await this.read.selectFrom('shopify_connections').select(['shop', 'connected_at']).where('store_id', '=', storeId).executeTakeFirst();
    return row ?? null;
  }

  /** Forgets the token; linked offers keep their confirmed codes and send no more until connected again. */
  async disconnectShopify(storeId: string): Promise<void> {
    await this.write.deleteFrom('shopify_connections').where('store_id', '=', storeId).execute();
  }

  /**
   * Adds the codes of the store's linked offers (or of one) to their Shopify discounts: one pass of
   * shopify-push.ts each. Run by the `offers.shopify_push` job; a failure names the offer.
   */
  async pushToShopify(storeId: string, offerId?: string, now = new Date(), options: PushOptions = {}): Promise<{ offer_id: string; discount_id: string; state: PushState }[]> {
    if (offerId) await this.row(storeId, offerId);
    const connection = await this.write.selectFrom('shopify_connections').selectAll().where('store_id', '=', storeId).executeTakeFirst();
    let links = this.write.selectFrom('offer_shopify').selectAll().where('store_id', '=', storeId);
    if (offerId) links = links.where('offer_id', '=', offerId);
    const linked = await links.orderBy('offer_id').execute();
    if (linked.length === 0) {
      if (offerId) throw new AppError('conflict', 'This offer\'s codes do not go to Shopify', [{ path: 'offer_id', reason: 'created without shopify_discount_id' }]);
      return [];
    }
    if (!connection) throw new AppError('conflict', 'The store is not connected to Shopify', [{ path: 'shopify', reason: 'connect the store: PUT /api/v1/offers/shopify/connection' }]);
    const admin = this.shopifyAdmin({ shop: connection.shop, accessToken: connection.access_token });
    const results = [];
    for (const link of linked) {
      const offer = await this.row(storeId, link.offer_id, this.write);
      if (offer.status === 'ended') continue;
      try {
        results.push({ offer_id: link.offer_id, discount_id: link.discount_id, state: await pushOfferCodes(this.write, admin, storeId, offer, link.discount_id, now, options) });
      } catch (error) {
        if (!(error instanceof ShopifyAdminError)) throw error;
        // What was done is recorded; the next pass goes on from there.
        throw new AppError(error.retryable ? 'unavailable' : 'conflict', `Offer ${link.offer_id}: ${error.message}`, [{ path: 'shopify', reason: error.message }]);
      }
    }
    return results;
  }

  private shopifyAdmin(connection: ShopifyConnection): ShopifyAdmin {
    return shopifyAdmin(this.dependencies.shopify?.adminUrl ?? DEFAULT_SHOPIFY_ADMIN_URL, connection, this.dependencies.shopify?.fetch);
  }

  private async linked(storeId: string, offerId: string): Promise<boolean> {
    // Read on the writer: a link made a moment ago must hold for the very next issue.
    return (await this.write.selectFrom('offer_shopify').select('offer_id').where('store_id', '=', storeId).where('offer_id', '=', offerId).executeTakeFirst()) !== undefined;
  }

  /** Handles a batch of order events (the `offers` subscriber); every row is keyed, so a redelivered batch adds nothing. */
  async handleEvents(events: readonly DomainEvent[], now = new Date()): Promise<void> {
    for (let start = 0; start < events.length; start += EVENTS_PER_TRANSACTION) {
      const slice = events.slice(start, start + EVENTS_PER_TRANSACTION);
      await this.write.transaction().execute(async (tx) => {
        await handleOrderEvents(tx, slice, now);
      });
    }
  }

  private async row(storeId: string, id: string, db: OffersDb = this.read): Promise<OfferTable> {
    const row = await db.selectFrom('offers').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`Offer ${id}`);
    return { ...row, value: Number(row.value), minimum_spend: Number(row.minimum_spend) };
  }

  private async currency(storeId: string, db: OffersDb): Promise<string> {
    const row = await db.selectFrom('stores').select('currency').where('id', '=', storeId).executeTakeFirst();
    return row?.currency ?? 'USD';
  }
}
