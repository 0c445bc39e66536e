/**
 * A tiny planted store, written through the data API: the evaluation's baselines and metrics are
 * checked against a hand computation from the definitions (docs/recommendations.md), and the
 * served recommendations' explanations against counts taken from the planted orders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerJobs } from '../../src/jobs/handlers.js';
import { Worker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/lib/logger.js';
import { bodiesByIds } from '../../src/modules/messaging/sends.repository.js';
import { rankingMetrics, recommendationsSubscriber, refitAfterChangesMs } from '../../src/modules/recommendations/index.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';

const titles: Record<string, string> = { mug: 'Ceramic mug', tea: 'Green tea', cushion: 'Wool cushion', candle: 'Beeswax candle', board: 'Oak board' };

/** Orders: customer, day, products. The cutoff is 2024-06-01. */
const planted: [string, string, string[]][] = [
  ['c1', '2024-01-10', ['mug', 'tea']],
  ['c1', '2024-03-10', ['tea']],
  ['c2', '2024-02-01', ['mug', 'candle']],
  ['c3', '2024-02-15', ['mug', 'tea', 'cushion']],
  ['c4', '2024-04-01', ['board']],
  ['c5', '2024-04-02', ['cushion', 'candle', 'mug']],
  ['c6', '2024-05-01', ['tea']],
  ['c1', '2024-06-05', ['tea', 'board']],
  ['c1', '2024-06-20', ['candle']],
  ['c2', '2024-06-10', ['cushion']],
  ['c4', '2024-07-01', ['mug', 'tea']],
  ['c7', '2024-06-03', ['mug']],
];
const cutoff = '2024-06-01';

let t: TestApp;
let auth: Record<string, string>;
let storeId: string;
const idOf = new Map<string, number>();

