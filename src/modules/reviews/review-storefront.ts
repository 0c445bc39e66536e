/**
 * What the storefront shows of a product's reviews: the star summary, the published reviews a
 * page at a time, and schema.org `Product` / `AggregateRating` / `Review` JSON-LD for search
 * results. Google's review snippets need itemReviewed (here: the Product the reviews nest in) with
 * its name, each review's author name and reviewRating.ratingValue, and the aggregate's ratingValue
 * with reviewCount or ratingCount; best and worst rating are stated on every rating (5 and 1).
 */
import { sql } from 'kysely';
import { photosOf } from './review-photos.js';
import type { ReviewsDb } from './reviews.table.js';
import { photoView, publicReview, type PublicReview, type RatingSummary } from './reviews.views.js';

export const BEST_RATING = 5;
export const WORST_RATING = 1;
/** Reviews carried in the JSON-LD: the most recent; the aggregate counts them all. */
export const JSON_LD_REVIEWS = 10;

export async function ratingSummary(db: ReviewsDb, storeId: string, productId: string): Promise<RatingSummary> {
  const { rows } = await sql<{ rating: number; n: number }>`select rating, count(*) as n from reviews
    where store_id = ${storeId} and product_external_id = ${productId} and status = 'published' group by rating`.execute(db);
  const distribution = [5, 4, 3, 2, 1].map((stars) => ({ stars, count: 0 }));
  let count = 0;
  let sum = 0;
  for (const row of rows) {
    const stars = Number(row.rating);
    const n = Number(row.n);
    distribution[5 - stars]!.count = n;
    count += n;
    sum += stars * n;
  }
  return { average: count === 0 ? null : Math.round((sum / count) * 100) / 100, count, distribution };
}

export interface ProductReviews {
  product_id: string;
  product_title: string | null;
  summary: RatingSummary;
  data: PublicReview[];
  page: number;
  per_page: number;
  /** The next page's number, null on the last. */
  next_page: number | null;
}

/** A page of a product's published reviews with their photos (addresses under `publicUrl`). */
export async function productReviews(db: ReviewsDb, storeId: string, productId: string, page: number, perPage: number, publicUrl: string): Promise<ProductReviews> {
  const rows = await db.selectFrom('reviews').selectAll().where('store_id', '=', storeId).where('product_external_id', '=', productId).where('status', '=', 'published')
    .orderBy('reviewed_at', 'desc').orderBy('id', 'desc').limit(perPage + 1).offset((page - 1) * perPage).execute();
  const shown = rows.slice(0, perPage);
  const photos = await photosOf(db, storeId, shown.map((r) => r.id));
  return {
    product_id: productId, product_title: await productTitle(db, storeId, productId), summary: await ratingSummary(db, storeId, productId),
    data: shown.map((row) => publicReview(row, (photos.get(row.id) ?? []).map((p) => photoView(p, publicUrl)))), page, per_page: perPage, next_page: rows.length > perPage ? page + 1 : null,
  };
}

/** The catalogue's title, else the name the newest review carried, else the id. */
async function productTitle(db: ReviewsDb, storeId: string, productId: string): Promise<string | null> {
  const product = await db.selectFrom('products').select('title').where('store_id', '=', storeId).where('external_id', '=', productId).executeTakeFirst();
  if (product?.title) return product.title;
  const review = await db.selectFrom('reviews').select('product_title').where('store_id', '=', storeId).where('product_external_id', '=', productId)
    .where('product_title', 'is not', null).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  return review?.product_title ?? null;
}

const rating = (value: number) => ({ '@type': 'Rating', ratingValue: value, bestRating: BEST_RATING, worstRating: WORST_RATING });

/** schema.org JSON-LD for a product page: the Product, its AggregateRating and its most recent Reviews (none of either when it has no published review). */
export async function productJsonLd(db: ReviewsDb, storeId: string, productId: string, publicUrl: string, url?: string): Promise<Record<string, unknown>> {
  const reviews = await productReviews(db, storeId, productId, 1, JSON_LD_REVIEWS, publicUrl);
  const product: Record<string, unknown> = {
    '@context': 'https://schema.org', '@type': 'Product', name: reviews.product_title ?? productId, productID: productId, ...(url && { url }),
  };
  if (reviews.summary.count === 0 || reviews.summary.average === null) return product;
  product.aggregateRating = {
    '@type': 'AggregateRating', ratingValue: reviews.summary.average, reviewCount: reviews.summary.count, ratingCount: reviews.summary.count,
    bestRating: BEST_RATING, worstRating: WORST_RATING,
  };
  product.review = reviews.data.map((r) => ({
    '@type': 'Review', author: { '@type': 'Person', name: r.author_name }, datePublished: r.reviewed_at.toISOString().slice(0, 10),
    ...(r.title && { name: r.title }), ...(r.body && { reviewBody: r.body }), reviewRating: rating(r.rating),
    // schema.org's Thing.image (a URL): the review's photos. Not needed for Google's review snippet, and allowed by it.
    ...(r.photos.length > 0 && { image: r.photos.map((p) => p.url) }),
  }));
  return product;
}

/** The JSON-LD as a `<script>` element for a server-rendered page: `<` is escaped so no text can close the element. */
export function jsonLdScript(document: Record<string, unknown>): string {
  return `<script type="application/ld+json">${JSON.stringify(document).replace(/</g, '\\u003c')}</script>`;
}
