/**
 * A bounded fuzz over every write operation: each POST, PUT, PATCH and DELETE that
 * `/api/openapi.json` lists (the admin API, the `/v1/*` tracking routes, Shopify webhooks signed
 * with the store's secret, the import upload) gets generated requests — bodies derived from the
 * operation's schema and then mutated, bad path and query parameters, wrong content types and
 * encodings, empty bodies — under each way of authenticating. No answer may be a 5xx, and every
 * 4xx must be in the API's error shape, naming what was wrong.
 *
 * The seed is fixed and printed; `FUZZ_SEED=<n>` runs another sequence, `FUZZ_RUNS=<n>` another
 * number of requests, `FUZZ_VERBOSE=1` prints the answers' statuses, commonest reasons and time per
 * operation. Routes are read from the document, so new write routes are fuzzed as they come.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNames } from '../../src/modules/imports/index.js';
import { aCustomerJson, anOrderJson } from '../builders/data.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { fromSchema, hostileValue, mutate, mutation, Raw, serialize, type JsonSchema, type SchemaContext } from '../helpers/fuzz.js';
import { shopifyCustomer, shopifyOrder, shopifyRefund } from '../helpers/shopify.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20240229);
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const WRITE_METHODS = ['post', 'put', 'patch', 'delete'] as const;
const SHOPIFY_SECRET = 'fuzz-shopify-secret';

interface Parameter { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema?: JsonSchema }
interface Operation {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The document's template: /api/v1/customers/{id}. */
  path: string;
  operationId: string;
  schemes: string[];
  parameters: Parameter[];
  body: JsonSchema | undefined;
}

type Auth = 'secret' | 'session' | 'session-no-csrf' | 'write' | 'write-in-body' | 'bad-key' | 'bad-header' | 'none' | 'signed' | 'bad-signature';
type ParamChoice = { kind: 'known'; index: number } | { kind: 'value'; text: string; encode: boolean };
type Body = { kind: 'json'; value: unknown } | { kind: 'text'; text: string } | { kind: 'bytes'; bytes: number[] } | { kind: 'none' };
interface Plan {
  op: Operation;
  auth: Auth;
  params: Record<string, ParamChoice>;
  query: Record<string, string>;
  /** Header parameters the document names (an Idempotency-Key). */
  headerParams: Record<string, string>;
  body: Body;
  contentType: string | undefined;
  encoding: 'none' | 'gzip' | 'deflate' | 'gzip-label-only' | 'br';
  topic: string;
  address: number;
  /** Drop the body's own `external_id` on a PUT, so it does not contradict the URL's (mostly). */
  alignIds: boolean;
  /** Headers a broken client adds or garbles (store selection, cookies, origin, Shopify ids). */
  noise: Record<string, string>;
}

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
let slug: string;
let session: { cookie: string; csrf: string };
let operations: Operation[];
let components: Record<string, JsonSchema>;
/** Ids seen in answers (and seeded): path parameters sometimes name something that exists. */
const known: string[] = [];
let signIns = 0;

async function signIn(): Promise<void> {
  signIns += 1;
  // Its own address each time: the sign-in route is rate limited per address, and the fuzz uses it up.
  const response = await t.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: `10.200.${signIns >> 8}.${signIns & 255}`, payload: { email: store.ownerEmail, password: store.ownerPassword } });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  session = { cookie: `hearth_session=${response.cookies.find((c) => c.name === 'hearth_session')!.value}`, csrf: response.json().csrf_token as string };
}

/** Only an owner may set it (a session, not a key). */
async function setShopifySecret(): Promise<void> {
  const response = await t.app.inject({ method: 'PATCH', url: '/api/v1/store', headers: { cookie: session.cookie, 'x-csrf-token': session.csrf }, payload: { shopify_secret: SHOPIFY_SECRET } });
  if (response.statusCode !== 200) throw new Error(`setting the Shopify secret failed: ${response.statusCode} ${response.body}`);
}

