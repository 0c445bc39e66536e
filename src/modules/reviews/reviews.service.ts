/**
 * Reviews (docs/listen.md, "Reviews"): collected from tracked `Product Reviewed` events, the
 * collection API, the hosted page of a signed request link and imports; moderated (flags hold a
 * review, a threshold publishes the rest or not); answered in public by the store, the reply
 * mailed to the reviewer; shown on the storefront as JSON, a widget and schema.org JSON-LD.
 */
import { createHash } from 'node:crypto';
import type { Storage } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, invalid, notFound, type ErrorDetail } from '../../lib/errors.js';
import type { DomainEvent } from '../domain-events/index.js';
import { escapeHtml, htmlToText } from '../messaging/index.js';
import { reviewAnalytics, type ReviewAnalytics } from './review-analytics.js';
import { reviewOutcomes, reviewRatingRetention, type ReviewOutcomes } from './review-outcomes.js';
import { REVIEW_EVENT, reviewOfEvent, reviewOfRow } from './review-events.js';
import { readReviewExport, type ImportSource } from './review-import.js';
import { ReviewRequests } from './review-requests.service.js';
import { reviewFormPage, reviewThanksPage, type PageProduct, type PageValues } from './review-page.js';
import { checkPhoto, distinctPhotos, insertPhotos, MAX_PHOTO_BYTES, MAX_PHOTOS, PhotoFiles, photosOf, type CheckedPhoto, type StagedPhoto } from './review-photos.js';
import { productJsonLd, productReviews, type ProductReviews } from './review-storefront.js';
import { reviewKey, signReviewToken, storeOfToken, TOKEN_DAYS, verifyReviewToken, type ReviewClaims } from './review-token.js';
import { homeCountries } from './review-requests.js';
import { loadSettings, reviewByExternalId, writeReview, type ReviewCandidate } from './review-writer.js';
import { MAX_BODY, MAX_TITLE, replyInputSchema, reviewInputSchema, settingsInputSchema, type ReviewInput } from './review.input.js';
import { reviewsDb, type ReviewsDb, type ReviewSettingsTable, type ReviewStatus, type ReviewTable } from './reviews.table.js';
import { photoView, reviewView, type ReviewView } from './reviews.views.js';

/** The store's review rules as the API shows them. */
export type ReviewSettings = Omit<ReviewSettingsTable, 'store_id' | 'updated_at' | 'home_countries'> & { home_countries: string[] };

/** What the reviews need of the rest: the store's link key and name, the customers' ids, and the outbox. */
export interface ReviewDependencies {
  clock: Clock;
  publicUrl: string;
  /** The data directory: photos are files under `review-photos/`. */
  dataDir: string;
  linkKey: (storeId: string) => Promise<Buffer>;
  /** Null for a store that does not exist. */
  storeName: (storeId: string) => Promise<string | null>;
  /** The store's time zone (reports bucket by it). */
  timeZone: (storeId: string) => Promise<string>;
  /** The customer's row id from an id or `ext:<external id>` (404 when unknown). */
  customerId: (storeId: string, id: string) => Promise<number>;
  /** Queues one transactional email under its send key (a key already used sends nothing). */
  mail: (storeId: string, email: { sendKey: string; customerId: number | null; to: string; subject: string; html: string; text: string }) => Promise<void>;
}

const DAY = 86_400_000;
const EVENTS_PER_TRANSACTION = 200;
const parseIssues = (issues: readonly { path: PropertyKey[]; message: string }[]) => issues.map((i) => ({ path: i.path.map(String).join('.') || 'body', reason: i.message }));

export class ReviewsService {
  readonly write: ReviewsDb;
  readonly read: ReviewsDb;

  readonly requests: ReviewRequests;
  private readonly files: PhotoFiles;

  constructor(storage: Storage, private readonly dependencies: ReviewDependencies) {
    this.write = reviewsDb(storage.write);
    this.read = reviewsDb(storage.read);
    this.files = new PhotoFiles(dependencies.dataDir);
    this.requests = new ReviewRequests(this.write, this.read, dependencies, async (storeId, customerId, orderId, products, requestId) =>
      (await this.link(storeId, String(customerId), orderId, products, requestId)).url);
  }

