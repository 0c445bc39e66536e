/** What the reviews API and the hosted page accept. */
import { z } from 'zod';
import { MAX_PHOTO_BYTES, MAX_PHOTOS } from './review-photos.js';
import { requestModes } from './reviews.table.js';

const text = (max: number) => z.string().trim().max(max, `at most ${max} characters`);
const externalId = z.union([z.string().trim().min(1).max(255), z.number().int().nonnegative().transform(String)]);

export const MAX_BODY = 5000;
/** Base64 of the largest photo (4 characters per 3 bytes), and a little room for line breaks. */
const MAX_PHOTO_BASE64 = Math.ceil(MAX_PHOTO_BYTES / 3) * 4 + 4096;
export const MAX_TITLE = 150;

/** A review from a shop that collects its own (`POST /api/v1/reviews`). */
/**
 * Base64 as sent: letters, digits, + and /, line breaks, then at most two = and trailing spaces.
 * Checked in one pass over the characters (a photo is a string of megabytes).
 */
function isBase64Text(text: string): boolean {
  let end = text.length;
  while (end > 0 && /\s/.test(text[end - 1]!)) end -= 1;
  for (let pads = 0; pads < 2 && end > 0 && text[end - 1] === '='; pads += 1) end -= 1;
  if (end === 0) return false;
  for (let i = 0; i < end; i += 1) {
    const c = text.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 10 || c === 13;
    if (!ok) return false;
  }
  return true;
}

export const reviewInputSchema = z.strictObject({
  review_id: externalId.meta({ description: 'Your id of the review: sending it again changes nothing' }),
  product_id: externalId.meta({ description: 'The product\'s external id' }),
  product_name: text(300).min(1).optional(),
  customer_id: externalId.optional().meta({ description: 'The customer\'s external id, when known' }),
  order_id: externalId.optional().meta({ description: 'The order\'s external id: with the customer and the product on it, the review is a verified buyer\'s' }),
  author_name: text(100).min(1).optional().meta({ description: 'As shown; default: the customer\'s first name and last initial' }),
  author_email: z.email().max(320).optional(),
  rating: z.number().int().min(1).max(5),
  title: text(MAX_TITLE).optional(),
  body: text(MAX_BODY).min(1, 'the review text is required'),
  reviewed_at: z.iso.datetime({ offset: true }).optional(),
  photos: z.array(z.strictObject({
    data: z.string().min(1, 'the photo\'s bytes in base64 are required').max(MAX_PHOTO_BASE64, `at most ${MAX_PHOTO_BYTES / 1024 / 1024} MB`)
      .refine(isBase64Text, 'must be base64').meta({ description: 'The file\'s bytes, base64: JPEG, PNG or WebP (read from the bytes), at most 5 MB' }),
  })).max(MAX_PHOTOS, `at most ${MAX_PHOTOS} photos`).optional().meta({ description: 'Photos stored with the review; sending the review_id again stores none' }),
});
export type ReviewInput = z.infer<typeof reviewInputSchema>;

export const replyInputSchema = z.strictObject({
  body: text(MAX_BODY).min(1, 'the reply text is required'),
});

export const settingsInputSchema = z.strictObject({
  auto_publish_min_rating: z.number().int().min(1).max(5).nullable().optional()
    .meta({ description: 'Clean reviews rated at or above this are published at once; null: every review waits for moderation' }),
  delivery_delay_days: z.number().int().min(0).max(90).optional(),
  fulfilled_delay_days: z.number().int().min(0).max(120).optional(),
  max_requests_per_30_days: z.number().int().min(1).max(30).optional(),
  reminder_days: z.number().int().min(1).max(60).optional(),
  max_reminders: z.number().int().min(0).max(3).optional(),
  home_countries: z.array(z.string().trim().min(1, 'a country cannot be empty').max(60)).max(50).optional(),
  international_delay_days: z.number().int().min(0).max(120).nullable().optional(),
  international_fulfilled_delay_days: z.number().int().min(0).max(150).nullable().optional(),
  request_mode: z.enum(requestModes).optional(),
});
export type SettingsInput = z.infer<typeof settingsInputSchema>;
