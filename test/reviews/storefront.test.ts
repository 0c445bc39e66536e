/**
 * What the storefront shows: the public JSON (published reviews only, the star summary and paging,
 * checked against a computation over the reviews the test wrote), the key, origin and CORS rules,
 * and the schema.org JSON-LD checked against Google's review-snippet requirements and the
 * vocabulary — with the checker itself shown to catch what it must.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLdScript } from '../../src/modules/reviews/index.js';
import { reviewsHarness, type ReviewsHarness } from './harness.js';
import { reviewSnippetProblems } from './review-snippet.js';

let h: ReviewsHarness;
const written: { review_id: string; rating: number; status: 'published' | 'pending' | 'rejected' }[] = [];

beforeAll(async () => {
  h = await reviewsHarness();
  await h.api('PUT', '/api/v1/reviews/settings', { auto_publish_min_rating: 3 });
  const ratings = [5, 4, 5, 3, 2, 5, 1, 4, 5, 3, 4];
  for (const [i, rating] of ratings.entries()) {
    const body = { review_id: `t-${i}`, product_id: 'teapot', rating, body: i === 4 ? 'Leaks <img src=x onerror=alert(1)>' : `Teapot review ${i}`, author_name: i === 2 ? 'Zoë "Tea" O\'Neil' : `Reviewer ${i}`, reviewed_at: new Date(Date.UTC(2026, 10, 1 + i)).toISOString() };
    const answer = await h.api('POST', '/api/v1/reviews', body);
    written.push({ review_id: body.review_id, rating, status: answer.json().status });
  }
  // The store publishes one held review and rejects another.
  const held = ((await h.api('GET', '/api/v1/reviews?status=pending')).json() as { data: { id: string; external_id: string }[] }).data;
  const [publish, reject] = [held.find((r) => r.external_id === 'store:t-4')!, held.find((r) => r.external_id === 'store:t-6')!];
  await h.api('POST', `/api/v1/reviews/${publish.id}/publish`);
  await h.api('POST', `/api/v1/reviews/${reject.id}/reject`);
  written.find((w) => w.review_id === 't-4')!.status = 'published';
  written.find((w) => w.review_id === 't-6')!.status = 'rejected';
  // A flagged five-star review waits.
  await h.api('POST', '/api/v1/reviews', { review_id: 't-spam', product_id: 'teapot', rating: 5, body: 'buy at www.cheap.example' });
  written.push({ review_id: 't-spam', rating: 5, status: 'pending' });
}, 60_000);
afterAll(async () => h.close());

const storefront = (query: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url: `/v1/reviews?key=${h.writeKey}&${query}`, headers, remoteAddress: '10.1.1.1' });

/** The expected summary, from what the test wrote. */
function expected() {
  const published = written.filter((w) => w.status === 'published');
  const distribution = [5, 4, 3, 2, 1].map((stars) => ({ stars, count: published.filter((w) => w.rating === stars).length }));
  const sum = published.reduce((s, w) => s + w.rating, 0);
  return { count: published.length, average: Math.round((sum / published.length) * 100) / 100, distribution };
}

describe('the storefront JSON', () => {
  it('shows the published reviews only, with a star summary that matches them, newest first, a page at a time', async () => {
    const want = expected();
    expect(want.count).toBe(10);
    const pages: { id: string; rating: number; reviewed_at: string; author_name: string }[][] = [];
    let page: number | null = 1;
    while (page !== null) {
      const answer = await storefront(`product_id=teapot&per_page=4&page=${page}`);
      expect(answer.statusCode).toBe(200);
      const body = answer.json();
      expect(body.summary).toEqual(want);
      expect(body.product_title).toBe('Cast-iron Teapot');
      pages.push(body.data);
      page = body.next_page;
    }
    expect(pages.map((p) => p.length)).toEqual([4, 4, 2]);
    const all = pages.flat();
    expect(new Set(all.map((r) => r.id)).size).toBe(10);
    expect(all.map((r) => r.rating).sort()).toEqual(written.filter((w) => w.status === 'published').map((w) => w.rating).sort());
    expect(all.map((r) => r.reviewed_at)).toEqual([...all.map((r) => r.reviewed_at)].sort().reverse());
    // Nothing private leaves: no email, no customer, no status.
    expect(Object.keys(all[0]!).sort()).toEqual(['author_name', 'body', 'id', 'photos', 'rating', 'reply', 'reviewed_at', 'title', 'verified']);
    const none = (await storefront('product_id=mug')).json();
    expect(none.summary).toEqual({ average: null, count: 0, distribution: [5, 4, 3, 2, 1].map((stars) => ({ stars, count: 0 })) });
  });

  it('needs a key of the store and a product; a listed store refuses other origins; CORS answers the allowed one', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/v1/reviews?key=wk_not_a_real_key&product_id=teapot' })).statusCode).toBe(401);
    const missing = await h.app.inject({ method: 'GET', url: `/v1/reviews?key=${h.writeKey}` });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().error.details[0].path).toBe('query.product_id');
    await h.services.accounts.updateStore(h.storeId, { trackingOrigins: ['https://kiln.example'] });
    const allowed = await storefront('product_id=teapot', { origin: 'https://kiln.example' });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://kiln.example');
    const refused = await storefront('product_id=teapot', { origin: 'https://copycat.example' });
    expect(refused.statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: `/v1/reviews/jsonld?key=${h.writeKey}&product_id=teapot`, headers: { origin: 'https://copycat.example' } })).statusCode).toBe(403);
    await h.services.accounts.updateStore(h.storeId, { trackingOrigins: null });
  });
});

