/**
 * The hosted review page behind a signed link: the order's products (escaped), a form that stores
 * verified buyers' reviews once, bad fields re-shown with their reasons and nothing saved, and a
 * forged, tampered, cross-store or expired link answered by a page with a 4xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, placeOrder, reviewsHarness, type ReviewsHarness } from './harness.js';

let h: ReviewsHarness;
let other: ReviewsHarness;

beforeAll(async () => {
  [h, other] = await Promise.all([reviewsHarness('Kiln & Co'), reviewsHarness('Other Shop')]);
  await placeOrder(h, 'o-1', 'ada', ['mug', 'bowl']);
  await placeOrder(other, 'o-1', 'ada', ['mug', 'bowl']);
}, 60_000);
afterAll(async () => Promise.all([h.close(), other.close()]));

const linkFor = async (harness: ReviewsHarness, body: Record<string, unknown>) => {
  const answer = await harness.api('POST', '/api/v1/reviews/links', body);
  expect(answer.statusCode).toBe(201);
  return answer.json() as { url: string; token: string; expires_at: string };
};
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const submit = (token: string, fields: Record<string, string>, harness = h) => harness.app.inject({
  method: 'POST', url: `/r/${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html,application/xhtml+xml' }, payload: form(fields),
});
type Review = { external_id: string; source: string; verified: boolean; rating: number; title: string | null; body: string; product_id: string; order_id: string; author_name: string; status: string };
const hostedReviews = async (harness = h) => ((await harness.api('GET', '/api/v1/reviews?limit=500')).json() as { data: Review[] }).data.filter((r) => r.source === 'hosted');

describe('the hosted review page', () => {
  it('shows the order\'s products escaped, on a page that fits a phone', async () => {
    const link = await linkFor(h, { customer_id: 'ext:ada', order_id: 'o-1' });
    expect(link.url.endsWith(`/r/${link.token}`)).toBe(true);
    expect(new Date(link.expires_at).getTime() - h.clock.now().getTime()).toBeGreaterThan(44.9 * DAY);
    const page = await h.app.inject({ method: 'GET', url: `/r/${link.token}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
    expect(page.body).toContain('Stoneware &lt;Mug&gt; &amp; Saucer');
    expect(page.body).not.toContain('<Mug>');
    expect(page.body).toContain('Ramen Bowl');
    expect(page.body).toContain('How was your order from Kiln &amp; Co?');
    for (const n of [1, 2, 3, 4, 5]) expect(page.body).toContain(`name="rating_0" value="${n}"`);
  });

  it('stores verified reviews for the products rated, once, and shows them as done', async () => {
    const link = await linkFor(h, { customer_id: 'ext:ada', order_id: 'o-1' });
    const fields = { rating_0: '5', title_0: 'Lovely <i>glaze</i>', body_0: 'Sturdy and\nbeautiful <script>alert(1)</script>', rating_1: '', title_1: '', body_1: '' };
    const sent = await submit(link.token, fields);
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('Thank you');
    expect(await hostedReviews()).toEqual([expect.objectContaining({
      product_id: 'mug', order_id: 'o-1', verified: true, rating: 5, title: 'Lovely <i>glaze</i>', body: 'Sturdy and\nbeautiful <script>alert(1)</script>', author_name: 'Ada L.',
    })]);
    // The same form again (a double tap, a resent POST) stores nothing more.
    expect((await submit(link.token, fields)).statusCode).toBe(200);
    expect(await hostedReviews()).toHaveLength(1);
    const again = await h.app.inject({ method: 'GET', url: `/r/${link.token}` });
    expect(again.body).toContain('You gave it 5 stars');
    expect(again.body).toContain('Lovely &lt;i&gt;glaze&lt;/i&gt;');
    expect(again.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(again.body).not.toContain('<script>alert');
    // The bowl is still open.
    expect(again.body).toContain('name="rating_1"');
    expect(again.body).not.toContain('name="rating_0"');
  });

  it('a bad rating or a text without a rating re-shows the form with the reasons and keeps what was typed; nothing is saved', async () => {
    const link = await linkFor(h, { customer_id: 'ext:ada', order_id: 'o-1', product_ids: ['bowl'] });
    const before = (await hostedReviews()).length;
    const bad = await submit(link.token, { rating_0: '7', body_0: 'Great <bowl>' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Ramen Bowl: the rating must be 1 to 5 stars');
    expect(bad.body).toContain('Great &lt;bowl&gt;</textarea>');
    const unrated = await submit(link.token, { body_0: 'No stars given' });
    expect(unrated.statusCode).toBe(422);
    expect(unrated.body).toContain('choose a rating');
    const empty = await submit(link.token, {});
    expect(empty.statusCode).toBe(422);
    // A script (no HTML asked for) gets the API's JSON error.
    const script = await h.app.inject({ method: 'POST', url: `/r/${link.token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'rating_0=9' });
    expect(script.statusCode).toBe(422);
    expect(script.json().error.details).toEqual([{ path: 'form', reason: 'Ramen Bowl: the rating must be 1 to 5 stars' }]);
    expect((await hostedReviews()).length).toBe(before);
  });

  it('refuses a link for an order that is not the customer\'s, or a product not on it (422 naming the field)', async () => {
    const notTheirs = await h.api('POST', '/api/v1/reviews/links', { customer_id: 'ext:bob', order_id: 'o-1' });
    expect(notTheirs.statusCode).toBe(422);
    expect(notTheirs.json().error.details[0].path).toBe('order_id');
    const notOnIt = await h.api('POST', '/api/v1/reviews/links', { customer_id: 'ext:ada', order_id: 'o-1', product_ids: ['teapot'] });
    expect(notOnIt.statusCode).toBe(422);
    expect(notOnIt.json().error.details[0]).toMatchObject({ path: 'product_ids', reason: 'teapot is not on order o-1' });
  });

  it('a forged, tampered or other store\'s link is a 404 page; an expired one a 403 page; nothing is saved', async () => {
    const link = await linkFor(h, { customer_id: 'ext:ada', order_id: 'o-1', product_ids: ['bowl'] });
    const [claims, mac] = link.token.split('.') as [string, string];
    const decoded = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as Record<string, unknown>;
    const tampered = `${Buffer.from(JSON.stringify({ ...decoded, p: ['teapot'] })).toString('base64url')}.${mac}`;
    const flipped = `${claims}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
    // The other store's own link, and this store's link with the other store's name put in.
    const theirs = await linkFor(other, { customer_id: 'ext:ada', order_id: 'o-1' });
    const moved = `${Buffer.from(JSON.stringify({ ...decoded, s: other.storeId })).toString('base64url')}.${mac}`;
    for (const token of [tampered, flipped, 'not-a-token-at-all', moved]) {
      const page = await h.app.inject({ method: 'GET', url: `/r/${token}` });
      expect(page.statusCode, token).toBe(404);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('This review link is not valid.');
      expect((await submit(token, { rating_0: '5' })).statusCode).toBe(404);
    }
    expect((await other.app.inject({ method: 'GET', url: `/r/${theirs.token}` })).statusCode).toBe(200);

    h.clock.advance(46 * DAY);
    const expired = await h.app.inject({ method: 'GET', url: `/r/${link.token}` });
    expect(expired.statusCode).toBe(403);
    expect(expired.body).toContain('has expired');
    expect((await submit(link.token, { rating_0: '5' })).statusCode).toBe(403);
    expect((await hostedReviews()).filter((r) => r.product_id === 'bowl' || r.product_id === 'teapot')).toEqual([]);
  });
});