function harvest(body: unknown): void {
  const take = (item: unknown) => {
    if (!item || typeof item !== 'object') return;
    for (const key of ['id', 'external_id', 'job_id', 'user_id']) {
      const value = (item as Record<string, unknown>)[key];
      if ((typeof value === 'string' || typeof value === 'number') && !known.includes(String(value)) && known.length < 500) known.push(String(value));
    }
  };
  take(body);
  // Lists in the answer ({ data: [...] }, { personas: [...] }) name things too.
  for (const value of Object.values(body && typeof body === 'object' ? body : {})) if (Array.isArray(value)) value.slice(0, 20).forEach(take);
}

beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Fuzz Store', { currency: 'USD' });
  slug = (await t.services.accounts.getStore(store.storeId)).slug;
  await signIn();
  const auth = { authorization: `Bearer ${store.secretKey}` };
  const seed = async (method: 'PUT' | 'POST' | 'PATCH', url: string, payload: unknown) => {
    const response = await t.app.inject({ method, url, headers: auth, payload: payload as object });
    if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
    harvest(response.json());
  };
  await setShopifySecret();
  for (const id of ['cust-1', 'cust-2']) await seed('PUT', `/api/v1/customers/${id}`, aCustomerJson(id));
  await seed('PUT', '/api/v1/products/prod-1', { title: 'Mug', price: 1250, currency: 'USD' });
  await seed('PUT', '/api/v1/orders/ord-1', anOrderJson('ord-1', { currency: 'USD' }));
  await seed('PUT', '/api/v1/returns/ret-1', { order_external_id: 'ord-1', returned_at: '2024-03-10T09:00:00Z', currency: 'USD', amount: 800 });
  // Enough buyers for personas (30), so their run and "save as segment" are reached.
  const buyers = Array.from({ length: 36 }, (_, i) => anOrderJson(`ord-b${i}`, { customer_external_id: `buyer-${i}`, currency: 'USD', placed_at: `2024-0${1 + (i % 9)}-1${i % 10}T10:00:00Z`, shipping: 100 * (i % 7) }));
  await seed('POST', '/api/v1/orders/batch', { orders: buyers });
  await seed('POST', '/api/v1/segments', { name: 'From Germany', rule: { kind: 'profile', field: 'country', op: 'eq', value: 'DE' } });
  known.push('cust-1', 'ext:cust-1', 'ord-1', 'ext:ord-1', store.storeId, slug);

  const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
    paths: Record<string, Record<string, { operationId: string; security?: Record<string, string[]>[]; parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>;
    components: { schemas: Record<string, JsonSchema> };
  };
  components = doc.components.schemas;
  operations = Object.entries(doc.paths).flatMap(([path, methods]) => WRITE_METHODS.filter((m) => methods[m]).map((m) => {
    const op = methods[m]!;
    return {
      method: m.toUpperCase() as Operation['method'], path, operationId: op.operationId,
      schemes: (op.security ?? []).flatMap((s) => Object.keys(s)),
      parameters: op.parameters ?? [],
      body: op.requestBody?.content?.['application/json']?.schema,
    };
  }));
}, 60_000);

afterAll(async () => t?.close());

// ---- what a request is made of -------------------------------------------------------------

function authFor(op: Operation): fc.Arbitrary<Auth> {
  const w = (weight: number, value: Auth) => ({ weight, arbitrary: fc.constant(value) });
  if (op.path.startsWith('/webhooks/shopify/')) return fc.oneof(w(85, 'signed'), w(10, 'bad-signature'), w(5, 'none'));
  if (op.schemes.includes('writeKey')) return fc.oneof(w(70, 'write'), w(8, 'write-in-body'), w(10, 'secret'), w(4, 'session'), w(4, 'bad-key'), w(2, 'bad-header'), w(2, 'none'));
  if (op.schemes.length > 0) return fc.oneof(w(55, 'secret'), w(35, 'session'), w(3, 'session-no-csrf'), w(3, 'write'), w(2, 'bad-key'), w(2, 'bad-header'), w(2, 'none'));
  return fc.oneof(w(80, 'none'), w(10, 'session'), w(10, 'secret'));
}

