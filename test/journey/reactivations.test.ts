/**
 * What preceded each reactivation on the lifecycle report, planted through the real product: a
 * campaign's email sent over SMTP before one lapsed customer's order, an offer's code on another's,
 * nothing before a third's; a customer who was emailed and did not order is no reactivation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../helpers/app.js';
import { DAY, flowHarness, type FlowHarness } from '../flows/flow-harness.js';

let h: FlowHarness;
const people = ['r1', 'r2', 'r3', 'r4'];
const line = [{ product_external_id: 'p1', title: 'Mug', quantity: 1, unit_price: 2_000 }];

beforeAll(async () => {
  h = await flowHarness('Back Again');
  // Lapsed after 90 days without an order.
  await h.services.accounts.updateStore(h.storeId, { inactivityDays: 90 });
  const long = new Date(Date.now() - 400 * DAY);
  await h.services.commerce.write(h.storeId, {
    customers: people.map((p) => ({ external_id: p, email: `${p}@example.com`, email_consent: { status: 'subscribed' as const }, created_at: long })),
  });
  await h.services.commerce.write(h.storeId, { orders: people.map((p) => ({ external_id: `old-${p}`, customer_external_id: p, placed_at: long, currency: 'EUR', lines: line })) });
});
afterAll(async () => h?.close());

describe('reactivations on the lifecycle report', () => {
  it('names the campaign or offer that preceded each, and counts those with nothing before them', async () => {
    const template = (await h.request('POST', '/api/v1/templates/from-starter', { starter: 'win_back', name: 'Miss you' })).json() as { id: string };
    const segment = (await h.request('POST', '/api/v1/segments', { name: 'R1 and R2', rule: { kind: 'profile', field: 'email', op: 'in', value: ['r1@example.com', 'r2@example.com'] } })).json() as { id: string };
    const campaign = (await h.request('POST', '/api/v1/campaigns', { name: 'We miss you', segment_ids: [segment.id], template_id: template.id, holdout_share: 0 })).json() as { id: string };
    expect((await h.request('POST', `/api/v1/campaigns/${campaign.id}/start`)).statusCode).toBe(200);
    await h.settle();
    expect((await h.sink.parsed()).length).toBe(2);
    const offer = (await h.request('POST', '/api/v1/offers', { name: 'Come back 10 %', value_kind: 'percent', value: 10, valid_days: 30, pattern: 'BACK-??????', holdout_share: 0 })).json() as { id: string };
    const r3 = (await h.services.customers.get(h.storeId, 'ext:r3')).id;
    const issued = await h.app.inject({ method: 'POST', url: `/api/v1/offers/${offer.id}/issue`, headers: { ...bearer(h.secretKey), 'idempotency-key': 'r3-code' }, payload: { customer_id: r3 } });
    const code = issued.json().code as string;
    expect(code).toMatch(/^BACK-/);

    // R1 (emailed), R3 (with the code, in lower case) and R4 (nothing) order again; R2 was emailed and does not.
    const at = new Date(Date.now() + 1_000);
    await h.services.commerce.write(h.storeId, { orders: [
      { external_id: 'new-r1', customer_external_id: 'r1', placed_at: at, currency: 'EUR', lines: line },
      { external_id: 'new-r3', customer_external_id: 'r3', placed_at: at, currency: 'EUR', lines: line, discount_codes: [code.toLowerCase()] },
      { external_id: 'new-r4', customer_external_id: 'r4', placed_at: at, currency: 'EUR', lines: line },
    ] });
    const to = at.toISOString().slice(0, 10);
    const from = `${to.slice(0, 8)}01`;
    const report = await h.request('GET', `/api/v1/analytics/lifecycle?from=${from}&to=${to}`);
    expect(report.statusCode, report.body).toBe(200);
    const body = report.json() as { months: { stages: { stage: string; customers: number }[] }[]; reactivations: { by: string; source_id: string | null; name: string | null; customers: number; revenue: number }[] };
    const reactivated = body.months.at(-1)!.stages.find((s) => s.stage === 'reactivated')!.customers;
    expect(reactivated).toBe(3);
    const total = (await h.services.storage.read.selectFrom('orders').select('total').where('store_id', '=', h.storeId).where('external_id', '=', 'new-r1').executeTakeFirstOrThrow()).total;
    expect(body.reactivations.map((r) => [r.by, r.source_id, r.name, r.customers, r.revenue]).sort()).toEqual([
      ['campaign', campaign.id, 'We miss you', 1, Number(total)],
      ['none', null, null, 1, Number(total)],
      ['offer', offer.id, 'Come back 10 %', 1, Number(total)],
    ]);
    expect(body.reactivations.reduce((s, r) => s + r.customers, 0)).toBe(reactivated);
  });
});