  async settings(storeId: string, db: ReviewsDb = this.read): Promise<ReviewSettings> {
    const { store_id: _store, updated_at: _updated, ...settings } = await loadSettings(db, storeId);
    return { ...settings, home_countries: homeCountries(settings) };
  }

  async updateSettings(storeId: string, input: unknown): Promise<ReviewSettings> {
    const parsed = settingsInputSchema.safeParse(input);
    if (!parsed.success) throw invalid('Invalid review settings', parseIssues(parsed.error.issues));
    const now = this.dependencies.clock.now();
    await this.write.transaction().execute(async (tx) => {
      const current = await loadSettings(tx, storeId);
      const { home_countries: countries, ...changes } = parsed.data;
      const next = { ...current, ...changes, ...(countries && { home_countries: JSON.stringify([...new Set(countries)]) }), store_id: storeId, updated_at: now };
      await tx.deleteFrom('review_settings').where('store_id', '=', storeId).execute();
      await tx.insertInto('review_settings').values(next).execute();
    });
    return this.settings(storeId, this.write);
  }

  /**
   * A review from the collection API, with its photos (base64 in `photos[].data`); the same
   * review_id again answers the stored review (`created: false`) and stores none of the photos sent.
   */
  async submit(storeId: string, input: ReviewInput | unknown): Promise<{ review: ReviewView; created: boolean }> {
    const parsed = reviewInputSchema.safeParse(input);
    if (!parsed.success) throw invalid('Invalid review', parseIssues(parsed.error.issues));
    const body = parsed.data;
    const customerId = body.customer_id === undefined ? null : await this.dependencies.customerId(storeId, `ext:${body.customer_id}`);
    const now = this.dependencies.clock.now();
    const reviewedAt = body.reviewed_at ? new Date(body.reviewed_at) : now;
    if (reviewedAt.getTime() > now.getTime() + DAY) throw invalid('Invalid review', [{ path: 'reviewed_at', reason: 'is in the future' }]);
    const candidate: ReviewCandidate = {
      externalId: `store:${body.review_id}`, source: 'api', productId: body.product_id, productTitle: body.product_name ?? null, customerId,
      orderId: body.order_id ?? null, authorName: body.author_name ?? null, authorEmail: body.author_email ?? null, rating: body.rating,
      title: body.title || null, body: body.body, verified: null, reviewedAt,
    };
    const checked: CheckedPhoto[] = [];
    const problems: { path: string; reason: string }[] = [];
    (body.photos ?? []).forEach((photo, i) => {
      const result = checkPhoto(Buffer.from(photo.data, 'base64'));
      if ('reason' in result) problems.push({ path: `photos.${i}.data`, reason: result.reason });
      else checked.push(result);
    });
    if (problems.length) throw invalid('Invalid review', problems);
    // A retry of a stored review writes no file at all (the transaction would find the review anyway).
    const known = await reviewByExternalId(this.read, storeId, candidate.externalId);
    const result = await this.withPhotoFiles(storeId, [known ? [] : distinctPhotos(checked)], (staged, used) => this.write.transaction().execute(async (tx) => {
      const written = await writeReview(tx, storeId, { ...candidate, photos: staged[0]! }, await loadSettings(tx, storeId), now);
      if (written.created) used.add(0);
      return written;
    }));
    return { review: await this.view(storeId, result.review, this.write), created: result.created };
  }

  /**
   * Writes the photos' files (a group per review), then runs the transaction that stores the
   * reviews with them. The groups it marks used are kept; the others (a review that was there
   * already) and all of them when it fails are removed again, so no photo outlives its review.
   */
  private async withPhotoFiles<T>(storeId: string, groups: readonly (readonly CheckedPhoto[])[], run: (staged: readonly StagedPhoto[][], used: Set<number>) => Promise<T>): Promise<T> {
    const staged: StagedPhoto[][] = [];
    try {
      for (const group of groups) staged.push(await this.files.stage(storeId, group));
    } catch (error) {
      await this.files.discard(staged.flat());
      throw error;
    }
    const used = new Set<number>();
    try {
      const value = await run(staged, used);
      await this.files.discard(staged.filter((_, i) => !used.has(i)).flat());
      return value;
    } catch (error) {
      await this.files.discard(staged.flat());
      throw error;
    }
  }