const badParam: fc.Arbitrary<ParamChoice> = fc.oneof(
  fc.constantFrom(300, 1_025, 20_000).map((n): ParamChoice => ({ kind: 'value', text: 'e'.repeat(n), encode: true })),
  fc.constantFrom('%E0%A4%A', '%00', '%2F..%2F..', '%', '%ZZ', '..', 'ext%3A', '%F0%9F%92%A5', 'a%20b', '%C0%AF', '%ED%A0%80').map((text): ParamChoice => ({ kind: 'value', text, encode: false })),
  fc.constantFrom('ext:', 'ext:nope', '0', '-1', '9007199254740993', '1e400', ' ', '💥', '\u0000', 'null', 'undefined', '../x').map((text): ParamChoice => ({ kind: 'value', text, encode: true })),
);

function paramFor(parameter: Parameter, ctx: SchemaContext): fc.Arbitrary<ParamChoice> {
  const fromDoc = fromSchema(parameter.schema ?? { type: 'string' }, ctx).map((v): ParamChoice => ({ kind: 'value', text: String(v), encode: true }));
  const named = ctx.named[parameter.name];
  return fc.oneof(
    { weight: named ? 70 : 45, arbitrary: named ? fc.constantFrom(...named).map((text): ParamChoice => ({ kind: 'value', text, encode: true })) : fc.nat().map((index): ParamChoice => ({ kind: 'known', index })) },
    { weight: 25, arbitrary: fromDoc },
    { weight: 30, arbitrary: badParam },
  );
}

function queryFor(op: Operation, ctx: SchemaContext): fc.Arbitrary<Record<string, string>> {
  const entries = op.parameters.filter((p) => p.in === 'query').map((p) => {
    const value = fc.oneof(
      { weight: 6, arbitrary: fromSchema(p.schema, ctx, 0, p.name).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '')) },
      { weight: 2, arbitrary: hostileValue.map((v) => (typeof v === 'string' ? v : v instanceof Raw ? v.text : JSON.stringify(v) ?? '')) },
    );
    return fc.option(value, { freq: p.required ? 10 : 2, nil: undefined }).map((v) => [p.name, v] as const);
  });
  const unknown = fc.option(fc.tuple(fc.constantFrom('unknown', '__proto__', 'limit'), fc.string({ maxLength: 8 })), { freq: 3, nil: undefined });
  return fc.tuple(fc.tuple(...entries), unknown).map(([pairs, extra]) => Object.fromEntries([...pairs.flatMap(([k, v]) => (v === undefined ? [] : [[k, v] as const])), ...(extra ? [extra] : [])]));
}

/** Header parameters: mostly a printable value (some repeated, as retries), sometimes empty or too long, sometimes left out. */
function headerParamsFor(op: Operation): fc.Arbitrary<Record<string, string>> {
  const entries = op.parameters.filter((p) => p.in === 'header').map((p) => {
    const value = fc.oneof(
      { weight: 6, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,40}$/) },
      { weight: 2, arbitrary: fc.constantFrom('retry-1', 'retry-2') },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', 'k'.repeat(300)) },
    );
    return fc.option(value, { freq: p.required ? 8 : 3, nil: undefined }).map((v) => [p.name, v] as const);
  });
  return fc.tuple(...entries).map((pairs) => Object.fromEntries(pairs.flatMap(([k, v]) => (v === undefined ? [] : [[k, v] as const]))));
}

