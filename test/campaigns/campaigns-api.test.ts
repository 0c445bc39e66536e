/**
 * Campaigns over the API: the live audience count and why people are left out, a start that
 * freezes the audience with its holdout, and results whose figures this test computes on its own
 * from the orders it writes after the start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignsModule } from '../../src/modules/campaigns/index.js';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
const request = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(store.secretKey), ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });

/** Customer i: 0–39 have no email, 40–99 unsubscribed, 100–399 subscribed; 380–399 are VIPs (excluded). */
const consentOf = (i: number) => (i < 40 ? 'none' : i < 100 ? 'unsubscribed' : 'subscribed');
let buyers: string;
let vips: string;
/** Two editable copies of starter templates: the message, and a second version for A/B tests. */
let template: string;
let templateB: string;

/** A store of 400 customers who each ordered once in January, with the segments "Buyers" and "VIPs". */
async function seed(name: string): Promise<void> {
  store = await t.newStore(name, { currency: 'EUR' });
  const customers = Array.from({ length: 400 }, (_, i) => ({
    external_id: `c-${i}`,
    ...(i >= 40 && { email: `c${i}@example.com` }),
    ...(i >= 40 && { email_consent: { status: consentOf(i) } }),
    attributes: { vip: i >= 380 },
  }));
  expect((await request('POST', '/api/v1/customers/batch', { customers })).statusCode).toBe(200);
  const orders = customers.map((c, i) => ({
    external_id: `before-${i}`, customer_external_id: c.external_id, placed_at: '2026-01-15T10:00:00Z', currency: 'EUR',
    lines: [{ product_external_id: 'p-1', title: 'Mug', quantity: 1, unit_price: 2_000 }],
  }));
  expect((await request('POST', '/api/v1/orders/batch', { orders })).statusCode).toBe(200);
  const created = async (segment: string, rule: unknown) => {
    const response = await request('POST', '/api/v1/segments', { name: segment, rule });
    expect(response.statusCode, response.body).toBe(201);
    return (response.json() as { id: string }).id;
  };
  buyers = await created('Buyers', { kind: 'orders', metric: 'count', op: 'gte', value: 1 });
  vips = await created('VIPs', { kind: 'attribute', name: 'vip', op: 'eq', value: true });
  const copy = async (starter: string) => ((await request('POST', '/api/v1/templates/from-starter', { starter })).json() as { id: string }).id;
  template = await copy('win_back');
  templateB = await copy('newsletter');
}

beforeAll(async () => {
  t = await createTestApp();
  await seed('Campaign Store');
});
afterAll(async () => t.close());

describe('campaign audience', () => {
  it('counts who a campaign would reach and why the others would not', async () => {
    const response = await request('POST', '/api/v1/campaigns/audience', { segment_ids: [buyers], exclude_segment_ids: [vips], holdout_share: 0.1 });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ in_segments: 400, excluded: 20, without_email: 40, without_address: 40, without_consent: 60, audience: 280, holdout_expected: 28 });
  });

  it('refuses an unknown segment, a segment both in and out, and a holdout over half, naming the field', async () => {
    const unknown = await request('POST', '/api/v1/campaigns', { name: 'Spring', segment_ids: [buyers, 'seg_nope'] });
    expect(unknown.statusCode).toBe(422);
    expect(errorOf(unknown).details).toEqual([{ path: 'segment_ids.1', reason: 'no segment "seg_nope" in this store' }]);
    const both = await request('POST', '/api/v1/campaigns', { name: 'Spring', segment_ids: [buyers], exclude_segment_ids: [buyers] });
    expect(errorOf(both).details[0]).toMatchObject({ path: 'exclude_segment_ids.0' });
    const share = await request('POST', '/api/v1/campaigns', { name: 'Spring', segment_ids: [buyers], holdout_share: 0.9 });
    expect(share.statusCode).toBeGreaterThanOrEqual(400);
    expect(share.statusCode).toBeLessThan(500);
    expect(errorOf(share).details[0]!.path).toBe('holdout_share');
    expect((await request('GET', '/api/v1/campaigns')).json()).toEqual({ data: [] });
  });
});

