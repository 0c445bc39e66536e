/**
 * Codes pushed to Shopify before they are handed out, against a local stand-in that answers as
 * Shopify's Admin GraphQL API is documented to: the connection is checked with Shopify and its
 * token never shown; a linked offer hands out no code until Shopify confirmed it; its pool goes in
 * calls of at most 250; a code Shopify refuses is never handed out; an answer lost on the way
 * adds nothing twice; a throttled call is tried again; the worker's job does the same pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFERS_SHOPIFY_PUSH_JOB, offersModule } from '../../src/modules/offers/index.js';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';
import { SHOPIFY_UNIQUE_ERROR, startShopifyAdmin, type ShopifyAdminStandIn } from '../helpers/shopify-admin.js';

const DISCOUNT = 'gid://shopify/DiscountCodeNode/1057371930';
let shopify: ShopifyAdminStandIn;
let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
let owner: { cookie: string; csrf: string };

beforeAll(async () => {
  shopify = await startShopifyAdmin(undefined, undefined, [DISCOUNT]);
  t = await createTestApp({ HEARTH_SHOPIFY_ADMIN_URL: shopify.urlTemplate });
  store = await t.newStore('Wag & Bone', { currency: 'EUR' });
  owner = await t.signIn(store.ownerEmail, store.ownerPassword);
  await t.services.commerce.write(store.storeId, { customers: Array.from({ length: 5 }, (_, i) => ({ external_id: `s${i + 1}`, email: `s${i + 1}@example.com` })) });
});
afterAll(async () => {
  await t.close();
  await shopify.close();
});

const asOwner = () => ({ cookie: owner.cookie, 'x-csrf-token': owner.csrf });
const connect = (payload: Record<string, unknown>) => t.app.inject({ method: 'PUT', url: '/api/v1/offers/shopify/connection', headers: asOwner(), payload });
const createOffer = (payload: Record<string, unknown>) => t.app.inject({
  method: 'POST', url: '/api/v1/offers', headers: bearer(store.secretKey),
  payload: { name: 'Ten off', value_kind: 'percent', value: 10, valid_days: 30, pattern: 'SH-??????', ...payload },
});
const push = (offerId: string) => t.app.inject({ method: 'POST', url: `/api/v1/offers/${offerId}/shopify/push`, headers: bearer(store.secretKey) });
const issue = (offerId: string, customer: string, key: string) => t.app.inject({
  method: 'POST', url: `/api/v1/offers/${offerId}/issue`, headers: { ...bearer(store.secretKey), 'idempotency-key': key }, payload: { customer_id: `ext:${customer}` },
});

describe('the Shopify connection', () => {
  it('refuses a linked offer before the store is connected, and a bad shop or a token Shopify refuses, naming the field', async () => {
    const early = await createOffer({ shopify_discount_id: DISCOUNT });
    expect(early.statusCode).toBe(422);
    expect(errorOf(early).details[0]!.path).toBe('shopify_discount_id');
    const badId = await createOffer({ shopify_discount_id: '1057371930' });
    expect(errorOf(badId).details[0]!.path).toBe('shopify_discount_id');
    const imported = await createOffer({ source: 'import', pattern: undefined, shopify_discount_id: DISCOUNT });
    expect(errorOf(imported).details.map((d) => d.path)).toContain('shopify_discount_id');

    const badShop = await connect({ shop: 'https://evil.example.com', access_token: shopify.token });
    expect(badShop.statusCode).toBe(422);
    expect(errorOf(badShop).details[0]!.path).toBe('shop');
    const badToken = await connect({ shop: shopify.shop, access_token: 'shpat_wrong_token_0000' });
    expect(badToken.statusCode).toBe(422);
    expect(errorOf(badToken).details[0]).toMatchObject({ path: 'access_token' });
    expect(errorOf(badToken).details[0]!.reason).toMatch(/refused the access token \(401\)/);
    // An API key cannot connect a shop: owners only.
    const byKey = await t.app.inject({ method: 'PUT', url: '/api/v1/offers/shopify/connection', headers: bearer(store.secretKey), payload: { shop: shopify.shop, access_token: shopify.token } });
    expect(byKey.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/offers/shopify/connection', headers: bearer(store.secretKey) })).statusCode).toBe(404);
  });

  it('connects with a token Shopify accepts and never shows the token again', async () => {
    const ok = await connect({ shop: shopify.shop.toUpperCase(), access_token: shopify.token });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ shop: shopify.shop });
    const shown = await t.app.inject({ method: 'GET', url: '/api/v1/offers/shopify/connection', headers: bearer(store.secretKey) });
    expect(shown.json().shop).toBe(shopify.shop);
    expect(shown.body).not.toContain(shopify.token);
    expect(ok.body).not.toContain(shopify.token);
  });
});

describe('a linked offer', () => {
  let offerId: string;

  it('hands out no code before Shopify confirmed one, and queues the push when created', async () => {
    // No holdout: the offer's id is new each run, and a customer drawn into the holdout gets no code at all.
    const created = await createOffer({ shopify_discount_id: DISCOUNT, pool_size: 300, holdout_share: 0 });
    expect(created.statusCode).toBe(201);
    offerId = created.json().id as string;
    expect(created.json().shopify).toEqual({ discount_id: DISCOUNT, confirmed: 0, pending: 0, refused: 0, unsent: 300 });
    const jobs = await t.services.jobs.list({ storeId: store.storeId });
    expect(jobs.some((j) => j.kind === OFFERS_SHOPIFY_PUSH_JOB)).toBe(true);
    const early = await issue(offerId, 's1', 'early-1');
    expect(early.statusCode).toBe(409);
    expect(errorOf(early).details[0]).toMatchObject({ path: 'offer_id', reason: 'codes are waiting for Shopify' });
  });

  it('adds the pool in calls of at most 250, and hands out only codes on the Shopify discount', async () => {
    const pushed = await push(offerId);
    expect(pushed.statusCode).toBe(200);
    expect(pushed.json().data[0].state).toEqual({ confirmed: 300, pending: 0, refused: 0, unsent: 0 });
    expect(shopify.adds.map((a) => a.length)).toEqual([250, 50]);
    expect(shopify.discounts.get(DISCOUNT)!.size).toBe(300);
    const answered = await issue(offerId, 's1', 'send-1');
    expect(answered.statusCode).toBe(201);
    expect(shopify.discounts.get(DISCOUNT)!.has(answered.json().code)).toBe(true);
    // A second pass sends nothing again.
    await push(offerId);
    expect(shopify.adds).toHaveLength(2);
  });

  it('never hands out a code Shopify refused', async () => {
    const created = await createOffer({ shopify_discount_id: DISCOUNT, pool_size: 10, pattern: 'RF-??????', holdout_share: 0 });
    const id = created.json().id as string;
    const pool = (await t.app.inject({ method: 'GET', url: `/api/v1/offers/${id}/codes?limit=10`, headers: bearer(store.secretKey) })).json().data as { code: string }[];
    // The first code of the pool (the one handed out first) is on another discount of the shop already.
    shopify.takenElsewhere.add(pool[0]!.code);
    const state = (await push(id)).json().data[0].state;
    expect(state).toEqual({ confirmed: 9, pending: 0, refused: 1, unsent: 0 });
    const shown = (await t.app.inject({ method: 'GET', url: `/api/v1/offers/${id}`, headers: bearer(store.secretKey) })).json();
    expect(shown.shopify).toMatchObject({ confirmed: 9, refused: 1 });
    const handed = await issue(id, 's2', 'refused-1');
    expect(handed.json().code).toBe(pool[1]!.code);
    const codes = (await t.app.inject({ method: 'GET', url: `/api/v1/offers/${id}/codes?limit=10`, headers: bearer(store.secretKey) })).json().data as { code: string; status: string }[];
    expect(codes.find((c) => c.code === pool[0]!.code)!.status).toBe('available');
    const pushes = await t.services.storage.read.selectFrom('offer_code_pushes' as never).selectAll().where('code' as never, '=', pool[0]!.code as never).execute() as { error: string }[];
    expect(pushes[0]!.error).toBe(SHOPIFY_UNIQUE_ERROR);
  });

  it('finds out what a call whose answer was lost did, and adds nothing twice', async () => {
    const id = (await createOffer({ shopify_discount_id: DISCOUNT, pool_size: 20, pattern: 'LS-??????' })).json().id as string;
    shopify.dropNextAdd();
    const lost = await push(id);
    expect(lost.statusCode).toBe(503);
    expect(errorOf(lost).details[0]!.path).toBe('shopify');
    const addsBefore = shopify.adds.length;
    const again = await push(id);
    expect(again.json().data[0].state).toEqual({ confirmed: 20, pending: 0, refused: 0, unsent: 0 });
    // The codes were created by the lost call: looked up, not sent again.
    expect(shopify.adds.length).toBe(addsBefore);
    const onShopify = [...shopify.discounts.get(DISCOUNT)!].filter((c) => c.startsWith('LS-'));
    expect(onShopify).toHaveLength(20);
  });

  it('tries a throttled call again on the next pass, as the worker\'s job runs it', async () => {
    const id = (await createOffer({ shopify_discount_id: DISCOUNT, pool_size: 5, pattern: 'TH-??????' })).json().id as string;
    shopify.throttleNext();
    const throttled = await push(id);
    expect(throttled.statusCode).toBe(503);
    const job = offersModule.jobs!.find((j) => j.kind === OFFERS_SHOPIFY_PUSH_JOB)!;
    const result = await job.run(t.services, { payload: { storeId: store.storeId, offerId: id } } as never) as { offers: { state: { confirmed: number } }[] };
    expect(result.offers[0]!.state.confirmed).toBe(5);
    // An issued code keeps working after the store disconnects; no new code goes out to Shopify.
    expect((await issue(id, 's3', 'th-1')).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/offers/shopify/connection', headers: asOwner() })).statusCode).toBe(204);
    const disconnected = await push(id);
    expect(disconnected.statusCode).toBe(409);
    expect(errorOf(disconnected).message).toMatch(/not connected/);
  });
});