/** A Segment message as the tracking clients send it (the document's schema for /v1 bodies is open). */
function segmentMessage(ctx: SchemaContext, type?: string): fc.Arbitrary<Record<string, unknown>> {
  const amount = fc.oneof(fc.double({ min: -10, max: 1000, noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 500 }));
  const product = fc.record({ product_id: fc.constantFrom('prod-1', 'sku-2', ''), sku: fc.string({ maxLength: 6 }), price: amount, quantity: fc.integer({ min: -1, max: 5 }), name: fc.string({ maxLength: 8 }) }, { requiredKeys: [] });
  return fc.record({
    type: type ? fc.constant(type) : fc.constantFrom('track', 'identify', 'page', 'screen', 'group', 'alias'),
    event: fc.constantFrom('Order Completed', 'Order Updated', 'Order Cancelled', 'Order Refunded', 'Product Viewed', 'Checkout Started', 'Coupon Applied', 'Signed Up'),
    userId: fc.oneof(fc.constantFrom('cust-1', 'cust-2', 'u-9'), fc.string({ maxLength: 10 })),
    anonymousId: fc.constantFrom('anon-1', 'anon-2'),
    previousId: fc.constantFrom('anon-1', 'cust-1'),
    groupId: fc.constantFrom('g-1'),
    name: fc.string({ maxLength: 10 }),
    messageId: fc.string({ minLength: 1, maxLength: 12 }),
    timestamp: fromSchema({ type: 'string' }, ctx, 0, 'timestamp'),
    sentAt: fromSchema({ type: 'string' }, ctx, 0, 'sentAt'),
    originalTimestamp: fromSchema({ type: 'string' }, ctx, 0, 'originalTimestamp'),
    properties: fc.record({
      order_id: fc.constantFrom('ord-1', 'ord-fz', 'ord-2'), total: amount, revenue: amount, shipping: amount, tax: amount, discount: amount,
      currency: fromSchema({ type: 'string' }, ctx, 0, 'currency'), coupon: fc.string({ maxLength: 6 }), products: fc.array(product, { maxLength: 3 }),
      price: amount, quantity: fc.integer({ min: -2, max: 5 }), rating: amount, url: fc.webUrl(),
    }, { requiredKeys: [] }),
    traits: fc.record({
      email: fromSchema({ type: 'string' }, ctx, 0, 'email'), firstName: fc.string({ maxLength: 8 }), name: fc.string({ maxLength: 12 }), phone: fc.string({ maxLength: 12 }),
      createdAt: fromSchema({ type: 'string' }, ctx, 0, 'createdAt'), accepts_marketing: fc.boolean(), tags: fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
      address: fc.record({ city: fc.string({ maxLength: 8 }), country: fromSchema({ type: 'string' }, ctx, 0, 'country') }, { requiredKeys: [] }),
    }, { requiredKeys: [] }),
    context: fc.record({ library: fc.record({ name: fc.constantFrom('analytics.js', 'analytics-node', '@rudderstack/rudder-sdk-node', 'hearth.js'), version: fc.constant('1.0.0') }) }, { requiredKeys: [] }),
  }, { requiredKeys: ['type', 'messageId', 'event', 'userId', 'anonymousId', 'previousId', 'groupId'] });
}

const typeOfPath: Record<string, string> = { track: 'track', t: 'track', identify: 'identify', i: 'identify', page: 'page', p: 'page', screen: 'screen', s: 'screen', group: 'group', g: 'group', alias: 'alias', a: 'alias' };

const shopifyTopics = ['orders/create', 'orders/updated', 'orders/cancelled', 'refunds/create', 'customers/create', 'customers/update', 'app/uninstalled', '', 'orders/../create'];

