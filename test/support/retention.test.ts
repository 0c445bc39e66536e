/**
 * The retention tables: repeat rate within 90 days after the first ticket (by resolution within
 * 24 h and by first-response band) and after the first NPS answer (by category), checked against a
 * plain computation over the data built here, with sample sizes and Wilson intervals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wilson } from '../helpers/wilson.js';
import type { OrderInput } from '../../src/modules/commerce/commerce.input.js';
import { supportHarness, type SupportHarness } from './harness.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const asOf = '2026-11-30';
const cutoff = Date.parse('2026-11-30T23:59:59.999Z') - 90 * DAY;
let h: SupportHarness;
const orders: OrderInput[] = [];

interface Person { ext: string; ticketAt: number; responseHours: number | null; resolveHours: number | null; answerAt: number; score: number; orderOffsets: { days: number; cancelled?: boolean }[] }

// 24 customers; deterministic variety of response and resolution times, scores and orders.
const people: Person[] = Array.from({ length: 24 }, (_, i) => ({
  ext: `p${i}`,
  ticketAt: Date.parse('2026-07-01T09:00:00Z') + i * 3 * DAY + (i === 23 ? 120 * DAY : 0),
  responseHours: i % 5 === 4 ? null : [0.5, 2, 10, 30][i % 4]!,
  resolveHours: i % 3 === 2 ? null : [5, 20, 40][i % 3]!,
  answerAt: Date.parse('2026-06-15T12:00:00Z') + i * 2 * DAY,
  score: (i * 5 + 2) % 11,
  orderOffsets: [{ days: [10, 45, 89, 95, -5, 30][i % 6]!, ...(i % 7 === 6 && { cancelled: true }) }],
}));

beforeAll(async () => {
  h = await supportHarness();
  for (const p of people) {
    for (const [k, o] of p.orderOffsets.entries()) {
      // Orders counted from the ticket for the ticket tables, from the answer for NPS: one after each.
      for (const [base, tag] of [[p.ticketAt, 't'], [p.answerAt, 'a']] as const) {
        orders.push({ external_id: `${p.ext}-${tag}${k}`, customer_external_id: p.ext, placed_at: new Date(base + o.days * DAY), currency: 'EUR',
          lines: [{ product_external_id: 'tea', quantity: 1, unit_price: 900 }], ...(o.cancelled && { status: 'cancelled' }) });
      }
    }
  }
  await h.t.services.commerce.write(h.storeId, { customers: people.map((p) => ({ external_id: p.ext, email: `${p.ext}@example.com` })), orders });
  for (const p of people) {
    const at = new Date(p.ticketAt);
    const body = {
      external_id: `T-${p.ext}`, customer_id: `ext:${p.ext}`, opened_at: at.toISOString(),
      ...(p.responseHours !== null && { first_response_at: new Date(p.ticketAt + p.responseHours * HOUR).toISOString() }),
      ...(p.resolveHours !== null && { status: 'resolved', resolved_at: new Date(p.ticketAt + p.resolveHours * HOUR).toISOString() }),
    };
    expect((await h.request('POST', '/api/v1/tickets', body)).statusCode).toBe(201);
    // A later ticket of the same customer does not count: only the first.
    await h.request('POST', '/api/v1/tickets', { external_id: `T2-${p.ext}`, customer_id: `ext:${p.ext}`, opened_at: new Date(p.ticketAt + DAY).toISOString(), status: 'resolved', resolved_at: new Date(p.ticketAt + DAY + HOUR).toISOString() });
    const id = (await h.t.services.customers.get(h.storeId, `ext:${p.ext}`)).id;
    const answeredAt = new Date(p.answerAt);
    const { url } = await h.t.services.surveys.link(h.storeId, { customer_id: id, kind: 'nps', key: 'summer' }, answeredAt);
    await h.t.services.surveys.answer(new URL(url).pathname.slice(3), { score: String(p.score) }, answeredAt);
  }
});
afterAll(async () => h.t.close());

function expectRow(row: { customers: number; repeaters: number; rate: number | null; low: number | null; high: number | null }, members: Person[], repeated: (p: Person) => boolean) {
  const x = members.filter(repeated).length;
  expect(row.customers).toBe(members.length);
  expect(row.repeaters).toBe(x);
  if (members.length === 0) return expect(row.rate).toBeNull();
  expect(row.rate).toBeCloseTo(x / members.length, 12);
  expect(row.low).toBeCloseTo(wilson(x, members.length).low, 12);
  expect(row.high).toBeCloseTo(wilson(x, members.length).high, 12);
}

/** Whether the person placed an order (not cancelled) in (from, from + 90 days], over all orders written. */
const orderedWithin90 = (from: (p: Person) => number) => (p: Person) => orders.some((o) => o.customer_external_id === p.ext && o.status !== 'cancelled'
  && o.placed_at.getTime() > from(p) && o.placed_at.getTime() <= from(p) + 90 * DAY);
const afterTicket = orderedWithin90((p) => p.ticketAt);
const afterAnswer = orderedWithin90((p) => p.answerAt);

describe('GET /api/v1/support/retention', () => {
  it('matches a plain computation of repeat rates, sample sizes and intervals', async () => {
    const response = await h.request('GET', `/api/v1/support/retention?as_of=${asOf}`);
    expect(response.statusCode, response.body).toBe(200);
    const r = response.json();
    expect(r.window_days).toBe(90);

    const counted = people.filter((p) => p.ticketAt <= cutoff);
    expect(counted.length).toBeGreaterThan(15);
    expect(counted.length).toBeLessThan(people.length);
    const within24 = (p: Person) => p.resolveHours !== null && p.resolveHours <= 24;
    const resolved = Object.fromEntries(r.resolved_within_24h.map((row: { group: string }) => [row.group, row]));
    expectRow(resolved.yes, counted.filter(within24), afterTicket);
    expectRow(resolved.no, counted.filter((p) => !within24(p)), afterTicket);

    const bandOf = (p: Person) => (p.responseHours === null ? 'no_response' : p.responseHours < 1 ? 'under_1h' : p.responseHours < 4 ? '1h_to_4h' : p.responseHours < 24 ? '4h_to_24h' : 'over_24h');
    for (const row of r.first_response) expectRow(row, counted.filter((p) => bandOf(p) === row.group), afterTicket);
    expect(r.first_response.map((row: { group: string }) => row.group)).toEqual(['under_1h', '1h_to_4h', '4h_to_24h', 'over_24h', 'no_response']);

    const answered = people.filter((p) => p.answerAt <= cutoff);
    const category = (s: number) => (s >= 9 ? 'promoter' : s >= 7 ? 'passive' : 'detractor');
    for (const row of r.nps_category) expectRow(row, answered.filter((p) => category(p.score) === row.group), afterAnswer);
    expect(r.nps_category.reduce((a: number, row: { customers: number }) => a + row.customers, 0)).toBe(answered.length);
  });

  it('refuses a bad day naming the field', async () => {
    const response = await h.request('GET', '/api/v1/support/retention?as_of=yesterday');
    expect(response.statusCode).toBe(422);
    expect(response.json().error.details[0].path).toContain('as_of');
  });
});