beforeAll(async () => {
  t = await createTestApp();
  const store = await t.newStore('Planted', { currency: 'USD' });
  auth = bearer(store.secretKey);
  storeId = store.storeId;
  const post = async (url: string, payload: object) => {
    const response = await t.app.inject({ method: 'POST', url, headers: auth, payload });
    expect(response.statusCode, response.body).toBe(200);
  };
  await post('/api/v1/products/batch', { products: Object.entries(titles).map(([id, title]) => ({ external_id: id, title, price: 1000, currency: 'USD' })) });
  await post('/api/v1/customers/batch', { customers: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'].map((id) => ({ external_id: id, email: `${id}@example.com` })) });
  await post('/api/v1/orders/batch', {
    orders: planted.map(([customer, day, products], i) => ({
      external_id: `o${i + 1}`, customer_external_id: customer, placed_at: `${day}T10:00:00Z`, currency: 'USD', status: 'paid',
      lines: products.map((p) => ({ product_external_id: p, title: titles[p], quantity: 1, unit_price: 1000 })),
    })),
  });
  const products = (await t.app.inject({ method: 'GET', url: '/api/v1/products?limit=100', headers: auth })).json().data as { id: number; external_id: string }[];
  for (const p of products) idOf.set(p.external_id, p.id);
}, 60_000);
afterAll(async () => t?.close());

const log2 = Math.log2;

describe('ranking metrics', () => {
  it('follow their definitions on hand-made lists', () => {
    const m = rankingMetrics([
      { recommended: [1, 2, 3], target: new Set([2, 9]) },
      { recommended: [4, 5, 6], target: new Set([7]) },
      { recommended: [7, 8, 1], target: new Set([7, 1]) },
    ], 3, 10);
    expect(m.customers).toBe(3);
    expect(m.hitRate).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBeCloseTo((1 / 2 + 0 + 1) / 3, 12);
    // Hit at rank 2 of an ideal two; nothing; hits at ranks 1 and 3 of an ideal two.
    expect(m.ndcg).toBeCloseTo(((1 / log2(3)) / (1 + 1 / log2(3)) + 0 + (1 + 1 / log2(4)) / (1 + 1 / log2(3))) / 3, 12);
    expect(m.coverage).toBeCloseTo(8 / 10, 12);
  });
});

describe('evaluation on a planted store', () => {
  it('tests the customers who ordered before and after the cutoff on their first order after it, beside both baselines', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/recommendations/evaluation?cutoff=${cutoff}&k=2`, headers: auth });
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json();
    // c1, c2 and c4 ordered on both sides; c7 only after, c3, c5 and c6 only before.
    expect(report.test_customers).toBe(3);
    expect(report.catalogue).toBe(5);
    const row = (model: string) => report.rows.find((r: { model: string }) => r.model === model);
    // Popularity: mug (4 buyers), tea (3) for everyone. c1's target {tea, board}: tea at rank 2;
    // c2's {cushion}: none; c4's {mug, tea}: both, at ranks 1 and 2.
    const ideal2 = 1 + 1 / log2(3);
    expect(row('baseline_popularity').hit_rate).toBeCloseTo(2 / 3, 12);
    expect(row('baseline_popularity').recall).toBeCloseTo((1 / 2 + 0 + 1) / 3, 12);
    expect(row('baseline_popularity').ndcg).toBeCloseTo(((1 / log2(3)) / ideal2 + 0 + 1) / 3, 12);
    expect(row('baseline_popularity').coverage).toBeCloseTo(2 / 5, 12);
    // Buy again: c1 [tea (2 orders), mug]: tea at rank 1; c2 [mug, candle]: none; c4 [board]: none.
    expect(row('baseline_buy_again').hit_rate).toBeCloseTo(1 / 3, 12);
    expect(row('baseline_buy_again').recall).toBeCloseTo((1 / 2) / 3, 12);
    expect(row('baseline_buy_again').ndcg).toBeCloseTo((1 / ideal2) / 3, 12);
    expect(row('baseline_buy_again').coverage).toBeCloseTo(4 / 5, 12);
    expect(report.rows.map((r: { model: string }) => r.model)).toEqual(['for_you', 'buy_again', 'bought_together', 'next_product', 'popular', 'baseline_popularity', 'baseline_buy_again']);
  });

  it('names a bad cutoff and k', async () => {
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/recommendations/evaluation?cutoff=2024-13-45&k=0', headers: auth });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['query.cutoff', 'query.k']);
  });
});

describe('serving', () => {
  /** Distinct customers who bought both products, from the planted orders. */
  const boughtBoth = (a: string, b: string): number => {
    const has = (p: string) => new Set(planted.filter(([, , products]) => products.includes(p)).map(([c]) => c));
    const [x, y] = [has(a), has(b)];
    return [...x].filter((c) => y.has(c)).length;
  };

  it('answers a customer\'s recommendations with a reason in words, after a fit', async () => {
    const fit = await t.app.inject({ method: 'POST', url: '/api/v1/recommendations/fit-now', headers: auth });
    expect(fit.statusCode, fit.body).toBe(200);
    expect(fit.json().customers).toBe(7);
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/customers/ext:c4/recommendations?model=bought_together&k=3', headers: auth });
    expect(response.statusCode, response.body).toBe(200);
    const list = response.json();
    expect(list.items.length).toBeGreaterThan(0);
    for (const item of list.items) {
      const match = /^bought with (.+) by (\d+) customers?$/.exec(item.explanation);
      expect(match, item.explanation).not.toBeNull();
      const source = Object.keys(titles).find((k) => titles[k] === match![1])!;
      expect(['mug', 'tea']).toContain(source);
      expect(Number(match![2])).toBe(boughtBoth(source, item.external_id));
      // c4 has bought mug, tea and board: none of them is suggested as "bought with".
      expect(['mug', 'tea', 'board']).not.toContain(item.external_id);
    }
  });

  it('refits on the job queue', async () => {
    const queued = await t.app.inject({ method: 'POST', url: '/api/v1/recommendations/fit', headers: auth });
    expect(queued.statusCode, queued.body).toBe(202);
    const before = (await t.app.inject({ method: 'GET', url: '/api/v1/customers/ext:c1/recommendations', headers: auth })).json().fit_id as number;
    const worker = new Worker(t.services.jobs, silentLogger);
    registerJobs(worker, t.services);
    while (await worker.tick()) { /* until the queue is empty */ }
    const jobs = (await t.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: auth })).json().data as { id: number; state: string }[];
    expect(jobs.find((j) => j.id === queued.json().job_id)?.state).toBe('done');
    const after = (await t.app.inject({ method: 'GET', url: '/api/v1/customers/ext:c1/recommendations', headers: auth })).json().fit_id as number;
    expect(after).toBeGreaterThan(before);
  });

  it('queues one refit a little after orders change', async () => {
    const subscriber = recommendationsSubscriber(t.services.recommendations);
    const change = { storeId, types: ['order.placed' as const], events: 1, customerIds: [], fields: [], oldest: new Date() };
    const before = Date.now();
    await subscriber.handleStores([change]);
    await subscriber.handleStores([change]);
    const queued = await t.services.storage.read.selectFrom('jobs').select(['run_at']).where('store_id', '=', storeId)
      .where('kind', '=', 'recommendations.fit').where('state', '=', 'queued').execute();
    expect(queued).toHaveLength(1);
    expect(new Date(queued[0]!.run_at).getTime()).toBeGreaterThanOrEqual(before + refitAfterChangesMs);
  });

  it('keeps blocked products out and pinned ones first', async () => {
    const before = (await t.app.inject({ method: 'GET', url: '/api/v1/customers/ext:c6/recommendations?k=3', headers: auth })).json();
    const blocked = before.items[0].product_id as number;
    const saved = await t.app.inject({ method: 'PUT', url: '/api/v1/recommendations/settings', headers: auth, payload: { pinned: [idOf.get('board')], blocked: [blocked] } });
    expect(saved.statusCode, saved.body).toBe(200);
    const after = (await t.app.inject({ method: 'GET', url: '/api/v1/customers/ext:c6/recommendations?k=3', headers: auth })).json();
    expect(after.items[0]).toMatchObject({ external_id: 'board', reason: 'pinned', explanation: 'chosen by the store' });
    expect(after.items.map((i: { product_id: number }) => i.product_id)).not.toContain(blocked);
    await t.app.inject({ method: 'PUT', url: '/api/v1/recommendations/settings', headers: auth, payload: { pinned: [], blocked: [] } });
  });

  it('fills an email\'s recommendations block for the recipient', async () => {
    const template = await t.services.templates.create(storeId, {
      name: 'Picks', purpose: 'transactional', subject: 'For you', body: `<mjml><mj-body><mj-section><mj-column>
        <mj-text>{% for p in recommendations %}<p class="pick">{{ p.title }} — {{ p.explanation }}</p>{% endfor %}</mj-text>
      </mj-column></mj-section></mj-body></mjml>`,
    });
    const served = (await t.app.inject({ method: 'GET', url: '/api/v1/customers/ext:c2/recommendations?k=4', headers: auth })).json();
    expect(served.items.length).toBeGreaterThan(0);
    const email = await t.services.templates.render(storeId, template.id, { customer: 'ext:c2', links: { unsubscribe_url: 'https://x/u', preferences_url: 'https://x/p', view_in_browser_url: 'https://x/v' } });
    const picks = [...email.html.matchAll(/<p class="pick">(.*?) — (.*?)<\/p>/g)].map((m) => [m[1], m[2]]);
    const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&#34;');
    expect(picks).toEqual(served.items.map((i: { title: string; explanation: string }) => [escape(i.title), escape(i.explanation)]));
  });

  it('fills it in each campaign email too, per recipient', async () => {
    await t.services.accounts.updateStore(storeId, { websiteUrl: 'https://shop.example', postalAddress: '1 Harbour Street, Bristol' });
    await t.services.messages.updateSettings(storeId, { from_address: 'news@shop.test', from_name: 'Planted', frequency_cap_hours: 0 });
    const subscribed = ['c2', 'c5', 'c6'];
    await t.app.inject({ method: 'POST', url: '/api/v1/customers/batch', headers: auth, payload: { customers: subscribed.map((id) => ({ external_id: id, email: `${id}@example.com`, email_consent: { status: 'subscribed' } })) } });
    const template = await t.services.templates.create(storeId, {
      name: 'Picks for all', purpose: 'marketing', subject: 'For you', body: `<mjml><mj-body><mj-section><mj-column>
        <mj-text>{% for p in recommendations %}<p class="pick">{{ p.title }}</p>{% endfor %}</mj-text>
        <mj-text>{{ store.address }} · <a href="{{ links.unsubscribe_url }}">Unsubscribe</a></mj-text>
      </mj-column></mj-section></mj-body></mjml>`,
    });
    const segment = (await t.app.inject({ method: 'POST', url: '/api/v1/segments', headers: auth, payload: { name: 'Buyers', rule: { kind: 'orders', metric: 'count', op: 'gte', value: 1 } } })).json() as { id: string };
    const campaign = (await t.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: auth, payload: { name: 'Picks', segment_ids: [segment.id], template_id: template.id, holdout_share: 0 } })).json() as { id: string };
    const started = await t.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/start`, headers: auth });
    expect(started.statusCode, started.body).toBe(200);
    const queued = await t.services.storage.read.selectFrom('message_sends').innerJoin('customers', (j) => j.onRef('customers.id', '=', 'message_sends.customer_id'))
      .select(['customers.external_id', 'message_sends.id']).where('message_sends.store_id', '=', storeId).where('message_sends.source', '=', `campaign:${campaign.id}`).execute();
    expect(queued.map((q) => q.external_id).sort()).toEqual(subscribed);
    const bodies = await bodiesByIds(t.services.storage.read, storeId, queued.map((q) => q.id));
    for (const { external_id: customer, id } of queued) {
      const { html } = bodies.get(id)!;
      // Each email shows the recipient's top four.
      const served = (await t.app.inject({ method: 'GET', url: `/api/v1/customers/ext:${customer}/recommendations?k=4`, headers: auth })).json();
      expect(served.items.length, `${customer}`).toBeGreaterThan(0);
      const picks = [...html.matchAll(/<p class="pick">(.*?)<\/p>/g)].map((m) => m[1]);
      expect(picks, `${customer}`).toEqual(served.items.map((i: { title: string }) => i.title));
    }
  });
});