/** The body before mutation: from the schema, or for open schemas from what the route's clients send. */
function baseFor(op: Operation, ctx: SchemaContext): fc.Arbitrary<unknown> | undefined {
  if (op.path.startsWith('/webhooks/shopify/')) {
    return fc.constantFrom<unknown>(shopifyOrder(), shopifyOrder({ cancelled_at: '2026-11-21T12:00:00-05:00', financial_status: 'refunded' }), shopifyOrder({ taxes_included: true, currency: 'EUR' }), shopifyRefund(), { ...shopifyCustomer });
  }
  if (op.path.startsWith('/v1/')) {
    const fromDoc = fromSchema(op.body, ctx);
    const message = segmentMessage(ctx, typeOfPath[op.path.slice('/v1/'.length)]);
    if (/\/v1\/(batch|b)$/.test(op.path)) return fc.oneof(fromDoc, fc.record({ batch: fc.array(message, { minLength: 1, maxLength: 5 }), sentAt: fromSchema({ type: 'string' }, ctx, 0, 'sentAt') }, { requiredKeys: ['batch'] }));
    return fc.oneof({ weight: 1, arbitrary: fromDoc }, { weight: 3, arbitrary: message });
  }
  return op.body ? fromSchema(op.body, ctx) : undefined;
}

const csvLike = fc.array(fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('2024-02-30', '1e400', '-0', '"', '""', '\r', '9007199254740993', 'USD', 'order_id', 'email')), { minLength: 1, maxLength: 6 }), { minLength: 0, maxLength: 6 })
  .map((rows) => rows.map((r) => r.join(',')).join('\n'));
const garbageText = fc.oneof(
  fc.constantFrom('{', '}{', '{"a":1,}', "{'a':1}", 'null', 'true', '[]', '""', '0', 'NaN', '\u0000', ' ', '\ufeff{}', '{"a":"\\ud800"}', '{"a":"\\u00"}', '[1,2', '{"batch":'),
  fc.string({ maxLength: 30 }),
  csvLike,
);

function bodyFor(op: Operation, ctx: SchemaContext): fc.Arbitrary<Body> {
  const base = baseFor(op, ctx);
  const text = garbageText.map((s): Body => ({ kind: 'text', text: s }));
  const bytes = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }).map((b): Body => ({ kind: 'bytes', bytes: b }));
  const none = fc.constant<Body>({ kind: 'none' });
  if (!base) {
    return fc.oneof({ weight: 75, arbitrary: none }, { weight: 10, arbitrary: csvLike.map((s): Body => ({ kind: 'text', text: s })) }, { weight: 5, arbitrary: text }, { weight: 5, arbitrary: hostileValue.map((v): Body => ({ kind: 'json', value: v })) }, { weight: 5, arbitrary: bytes });
  }
  return fc.oneof(
    { weight: 40, arbitrary: base.map((value): Body => ({ kind: 'json', value })) },
    { weight: 30, arbitrary: fc.tuple(base, mutation).map(([value, m]): Body => ({ kind: 'json', value: mutate(value, [m]) })) },
    { weight: 15, arbitrary: fc.tuple(base, fc.array(mutation, { minLength: 2, maxLength: 4 })).map(([value, ms]): Body => ({ kind: 'json', value: mutate(value, ms) })) },
    { weight: 5, arbitrary: hostileValue.map((value): Body => ({ kind: 'json', value })) },
    { weight: 4, arbitrary: text },
    { weight: 3, arbitrary: none },
    { weight: 3, arbitrary: bytes },
  );
}

const otherContentTypes = ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data', 'multipart/form-data; boundary=x', 'application/json; charset=latin1',
  'application/json; charset=utf-16', 'text/csv', 'application/octet-stream', 'application/x-ndjson', '', 'application/json, text/plain', ';;;', 'application/vnd.api+json', 'APPLICATION/JSON'];

const noiseHeader: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(fc.constant('x-hearth-store'), fc.constantFrom('', 'no-such-store', '%00', 'x'.repeat(2_000), 'st_', ' ')),
  fc.tuple(fc.constant('cookie'), fc.constantFrom('hearth_session=%E0%A4%A', 'hearth_session=', 'hearth_session=x; hearth_session=y', '=;=;', 'hearth_session="unterminated')),
  fc.tuple(fc.constant('x-csrf-token'), fc.constantFrom('', 'x'.repeat(5_000), '\u00ff')),
  fc.tuple(fc.constant('origin'), fc.constantFrom('https://shop.example', 'null', 'not a url', 'https://a.shop.example:99999', 'file://')),
  fc.tuple(fc.constant('x-shopify-webhook-id'), fc.constantFrom('wh-1', 'wh-1', '', 'x'.repeat(5_000))),
  fc.tuple(fc.constant('x-shopify-topic'), fc.constantFrom('orders/create', 'ORDERS/CREATE', 'x'.repeat(3_000))),
  fc.tuple(fc.constant('x-forwarded-for'), fc.constantFrom('not-an-ip', '1.2.3.4, 5.6.7.8', '::1', '')),
);