describe('starting a campaign and its results', () => {
  it('freezes the audience with a holdout, once, and measures the orders placed after the start against it', async () => {
    const created = await request('POST', '/api/v1/campaigns', { name: 'Spring sale', segment_ids: [buyers], exclude_segment_ids: [vips], attribution_days: 5, template_id: template });
    expect(created.statusCode, created.body).toBe(201);
    const campaign = created.json() as { id: string; status: string; holdout_share: number };
    expect(campaign).toMatchObject({ status: 'draft', holdout_share: 0.1 });
    expect((await request('GET', `/api/v1/campaigns/${campaign.id}/results`)).json()).toMatchObject({ groups: [], lift: null, complete: false });

    const started = await request('POST', `/api/v1/campaigns/${campaign.id}/start`);
    expect(started.statusCode, started.body).toBe(200);
    const first = started.json() as { audience: number; holdout: number; recipients: number; campaign: { status: string; started_at: string } };
    expect(first.audience).toBe(280);
    expect(first.holdout + first.recipients).toBe(280);
    // 10 % of 280 is 28, with a standard deviation of 5.
    expect(first.holdout).toBeGreaterThan(12);
    expect(first.holdout).toBeLessThan(44);
    expect(first.campaign.status).toBe('sending');

    // A second start (a retried request) changes nothing; a started campaign cannot be edited or deleted.
    const again = (await request('POST', `/api/v1/campaigns/${campaign.id}/start`)).json() as typeof first;
    expect([again.audience, again.holdout, again.campaign.started_at]).toEqual([280, first.holdout, first.campaign.started_at]);
    expect((await request('PATCH', `/api/v1/campaigns/${campaign.id}`, { name: 'Renamed' })).statusCode).toBe(409);
    expect((await request('DELETE', `/api/v1/campaigns/${campaign.id}`)).statusCode).toBe(409);

    // Who is in which group: every frozen person is a subscribed non-VIP with an address.
    const held = new Set<number>();
    const sent = new Set<number>();
    let cursor: string | null = null;
    do {
      const page = (await request('GET', `/api/v1/campaigns/${campaign.id}/recipients?limit=100${cursor ? `&cursor=${cursor}` : ''}`)).json() as { data: { customer_id: number; group: string }[]; next_cursor: string | null };
      for (const r of page.data) (r.group === 'holdout' ? held : sent).add(r.customer_id);
      cursor = page.next_cursor;
    } while (cursor);
    expect([held.size, sent.size]).toEqual([first.holdout, first.recipients]);
    const externalIds = new Map<number, number>();
    for (const id of [...held, ...sent]) {
      const customer = (await request('GET', `/api/v1/customers/${id}`)).json() as { external_id: string };
      externalIds.set(id, Number(customer.external_id.slice(2)));
    }
    expect([...externalIds.values()].every((i) => i >= 100 && i < 380)).toBe(true);

    // After the start: every third person orders (40 EUR); one sent order is refunded in part.
    const orderers = [...externalIds].filter(([, i]) => i % 3 === 0);
    const placedAt = new Date(Date.now() + 60_000).toISOString();
    const orders = orderers.map(([, i]) => ({
      external_id: `after-${i}`, customer_external_id: `c-${i}`, placed_at: placedAt, currency: 'EUR',
      lines: [{ product_external_id: 'p-1', title: 'Mug', quantity: 2, unit_price: 2_000 }],
    }));
    expect((await request('POST', '/api/v1/orders/batch', { orders })).statusCode).toBe(200);
    const refunded = orderers.find(([id]) => sent.has(id))!;
    const refund = await request('POST', '/api/v1/returns/batch', { returns: [{ external_id: 'r-1', order_external_id: `after-${refunded[1]}`, returned_at: placedAt, currency: 'EUR', amount: 1_500 }] });
    expect(refund.statusCode, refund.body).toBe(200);

    const results = (await request('GET', `/api/v1/campaigns/${campaign.id}/results`)).json() as {
      currency: string; complete: boolean; groups: { group: string; people: number; buyers: number; orders: number; revenue: number }[];
      lift: { conversion_difference: number; incremental_buyers: number; significant: boolean };
    };
    const heldBuyers = orderers.filter(([id]) => held.has(id)).length;
    const sentBuyers = orderers.length - heldBuyers;
    expect(results.currency).toBe('EUR');
    expect(results.complete).toBe(false);
    expect(results.groups).toEqual([
      { group: 'sent', people: sent.size, buyers: sentBuyers, orders: sentBuyers, revenue: sentBuyers * 4_000 - 1_500, conversion: sentBuyers / sent.size, revenue_per_person: Math.round((sentBuyers * 4_000 - 1_500) / sent.size) },
      { group: 'holdout', people: held.size, buyers: heldBuyers, orders: heldBuyers, revenue: heldBuyers * 4_000, conversion: heldBuyers / held.size, revenue_per_person: Math.round((heldBuyers * 4_000) / held.size) },
    ]);
    expect(results.lift.conversion_difference).toBeCloseTo(sentBuyers / sent.size - heldBuyers / held.size, 12);
    // `+ 0` turns a rounded -0 (a tiny negative difference) into the 0 the API sends.
    expect(results.lift.incremental_buyers).toBe(Math.round((sentBuyers / sent.size - heldBuyers / held.size) * sent.size) + 0);
  });
});

/** The store's queued jobs of a kind, with their payloads, as the worker would lease them. */
const jobsOf = async (kind: string) => (await t.services.storage.read.selectFrom('jobs').selectAll().where('store_id', '=', store.storeId).where('kind', '=', kind).execute())
  .map((row) => ({ row, id: row.id, runAt: row.run_at, payload: JSON.parse(row.payload) as unknown }));

