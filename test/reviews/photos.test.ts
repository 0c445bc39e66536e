/**
 * Photos on reviews: sent with the hosted page's multipart form or the collection API, checked by
 * their bytes (JPEG, PNG, WebP; 5 MB; 3 per review), stored as files under the data directory
 * (without their metadata: photo-metadata.test.ts), served back only while the review is
 * published, listed for the store whatever the status, and never stored twice or half: a refused
 * photo leaves neither a review nor a file.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDemoReviewPhotos } from '../../src/modules/demo/reviews.js';
import { placeOrder, reviewsHarness, type ReviewsHarness } from './harness.js';
import { jpeg, multipart, png } from './images.js';
import { reviewSnippetProblems } from './review-snippet.js';

let h: ReviewsHarness;

beforeAll(async () => {
  h = await reviewsHarness('Kiln & Co');
  await placeOrder(h, 'o-1', 'ada', ['mug', 'bowl']);
  await placeOrder(h, 'o-2', 'bob', ['mug', 'teapot']);
  await placeOrder(h, 'o-3', 'cy', ['bowl']);
}, 60_000);
afterAll(async () => h.close());

type Photo = { id: string; url: string; content_type: string; bytes: number; width: number | null; height: number | null };
type Review = { id: string; source: string; product_id: string; order_id: string | null; status: string; photos: Photo[] };

const RED = png(12, 7, [200, 30, 30]);
const GREY = jpeg();
const photoDir = () => join(h.services.config.dataDir, 'review-photos', h.storeId);
const storedFiles = () => { try { return readdirSync(photoDir()).sort(); } catch { return []; } };
const allReviews = async () => ((await h.api('GET', '/api/v1/reviews?limit=500')).json() as { data: Review[] }).data;
const linkFor = async (customer: string, order: string) => {
  const answer = await h.api('POST', '/api/v1/reviews/links', { customer_id: `ext:${customer}`, order_id: order });
  expect(answer.statusCode).toBe(201);
  return (answer.json() as { token: string }).token;
};
type Part = Parameters<typeof multipart>[0][number];
const send = (token: string, parts: readonly Part[], browser = false) => {
  const { body, contentType } = multipart(parts);
  return h.app.inject({ method: 'POST', url: `/r/${token}`, headers: { 'content-type': contentType, ...(browser && { accept: 'text/html' }) }, payload: body });
};
const file = (name: string, filename: string, data: Buffer, type = 'image/png'): Part => ({ name, filename, type, data });
const field = (name: string, value: string): Part => ({ name, value });

describe('photos sent with the hosted review page', () => {
  it('offers a file input per product in a multipart form', async () => {
    const page = await h.app.inject({ method: 'GET', url: `/r/${await linkFor('ada', 'o-1')}` });
    expect(page.body).toContain('enctype="multipart/form-data"');
    for (const i of [0, 1]) expect(page.body).toContain(`<input type="file" id="p${i}" name="photos_${i}" accept="image/jpeg,image/png,image/webp" multiple>`);
  });

  it('stores a PNG and a JPEG with their reviews and serves them back byte for byte with their type', async () => {
    const token = await linkFor('ada', 'o-1');
    const parts = [
      field('rating_0', '5'), field('body_0', 'Lovely glaze'), file('photos_0', 'mug.png', RED),
      field('rating_1', '4'), field('body_1', 'Deep bowl'), file('photos_1', 'bowl.jpeg', GREY, 'image/jpeg'),
      // An input left empty: a nameless empty file, as browsers send it.
      file('photos_1', '', Buffer.alloc(0), 'application/octet-stream'),
    ];
    const sent = await send(token, parts, true);
    expect(sent.statusCode, sent.body).toBe(200);
    const reviews = (await allReviews()).filter((r) => r.order_id === 'o-1');
    const mug = reviews.find((r) => r.product_id === 'mug')!;
    const bowl = reviews.find((r) => r.product_id === 'bowl')!;
    expect(mug.photos).toEqual([{ id: expect.stringMatching(/^pho_[0-9a-f]{32}$/), url: expect.stringMatching(/\/r\/photos\/pho_/), content_type: 'image/png', bytes: RED.length, width: 12, height: 7 }]);
    expect(bowl.photos).toEqual([expect.objectContaining({ content_type: 'image/jpeg', bytes: GREY.length, width: 8, height: 8 })]);

    for (const [photo, bytes, type] of [[mug.photos[0]!, RED, 'image/png'], [bowl.photos[0]!, GREY, 'image/jpeg']] as const) {
      const served = await h.app.inject({ method: 'GET', url: new URL(photo.url).pathname });
      expect(served.statusCode).toBe(200);
      expect(served.headers['content-type']).toBe(type);
      expect(served.headers['x-content-type-options']).toBe('nosniff');
      expect(served.headers['cache-control']).toMatch(/^public, max-age=\d{5,}/);
      expect(served.rawPayload.equals(bytes)).toBe(true);
    }
    expect(storedFiles()).toEqual([`${bowl.photos[0]!.id}.jpg`, `${mug.photos[0]!.id}.png`].sort());

    // The same form again (a reload, a double tap) stores no second review and no second photo.
    expect((await send(token, parts, true)).statusCode).toBe(200);
    expect((await allReviews()).filter((r) => r.order_id === 'o-1').flatMap((r) => r.photos)).toHaveLength(2);
    expect(storedFiles()).toHaveLength(2);
    const again = await h.app.inject({ method: 'GET', url: `/r/${token}` });
    expect(again.body).toContain('With 1 photo.');

    // The customer's profile lists the review with its photo.
    const ada = (await h.api('GET', '/api/v1/customers/ext:ada')).json() as { id: number };
    const profile = (await h.api('GET', `/api/v1/customers/${ada.id}/profile`)).json() as { reviews: Review[] };
    expect(profile.reviews.find((r) => r.product_id === 'mug')!.photos).toEqual(mug.photos);
  });

  it('refuses a file that is not a JPEG, PNG or WebP whatever its name and declared type, naming the field; nothing is stored', async () => {
    const token = await linkFor('bob', 'o-2');
    const before = { reviews: (await allReviews()).length, files: storedFiles() };
    const fakes: [string, Buffer][] = [
      ['notes.png', Buffer.from('just some text, not a picture')],
      ['page.png', Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>')],
      ['logo.png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>')],
    ];
    for (const [name, data] of fakes) {
      const script = await send(token, [field('rating_0', '5'), field('body_0', 'Nice'), file('photos_0', 'ok.png', RED), field('rating_1', '5'), file('photos_1', name, data)]);
      expect(script.statusCode, name).toBe(422);
      expect(script.json().error.details).toEqual([{ path: 'photos_1', reason: `Cast-iron Teapot: the photo “${name}” is not a JPEG, PNG or WebP image` }]);
    }
    const page = await send(token, [field('rating_1', '5'), file('photos_1', 'page.png', fakes[1]![1])], true);
    expect(page.statusCode).toBe(422);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Cast-iron Teapot: the photo “page.png” is not a JPEG, PNG or WebP image');
    expect(page.body).toContain('Choose your photos again');
    expect((await allReviews()).length).toBe(before.reviews);
    expect(storedFiles()).toEqual(before.files);
  });

  it('refuses a photo over 5 MB and a fourth photo of a product, naming the product; nothing is stored', async () => {
    const token = await linkFor('bob', 'o-2');
    const before = { reviews: (await allReviews()).length, files: storedFiles() };
    // A real PNG header followed by 6 MB: the size refuses it, not its type.
    const big = Buffer.concat([RED, Buffer.alloc(6 * 1024 * 1024, 7)]);
    const tooBig = await send(token, [field('rating_0', '4'), file('photos_0', 'huge.png', big)]);
    expect(tooBig.statusCode).toBe(422);
    expect(tooBig.json().error.details).toEqual([{ path: 'photos_0', reason: 'Stoneware <Mug> & Saucer: the photo “huge.png” is larger than 5 MB' }]);

    const four = [0, 1, 2, 3].map((n) => file('photos_0', `p${n}.png`, png(2, 2, [n * 60, 0, 0])));
    const fourth = await send(token, [field('rating_0', '4'), ...four], true);
    expect(fourth.statusCode).toBe(422);
    expect(fourth.body).toContain('Stoneware &lt;Mug&gt; &amp; Saucer: at most 3 photos (4 were sent)');

    // More files than the whole form may carry (3 per product) is a 413, the page re-shown.
    const many = [0, 1, 2, 3, 4, 5, 6].map((n) => file(`photos_${n % 2}`, `m${n}.png`, png(2, 2, [0, n * 30, 0])));
    const overLimit = await send(token, [field('rating_0', '4'), field('rating_1', '4'), ...many]);
    expect(overLimit.statusCode).toBe(413);
    expect(overLimit.json().error.details[0].reason).toBe('too many photos in one form: at most 3 per product and 6 in all');

    // A photo for a product left unrated asks for the rating.
    const unrated = await send(token, [file('photos_1', 'teapot.png', RED)]);
    expect(unrated.statusCode).toBe(422);
    expect(unrated.json().error.details).toEqual([{ path: 'form', reason: 'Cast-iron Teapot: choose a rating from 1 to 5 stars' }]);

    expect((await allReviews()).length).toBe(before.reviews);
    expect(storedFiles()).toEqual(before.files);
  });

  it('serves an unpublished review\'s photo to the store only, and a published one to anyone', async () => {
    await h.api('PUT', '/api/v1/reviews/settings', { auto_publish_min_rating: null });
    const token = await linkFor('cy', 'o-3');
    const three = [png(3, 3, [0, 0, 200]), png(4, 4, [0, 200, 0]), GREY];
    const sent = await send(token, [field('rating_0', '3'), field('body_0', 'Fine'), ...three.map((data, n) => file('photos_0', `b${n}`, data, 'application/octet-stream'))], true);
    expect(sent.statusCode, sent.body).toBe(200);
    const review = (await allReviews()).find((r) => r.order_id === 'o-3')!;
    expect(review.status).toBe('pending');
    expect(review.photos.map((p) => p.bytes)).toEqual(three.map((b) => b.length));
    const [first] = review.photos;
    const publicPath = `/r/photos/${first!.id}`;
    expect((await h.app.inject({ method: 'GET', url: publicPath })).statusCode).toBe(404);
    const forStore = await h.api('GET', `/api/v1/reviews/photos/${first!.id}`);
    expect(forStore.statusCode).toBe(200);
    expect(forStore.rawPayload.equals(three[0]!)).toBe(true);
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/reviews/photos/${first!.id}` })).statusCode).toBe(401);
    expect(((await h.api('GET', `/api/v1/reviews/${review.id}`)).json() as Review).photos).toEqual(review.photos);

    expect((await h.api('POST', `/api/v1/reviews/${review.id}/publish`)).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: publicPath })).statusCode).toBe(200);
    // A photo whose file went missing from the data directory is not found, not a server error.
    const last = review.photos.at(-1)!;
    rmSync(join(photoDir(), storedFiles().find((f) => f.startsWith(last.id))!));
    expect((await h.app.inject({ method: 'GET', url: `/r/photos/${last.id}` })).statusCode).toBe(404);
    expect((await h.api('GET', `/api/v1/reviews/photos/${last.id}`)).statusCode).toBe(404);
    expect((await h.api('POST', `/api/v1/reviews/${review.id}/reject`)).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: publicPath })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/r/photos/pho_00000000000000000000000000000000' })).statusCode).toBe(404);
    await h.api('PUT', '/api/v1/reviews/settings', { auto_publish_min_rating: 1 });
  });
});

describe('photos sent with the collection API', () => {
  const review = (id: string, photos?: Buffer[]) => ({
    review_id: id, product_id: 'teapot', customer_id: 'bob', order_id: 'o-2', rating: 5, body: 'Pours well',
    ...(photos && { photos: photos.map((p) => ({ data: p.toString('base64') })) }),
  });

  it('stores the review with its photos once, counts them in review.submitted, and shows them on the storefront and in the JSON-LD', async () => {
    const created = await h.api('POST', '/api/v1/reviews', review('api-1', [RED, GREY, RED]));
    expect(created.statusCode).toBe(201);
    const body = created.json() as Review;
    // The same picture twice is kept once.
    expect(body.photos.map((p) => [p.content_type, p.bytes])).toEqual([['image/png', RED.length], ['image/jpeg', GREY.length]]);
    const files = storedFiles();
    const again = await h.api('POST', '/api/v1/reviews', review('api-1', [png(5, 5, [1, 2, 3])]));
    expect(again.statusCode).toBe(200);
    expect((again.json() as Review).photos).toEqual(body.photos);
    expect(storedFiles()).toEqual(files);

    const { rows } = await sql<{ data: string }>`select data from domain_events where store_id = ${h.storeId} and type = 'review.submitted'`.execute(h.services.storage.read);
    const events = rows.map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as { review_id: string; photos: number });
    expect(events.find((e) => e.review_id === body.id)?.photos).toBe(2);
    const withoutPhotos = await h.api('POST', '/api/v1/reviews', review('api-2'));
    expect(withoutPhotos.statusCode).toBe(201);
    const { rows: later } = await sql<{ data: string }>`select data from domain_events where store_id = ${h.storeId} and type = 'review.submitted'`.execute(h.services.storage.read);
    expect(later.map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as { review_id: string; photos: number }).find((e) => e.review_id === (withoutPhotos.json() as Review).id)?.photos).toBe(0);

    const storefront = await h.app.inject({ method: 'GET', url: `/v1/reviews?key=${h.writeKey}&product_id=teapot` });
    const shown = (storefront.json() as { data: { id: string; photos: Photo[] }[] }).data.find((r) => r.id === body.id)!;
    expect(shown.photos.map((p) => p.id)).toEqual(body.photos.map((p) => p.id));
    const jsonLd = (await h.app.inject({ method: 'GET', url: `/v1/reviews/jsonld?key=${h.writeKey}&product_id=teapot` })).json() as { review: { image?: string[] }[] };
    expect(reviewSnippetProblems(jsonLd).problems).toEqual([]);
    expect(jsonLd.review.flatMap((r) => r.image ?? [])).toEqual(body.photos.map((p) => p.url));
  });

  it('refuses a photo that is not an image, too big, or a fourth, naming the field; nothing is stored', async () => {
    const before = { reviews: (await allReviews()).length, files: storedFiles() };
    const notImage = await h.api('POST', '/api/v1/reviews', review('api-3', [RED, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')]));
    expect(notImage.statusCode).toBe(422);
    expect(notImage.json().error.details).toEqual([{ path: 'photos.1.data', reason: 'is not a JPEG, PNG or WebP image' }]);
    const big = await h.api('POST', '/api/v1/reviews', review('api-3', [Buffer.concat([RED, Buffer.alloc(5 * 1024 * 1024)])]));
    expect(big.statusCode, big.body.slice(0, 500)).toBe(422);
    expect(big.json().error.details).toEqual([{ path: 'photos.0.data', reason: 'is larger than 5 MB' }]);
    const four = await h.api('POST', '/api/v1/reviews', review('api-3', [RED, GREY, png(1, 1, [0, 0, 0]), png(2, 1, [0, 0, 0])]));
    expect(four.statusCode).toBe(422);
    expect(four.json().error.details).toEqual([{ path: 'photos', reason: 'at most 3 photos' }]);
    const notBase64 = await h.api('POST', '/api/v1/reviews', { ...review('api-3'), photos: [{ data: 'not base64 at all!' }] });
    expect(notBase64.statusCode).toBe(422);
    expect(notBase64.json().error.details[0].path).toBe('photos.0.data');
    expect((await allReviews()).length).toBe(before.reviews);
    expect(storedFiles()).toEqual(before.files);
  });
});

describe('the demo\'s photos', () => {
  it('gives well-rated published reviews a photo made in code, once', async () => {
    const before = (await allReviews()).filter((r) => r.status === 'published' && r.photos.length === 0);
    const eligible = before.filter((r) => (r as Review & { rating: number }).rating >= 4).length;
    expect(eligible).toBeGreaterThan(0);
    expect(await addDemoReviewPhotos(h.services.reviews, h.storeId)).toBe(Math.min(eligible, 6));
    const withPhoto = (await allReviews()).filter((r) => before.some((b) => b.id === r.id) && r.photos.length > 0);
    expect(withPhoto).toHaveLength(Math.min(eligible, 6));
    const served = await h.app.inject({ method: 'GET', url: `/r/photos/${withPhoto[0]!.photos[0]!.id}` });
    expect(served.headers['content-type']).toBe('image/png');
    expect(withPhoto[0]!.photos[0]).toMatchObject({ width: 320, height: 240 });
    // The same picture again is not added twice; a fourth photo is refused.
    const files = storedFiles();
    const again = await h.services.reviews.addPhotos(h.storeId, withPhoto[0]!.id, [served.rawPayload]);
    expect(again.photos).toHaveLength(1);
    expect(storedFiles()).toEqual(files);
    await expect(h.services.reviews.addPhotos(h.storeId, withPhoto[0]!.id, [RED, GREY, png(1, 1, [9, 9, 9])])).rejects.toThrow('Too many photos');
    expect(storedFiles()).toEqual(files);
  });
});
