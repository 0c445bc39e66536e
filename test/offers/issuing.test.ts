/**
 * Offers over real HTTP: codes made from a pattern, issued exactly once per Idempotency-Key, the
 * holdout drawn by hash and recorded, imported pools that run out, segments, guardrails and status
 * changes (a hundred requests at once: concurrent-issue.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_ALPHABET, holdoutPosition } from '../../src/modules/offers/index.js';
import { bearer, errorOf } from '../helpers/app.js';
import { offersHarness, type OffersHarness } from './harness.js';

let h: OffersHarness;
let customers: number[];

beforeAll(async () => {
  h = await offersHarness();
  customers = await h.customers(50);
});
afterAll(async () => h.close());

const issue = (offerId: string, customer: number | string, key?: string) => h.t.app.inject({
  method: 'POST', url: `/api/v1/offers/${offerId}/issue`, payload: { customer_id: customer },
  headers: { ...bearer(h.secretKey), ...(key !== undefined && { 'idempotency-key': key }) },
});
const get = (url: string) => h.t.app.inject({ method: 'GET', url, headers: bearer(h.secretKey) });
const post = (url: string, payload: unknown = {}) => h.t.app.inject({ method: 'POST', url, payload: payload as object, headers: bearer(h.secretKey) });
const randomPart = new RegExp(`^WB-[${CODE_ALPHABET}]{4}-[${CODE_ALPHABET}]{4}$`);

describe('issuing', () => {
  it('makes codes from the pattern and gives the same code to a retried key', async () => {
    const offer = await h.createOffer({ holdout_share: 0, pool_size: 20 });
    expect((await get(`/api/v1/offers/${offer.id}`)).json()).toMatchObject({ status: 'active', pool: { codes: 20, available: 20 }, holdout_share: 0, currency: 'EUR' });
    const first = await issue(offer.id, customers[0]!, 'send-1');
    expect(first.statusCode).toBe(201);
    const answer = first.json();
    expect(answer).toMatchObject({ outcome: 'issued', customer_id: customers[0] });
    expect(answer.code).toMatch(randomPart);
    expect(Date.parse(answer.expires_at) - Date.parse(answer.issued_at)).toBe(30 * 86_400_000);
    const retry = await issue(offer.id, customers[0]!, 'send-1');
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual(answer);
    // Another send to the same customer is another code.
    const other = (await issue(offer.id, customers[0]!, 'send-2')).json();
    expect(other.code).not.toBe(answer.code);
    // The key belongs to its customer.
    const misuse = await issue(offer.id, customers[1]!, 'send-1');
    expect(misuse.statusCode).toBe(409);
    expect(errorOf(misuse).details[0]).toMatchObject({ path: 'headers.idempotency-key' });
  });

  it('holds out the customers its hash picks, with no code, and records them', async () => {
    const offer = await h.createOffer({ holdout_share: 0.3, pool_size: 50 });
    const seed = `offer:${offer.id}`;
    const answers = await Promise.all(customers.slice(0, 40).map((c) => issue(offer.id, c, `h-${c}`)));
    for (const [i, a] of answers.entries()) {
      const heldOut = holdoutPosition(seed, customers[i]!) < 0.3;
      expect(a.json()).toMatchObject(heldOut ? { outcome: 'holdout', code: null } : { outcome: 'issued' });
    }
    const held = answers.filter((a) => a.json().outcome === 'holdout').length;
    expect(held).toBeGreaterThan(3);
    expect(held).toBeLessThan(25);
    // The same customer keeps their arm on another send.
    const heldCustomer = customers[answers.findIndex((a) => a.json().outcome === 'holdout')]!;
    expect((await issue(offer.id, heldCustomer, 'h-again')).json().outcome).toBe('holdout');
    const shown = (await get(`/api/v1/offers/${offer.id}`)).json();
    expect(shown.results).toMatchObject({ issued: 40 - held, held_out: held, redeemed: 0 });
  });

  it('imports codes from a Shopify export, refuses a bad file whole, and answers 409 when they run out', async () => {
    const offer = await h.createOffer({ source: 'import', pattern: undefined, holdout_share: 0 });
    const bad = await post(`/api/v1/offers/${offer.id}/codes/import`, { csv: 'Code,Usage Count\nSPRING-A1,0\nnot a code!,0\nSPRING-A1,0\n,0\n' });
    expect(bad.statusCode).toBe(422);
    expect(errorOf(bad).details).toEqual([
      { path: 'line 3', reason: expect.stringContaining('is not a code') },
      { path: 'line 4', reason: 'SPRING-A1 is already on line 2' },
      { path: 'line 5', reason: 'no code in the Code column' },
    ]);
    expect((await get(`/api/v1/offers/${offer.id}`)).json().pool.codes).toBe(0);
    const noColumn = await post(`/api/v1/offers/${offer.id}/codes/import`, { csv: 'Discount,Uses\nA,1\n' });
    expect(errorOf(noColumn).details[0]).toMatchObject({ path: 'line 1' });

    const file = 'Code,Usage Count\nspring-a1,0\nSPRING-B2,0\n';
    const imported = await post(`/api/v1/offers/${offer.id}/codes/import`, { csv: file });
    expect(imported.statusCode).toBe(200);
    expect(imported.json()).toEqual({ imported: 2, already: 0, pool: { codes: 2, available: 2 } });
    expect((await post(`/api/v1/offers/${offer.id}/codes/import`, { csv: file })).json()).toMatchObject({ imported: 0, already: 2 });
    // Another offer cannot take the same codes.
    const other = await h.createOffer({ source: 'import', pattern: undefined });
    const clash = await post(`/api/v1/offers/${other.id}/codes/import`, { csv: 'code\nNEW-ONE\nSPRING-B2\n' });
    expect(clash.statusCode).toBe(422);
    expect(errorOf(clash).details).toEqual([{ path: 'line 3', reason: `SPRING-B2 is a code of offer ${offer.id}` }]);
    expect((await get(`/api/v1/offers/${other.id}`)).json().pool.codes).toBe(0);

    expect((await issue(offer.id, customers[0]!, 'imp-1')).json().code).toBe('SPRING-A1');
    expect((await issue(offer.id, customers[1]!, 'imp-2')).json().code).toBe('SPRING-B2');
    const out = await issue(offer.id, customers[2]!, 'imp-3');
    expect(out.statusCode).toBe(409);
    expect(errorOf(out).message).toMatch(/import more codes/);
  });

  it('gives codes only to the segment, and at most N offers per customer per period across offers', async () => {
    const segment = await post('/api/v1/segments', { name: 'Subscribers', rule: { kind: 'profile', field: 'email', op: 'eq', value: 'c1@example.com' } });
    expect(segment.statusCode).toBe(201);
    await h.t.services.segments.refresh(h.storeId, segment.json().id);
    const restricted = await h.createOffer({ holdout_share: 0, segment_id: segment.json().id });
    expect((await issue(restricted.id, customers[0]!, 'seg-1')).json()).toMatchObject({ outcome: 'issued' });
    expect((await issue(restricted.id, customers[1]!, 'seg-2')).json()).toMatchObject({ outcome: 'not_in_segment', code: null });

    const limited = await h.createOffer({ holdout_share: 0, guardrail: { max_offers: 3, days: 30 } });
    // Customer 50 had no codes yet: 3 are allowed, the fourth is refused by the guardrail.
    const last = customers[49]!;
    const outcomes = [];
    for (let i = 0; i < 4; i += 1) outcomes.push((await issue(limited.id, last, `guard-${i}`)).json().outcome);
    expect(outcomes).toEqual(['issued', 'issued', 'issued', 'guardrail']);
    // Customer 1 got several codes from other offers above: already over.
    expect((await issue(limited.id, customers[0]!, 'guard-c1')).json().outcome).toBe('guardrail');
  });

  it('pauses, resumes and ends; a paused or ended offer hands out nothing', async () => {
    const offer = await h.createOffer({ holdout_share: 0 });
    expect((await post(`/api/v1/offers/${offer.id}/pause`)).json().status).toBe('paused');
    const paused = await issue(offer.id, customers[5]!, 'p-1');
    expect(paused.statusCode).toBe(409);
    expect(errorOf(paused).message).toMatch(/paused/);
    expect((await post(`/api/v1/offers/${offer.id}/resume`)).json().status).toBe('active');
    expect((await issue(offer.id, customers[5]!, 'p-1')).statusCode).toBe(201);
    expect((await post(`/api/v1/offers/${offer.id}/end`)).json().status).toBe('ended');
    expect((await post(`/api/v1/offers/${offer.id}/resume`)).statusCode).toBe(409);
    // The key already answered keeps its answer.
    expect((await issue(offer.id, customers[5]!, 'p-1')).statusCode).toBe(200);
    expect((await issue(offer.id, customers[6]!, 'p-2')).statusCode).toBe(409);
    const list = (await get('/api/v1/offers')).json().data as { id: string; status: string }[];
    expect(list.find((o) => o.id === offer.id)?.status).toBe('ended');
  });
});

describe('bad input', () => {
  it('names the field and the reason', async () => {
    const cases: [object, string][] = [
      [{ name: 'x', value_kind: 'percent', value: 150, valid_days: 10, pattern: 'A-??????' }, 'value'],
      [{ name: 'x', value_kind: 'fixed', value: 100, pattern: 'A-??????' }, 'valid_days'],
      [{ name: 'x', value_kind: 'fixed', value: 100, valid_days: 5, expires_at: '2030-01-01T00:00:00Z', pattern: 'A-??????' }, 'expires_at'],
      [{ name: 'x', value_kind: 'fixed', value: 100, valid_days: 5, pattern: 'A-??' }, 'pattern'],
      [{ name: 'x', value_kind: 'fixed', value: 100, valid_days: 5, pattern: 'a-??????' }, 'pattern'],
      [{ name: 'x', value_kind: 'fixed', value: 100, valid_days: 5 }, 'pattern'],
      [{ name: 'x', value_kind: 'fixed', value: 100, valid_days: 5, pattern: 'A-??????', segment_id: 'seg_nope' }, 'segment_id'],
      [{ name: 'x', value_kind: 'fixed', value: 100, expires_at: '2001-01-01T00:00:00Z', pattern: 'A-??????' }, 'expires_at'],
      [{ name: 'x', value_kind: 'free_shipping', value: 0, valid_days: 5, pattern: 'A-??????', holdout_share: 0.9 }, 'holdout_share'],
    ];
    for (const [payload, field] of cases) {
      const answer = await post('/api/v1/offers', payload);
      expect(answer.statusCode, JSON.stringify(payload)).toBe(422);
      expect(errorOf(answer).details.map((d) => d.path), JSON.stringify(payload)).toContain(field);
    }
    const offer = await h.createOffer({});
    const noKey = await issue(offer.id, customers[0]!);
    expect(noKey.statusCode).toBe(422);
    expect(errorOf(noKey).details[0]!.path).toMatch(/idempotency-key/);
    expect((await issue(offer.id, 'ext:nobody', 'k')).statusCode).toBe(404);
    expect((await issue('ofr_missing', customers[0]!, 'k')).statusCode).toBe(404);
    expect((await get('/api/v1/offers/ofr_missing/codes?cursor=abc')).statusCode).toBe(422);
  });
});