const badAuthorization = ['Basic !!!', 'Basic ', 'Bearer ', 'Bearer \u00e9', `Basic ${Buffer.from(':').toString('base64')}`, `Basic ${Buffer.from('\u0000:x').toString('base64')}`, 'Digest x', 'bearer lower-case', 'Bearer a b c'];

function planFor(op: Operation, ctx: SchemaContext): fc.Arbitrary<Plan> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  return fc.record({
    op: fc.constant(op),
    auth: authFor(op),
    params: fc.tuple(...pathParams.map((p) => paramFor(p, ctx).map((c) => [p.name, c] as const))).map((pairs) => Object.fromEntries(pairs)),
    query: queryFor(op, ctx),
    headerParams: headerParamsFor(op),
    body: bodyFor(op, ctx),
    contentType: fc.oneof({ weight: 92, arbitrary: fc.constant<string | undefined>(undefined) }, { weight: 8, arbitrary: fc.constantFrom<string | undefined>(...otherContentTypes) }),
    alignIds: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    encoding: fc.oneof({ weight: 90, arbitrary: fc.constant('none' as const) }, { weight: 10, arbitrary: fc.constantFrom('gzip' as const, 'gzip' as const, 'deflate' as const, 'gzip-label-only' as const, 'br' as const) }),
    topic: fc.constantFrom(...shopifyTopics),
    address: fc.integer({ min: 1, max: 120 }),
    noise: fc.oneof({ weight: 9, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.array(noiseHeader, { minLength: 1, maxLength: 2 }).map((pairs) => Object.fromEntries(pairs)) }),
  });
}

// ---- sending -------------------------------------------------------------------------------

function urlOf(plan: Plan): string {
  const path = plan.op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const choice = plan.params[name]!;
    if (choice.kind === 'known') return encodeURIComponent(known[choice.index % known.length]!);
    return choice.encode ? encodeURIComponent(choice.text) : choice.text;
  });
  const query = new URLSearchParams(Object.entries(plan.query)).toString();
  return query ? `${path}?${query}` : path;
}

function payloadOf(plan: Plan): Buffer | undefined {
  const { body } = plan;
  if (body.kind === 'none') return undefined;
  if (body.kind === 'bytes') return Buffer.from(body.bytes);
  if (body.kind === 'text') return Buffer.from(body.text, 'utf8');
  let value = body.value;
  if (plan.alignIds && plan.op.method === 'PUT' && value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Raw) && 'external_id' in value) {
    const { external_id: _dropped, ...rest } = value as Record<string, unknown>;
    value = rest;
  }
  if (plan.auth === 'write-in-body' && value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Raw)) value = { ...value, writeKey: store.writeKey };
  return Buffer.from(serialize(value), 'utf8');
}

