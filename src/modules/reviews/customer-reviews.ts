import type { Db } from '../../db/database.js';
import { photosOf } from './review-photos.js';
import { reviewsDb } from './reviews.table.js';
import { photoView, reviewView, type ReviewView } from './reviews.views.js';

/** A customer's reviews with their photos, newest first, whatever their moderation status (for their profile); photo URLs under `publicUrl`. */
export async function customerReviews(db: Db, storeId: string, customerId: number, limit = 50, publicUrl = ''): Promise<ReviewView[]> {
  const rows = await reviewsDb(db).selectFrom('reviews').selectAll().where('store_id', '=', storeId).where('customer_id', '=', customerId)
    .orderBy('reviewed_at', 'desc').orderBy('id').limit(limit).execute();
  const photos = await photosOf(reviewsDb(db), storeId, rows.map((r) => r.id));
  return rows.map((row) => reviewView(row, (photos.get(row.id) ?? []).map((p) => photoView(p, publicUrl))));
}