describe('schema.org JSON-LD', () => {
  it('qualifies for Google\'s review snippet and carries the published figures', async () => {
    const answer = await h.app.inject({ method: 'GET', url: `/v1/reviews/jsonld?key=${h.writeKey}&product_id=teapot&url=${encodeURIComponent('https://kiln.example/products/teapot')}` });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toContain('application/ld+json');
    const document = answer.json();
    expect(reviewSnippetProblems(document)).toEqual({ problems: [], snippet: true });
    const want = expected();
    expect(document).toMatchObject({
      '@type': 'Product', name: 'Cast-iron Teapot', url: 'https://kiln.example/products/teapot',
      aggregateRating: { '@type': 'AggregateRating', ratingValue: want.average, reviewCount: want.count, ratingCount: want.count, bestRating: 5, worstRating: 1 },
    });
    expect(document.review).toHaveLength(10);
    expect(document.review.map((r: { author: { name: string } }) => r.author.name)).toContain('Zoë "Tea" O\'Neil');
    // A product without published reviews is a plain Product: no rating to show, nothing invalid.
    const plain = (await h.app.inject({ method: 'GET', url: `/v1/reviews/jsonld?key=${h.writeKey}&product_id=mug` })).json();
    expect(plain).toEqual({ '@context': 'https://schema.org', '@type': 'Product', name: 'Stoneware <Mug> & Saucer', productID: 'mug' });
    expect(reviewSnippetProblems(plain)).toEqual({ problems: [], snippet: false });
  });

  it('the checker refuses what Google refuses', async () => {
    const good = (await h.app.inject({ method: 'GET', url: `/v1/reviews/jsonld?key=${h.writeKey}&product_id=teapot` })).json();
    const broken = (change: (d: typeof good) => void) => {
      const copy = structuredClone(good);
      change(copy);
      return reviewSnippetProblems(copy).problems;
    };
    expect(broken((d) => { delete d.name; })).toContain('$.name (the item reviewed\'s name) is required');
    expect(broken((d) => { delete d.review[0].author.name; })).toContain('$.review[0].author.name is required');
    expect(broken((d) => { delete d.review[1].reviewRating.ratingValue; })).toContain('$.review[1].reviewRating.ratingValue is required and must be a number');
    expect(broken((d) => { delete d.aggregateRating.reviewCount; delete d.aggregateRating.ratingCount; })).toContain('$.aggregateRating needs reviewCount or ratingCount');
    expect(broken((d) => { d.aggregateRating.bestRating = 3; })).toEqual([expect.stringMatching(/ratingValue .* is outside 1–3/)]);
    expect(broken((d) => { d.review[0].stars = 5; })).toContain('$.review[0].stars is not a property of Review');
    expect(broken((d) => { d.review[0].author['@type'] = 'Rating'; })).toContain('$.review[0].author: @type Rating is not in the range of author');
  });

  it('embedded in a page, no reviewer\'s text can close the script element', () => {
    const html = jsonLdScript({ '@type': 'Review', reviewBody: '</script><script>alert(1)</script>' });
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(JSON.parse(html.slice(html.indexOf('>') + 1, html.lastIndexOf('<')))).toEqual({ '@type': 'Review', reviewBody: '</script><script>alert(1)</script>' });
  });
});
