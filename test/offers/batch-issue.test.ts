/**
 * Codes issued for a slice of a campaign's or a flow's emails at once (`codesFor`) answer as
 * issuing to each recipient in turn would: a repeated key gets its first answer, the holdout (by
 * the offer's seed) and the guardrail get no code, codes go out in pool order — the pool extending
 * itself by its pool size as it runs short — and a second call hands out nothing new.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdoutPosition } from '../../src/modules/offers/index.js';
import { offersHarness, type OffersHarness } from './harness.js';

let h: OffersHarness;
let customers: number[];

beforeAll(async () => {
  h = await offersHarness();
  customers = await h.customers(40);
});
afterAll(async () => h.close());

describe('issuing for a batch of emails', () => {
  it('gives each recipient what issuing one by one would, in one transaction', async () => {
    const offer = await h.createOffer({ holdout_share: 0.3, pool_size: 7, guardrail: { max_offers: 1, days: 30 } });
    const { rows: [row] } = await sql<{ seed: string }>`select seed from offers where id = ${offer.id}`.execute(h.t.services.storage.read);
    const seed = row!.seed;
    // Each customer under a key of their own; then the first ten again under the same keys (a retry
    // inside the batch), and five of them under new keys (a second email: the guardrail's).
    const recipients = [
      ...customers.map((c) => ({ customerId: c, key: `send:${c}` })),
      ...customers.slice(0, 10).map((c) => ({ customerId: c, key: `send:${c}` })),
      ...customers.slice(0, 5).map((c) => ({ customerId: c, key: `again:${c}` })),
    ];
    const answered = await h.t.services.offers.codesFor(h.storeId, offer.id, recipients);

    const heldOut = (c: number) => holdoutPosition(seed, c) < 0.3;
    const offered = customers.filter((c) => !heldOut(c));
    expect(offered.length).toBeGreaterThan(15);
    expect(offered.length).toBeLessThan(40);
    for (const c of customers) expect(answered.get(`send:${c}`) === null).toBe(heldOut(c));
    // The second key of a customer who just got a code meets the guardrail; a held-out customer got none, so theirs does not.
    const { rows: outcomes } = await sql<{ idempotency_key: string; outcome: string; code: string | null }>`
      select idempotency_key, outcome, code from offer_issues where offer_id = ${offer.id}`.execute(h.t.services.storage.read);
    const outcomeOf = new Map(outcomes.map((o) => [o.idempotency_key, o.outcome]));
    expect(outcomes).toHaveLength(45);
    for (const c of customers.slice(0, 5)) expect(outcomeOf.get(`again:${c}`)).toBe(heldOut(c) ? 'holdout' : 'guardrail');
    for (const c of customers) expect(outcomeOf.get(`send:${c}`)).toBe(heldOut(c) ? 'holdout' : 'issued');

    // Codes in pool order, to the recipients in order; the pool grew by 7 at a time.
    const { rows: pool } = await sql<{ code: string }>`select code from offer_codes where offer_id = ${offer.id} order by seq`.execute(h.t.services.storage.read);
    expect(offered.map((c) => answered.get(`send:${c}`))).toEqual(pool.slice(0, offered.length).map((p) => p.code));
    expect(pool.length % 7).toBe(0);
    expect(pool.length - offered.length).toBeLessThan(7);

    // Asked again (a retried job): the same answers, nothing new handed out.
    const again = await h.t.services.offers.codesFor(h.storeId, offer.id, recipients);
    expect([...again]).toEqual([...answered]);
    const { rows: [count] } = await sql<{ n: number }>`select count(*) as n from offer_issues where offer_id = ${offer.id}`.execute(h.t.services.storage.read);
    expect(Number(count!.n)).toBe(45);

    // A key already answered for another customer is refused, and nothing of that batch is kept.
    await expect(h.t.services.offers.codesFor(h.storeId, offer.id, [{ customerId: customers[39]!, key: 'fresh:1' }, { customerId: customers[0]!, key: `send:${customers[1]}` }]))
      .rejects.toMatchObject({ code: 'conflict' });
    const { rows: [after] } = await sql<{ n: number }>`select count(*) as n from offer_issues where offer_id = ${offer.id}`.execute(h.t.services.storage.read);
    expect(Number(after!.n)).toBe(45);
  });
});
