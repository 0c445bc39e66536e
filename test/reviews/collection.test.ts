/**
 * Collecting and moderating reviews: tracked `Product Reviewed` events and the collection API
 * become reviews once each (a replay, a retry, the same review by both paths add nothing); the
 * store's threshold publishes clean reviews and holds the rest; profanity and links hold a review
 * whatever its rating; the store's reply reaches the reviewer over real SMTP, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressOf, placeOrder, reviewsHarness, type ReviewsHarness } from './harness.js';

let h: ReviewsHarness;

beforeAll(async () => {
  h = await reviewsHarness();
}, 60_000);
afterAll(async () => h.close());

type Review = { id: string; external_id: string; status: string; flags: string[]; verified: boolean; rating: number; author_name: string; author_email: string | null; reply: string | null; product_title: string | null; source: string };
const reviews = async (query = '') => ((await h.api('GET', `/api/v1/reviews?limit=500${query}`)).json() as { data: Review[] }).data;

describe('reviews from tracked events', () => {
  it('a Product Reviewed event becomes one review; replayed, re-sent with a new message id or sent again by the API, it stays one', async () => {
    await placeOrder(h, 'o-ada-1', 'ada', ['mug', 'bowl']);
    const properties = { review_id: 'R-1', product_id: 'mug', name: 'Stoneware Mug', rating: 5, review_body: 'Keeps tea hot.', order_id: 'o-ada-1' };
    expect(await h.track('ada', 'Product Reviewed', properties, 'm-1')).toBe(200);
    expect(await h.track('ada', 'Product Reviewed', properties, 'm-1')).toBe(200);
    expect(await h.track('ada', 'Product Reviewed', properties, 'm-2')).toBe(200);
    // Rating 0 is no rating, and a review of a product bought by nobody is still a review (not verified).
    expect(await h.track('bob', 'Product Reviewed', { review_id: 'R-0', product_id: 'mug', rating: 0 }, 'm-3')).toBe(200);
    expect(await h.track('bob', 'Product Reviewed', { review_id: 'R-2', product_id: 'teapot', rating: 4.4, review_body: 'Heavy but lovely', order_id: 'o-ada-1' }, 'm-4')).toBe(200);
    await h.settle();
    const again = await h.api('POST', '/api/v1/reviews', { review_id: 'R-1', product_id: 'mug', rating: 1, body: 'Different text, same review id' });
    expect(again.statusCode).toBe(200);

    const all = await reviews();
    expect(all.map((r) => r.external_id).sort()).toEqual(['store:R-1', 'store:R-2']);
    const ada = all.find((r) => r.external_id === 'store:R-1')!;
    expect(ada).toMatchObject({ source: 'event', rating: 5, verified: true, author_name: 'Ada L.', author_email: 'ada@example.com', status: 'published', product_title: 'Stoneware Mug' });
    expect(again.json()).toMatchObject({ id: ada.id, rating: 5 });
    // Bob names Ada's order: not his, so not a verified buyer's; 4.4 stars is kept as 4.
    expect(all.find((r) => r.external_id === 'store:R-2')).toMatchObject({ verified: false, rating: 4, author_name: 'Bob S.' });
  });
});

describe('the collection API', () => {
  it('answers 201 then 200 for a retry; bad fields are 422 naming them; an unknown customer is 404', async () => {
    const body = { review_id: 'api-7', product_id: 'bowl', customer_id: 'cy', author_email: 'cy.other@example.com', rating: 4, title: 'Good bowl', body: 'Deep enough for ramen.' };
    const first = await h.api('POST', '/api/v1/reviews', body);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ source: 'api', author_name: 'Cy', author_email: 'cy.other@example.com', product_title: 'Ramen Bowl', verified: false });
    const retry = await h.api('POST', '/api/v1/reviews', body);
    expect(retry.statusCode).toBe(200);
    expect(retry.json().id).toBe(first.json().id);

    const bad = await h.api('POST', '/api/v1/reviews', { review_id: 'api-8', product_id: 'bowl', rating: 6, body: '' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body', 'rating']);
    const unknown = await h.api('POST', '/api/v1/reviews', { review_id: 'api-9', product_id: 'bowl', customer_id: 'nobody', rating: 5, body: 'x' });
    expect(unknown.statusCode).toBe(404);
    expect((await reviews()).filter((r) => ['store:api-8', 'store:api-9'].includes(r.external_id))).toEqual([]);
  });
});

describe('moderation', () => {
  it('publishes clean reviews at or above the threshold, holds the rest, and holds profanity and links whatever the rating', async () => {
    const settings = await h.api('PUT', '/api/v1/reviews/settings', { auto_publish_min_rating: 4 });
    expect(settings.statusCode).toBe(200);
    expect(settings.json().auto_publish_min_rating).toBe(4);
    const post = async (id: string, rating: number, text: string, title?: string) => (await h.api('POST', '/api/v1/reviews', { review_id: id, product_id: 'teapot', rating, body: text, ...(title && { title }) })).json() as Review;
    expect(await post('m-5', 5, 'Pours cleanly.')).toMatchObject({ status: 'published', flags: [] });
    expect(await post('m-4', 4, 'Nice.')).toMatchObject({ status: 'published', flags: [] });
    expect(await post('m-3', 3, 'Lid rattles.')).toMatchObject({ status: 'pending', flags: [] });
    expect(await post('m-p', 5, 'Holy shit this is good')).toMatchObject({ status: 'pending', flags: ['profanity'] });
    expect(await post('m-l', 5, 'Cheaper at http://spam.example/teapots')).toMatchObject({ status: 'pending', flags: ['link'] });
    expect(await post('m-t', 5, 'Fine.', 'Visit cheap-pots.com now')).toMatchObject({ status: 'pending', flags: ['link'] });
    // Whole words only: Scunthorpe and "classic" pass.
    expect(await post('m-w', 5, 'Bought in Scunthorpe, a classic shape.')).toMatchObject({ status: 'published', flags: [] });

    const bad = await h.api('PUT', '/api/v1/reviews/settings', { auto_publish_min_rating: 9, max_reminders: 4 });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['auto_publish_min_rating', 'max_reminders']);

    const queue = await reviews('&status=pending');
    expect(queue.map((r) => r.external_id).sort()).toEqual(['store:m-3', 'store:m-l', 'store:m-p', 'store:m-t']);
    const held = queue.find((r) => r.external_id === 'store:m-3')!;
    expect((await h.api('POST', `/api/v1/reviews/${held.id}/publish`)).json()).toMatchObject({ status: 'published' });
    const spam = queue.find((r) => r.external_id === 'store:m-l')!;
    expect((await h.api('POST', `/api/v1/reviews/${spam.id}/reject`)).json()).toMatchObject({ status: 'rejected' });
    expect((await reviews('&status=pending')).map((r) => r.external_id).sort()).toEqual(['store:m-p', 'store:m-t']);
    expect((await h.api('POST', '/api/v1/reviews/rev_nothing/publish')).statusCode).toBe(404);
  });
});

describe('the store\'s reply', () => {
  it('is shown on the review and mailed to the reviewer over SMTP once; an edited reply is mailed again', async () => {
    const review = (await reviews()).find((r) => r.external_id === 'store:R-1')!;
    const text = 'Thank you, Ada! <b>Enjoy</b> the tea.';
    const first = await h.api('POST', `/api/v1/reviews/${review.id}/reply`, { body: text });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ emailed: true, review: { reply: text } });
    await h.settle();
    const retry = await h.api('POST', `/api/v1/reviews/${review.id}/reply`, { body: text });
    expect(retry.statusCode).toBe(200);
    await h.settle();

    const mails = (await h.sink.parsed()).filter((m) => addressOf(m) === 'ada@example.com');
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.subject).toBe('Kiln & Co replied to your review of Stoneware Mug');
    expect(mail.text).toContain('Thank you, Ada! <b>Enjoy</b> the tea.');
    expect(mail.text).toContain('Keeps tea hot.');
    // The reply is text: its markup arrives escaped, not as markup.
    expect(mail.html).toContain('&lt;b&gt;Enjoy&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>Enjoy</b>');

    await h.api('POST', `/api/v1/reviews/${review.id}/reply`, { body: 'One more thing: refills are in stock.' });
    await h.settle();
    expect((await h.sink.parsed()).filter((m) => addressOf(m) === 'ada@example.com')).toHaveLength(2);

    expect((await h.api('POST', `/api/v1/reviews/${review.id}/reply`, { body: '' })).statusCode).toBe(422);
    const rejected = (await reviews('&status=rejected'))[0]!;
    expect((await h.api('POST', `/api/v1/reviews/${rejected.id}/reply`, { body: 'Hello' })).statusCode).toBe(409);
  });
});