function headersOf(plan: Plan, payload: Buffer | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  const contentType = plan.contentType ?? (plan.body.kind === 'json' ? 'application/json' : plan.body.kind === 'none' ? undefined : 'text/csv');
  if (contentType !== undefined && (payload !== undefined || plan.contentType !== undefined)) headers['content-type'] = contentType;
  switch (plan.auth) {
    case 'secret': headers.authorization = `Bearer ${store.secretKey}`; break;
    case 'write': headers.authorization = `Basic ${Buffer.from(`${store.writeKey}:`).toString('base64')}`; break;
    case 'bad-key': headers.authorization = `Bearer hk_secret_${'0'.repeat(32)}`; break;
    case 'bad-header': headers.authorization = badAuthorization[plan.address % badAuthorization.length]!; break;
    case 'session': headers.cookie = session.cookie; headers['x-csrf-token'] = session.csrf; break;
    case 'session-no-csrf': headers.cookie = session.cookie; break;
    case 'signed':
    case 'bad-signature': {
      const secret = plan.auth === 'signed' ? SHOPIFY_SECRET : 'not-the-secret';
      headers['x-shopify-hmac-sha256'] = createHmac('sha256', secret).update(payload ?? Buffer.alloc(0)).digest('base64');
      headers['x-shopify-topic'] = plan.topic;
      headers['x-shopify-webhook-id'] = randomUUID();
      headers['x-shopify-shop-domain'] = 'fuzz.myshopify.com';
      break;
    }
    default: break;
  }
  Object.assign(headers, plan.headerParams);
  // The noise replaces what the plan set (a garbled cookie instead of the session's).
  Object.assign(headers, plan.noise);
  return headers;
}

function encode(plan: Plan, payload: Buffer | undefined, headers: Record<string, string>): Buffer | undefined {
  if (payload === undefined || plan.encoding === 'none') return payload;
  headers['content-encoding'] = plan.encoding === 'gzip-label-only' ? 'gzip' : plan.encoding;
  if (plan.encoding === 'gzip') return gzipSync(payload);
  if (plan.encoding === 'deflate') return deflateSync(payload);
  return payload;
}

interface Finding { operation: string; status: number; request: string; answer: string }

function checkAnswer(plan: Plan, url: string, payload: Buffer | undefined, response: LightMyRequestResponse): Finding | undefined {
  const request = `${plan.op.method} ${url.slice(0, 300)} auth=${plan.auth} type=${plan.contentType ?? '(default)'} enc=${plan.encoding} body=${payload?.subarray(0, 400).toString('utf8') ?? '(none)'}`;
  const finding = (why: string) => ({ operation: plan.op.operationId, status: response.statusCode, request, answer: `${why}: ${response.body.slice(0, 400)}` });
  if (response.statusCode >= 500) return finding('server error');
  if (response.statusCode < 400) return undefined;
  let body: unknown;
  try {
    body = response.json();
  } catch {
    return finding('a 4xx that is not JSON');
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } }).error;
  if (!error || typeof error.code !== 'string' || !error.code || typeof error.message !== 'string' || !error.message.trim()) return finding('a 4xx not in the error shape');
  if (error.details !== undefined) {
    const ok = Array.isArray(error.details) && error.details.every((d: unknown) => d && typeof (d as { path?: unknown }).path === 'string' && typeof (d as { reason?: unknown }).reason === 'string');
    if (!ok) return finding('error details that are not [{ path, reason }]');
  }
  return undefined;
}

/** Deterministic shuffle (mulberry32), so the routes interleave and one route's writes meet another's. */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