  /** Reviews as the API shows them, with their photos. */
  private async views(storeId: string, rows: readonly ReviewTable[], db: ReviewsDb = this.read): Promise<ReviewView[]> {
    const photos = await photosOf(db, storeId, rows.map((r) => r.id));
    return rows.map((row) => reviewView(row, (photos.get(row.id) ?? []).map((p) => photoView(p, this.dependencies.publicUrl))));
  }

  private async view(storeId: string, row: ReviewTable, db: ReviewsDb = this.read): Promise<ReviewView> {
    return (await this.views(storeId, [row], db))[0]!;
  }

  /**
   * Adds photos to a stored review (the demo's), up to three in all; a picture it has already is
   * not added again, so running it twice adds nothing. Answers the review.
   */
  async addPhotos(storeId: string, id: string, files: readonly Buffer[]): Promise<ReviewView> {
    const checked: CheckedPhoto[] = [];
    files.forEach((bytes, i) => {
      const result = checkPhoto(bytes);
      if ('reason' in result) throw invalid('Invalid photo', [{ path: `photos.${i}`, reason: result.reason }]);
      checked.push(result);
    });
    const review = await this.row(storeId, id);
    const have = (await photosOf(this.read, storeId, [id])).get(id) ?? [];
    const fresh = distinctPhotos(checked).filter((p) => !have.some((h) => h.sha256 === p.sha256));
    if (have.length + fresh.length > MAX_PHOTOS) throw invalid('Too many photos', [{ path: 'photos', reason: `a review has at most ${MAX_PHOTOS} photos (it has ${have.length})` }]);
    await this.withPhotoFiles(storeId, [fresh], (staged, used) => this.write.transaction().execute(async (tx) => {
      await insertPhotos(tx, id, staged[0]!, this.dependencies.clock.now(), have.length);
      used.add(0);
    }));
    return this.view(storeId, review, this.write);
  }