describe('scheduled campaigns and A/B tests', () => {
  // A store of its own: no orders placed by the tests above.
  beforeAll(async () => seed('Test Store'));

  it('books a start job at the send time, which starts the campaign only if it is still booked for then', async () => {
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = (await request('POST', '/api/v1/campaigns', { name: 'Tomorrow', segment_ids: [buyers], send_at: sendAt, template_id: template })).json() as { id: string; status: string };
    expect(created.status).toBe('scheduled');
    const jobs = await jobsOf('campaign.start');
    const job = jobs.find((j) => (j.payload as { campaignId: string }).campaignId === created.id)!;
    expect(job.runAt.toISOString()).toBe(sendAt);
    const handler = campaignsModule.jobs!.find((j) => j.kind === 'campaign.start')!;
    // Moved to another time: the first job finds nothing to do.
    await request('PATCH', `/api/v1/campaigns/${created.id}`, { send_at: new Date(Date.now() + 7_200_000).toISOString() });
    expect(await handler.run(t.services, { job: job.row, payload: job.payload, progress: async () => undefined })).toEqual({ skipped: 'no longer scheduled for this time' });
    expect(((await request('GET', `/api/v1/campaigns/${created.id}`)).json() as { status: string }).status).toBe('scheduled');
    const moved = (await jobsOf('campaign.start')).find((j) => j.id !== job.id && (j.payload as { campaignId: string }).campaignId === created.id)!;
    const outcome = await handler.run(t.services, { job: moved.row, payload: moved.payload, progress: async () => undefined }) as { recipients: number; holdout: number };
    // No exclusion this time: every subscribed customer with an address.
    expect(outcome.recipients + outcome.holdout).toBe(300);
    expect(((await request('GET', `/api/v1/campaigns/${created.id}`)).json() as { status: string }).status).toBe('sending');
  });

  it('splits the test share between variants, and picks the winner by revenue per person in the test window', async () => {
    const abTest = { variants: [{ template_id: template }, { template_id: templateB }], test_share: 0.5, winner_metric: 'revenue', test_hours: 24 };
    const created = (await request('POST', '/api/v1/campaigns', { name: 'Subject test', segment_ids: [buyers], ab_test: abTest })).json() as { id: string };
    await request('POST', `/api/v1/campaigns/${created.id}/start`);
    const groups = new Map<string, number[]>();
    let cursor: string | null = null;
    do {
      const page = (await request('GET', `/api/v1/campaigns/${created.id}/recipients?limit=1000${cursor ? `&cursor=${cursor}` : ''}`)).json() as { data: { customer_id: number; group: string }[]; next_cursor: string | null };
      for (const r of page.data) groups.set(r.group, [...(groups.get(r.group) ?? []), r.customer_id]);
      cursor = page.next_cursor;
    } while (cursor);
    expect([...groups.keys()].sort()).toEqual(['A', 'B', 'holdout', 'rest']);
    // 300 people: about 30 held out; half of the others tested (about 68 per variant), the rest wait.
    for (const variant of ['A', 'B']) expect(Math.abs(groups.get(variant)!.length - 68)).toBeLessThan(30);
    const winnerJob = (await jobsOf('campaign.pick_winner')).find((j) => (j.payload as { campaignId: string }).campaignId === created.id)!;
    const started = (await request('GET', `/api/v1/campaigns/${created.id}`)).json() as { started_at: string; winner_variant: number | null };
    expect(winnerJob.runAt.getTime() - new Date(started.started_at).getTime()).toBe(24 * 3_600_000);
    expect(started.winner_variant).toBeNull();

    // Two of B's people order after the start; nobody in A does.
    const external = async (id: number) => ((await request('GET', `/api/v1/customers/${id}`)).json() as { external_id: string }).external_id;
    const placedAt = new Date(Date.now() + 60_000).toISOString();
    const orders = await Promise.all(groups.get('B')!.slice(0, 2).map(async (id, k) => ({
      external_id: `ab-${k}`, customer_external_id: await external(id), placed_at: placedAt, currency: 'EUR',
      lines: [{ product_external_id: 'p-1', title: 'Mug', quantity: 1, unit_price: 3_000 }],
    })));
    expect((await request('POST', '/api/v1/orders/batch', { orders })).statusCode).toBe(200);
    const handler = campaignsModule.jobs!.find((j) => j.kind === 'campaign.pick_winner')!;
    const picked = await handler.run(t.services, { job: winnerJob.row, payload: winnerJob.payload, progress: async () => undefined }) as { winner: number; reason: string };
    expect(picked.winner).toBe(1);
    expect(picked.reason).toMatch(/^A: 0 per person, 0\.0 % bought; B: \d+ per person/);
    // Picking again keeps the first answer.
    expect(((await request('GET', `/api/v1/campaigns/${created.id}`)).json() as { winner_variant: number }).winner_variant).toBe(1);
    const results = (await request('GET', `/api/v1/campaigns/${created.id}/results`)).json() as { groups: { group: string; buyers: number }[] };
    expect(results.groups.map((g) => g.group)).toEqual(['sent', 'holdout', 'A', 'B']);
    expect(results.groups.find((g) => g.group === 'B')!.buyers).toBe(2);
  });
});
