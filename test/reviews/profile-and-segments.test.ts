/**
 * A customer's reviews on their profile (the list and the timeline, whatever their moderation
 * status) and in segment rules: "left a 1–2 star review" is `lowest_review_rating ≤ 2`, and
 * `reviews_written` counts them; both checked against the reviews the API lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewsHarness, type ReviewsHarness } from './harness.js';

let h: ReviewsHarness;

beforeAll(async () => {
  h = await reviewsHarness('Glaze & Co');
}, 60_000);
afterAll(async () => h.close());

const idOf = async (external: string) => (await h.services.customers.get(h.storeId, `ext:${external}`)).id;
const members = async (rule: unknown) => {
  const response = await h.api('POST', '/api/v1/segments/preview', { rule, sample_size: 50 });
  expect(response.statusCode, response.body).toBe(200);
  return (response.json().sample as { id: number }[]).map((c) => c.id).sort((a, b) => a - b);
};

describe('reviews on the profile and in segments', () => {
  it('lists a customer\'s reviews on their profile and timeline, and finds who left a low rating', async () => {
    const write = (body: Record<string, unknown>) => h.api('POST', '/api/v1/reviews', body);
    // Low ratings are held for moderation: held or not, a review is what the customer said.
    expect((await h.api('PUT', '/api/v1/reviews/settings', { auto_publish_min_rating: 4 })).statusCode).toBe(200);
    expect((await write({ review_id: 'p-1', product_id: 'mug', customer_id: 'ada', rating: 5, title: 'Lovely', body: 'Keeps tea hot.' })).statusCode).toBe(201);
    expect((await write({ review_id: 'p-2', product_id: 'bowl', customer_id: 'ada', rating: 2, title: 'Chipped', body: 'Arrived chipped.' })).statusCode).toBe(201);
    expect((await write({ review_id: 'p-3', product_id: 'bowl', customer_id: 'bob', rating: 4, body: 'Deep enough.' })).statusCode).toBe(201);
    const [ada, bob, cy] = [await idOf('ada'), await idOf('bob'), await idOf('cy')];

    const listed = ((await h.api('GET', '/api/v1/reviews?limit=100')).json() as { data: { id: string; customer_id: number | null; rating: number; status: string }[] }).data;
    const profile = (await h.api('GET', `/api/v1/customers/${ada}/profile`)).json() as {
      reviews: { id: string; rating: number; status: string }[]; timeline: { type: string; id?: string; rating?: number; product_title?: string | null }[];
    };
    const adas = listed.filter((r) => r.customer_id === ada);
    expect(profile.reviews.map((r) => r.id).sort()).toEqual(adas.map((r) => r.id).sort());
    expect(profile.reviews.map((r) => r.status).sort()).toEqual(['pending', 'published']);
    expect(profile.timeline.filter((i) => i.type === 'review').map((i) => [i.rating, i.product_title]).sort()).toEqual([[2, 'Ramen Bowl'], [5, 'Stoneware <Mug> & Saucer']]);
    expect(((await h.api('GET', `/api/v1/customers/${cy}/profile`)).json() as { reviews: unknown[] }).reviews).toEqual([]);

    const lowest = new Map<number, number>();
    for (const r of listed) if (r.customer_id !== null) lowest.set(r.customer_id, Math.min(lowest.get(r.customer_id) ?? 5, r.rating));
    const low = [...lowest].filter(([, rating]) => rating <= 2).map(([id]) => id);
    expect(await members({ kind: 'profile', field: 'lowest_review_rating', op: 'lte', value: 2 })).toEqual(low.sort((a, b) => a - b));
    expect(low).toEqual([ada]);
    expect(await members({ kind: 'profile', field: 'reviews_written', op: 'gte', value: 1 })).toEqual([ada, bob].sort((a, b) => a - b));
    expect(await members({ kind: 'profile', field: 'reviews_written', op: 'gte', value: 2 })).toEqual([ada]);
  });
});