describe('fuzzing every write route', () => {
  it(`answers ${RUNS} generated requests without a 5xx, every 4xx in the error shape`, async () => {
    console.log(`fuzz-write-routes: seed ${SEED} (set FUZZ_SEED to vary), ${RUNS} requests over ${operations.length} operations`);
    expect(operations.length).toBeGreaterThan(30);
    for (const path of ['/v1/batch', '/v1/t', '/webhooks/shopify/{store}', '/api/v1/imports']) expect(operations.some((op) => op.path === path)).toBe(true);

    const fields = (await t.app.inject({ method: 'GET', url: '/api/v1/segments/fields', headers: { authorization: `Bearer ${store.secretKey}` } })).json() as { data?: Array<{ key?: string }> };
    const ctx: SchemaContext = {
      components,
      strings: [...new Set([...known, ...formatNames, 'csv', 'owner', 'admin', 'analyst', 'write', 'secret', ...(fields.data ?? []).flatMap((f) => (f.key ? [f.key] : []))])],
      named: { format: formatNames, store: [store.storeId, slug], role: ['owner', 'admin', 'analyst'], kind: ['write', 'secret'] },
      propertyHints: { rule: 'SegmentRule' },
    };
    const perOperation = Math.max(1, Math.ceil(RUNS / operations.length));
    const plans = shuffle(operations.flatMap((op, i) => fc.sample(planFor(op, ctx), { seed: SEED + i, numRuns: perOperation })), SEED).slice(0, RUNS);

    const started = performance.now();
    const findings: Finding[] = [];
    const statuses = new Map<string, number>();
    const reasons = new Map<string, number>();
    const timeOf = new Map<string, number>();
    for (const plan of plans) {
      const url = urlOf(plan);
      const raw = payloadOf(plan);
      const headers = headersOf(plan, raw);
      const payload = encode(plan, raw, headers);
      const sentAt = performance.now();
      const response = await t.app.inject({ method: plan.op.method, url, headers, remoteAddress: `10.1.0.${plan.address}`, ...(payload !== undefined && { payload }) });
      timeOf.set(plan.op.operationId, (timeOf.get(plan.op.operationId) ?? 0) + performance.now() - sentAt);
      const finding = checkAnswer(plan, url, raw, response);
      if (finding && findings.length < 50) findings.push(finding);
      if (process.env.FUZZ_VERBOSE && response.statusCode >= 400) {
        const error = (() => { try { return response.json().error; } catch { return undefined; } })();
        const reason = `${plan.op.operationId} ${response.statusCode} ${plan.auth} ${error?.message?.slice(0, 60)} ${error?.details?.[0]?.path}: ${String(error?.details?.[0]?.reason).slice(0, 60)}`;
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
      const key = `${plan.op.operationId} ${response.statusCode}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      if (response.statusCode < 300 && response.headers['content-type']?.toString().startsWith('application/json')) harvest(response.json());
      // Keep the fuzz's own footing: a changed password is remembered, a signed-out session signs in
      // again, a changed Shopify secret is set back.
      const sent = plan.body.kind === 'json' && plan.body.value && typeof plan.body.value === 'object' ? plan.body.value as Record<string, unknown> : {};
      if (response.statusCode < 300 && typeof sent.new_password === 'string') store.ownerPassword = sent.new_password;
      if (plan.auth.startsWith('session') && (response.statusCode === 401 || (plan.op.method === 'DELETE' && response.statusCode < 300))) await signIn();
      if (response.statusCode < 300 && 'shopify_secret' in sent) {
        await setShopifySecret();
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const succeeded = [...statuses].filter(([k]) => Number(k.split(' ')[1]) < 300).reduce((sum, [, n]) => sum + n, 0);
    console.log(`fuzz-write-routes: ${plans.length} requests in ${seconds.toFixed(1)} s, ${succeeded} accepted, ${signIns - 1} re-sign-ins`);
    if (process.env.FUZZ_VERBOSE) console.log([...reasons].sort((a, b) => b[1] - a[1]).slice(0, 150).map(([k, n]) => `${n} ${k}`).join('\n'));
    if (process.env.FUZZ_VERBOSE) console.log([...timeOf].sort((a, b) => b[1] - a[1]).map(([k, ms]) => `${k}: ${(ms / 1000).toFixed(1)} s`).join('\n'));
    if (process.env.FUZZ_VERBOSE) console.log([...statuses].sort().map(([k, n]) => `${k}: ${n}`).join('\n'));
    // Still standing: healthy, and a plain write goes through.
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const after = await t.app.inject({ method: 'PUT', url: '/api/v1/customers/after-fuzz', headers: { authorization: `Bearer ${store.secretKey}` }, payload: aCustomerJson('after-fuzz') });
    expect(after.statusCode, after.body).toBe(201);
    const untouched = operations.filter((op) => ![...statuses.keys()].some((k) => k.startsWith(`${op.operationId} `)));
    expect(untouched.map((op) => op.operationId)).toEqual([]);
    expect(findings, `seed ${SEED}`).toEqual([]);
  }, 360_000);
});
