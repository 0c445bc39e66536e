/**
 * A hundred issue requests at once over real HTTP: every code is handed out once, the pattern's
 * pool extends itself as it runs out, and the retries get the same codes and hand out nothing new.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_ALPHABET } from '../../src/modules/offers/index.js';
import { bearer } from '../helpers/app.js';
import { offersHarness, type OffersHarness } from './harness.js';

let h: OffersHarness;
let customers: number[];

beforeAll(async () => {
  h = await offersHarness();
  customers = await h.customers(100);
});
afterAll(async () => h.close());

const issue = (offerId: string, customer: number, key: string) => h.t.app.inject({
  method: 'POST', url: `/api/v1/offers/${offerId}/issue`, payload: { customer_id: customer }, headers: { ...bearer(h.secretKey), 'idempotency-key': key },
});
const get = (url: string) => h.t.app.inject({ method: 'GET', url, headers: bearer(h.secretKey) });
const codeRule = new RegExp(`^WB-[${CODE_ALPHABET}]{4}-[${CODE_ALPHABET}]{4}$`);

describe('issuing under load', () => {
  it('hands each code out once under a hundred requests at once, and extends its pool', async () => {
    const offer = await h.createOffer({ holdout_share: 0, pool_size: 30 });
    const answers = await Promise.all(customers.map((c, i) => issue(offer.id, c, `blast-${i}`)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(100).fill(201));
    const codes = answers.map((a) => a.json().code as string);
    expect(new Set(codes).size).toBe(100);
    expect(codes.every((c) => codeRule.test(c))).toBe(true);
    const view = (await get(`/api/v1/offers/${offer.id}`)).json();
    // 30 at creation, then 30 more each time it ran out: 120 codes, 100 handed out.
    expect(view.pool).toEqual({ codes: 120, available: 20 });
    // The retries of all hundred get the same codes, and hand out nothing new.
    const again = await Promise.all(customers.map((c, i) => issue(offer.id, c, `blast-${i}`)));
    expect(again.map((a) => a.json().code)).toEqual(codes);
    expect((await get(`/api/v1/offers/${offer.id}`)).json().pool.available).toBe(20);
    const listed = (await get(`/api/v1/offers/${offer.id}/codes?status=issued&limit=1000`)).json().data as { code: string; customer_id: number }[];
    expect(listed.map((c) => c.code).sort()).toEqual([...codes].sort());
  });

});
