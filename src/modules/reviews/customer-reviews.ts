import type { Db } from '../../db/database.js';
import { reviewsDb } from './reviews.table.js';
import { reviewView, type ReviewView } from './reviews.views.js';

/** A customer's reviews, newest first, whatever their moderation status (for their profile). */
export async function customerReviews(db: Db, storeId: string, customerId: number, limit = 50): Promise<ReviewView[]> {
  const rows = await reviewsDb(db).selectFrom('reviews').selectAll().where('store_id', '=', storeId).where('customer_id', '=', customerId)
    .orderBy('reviewed_at', 'desc').orderBy('id').limit(limit).execute();
  return rows.map(reviewView);
}