  /** A photo's type and bytes for the store (any review), or for anyone (a published review's only); 404 otherwise. */
  async photo(storeId: string | null, id: string): Promise<{ contentType: string; bytes: Buffer }> {
    let query = this.read.selectFrom('review_photos as p').innerJoin('reviews as r', (j) => j.onRef('r.store_id', '=', 'p.store_id').onRef('r.id', '=', 'p.review_id'))
      .select(['p.store_id', 'p.id', 'p.content_type']).where('p.id', '=', id);
    query = storeId === null ? query.where('r.status', '=', 'published') : query.where('p.store_id', '=', storeId);
    const row = await query.executeTakeFirst();
    if (!row) throw notFound(`Photo ${id}`);
    // A file removed from the data directory (by hand, or a partial restore) is missing, not an error of the server.
    const bytes = await this.files.read(row).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw notFound(`Photo ${id}'s file`);
      throw error;
    });
    return { contentType: row.content_type, bytes };
  }

  /** Handles a batch of `event.received` (the `reviews` subscriber): `Product Reviewed` events become reviews, once each. */
  async handleEvents(events: readonly DomainEvent[]): Promise<void> {
    const now = this.dependencies.clock.now();
    for (let start = 0; start < events.length; start += EVENTS_PER_TRANSACTION) {
      const slice = events.slice(start, start + EVENTS_PER_TRANSACTION);
      await this.write.transaction().execute(async (tx) => {
        for (const event of slice) {
          const candidate = await reviewOfEvent(tx, event);
          if (candidate) await writeReview(tx, event.storeId, candidate, await loadSettings(tx, event.storeId), now);
        }
      });
    }
  }

  /** Reviews from the store's stored `Product Reviewed` events (events loaded in bulk, which record no domain events: the demo's); keyed, so running it again adds nothing. */
  async fromStoredEvents(storeId: string): Promise<number> {
    const rows = await this.read.selectFrom('events').select(['id', 'properties', 'occurred_at', 'customer_id']).where('store_id', '=', storeId).where('name', '=', REVIEW_EVENT).where('type', '=', 'track').execute();
    const now = this.dependencies.clock.now();
    let created = 0;
    for (let start = 0; start < rows.length; start += EVENTS_PER_TRANSACTION) {
      await this.write.transaction().execute(async (tx) => {
        const settings = await loadSettings(tx, storeId);
        for (const row of rows.slice(start, start + EVENTS_PER_TRANSACTION)) {
          const candidate = reviewOfRow({ ...row, id: Number(row.id), customer_id: row.customer_id === null ? null : Number(row.customer_id) });
          if (candidate && (await writeReview(tx, storeId, candidate, settings, now, { record: false })).created) created += 1;
        }
      });
    }
    return created;
  }

  async list(storeId: string, filter: { status?: ReviewStatus | undefined; product_id?: string | undefined; before?: string | undefined; limit?: number | undefined } = {}): Promise<{ data: ReviewView[]; next_cursor: string | null }> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    let query = this.read.selectFrom('reviews').selectAll().where('store_id', '=', storeId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.product_id) query = query.where('product_external_id', '=', filter.product_id);
    if (filter.before) query = query.where('id', '<', filter.before);
    const rows = await query.orderBy('id', 'desc').limit(limit + 1).execute();
    return { data: await this.views(storeId, rows.slice(0, limit)), next_cursor: rows.length > limit ? rows[limit - 1]!.id : null };
  }

  async get(storeId: string, id: string, db: ReviewsDb = this.read): Promise<ReviewView> {
    return this.view(storeId, await this.row(storeId, id, db), db);
  }

  /** Publishes or rejects a review (moderation); setting the status it has changes nothing. */
  async moderate(storeId: string, id: string, status: Exclude<ReviewStatus, 'pending'>): Promise<ReviewView> {
    await this.write.transaction().execute(async (tx) => {
      const row = await this.row(storeId, id, tx);
      if (row.status === status) return;
      await tx.updateTable('reviews').set({ status, updated_at: this.dependencies.clock.now() }).where('store_id', '=', storeId).where('id', '=', id).execute();
    });
    return this.get(storeId, id, this.write);
  }

  /**
   * The store's public reply, shown under the review and mailed to the reviewer (when an address
   * is known). The email's send key is the review and the reply's text: a retried request sends
   * nothing more; an edited reply is mailed again.
   */
  async reply(storeId: string, id: string, input: unknown): Promise<{ review: ReviewView; emailed: boolean }> {
    const parsed = replyInputSchema.safeParse(input);
    if (!parsed.success) throw invalid('Invalid reply', parseIssues(parsed.error.issues));
    const text = parsed.data.body;
    const now = this.dependencies.clock.now();
    const row = await this.row(storeId, id);
    if (row.status === 'rejected') throw new AppError('conflict', 'The review is rejected: a reply would never be shown', [{ path: 'id', reason: 'rejected review' }]);
    if (row.reply !== text) {
      await this.write.updateTable('reviews').set({ reply: text, replied_at: now, updated_at: now }).where('store_id', '=', storeId).where('id', '=', id).execute();
    }
    const review = await this.get(storeId, id, this.write);
    if (!review.author_email) return { review, emailed: false };
    const store = await this.storeName(storeId);
    const product = review.product_title ?? review.product_id;
    const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#222;max-width:560px">
<p>Hello ${escapeHtml(review.author_name)},</p><p>${escapeHtml(store)} replied to your review of <strong>${escapeHtml(product)}</strong>.</p>
<blockquote style="border-left:3px solid #ccc;margin:0;padding:0 12px;color:#555"><p>${'★'.repeat(review.rating)}${'☆'.repeat(5 - review.rating)}${review.title ? ` <strong>${escapeHtml(review.title)}</strong>` : ''}</p><p>${escapeHtml(review.body)}</p></blockquote>
<p><strong>${escapeHtml(store)}:</strong></p><p>${escapeHtml(text).replace(/\n/g, '<br>')}</p></body></html>`;
    const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
    await this.dependencies.mail(storeId, {
      sendKey: `review-reply:${id}:${digest}`, customerId: review.customer_id, to: review.author_email,
      subject: `${store} replied to your review of ${product}`, html, text: htmlToText(html),
    });
    return { review, emailed: true };
  }

  /**
   * Imports a Judge.me or Yotpo export (review-import.ts): all or nothing, in one transaction;
   * reviews already imported are counted, not added again. Customers are matched by email.
   */
  async importExport(storeId: string, from: ImportSource, csv: string): Promise<{ imported: number; already: number; published: number; pending: number; rejected: number }> {
    const now = this.dependencies.clock.now();
    const reviews = readReviewExport(csv, from, now);
    return this.write.transaction().execute(async (tx) => {
      const settings = await loadSettings(tx, storeId);
      const emails = [...new Set(reviews.flatMap((r) => (r.authorEmail ? [r.authorEmail] : [])))];
      const customers = new Map<string, number>();
      for (let i = 0; i < emails.length; i += 1000) {
        const rows = await tx.selectFrom('customers').select(['id', 'email']).where('store_id', '=', storeId).where('email', 'in', emails.slice(i, i + 1000)).execute();
        for (const row of rows) if (row.email) customers.set(row.email.toLowerCase(), Number(row.id));
      }
      const counts = { imported: 0, already: 0, published: 0, pending: 0, rejected: 0 };
      for (const review of reviews) {
        const customerId = review.authorEmail ? customers.get(review.authorEmail) ?? null : null;
        const { review: row, created } = await writeReview(tx, storeId, { ...review, customerId }, settings, now);
        if (!created) {
          counts.already += 1;
          continue;
        }
        counts.imported += 1;
        counts[row.status] += 1;
        if (review.reply) await tx.updateTable('reviews').set({ reply: review.reply, replied_at: review.reviewedAt }).where('store_id', '=', storeId).where('id', '=', row.id).execute();
      }
      return counts;
    });
  }

  /** Review rate of the orders delivered in [from, to), and each product's ratings and monthly trend (review-analytics.ts). */
  async analytics(storeId: string, range: { from?: Date; to?: Date } = {}): Promise<ReviewAnalytics> {
    const to = range.to ?? this.dependencies.clock.now();
    const from = range.from ?? new Date(to.getTime() - 365 * DAY);
    if (from >= to) throw invalid('Invalid range', [{ path: 'from', reason: 'must be before to' }]);
    return reviewAnalytics(this.read, storeId, await this.dependencies.timeZone(storeId), from, to);
  }

  /** Ratings against returns and repeat purchases up to `asOf` (review-outcomes.ts). */
  outcomes(storeId: string, asOf = this.dependencies.clock.now()): Promise<ReviewOutcomes> {
    return reviewOutcomes(this.read, storeId, asOf);
  }

  /** Repeat rate within 90 days after each customer's first review, by its rating. */
  ratingRetention(storeId: string, asOf = this.dependencies.clock.now()) {
    return reviewRatingRetention(this.read, storeId, asOf);
  }

  /** The storefront's page of a product's published reviews with its star summary. */
  storefront(storeId: string, productId: string, page = 1, perPage = 10): Promise<ProductReviews> {
    return productReviews(this.read, storeId, productId, page, perPage, this.dependencies.publicUrl);
  }

  jsonLd(storeId: string, productId: string, url?: string): Promise<Record<string, unknown>> {
    return productJsonLd(this.read, storeId, productId, this.dependencies.publicUrl, url);
  }

  /** A signed review link for a customer's order (its products: all its lines, or those named), valid 45 days. */
  async link(storeId: string, customer: string, orderId: string, products?: readonly string[], request: string | null = null): Promise<{ url: string; token: string; expires_at: Date }> {
    const customerId = await this.dependencies.customerId(storeId, customer);
    const lines = await this.read.selectFrom('orders as o').innerJoin('order_lines as l', (j) => j.onRef('l.store_id', '=', 'o.store_id').onRef('l.order_id', '=', 'o.id'))
      .innerJoin('products as p', (j) => j.onRef('p.store_id', '=', 'l.store_id').onRef('p.id', '=', 'l.product_id'))
      .select('p.external_id').where('o.store_id', '=', storeId).where('o.external_id', '=', orderId).where('o.customer_id', '=', customerId).orderBy('l.line_no').execute();
    if (lines.length === 0) throw invalid('No such order of this customer', [{ path: 'order_id', reason: `no order ${orderId} of this customer with products` }]);
    const bought = [...new Set(lines.map((l) => l.external_id))];
    const wanted = products?.length ? [...new Set(products)] : bought;
    const missing = wanted.filter((p) => !bought.includes(p));
    if (missing.length) throw invalid('A product is not on the order', missing.map((p) => ({ path: 'product_ids', reason: `${p} is not on order ${orderId}` })));
    const expires = new Date(this.dependencies.clock.now().getTime() + TOKEN_DAYS * DAY);
    const token = signReviewToken(reviewKey(await this.dependencies.linkKey(storeId)), {
      store: storeId, customer: customerId, order: orderId, products: wanted, request, exp: Math.floor(expires.getTime() / 1000),
    });
    return { url: `${this.dependencies.publicUrl.replace(/\/$/, '')}/r/${token}`, token, expires_at: expires };
  }

  /** The claims of a hosted page's token (404 forged, 403 expired). */
  async claims(token: string): Promise<ReviewClaims> {
    const storeId = storeOfToken(token);
    // A store that does not exist is refused before its key is asked for (which would make one).
    if (!storeId || (await this.dependencies.storeName(storeId)) === null) throw new AppError('not_found', 'This review link is not valid.');
    return verifyReviewToken(reviewKey(await this.dependencies.linkKey(storeId)), token, this.dependencies.clock.now());
  }

  /** The hosted page of a link: the order's products, those already reviewed shown as such. */
  async page(token: string, options: { values?: PageValues[]; errors?: string[] } = {}): Promise<{ html: string; claims: ReviewClaims }> {
    const claims = await this.claims(token);
    const products = await this.pageProducts(claims);
    await this.requests.opened(claims);
    return { html: reviewFormPage(await this.storeName(claims.store), products, options), claims };
  }

  /**
   * A hosted page's form: `rating_<i>` (1–5), `title_<i>`, `body_<i>` and up to three photos in
   * `photos_<i>` per product of the link. Products without a rating are left for later; a bad field
   * or photo re-shows the form (422, or `refusal.status` for what the upload itself broke) with the
   * reasons and nothing saved. Reviews are verified buyers' and keyed by order, product and
   * customer: the same form sent twice stores them once, and the photos with them once.
   */
  async submitPage(token: string, form: URLSearchParams, uploads: readonly PageUpload[] = [], refusal?: { status: number; reason: string }): Promise<{ html: string; status: number; saved: ReviewView[]; errors: string[]; details: ErrorDetail[] }> {
    const claims = await this.claims(token);
    const products = await this.pageProducts(claims);
    const values: PageValues[] = products.map((_, i) => ({ rating: form.get(`rating_${i}`) ?? undefined, title: form.get(`title_${i}`) ?? undefined, body: form.get(`body_${i}`) ?? undefined }));
    const details: ErrorDetail[] = refusal ? [{ path: 'form', reason: refusal.reason }] : [];
    const fail = (path: string, reason: string) => details.push({ path, reason });
    const candidates: ReviewCandidate[] = [];
    const photos: CheckedPhoto[][] = [];
    const now = this.dependencies.clock.now();
    const sent = products.map((): PageUpload[] => []);
    for (const upload of uploads) {
      const index = /^photos_(\d+)$/.exec(upload.field)?.[1];
      if (index === undefined || !sent[Number(index)]) fail(upload.field, `${upload.field}: not a photo field of this page`);
      else sent[Number(index)]!.push(upload);
    }
    // A form sent again (a double tap, a reload) rates products already reviewed: thanked, not stored twice.
    let resent = false;
    products.forEach((product, i) => {
      const value = values[i]!;
      if (product.review) {
        resent ||= Boolean(value.rating);
        return;
      }
      const title = (value.title ?? '').trim();
      const body = (value.body ?? '').trim();
      const checked = this.pagePhotos(product.title, sent[i]!, (reason) => fail(`photos_${i}`, reason));
      if (!value.rating) {
        if (title || body || sent[i]!.length) fail('form', `${product.title}: choose a rating from 1 to 5 stars`);
        return;
      }
      const rating = Number(value.rating);
      if (!/^[1-5]$/.test(value.rating)) fail('form', `${product.title}: the rating must be 1 to 5 stars`);
      if (title.length > MAX_TITLE) fail('form', `${product.title}: the title is longer than ${MAX_TITLE} characters`);
      if (body.length > MAX_BODY) fail('form', `${product.title}: the review is longer than ${MAX_BODY} characters`);
      candidates.push({
        externalId: hostedKey(claims, product.id), source: 'hosted', productId: product.id, productTitle: product.title, customerId: claims.customer,
        orderId: claims.order, authorName: null, authorEmail: null, rating, title: title || null, body, verified: true, reviewedAt: now,
      });
      photos.push(checked);
    });
    if (!details.length && !candidates.length && !resent && products.some((p) => !p.review)) fail('form', 'Choose a rating for at least one product');
    const storeName = await this.storeName(claims.store);
    const errors = details.map((d) => d.reason);
    if (errors.length) {
      // A browser cannot fill a file input again: say so when photos were chosen.
      const shown = uploads.length ? [...errors, 'Choose your photos again before sending.'] : errors;
      return { html: reviewFormPage(storeName, products, { values, errors: shown }), status: refusal?.status ?? 422, saved: [], errors, details };
    }
    const saved = await this.withPhotoFiles(claims.store, photos, (staged, used) => this.write.transaction().execute(async (tx) => {
      const settings = await loadSettings(tx, claims.store);
      const rows: ReviewTable[] = [];
      for (const [i, candidate] of candidates.entries()) {
        const written = await writeReview(tx, claims.store, { ...candidate, photos: staged[i]! }, settings, now);
        if (written.created) used.add(i);
        rows.push(written.review);
      }
      return rows;
    }));
    await this.requests.reviewed(claims);
    return { html: reviewThanksPage(storeName, saved.length === 0 ? null : saved.every((r) => r.status === 'published')), status: 200, saved: await this.views(claims.store, saved, this.write), errors: [], details: [] };
  }

  /** A product section's photos that pass; the reasons of the others go to `fail`. */
  private pagePhotos(product: string, uploads: readonly PageUpload[], fail: (reason: string) => void): CheckedPhoto[] {
    if (uploads.length > MAX_PHOTOS) {
      fail(`${product}: at most ${MAX_PHOTOS} photos (${uploads.length} were sent)`);
      return [];
    }
    const checked: CheckedPhoto[] = [];
    for (const upload of uploads) {
      const name = upload.filename ? `the photo “${upload.filename}”` : 'a photo';
      const result = upload.truncated ? { reason: `is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB` } : checkPhoto(upload.bytes);
      if ('reason' in result) fail(`${product}: ${name} ${result.reason}`);
      else checked.push(result);
    }
    return distinctPhotos(checked);
  }

  private async pageProducts(claims: ReviewClaims): Promise<PageProduct[]> {
    const titles = new Map((await this.read.selectFrom('products').select(['external_id', 'title']).where('store_id', '=', claims.store)
      .where('external_id', 'in', claims.products).execute()).map((p) => [p.external_id, p.title]));
    const products: PageProduct[] = [];
    for (const id of claims.products) {
      const review = await reviewByExternalId(this.read, claims.store, hostedKey(claims, id));
      const photos = review ? (await photosOf(this.read, claims.store, [review.id])).get(review.id)?.length ?? 0 : 0;
      products.push({ id, title: titles.get(id) ?? id, review: review ? { rating: Number(review.rating), title: review.title, body: review.body, photos } : null });
    }
    return products;
  }

  private async storeName(storeId: string): Promise<string> {
    return (await this.dependencies.storeName(storeId)) ?? 'The store';
  }

  private async row(storeId: string, id: string, db: ReviewsDb = this.read): Promise<ReviewTable> {
    const row = await db.selectFrom('reviews').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`Review ${id}`);
    return row;
  }
}

/** A file of the hosted page's form: its field (`photos_<i>`), the name the browser gave, its bytes (cut at the size limit: `truncated`). */
export interface PageUpload {
  field: string;
  filename: string;
  bytes: Buffer;
  truncated: boolean;
}

const hostedKey = (claims: ReviewClaims, productId: string) => `hosted:${claims.customer}:${claims.order}:${productId}`;
