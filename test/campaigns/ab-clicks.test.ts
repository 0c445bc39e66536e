/**
 * An A/B test decided by clicks: the variant whose people clicked its links most often (unique
 * clickers / people) wins, even when the other brought more revenue; the clicks are real visits
 * to the messages' tracked links, and the rest of the audience then gets the winner's template.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignsModule } from '../../src/modules/campaigns/index.js';
import { bodiesByIds } from '../../src/modules/messaging/sends.repository.js';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
const request = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(store.secretKey), ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });

beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Split Shop', { currency: 'EUR' });
  await t.services.commerce.write(store.storeId, {
    customers: Array.from({ length: 60 }, (_, i) => ({ external_id: `c-${i}`, email: `c${i}@example.com`, email_consent: { status: 'subscribed' as const } })),
    orders: Array.from({ length: 60 }, (_, i) => ({
      external_id: `o-${i}`, customer_external_id: `c-${i}`, placed_at: new Date('2026-09-01T10:00:00Z'), currency: 'EUR',
      lines: [{ product_external_id: 'p-1', title: 'Mug', quantity: 1, unit_price: 1_500 }],
    })),
  });
  await t.services.accounts.updateStore(store.storeId, { websiteUrl: 'https://shop.example' });
  await t.services.messages.updateSettings(store.storeId, { frequency_cap_hours: 0 });
});
afterAll(async () => t.close());

describe('an A/B test won by clicks', () => {
  it('refuses an unknown winner rule, naming it', async () => {
    const segment = ((await request('POST', '/api/v1/segments', { name: 'Everyone', rule: { kind: 'orders', metric: 'count', op: 'gte', value: 1 } })).json() as { id: string }).id;
    const bad = await request('POST', '/api/v1/campaigns', { name: 'Bad', segment_ids: [segment], ab_test: { variants: [{ template_id: 'a' }, { template_id: 'b' }], test_share: 0.5, winner_metric: 'opens', test_hours: 4 } });
    expect(bad.statusCode).toBe(422);
    expect(errorOf(bad).details[0]!.path).toBe('ab_test.winner_metric');
  });

  it('picks the variant with the higher share of clickers, not the one with more revenue', async () => {
    const segment = ((await request('GET', '/api/v1/segments')).json() as { data: { id: string }[] }).data[0]!.id;
    const copy = async (starter: string) => ((await request('POST', '/api/v1/templates/from-starter', { starter })).json() as { id: string }).id;
    const templates = [await copy('win_back'), await copy('newsletter')];
    const created = await request('POST', '/api/v1/campaigns', {
      name: 'Clicks decide', segment_ids: [segment], holdout_share: 0,
      ab_test: { variants: templates.map((id) => ({ template_id: id })), test_share: 0.5, winner_metric: 'clicks', test_hours: 4 },
    });
    expect(created.statusCode, created.body).toBe(201);
    const campaign = created.json() as { id: string };
    await request('POST', `/api/v1/campaigns/${campaign.id}/start`);

    const page = (await request('GET', `/api/v1/campaigns/${campaign.id}/recipients?limit=1000`)).json() as { data: { customer_id: number; group: string }[] };
    const people = (group: string) => page.data.filter((r) => r.group === group).map((r) => r.customer_id);
    const [a, b] = [people('A'), people('B')];
    expect(a.length).toBeGreaterThan(3);
    expect(b.length).toBeGreaterThan(3);

    // Three of B's people click a link in their message; one of A's does, and two of A's people buy.
    const click = async (customerId: number) => {
      const send = await t.services.storage.read.selectFrom('message_sends').select('id')
        .where('store_id', '=', store.storeId).where('send_key', '=', `campaign:${campaign.id}:${customerId}`).executeTakeFirstOrThrow();
      const { html } = (await bodiesByIds(t.services.storage.read, store.storeId, [send.id])).get(send.id)!;
      const link = /href="(http[^"]*\/t\/c\/[^"]+)"/.exec(html)![1]!;
      expect((await t.app.inject({ method: 'GET', url: new URL(link).pathname })).statusCode).toBe(302);
    };
    for (const id of b.slice(0, 3)) await click(id);
    await click(b[0]!); // a second click by the same person counts once
    await click(a[0]!);
    const external = async (id: number) => ((await request('GET', `/api/v1/customers/${id}`)).json() as { external_id: string }).external_id;
    const orders = await Promise.all(a.slice(0, 2).map(async (id, k) => ({
      external_id: `after-${k}`, customer_external_id: await external(id), placed_at: new Date(Date.now() + 60_000).toISOString(), currency: 'EUR',
      lines: [{ product_external_id: 'p-1', title: 'Mug', quantity: 4, unit_price: 1_500 }],
    })));
    expect((await request('POST', '/api/v1/orders/batch', { orders })).statusCode).toBe(200);

    const job = (await t.services.jobs.list({ storeId: store.storeId, limit: 100 })).find((j) => j.kind === 'campaign.pick_winner')!;
    const row = await t.services.storage.read.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
    const handler = campaignsModule.jobs!.find((j) => j.kind === 'campaign.pick_winner')!;
    const picked = await handler.run(t.services, { job: row, payload: JSON.parse(row.payload), progress: async () => undefined }) as { winner: number; reason: string };
    expect(picked.winner).toBe(1);
    const rate = (n: number, of: number) => `${((n / of) * 100).toFixed(1)} %`;
    expect(picked.reason).toContain(`A: 1 of ${a.length} clicked (${rate(1, a.length)})`);
    expect(picked.reason).toContain(`B: 3 of ${b.length} clicked (${rate(3, b.length)})`);

    // The rest are sent the winner's template.
    const rest = people('rest');
    const restSends = await t.services.storage.read.selectFrom('message_sends').select(['template_id', 'customer_id'])
      .where('store_id', '=', store.storeId).where('source', '=', `campaign:${campaign.id}`).where('customer_id', 'in', rest).execute();
    expect(restSends).toHaveLength(rest.length);
    expect(new Set(restSends.map((s) => s.template_id))).toEqual(new Set([templates[1]]));
  });
});
