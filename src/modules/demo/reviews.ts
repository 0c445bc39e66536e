/** Review texts by star rating; `{item}` is the product's noun ("Rain Shell Jacket"); and a few reviews' photos. */
import { solidPng } from '../../lib/png.js';
import type { ReviewsService } from '../reviews/index.js';
import type { Random } from './random.js';

const TEXTS: Record<number, readonly string[]> = {
  1: ['The {item} fell apart on the second trip. Very disappointed.', 'Arrived damaged and support was slow. Would not buy again.', 'Nothing like the photos. The {item} feels cheap.'],
  2: ['The {item} runs small and the seams already show wear.', 'Okay for the price, but I expected more from this {item}.', 'Shipping took two weeks and the {item} was not as described.'],
  3: ['Decent {item}. Does the job, nothing special.', 'Good quality, but the fit is a bit off for me.', 'Solid {item}, though a little heavier than I hoped.'],
  4: ['Really happy with the {item}. Took it on a weekend trip and it held up well.', 'Great {item} for the money. Would buy again.', 'Comfortable and well made. Knocked off a star for the price.'],
  5: ['Best {item} I have owned. Worth every penny.', 'Absolutely love this {item}! Already ordered one for my partner.', 'Bombproof. Used the {item} on a week-long trek with zero issues.', 'Exceeded expectations; fast shipping too.'],
};

export function reviewText(rng: Random, rating: number, item: string): string {
  return rng.pick(TEXTS[rating] ?? TEXTS[3]!).replace('{item}', item);
}

/** Colours of the demo's review photos (stand-ins for a customer's picture of the product). */
const PHOTO_COLOURS: readonly (readonly [number, number, number])[] = [[47, 93, 80], [224, 161, 0], [120, 144, 156], [178, 84, 60], [90, 110, 170], [140, 120, 90]];

/** Gives a few of the newest well-rated published reviews a photo each, so the dashboard and the widget show some; a second run adds nothing. */
export async function addDemoReviewPhotos(reviews: Pick<ReviewsService, 'list' | 'addPhotos'>, storeId: string): Promise<number> {
  const { data } = await reviews.list(storeId, { status: 'published', limit: 200 });
  const chosen = data.filter((r) => r.rating >= 4 && r.photos.length === 0).slice(0, PHOTO_COLOURS.length);
  for (const [i, review] of chosen.entries()) await reviews.addPhotos(storeId, review.id, [solidPng(320, 240, PHOTO_COLOURS[i]!)]);
  return chosen.length;
}
