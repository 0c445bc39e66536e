/**
 * Every JSON operation of the API is called in-process over data written through the product's
 * own writer (the data API, the file importer, the tracking API, a Shopify webhook), and every
 * answer — success and error — is validated against the schema that `/api/openapi.json` publishes
 * for that operation and status. A field the schema does not allow, or a missing required one,
 * fails the test; so does an operation that no call exercised.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerJobs } from '../../src/jobs/handlers.js';
import { Worker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { realData } from '../helpers/imports.js';
import { shopifyHeaders, shopifyOrder } from '../helpers/shopify.js';
import { startShopifyAdmin, type ShopifyAdminStandIn } from '../helpers/shopify-admin.js';
import { twilioSignatureOf } from '../helpers/sms-api.js';
import { aCustomerJson, anOrderJson } from '../builders/data.js';
import { png } from '../reviews/images.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Call { method: Method; template: string; status: number; contentType: string; body: unknown }

interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
}

// ajv-formats is CommonJS: its plugin is the module's `default` export.
const addFormats = formats.default;

let t: TestApp;
let key: string;
let storeId: string;
let ownerEmail: string;
let ownerPassword: string;
let doc: Document;
const calls: Call[] = [];

function urlOf(template: string, params: Record<string, string | number> = {}, query?: Record<string, string | number>): string {
  const path = template.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
    if (params[name] === undefined) throw new Error(`no value for :${name} in ${template}`);
    return encodeURIComponent(String(params[name]));
  });
  return query ? `${path}?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}` : path;
}

interface CallOptions {
  params?: Record<string, string | number>;
  query?: Record<string, string | number>;
  payload?: unknown;
  headers?: Record<string, string>;
  /** Authenticate with this key instead of the store's secret key; `null`: no key. */
  auth?: string | null;
}

async function call(method: Method, template: string, options: CallOptions = {}): Promise<LightMyRequestResponse> {
  const auth = options.auth === undefined ? key : options.auth;
  const response = await t.app.inject({
    method, url: urlOf(template, options.params, options.query),
    headers: { ...(auth && { authorization: `Bearer ${auth}` }), ...options.headers },
    ...(options.payload !== undefined && { payload: options.payload as string }),
  });
  const contentType = String(response.headers['content-type'] ?? '');
  calls.push({
    method, template, status: response.statusCode, contentType,
    body: contentType.startsWith('application/json') ? response.json() : response.body,
  });
  return response;
}

/** Calls and expects the status; returns the JSON body. */
async function ok(status: number, method: Method, template: string, options: CallOptions = {}) {
  const response = await call(method, template, options);
  if (response.statusCode !== status) throw new Error(`${method} ${template}: ${response.statusCode} ${response.body}`);
  return response.statusCode === 204 ? undefined : response.headers['content-type']?.toString().startsWith('application/json') ? response.json() : response.body;
}

async function runJobs(): Promise<void> {
  const worker = new Worker(t.services.jobs, silentLogger);
  registerJobs(worker, t.services);
  while (await worker.tick()) { /* until the queue is empty */ }
}

let shopify: ShopifyAdminStandIn;
const SHOPIFY_DISCOUNT = 'gid://shopify/DiscountCodeNode/77';

beforeAll(async () => {
  shopify = await startShopifyAdmin(undefined, undefined, [SHOPIFY_DISCOUNT]);
  t = await createTestApp({ HEARTH_SHOPIFY_ADMIN_URL: shopify.urlTemplate });
  ({ secretKey: key, storeId, ownerEmail, ownerPassword } = await t.newStore('Schema Store', { currency: 'USD' }));
}, 60_000);

afterAll(async () => {
  await t?.close();
  await shopify?.close();
});

describe('every operation answers as /api/openapi.json says', () => {
  it('calls every operation', async () => {
    const signIn = await call('POST', '/api/v1/session', { auth: null, payload: { email: ownerEmail, password: ownerPassword } });
    expect(signIn.statusCode).toBe(200);
    const cookie = signIn.cookies.find((c) => c.name === 'hearth_session')!;
    const session = { cookie: `hearth_session=${cookie.value}`, 'x-csrf-token': signIn.json().csrf_token };
    await ok(200, 'GET', '/api/v1/session', { auth: null, headers: session });
    await ok(200, 'GET', '/api/v1/session');

    // Accounts
    await ok(200, 'GET', '/api/v1/store');
    const asOwner = { auth: null, headers: session };
    await ok(200, 'PATCH', '/api/v1/store', { ...asOwner, payload: { shopify_secret: 'a-shopify-secret', tracking_origins: ['https://shop.example'], inactivity_days: 120, website_url: 'https://shop.example', postal_address: '1 Main Street', brand_colors: { primary: '#114477' } } });
    const user = await ok(201, 'POST', '/api/v1/users', { ...asOwner, payload: { email: 'analyst@example.com', password: 'a long password', role: 'analyst' } });
    await ok(200, 'GET', '/api/v1/users');
    await ok(204, 'DELETE', '/api/v1/users/:id', { ...asOwner, params: { id: user.user_id } });
    const created = await ok(201, 'POST', '/api/v1/keys', { payload: { kind: 'write', name: 'snippet' } });
    await ok(200, 'GET', '/api/v1/keys');
    await ok(204, 'DELETE', '/api/v1/keys/:id', { params: { id: created.id } });

    // The data API, through the writer
    await ok(201, 'PUT', '/api/v1/customers/:id', { params: { id: 'cust-1' }, payload: aCustomerJson('cust-1', { tags: ['vip'] }) });
    await ok(200, 'PUT', '/api/v1/customers/:id', { params: { id: 'cust-1' }, payload: aCustomerJson('cust-1', { tags: ['vip'] }) });
    await ok(201, 'PUT', '/api/v1/products/:id', { params: { id: 'prod-1' }, payload: { title: 'Mug', category: 'Kitchen', price: 1250, currency: 'USD', variants: [{ external_id: 'mug-blue', sku: 'MUG-B', title: 'Blue', price: 1250 }] } });
    await ok(201, 'PUT', '/api/v1/orders/:id', { params: { id: 'ord-1' }, payload: anOrderJson('ord-1', { currency: 'USD', status: 'paid', discount_codes: ['WELCOME'] }) });
    await ok(201, 'PUT', '/api/v1/returns/:id', { params: { id: 'ret-1' }, payload: { order_external_id: 'ord-1', returned_at: '2024-03-10T09:00:00Z', currency: 'USD', amount: 800, lines: [{ sku: 'TEA', quantity: 1, amount: 800 }] } });
    await ok(200, 'POST', '/api/v1/customers/batch', { payload: { customers: [aCustomerJson('cust-2'), aCustomerJson('cust-3')] } });
    await ok(200, 'POST', '/api/v1/products/batch', { payload: { products: [{ external_id: 'prod-2', title: 'Tea', category: 'Pantry' }] } });
    await ok(200, 'POST', '/api/v1/orders/batch', { payload: { orders: [anOrderJson('ord-2', { customer_external_id: 'cust-2', currency: 'USD' })] } });
    await ok(200, 'POST', '/api/v1/returns/batch', { payload: { returns: [{ external_id: 'ret-2', order_external_id: 'ord-2', returned_at: '2024-03-11T09:00:00Z', currency: 'USD', amount: 100 }] } });
    const customers = await ok(200, 'GET', '/api/v1/customers', { query: { limit: 2 } });
    await ok(200, 'GET', '/api/v1/products');
    const orders = await ok(200, 'GET', '/api/v1/orders');
    await ok(200, 'GET', '/api/v1/returns');
    await ok(200, 'GET', '/api/v1/customers/:id', { params: { id: customers.data[0].id } });
    await ok(200, 'GET', '/api/v1/products/:id', { params: { id: 'ext:prod-1' } });
    await ok(200, 'GET', '/api/v1/orders/:id', { params: { id: orders.data[0].id } });
    await ok(200, 'GET', '/api/v1/returns/:id', { params: { id: 'ext:ret-1' } });
    const shipment = { carrier: 'UPS', tracking_number: '1Z999', tracking_url: 'https://ups.example/1Z999', shipped_at: '2024-03-02T09:00:00Z' };
    await ok(201, 'PUT', '/api/v1/orders/:id/fulfillments/:fulfillment_id', { params: { id: 'ord-1', fulfillment_id: 'ful-1' }, payload: shipment });
    await ok(200, 'PUT', '/api/v1/orders/:id/fulfillments/:fulfillment_id', { params: { id: 'ord-1', fulfillment_id: 'ful-1' }, payload: { shipment_status: 'delivered', delivered_at: '2024-03-04T15:00:00Z' } });
    await ok(200, 'GET', '/api/v1/orders/:id', { params: { id: 'ext:ord-1' } });

    // Tracking and webhooks
    const message = { userId: 'cust-1', messageId: 'm-1', event: 'Product Viewed', properties: { sku: 'MUG' } };
    await ok(200, 'POST', '/v1/batch', { payload: { batch: [{ type: 'track', ...message }, { type: 'page', anonymousId: 'anon-1', messageId: 'm-2', name: 'Home' }] } });
    await ok(200, 'POST', '/v1/track', { payload: { ...message, messageId: 'm-3' } });
    await ok(200, 'POST', '/v1/identify', { payload: { userId: 'cust-9', messageId: 'm-4', traits: { email: 'nine@example.com' } } });
    await ok(200, 'POST', '/v1/page', { payload: { anonymousId: 'anon-2', messageId: 'm-5', name: 'Cart' } });
    await ok(200, 'POST', '/v1/track', { payload: { anonymousId: 'anon-2', messageId: 'm-6', event: 'Checkout Started', timestamp: '2024-03-01T09:00:00Z',
      properties: { checkout_id: 'chk-1', value: 12.5, currency: 'USD', url: 'https://shop.example/checkout/chk-1', products: [{ product_id: 'prod-1', price: 12.5, quantity: 1 }] } } });
    await ok(200, 'GET', '/api/v1/checkouts', { query: { status: 'abandoned', idle_minutes: 30 } });
    await ok(200, 'POST', '/v1/screen', { payload: { anonymousId: 'anon-2', messageId: 'm-6', name: 'Home' } });
    await ok(200, 'POST', '/v1/group', { payload: { userId: 'cust-1', messageId: 'm-7', groupId: 'g-1' } });
    await ok(200, 'POST', '/v1/alias', { payload: { userId: 'cust-1', previousId: 'anon-1', messageId: 'm-8' } });
    // The one-letter paths of Segment's browser library.
    await ok(200, 'POST', '/v1/b', { payload: { batch: [{ type: 'track', ...message, messageId: 'b-1' }] } });
    await ok(200, 'POST', '/v1/t', { payload: { ...message, messageId: 't-1' } });
    await ok(200, 'POST', '/v1/i', { payload: { userId: 'cust-9', messageId: 'i-1', traits: { email: 'nine@example.com' } } });
    await ok(200, 'POST', '/v1/p', { payload: { anonymousId: 'anon-2', messageId: 'p-1', name: 'Cart' } });
    await ok(200, 'POST', '/v1/s', { payload: { anonymousId: 'anon-2', messageId: 's-1', name: 'Home' } });
    await ok(200, 'POST', '/v1/g', { payload: { userId: 'cust-1', messageId: 'g-1', groupId: 'g-1' } });
    await ok(200, 'POST', '/v1/a', { payload: { userId: 'cust-1', previousId: 'anon-1', messageId: 'a-1' } });
    const webhook = JSON.stringify(shopifyOrder());
    await ok(200, 'POST', '/webhooks/shopify/:store', { auth: null, params: { store: storeId }, payload: webhook, headers: shopifyHeaders('a-shopify-secret', 'orders/create', webhook) });
    await ok(200, 'GET', '/api/v1/ingest/status');
    await ok(200, 'GET', '/hearth.js', { auth: null });

    // A file import, run by the job worker: enough history for analytics and predictions
    await ok(202, 'POST', '/api/v1/imports', { query: { format: 'cdnow', name: 'CDNOW_sample.txt' }, payload: readFileSync(realData('cdnow/CDNOW_sample.txt')), headers: { 'content-type': 'text/csv' } });
    await runJobs();
    await ok(200, 'GET', '/api/v1/imports');

    // Analytics
    const range = { from: '1997-01-01', to: '1997-12-31' };
    await ok(200, 'GET', '/api/v1/analytics/kpis', { query: { ...range, compare: 'previous', period: 'month' } });
    await ok(200, 'GET', '/api/v1/analytics/cohorts', { query: { ...range, period: 'quarter' } });
    await ok(200, 'GET', '/api/v1/analytics/rfm', { query: range });
    await ok(200, 'GET', '/api/v1/analytics/products', { query: range });
    await ok(200, 'GET', '/api/v1/analytics/clv', { query: range });
    await ok(200, 'GET', '/api/v1/analytics/kpis', { query: { ...range, format: 'csv' } });
    await ok(202, 'POST', '/api/v1/analytics/refresh');
    // The customer journey (the tracked browsing above, over the imported orders)
    await ok(200, 'GET', '/api/v1/analytics/funnels', { query: { period: 'quarter' } });
    await ok(200, 'GET', '/api/v1/analytics/funnels', { query: { ...range, funnel: 'repeat' } });
    await ok(200, 'GET', '/api/v1/analytics/paths', { query: { start: 'page:*', steps: '2' } });
    await ok(200, 'GET', '/api/v1/analytics/exits', { query: { ...range, min_customers: '1' } });
    await ok(200, 'GET', '/api/v1/analytics/lifecycle', { query: range });
    await ok(422, 'GET', '/api/v1/analytics/funnels', { query: { steps: 'page:/only-one' } });
    await ok(200, 'GET', '/api/v1/overview/returning-revenue', { query: { from: '1997-04-01', to: '1997-06-30', compare_from: '1997-01-01', compare_to: '1997-03-31' } });

    // Predictions
    const refit = await ok(202, 'POST', '/api/v1/predictions/refit', { payload: { as_of: '1998-06-30', time_unit: 'week' } });
    await runJobs();
    await ok(200, 'GET', '/api/v1/jobs');
    await ok(200, 'GET', '/api/v1/predictions/refit/:job_id', { params: { job_id: refit.job_id } });
    await ok(200, 'GET', '/api/v1/predictions/model');
    const atRisk = await ok(200, 'GET', '/api/v1/predictions/at-risk', { query: { risk: 'high', limit: 5 } });
    await ok(200, 'GET', '/api/v1/predictions/distribution');
    const customerId = atRisk.rows[0].id;
    await ok(200, 'GET', '/api/v1/customers/:id/predictions', { params: { id: customerId } });

    // Profiles, segments, personas
    await ok(200, 'GET', '/api/v1/customers/search', { query: { q: 'example' } });
    await ok(200, 'GET', '/api/v1/customers/:id/profile', { params: { id: customerId } });
    await ok(200, 'GET', '/api/v1/customers/lookup', { query: { key: String(customerId) } });
    await ok(200, 'GET', '/api/v1/segments');
    await ok(200, 'GET', '/api/v1/segments/fields');
    const rule = { kind: 'orders', metric: 'count', op: 'gte', value: 2 };
    await ok(200, 'POST', '/api/v1/segments/preview', { payload: { rule, sample_size: 3 } });
    const segment = await ok(201, 'POST', '/api/v1/segments', { payload: { name: 'Repeat buyers', rule } });
    await ok(200, 'GET', '/api/v1/segments/:id', { params: { id: segment.id } });
    await ok(200, 'PATCH', '/api/v1/segments/:id', { params: { id: segment.id }, payload: { description: 'Two orders or more' } });
    await ok(200, 'POST', '/api/v1/segments/:id/refresh', { params: { id: segment.id } });
    await ok(200, 'GET', '/api/v1/segments/:id/members', { params: { id: segment.id }, query: { limit: 3 } });
    await ok(200, 'GET', '/api/v1/segments/:id/members.csv', { params: { id: segment.id } });
    // The customer list with figures: after a fit, sorted and filtered, one segment's members.
    await ok(200, 'GET', '/api/v1/customers', { query: { segment_id: segment.id, sort: '-predicted_clv', min_orders: 2, last_order_after: '2000-01-01', limit: 3 } });
    await ok(200, 'GET', '/api/v1/customers', { query: { sort: 'p_alive', churn_risk: 'high', min_revenue: 1, limit: 3 } });
    await ok(404, 'GET', '/api/v1/customers', { query: { segment_id: 'seg_nobody' } });
    await ok(200, 'GET', '/api/v1/segments/:id/changes', { params: { id: segment.id }, query: { limit: 3 } });
    await ok(200, 'GET', '/api/v1/segments/:id/sizes', { params: { id: segment.id } });
    await ok(200, 'POST', '/api/v1/personas/run', { payload: { seed: 1, k: 3 } });
    const personas = await ok(200, 'GET', '/api/v1/personas');
    await ok(201, 'POST', '/api/v1/personas/:id/segment', { params: { id: personas.data[0].id } });
    // Campaigns: a draft to change and delete, one to start and measure.
    await ok(200, 'POST', '/api/v1/campaigns/audience', { payload: { segment_ids: [segment.id] } });
    const draftCampaign = await ok(201, 'POST', '/api/v1/campaigns', { payload: { name: 'Draft', segment_ids: [segment.id] } });
    await ok(200, 'PATCH', '/api/v1/campaigns/:id', { params: { id: draftCampaign.id }, payload: { holdout_share: 0.2, send_at: '2031-01-01T09:00:00Z' } });
    await ok(204, 'DELETE', '/api/v1/campaigns/:id', { params: { id: draftCampaign.id } });
    const comeBack = await ok(201, 'POST', '/api/v1/templates/from-starter', { payload: { starter: 'win_back', name: 'Come back' } });
    const campaign = await ok(201, 'POST', '/api/v1/campaigns', { payload: { name: 'Come back', segment_ids: [segment.id], template_id: comeBack.id } });
    await ok(200, 'POST', '/api/v1/campaigns/:id/start', { params: { id: campaign.id } });
    await ok(200, 'GET', '/api/v1/campaigns');
    await ok(200, 'GET', '/api/v1/campaigns/:id', { params: { id: campaign.id } });
    await ok(200, 'GET', '/api/v1/campaigns/:id/recipients', { params: { id: campaign.id }, query: { group: 'holdout', limit: 3 } });
    await ok(200, 'GET', '/api/v1/campaigns/:id/results', { params: { id: campaign.id } });
    // Experiments: the campaign's, its results, the Impact page, power plans, the global holdout.
    const experiments = await ok(200, 'GET', '/api/v1/experiments', { query: { kind: 'campaign' } });
    await ok(200, 'GET', '/api/v1/experiments/:id', { params: { id: experiments.data[0].id } });
    await ok(404, 'GET', '/api/v1/experiments/:id', { params: { id: 'exp_nope' } });
    await ok(200, 'GET', '/api/v1/experiments/impact', { query: { window: 30 } });
    await ok(422, 'GET', '/api/v1/experiments/impact', { query: { window: 14 } });
    await ok(200, 'POST', '/api/v1/experiments/power', { payload: { kind: 'proportion', baseline_mean: 0.05, holdout_share: 0.1, eligible_per_day: 50, minimum_effect: 0.01, window_days: 30 } });
    await ok(422, 'POST', '/api/v1/experiments/power', { payload: { kind: 'mean', baseline_mean: 5_000, holdout_share: 0.1, eligible_per_day: 50, minimum_effect: 100, window_days: 30 } });
    await ok(200, 'POST', '/api/v1/experiments/calibration', { payload: { runs: 10 } });
    await ok(422, 'POST', '/api/v1/experiments/calibration', { payload: { holdout_share: 0.9 } });
    await ok(200, 'GET', '/api/v1/experiments/global-holdout');
    await ok(200, 'PUT', '/api/v1/experiments/global-holdout', { payload: { share: 0.05 } });
    await ok(200, 'PUT', '/api/v1/experiments/global-holdout', { payload: { share: 0 } });
    // Flows: a draft, changed, published, paused and resumed; a segment enrolled; the runs of the flow and of a customer.
    const flowDocument = { trigger: { kind: 'manual' }, steps: [{ id: 'hello', type: 'send_email', template_id: comeBack.id, next: 'wait' }, { id: 'wait', type: 'wait', duration: { days: 1 } }] };
    const flow = await ok(201, 'POST', '/api/v1/flows', { payload: { name: 'Hello', document: flowDocument } });
    await ok(422, 'POST', '/api/v1/flows', { payload: { name: 'Broken', document: { ...flowDocument, steps: [{ id: 'hello', type: 'send_email', template_id: 'tpl_nope' }] } } });
    await ok(200, 'PATCH', '/api/v1/flows/:id', { params: { id: flow.id }, payload: { name: 'Hello again' } });
    await ok(200, 'POST', '/api/v1/flows/:id/publish', { params: { id: flow.id } });
    await ok(200, 'POST', '/api/v1/flows/:id/enrol', { params: { id: flow.id }, payload: { segment_id: segment.id } });
    await runJobs();
    await ok(200, 'POST', '/api/v1/flows/:id/pause', { params: { id: flow.id } });
    await ok(409, 'POST', '/api/v1/flows/:id/enrol', { params: { id: flow.id }, payload: { segment_id: segment.id } });
    await ok(200, 'POST', '/api/v1/flows/:id/resume', { params: { id: flow.id } });
    await ok(200, 'GET', '/api/v1/flows');
    await ok(200, 'GET', '/api/v1/flows/:id', { params: { id: flow.id } });
    const flowRuns = await ok(200, 'GET', '/api/v1/flows/:id/runs', { params: { id: flow.id }, query: { status: 'active', limit: 2 } });
    await ok(200, 'GET', '/api/v1/flows/:id/runs', { params: { id: flow.id }, query: { order: 'newest', limit: 1 } });
    await ok(200, 'GET', '/api/v1/flows/:id/stats', { params: { id: flow.id } });
    await ok(200, 'GET', '/api/v1/flows/:id/stats', { params: { id: flow.id }, query: { version: 1 } });
    await ok(200, 'GET', '/api/v1/customers/:id/flow-runs', { params: { id: String(flowRuns.data[0].customer_id) } });
    // Ready flows and the backtest.
    await ok(200, 'GET', '/api/v1/flows/library');
    const ready = await ok(200, 'POST', '/api/v1/flows/library/:key/install', { params: { key: 'abandoned_checkout' } });
    await ok(200, 'POST', '/api/v1/flows/library/:key/install', { params: { key: 'abandoned_checkout' } });
    await ok(404, 'POST', '/api/v1/flows/library/:key/install', { params: { key: 'nope' } });
    await ok(200, 'POST', '/api/v1/flows/:id/backtest', { params: { id: ready.flow.id }, payload: { days: 30 } });
    await ok(200, 'POST', '/api/v1/flows/:id/backtest', { params: { id: flow.id } });
    await ok(422, 'POST', '/api/v1/flows/:id/backtest', { params: { id: flow.id }, payload: { days: 0 } });

    // Loyalty
    const loyalty = await ok(200, 'GET', '/api/v1/loyalty/settings');
    await ok(422, 'PUT', '/api/v1/loyalty/settings', { payload: { ...loyalty.settings, point_value: -1 } });
    await ok(200, 'PUT', '/api/v1/loyalty/settings', { payload: {
      ...loyalty.settings, enabled: true, rewards: [{ id: 'five-off', name: '$5 off', kind: 'amount_off', points: 50, value: 500 }],
      tiers: { basis: 'points_earned', levels: [{ name: 'Gold', threshold: 100, multiplier: 1.5 }] },
    } });
    const member = { params: { id: 'ext:cust-1' } };
    const adjustment = { ...member, headers: { 'idempotency-key': 'schema-adjust-1' }, payload: { points: 120, reason: 'Welcome gift' } };
    await ok(201, 'POST', '/api/v1/loyalty/customers/:id/adjustments', adjustment);
    await ok(200, 'POST', '/api/v1/loyalty/customers/:id/adjustments', adjustment);
    const redeemFirst = { ...member, headers: { 'idempotency-key': 'schema-redeem-1' }, payload: { reward_id: 'five-off' } };
    const redemption = await ok(201, 'POST', '/api/v1/loyalty/customers/:id/redemptions', redeemFirst);
    await ok(200, 'POST', '/api/v1/loyalty/customers/:id/redemptions', redeemFirst);
    await ok(201, 'POST', '/api/v1/loyalty/customers/:id/redemptions', { ...redeemFirst, headers: { 'idempotency-key': 'schema-redeem-2' } });
    await ok(409, 'POST', '/api/v1/loyalty/customers/:id/redemptions', { ...redeemFirst, headers: { 'idempotency-key': 'schema-redeem-3' } });
    await ok(422, 'POST', '/api/v1/loyalty/customers/:id/redemptions', { ...member, payload: { reward_id: 'five-off' } });
    await ok(200, 'POST', '/api/v1/loyalty/redemptions/:id/cancel', { params: { id: redemption.id } });
    await ok(200, 'GET', '/api/v1/loyalty/customers/:id', member);
    await ok(200, 'GET', '/api/v1/loyalty/customers/:id/history', { ...member, query: { limit: 2 } });
    await ok(200, 'GET', '/api/v1/loyalty/customers/:id/redemptions', member);
    await ok(200, 'GET', '/api/v1/loyalty/members');
    await ok(200, 'GET', '/api/v1/loyalty/liability');
    await ok(200, 'GET', '/api/v1/loyalty/analytics', { query: { days: 90 } });
    await ok(200, 'POST', '/api/v1/loyalty/backfill', { payload: { since: '2020-01-01' } });
    await ok(422, 'POST', '/api/v1/loyalty/backfill', { payload: { since: '2020-02-30' } });
    // The storefront's loyalty routes, for a customer signed by the shop's server.
    const shopKey = (await ok(201, 'POST', '/api/v1/keys', { payload: { kind: 'write', name: 'storefront' } })).key as string;
    const storefrontSecret = await ok(200, 'GET', '/api/v1/storefront/key');
    const signed = { customer: 'cust-1', signature: createHmac('sha256', Buffer.from(storefrontSecret.key, 'hex')).update('cust-1').digest('hex') };
    await ok(200, 'GET', '/v1/loyalty', { auth: null, query: { key: shopKey, ...signed } });
    await ok(403, 'GET', '/v1/loyalty', { auth: null, query: { key: shopKey, customer: 'cust-2', signature: signed.signature } });
    await ok(201, 'POST', '/v1/loyalty/redemptions', { headers: { 'idempotency-key': 'schema-storefront-1' }, payload: { ...signed, reward_id: 'five-off' } });
    await ok(403, 'POST', '/v1/loyalty/redemptions', { headers: { 'idempotency-key': 'schema-storefront-2' }, payload: { ...signed, customer: 'cust-2', reward_id: 'five-off' } });
    await ok(200, 'GET', '/v1/loyalty/widget.js', { auth: null });
    await ok(200, 'GET', '/v1/recommendations/widget.js', { auth: null });
    // Referrals and imports
    const current = await ok(200, 'GET', '/api/v1/loyalty/settings');
    await ok(422, 'PUT', '/api/v1/loyalty/settings', { payload: { ...current.settings, referrals: { enabled: true, referrer_points: 500, friend_offer: { kind: 'percent_off', value: 10 }, link_base: null, share_message: 'Hi', limit: { max: 5, per: 'month' } } } });
    await ok(200, 'PUT', '/api/v1/loyalty/settings', { payload: { ...current.settings, referrals: { enabled: true, referrer_points: 500, friend_offer: { kind: 'percent_off', value: 10 }, link_base: 'https://shop.example/', share_message: 'Hi', limit: { max: 5, per: 'month' } } } });
    const codeCall = { ...member, headers: { 'idempotency-key': 'schema-code-1' }, payload: { payment_fingerprint: 'fp_schema_1' } };
    const referralCode = await ok(201, 'POST', '/api/v1/loyalty/customers/:id/referral-code', codeCall);
    await ok(200, 'POST', '/api/v1/loyalty/customers/:id/referral-code', codeCall);
    const click = await ok(201, 'POST', '/v1/referrals/click', { headers: { 'idempotency-key': 'schema-click-1' }, payload: { code: referralCode.code, anonymous_id: 'schema-anon' } });
    await ok(404, 'POST', '/v1/referrals/click', { headers: { 'idempotency-key': 'schema-click-2' }, payload: { code: 'NOPE2345' } });
    await ok(201, 'POST', '/v1/referrals/signup', { headers: { 'idempotency-key': 'schema-signup-1' }, payload: { code: referralCode.code, referral_id: click.referral_id, email: 'friend@example.com' } });
    await ok(409, 'POST', '/v1/referrals/signup', { headers: { 'idempotency-key': 'schema-signup-2' }, payload: { code: referralCode.code, referral_id: click.referral_id, email: 'friend@example.com' } });
    await ok(200, 'GET', '/api/v1/loyalty/referrals', { query: { limit: 5 } });
    await ok(200, 'GET', '/api/v1/loyalty/referrals/:id', { params: { id: click.referral_id } });
    await ok(404, 'GET', '/api/v1/loyalty/referrals/:id', { params: { id: 'rfl_nope' } });
    await ok(200, 'POST', '/api/v1/loyalty/imports', { payload: { from: 'smile', csv: 'email,points_balance\nnobody@example.com,5\n', dry_run: true } });
    await ok(422, 'POST', '/api/v1/loyalty/imports', { payload: { from: 'smile', csv: 'email,points_balance\nnobody@example.com,five\n' } });

    // Offers: one from a pattern issued to a customer, one with imported codes, paused, resumed and ended.
    const offer = await ok(201, 'POST', '/api/v1/offers', { payload: { name: 'Welcome back', value_kind: 'fixed', value: 500, valid_days: 14, pattern: 'WB-????-????', pool_size: 5, holdout_share: 0 } });
    await ok(422, 'POST', '/api/v1/offers', { payload: { name: 'Broken', value_kind: 'percent', value: 500, valid_days: 14, pattern: 'WB-????-????' } });
    const issueCall = { params: { id: offer.id }, headers: { 'idempotency-key': 'schema-offer-1' }, payload: { customer_id: 'ext:cust-1' } };
    await ok(201, 'POST', '/api/v1/offers/:id/issue', issueCall);
    await ok(200, 'POST', '/api/v1/offers/:id/issue', issueCall);
    await ok(422, 'POST', '/api/v1/offers/:id/issue', { ...issueCall, headers: {} });
    await ok(200, 'GET', '/api/v1/offers');
    await ok(200, 'GET', '/api/v1/offers/:id', { params: { id: offer.id } });
    await ok(404, 'GET', '/api/v1/offers/:id', { params: { id: 'ofr_nope' } });
    await ok(200, 'GET', '/api/v1/offers/:id/codes', { params: { id: offer.id }, query: { status: 'issued' } });
    const imported = await ok(201, 'POST', '/api/v1/offers', { payload: { name: 'Spring', value_kind: 'percent', value: 15, expires_at: '2099-06-01T00:00:00Z', source: 'import' } });
    await ok(200, 'POST', '/api/v1/offers/:id/codes/import', { params: { id: imported.id }, payload: { csv: 'Code\nSPRING-1\n' } });
    await ok(422, 'POST', '/api/v1/offers/:id/codes/import', { params: { id: imported.id }, payload: { csv: 'Code\nno way\n' } });
    await ok(409, 'POST', '/api/v1/offers/:id/codes/import', { params: { id: offer.id }, payload: { csv: 'Code\nSPRING-2\n' } });
    await ok(200, 'POST', '/api/v1/offers/:id/pause', { params: { id: imported.id } });
    await ok(200, 'POST', '/api/v1/offers/:id/resume', { params: { id: imported.id } });
    await ok(200, 'POST', '/api/v1/offers/:id/end', { params: { id: imported.id } });
    await ok(409, 'POST', '/api/v1/offers/:id/resume', { params: { id: imported.id } });
    // Codes in Shopify: the connection (owners only), a linked offer, a push.
    await ok(422, 'PUT', '/api/v1/offers/shopify/connection', { ...asOwner, payload: { shop: shopify.shop, access_token: 'shpat_not_the_token' } });
    await ok(200, 'PUT', '/api/v1/offers/shopify/connection', { ...asOwner, payload: { shop: shopify.shop, access_token: shopify.token } });
    await ok(200, 'GET', '/api/v1/offers/shopify/connection');
    const linked = await ok(201, 'POST', '/api/v1/offers', { payload: { name: 'In Shopify', value_kind: 'percent', value: 10, valid_days: 30, pattern: 'SH-??????', pool_size: 5, shopify_discount_id: SHOPIFY_DISCOUNT } });
    await ok(200, 'POST', '/api/v1/offers/:id/shopify/push', { params: { id: linked.id } });
    await ok(409, 'POST', '/api/v1/offers/:id/shopify/push', { params: { id: offer.id } });
    await ok(204, 'DELETE', '/api/v1/offers/shopify/connection', asOwner);
    await ok(404, 'GET', '/api/v1/offers/shopify/connection');

    // Support and surveys: a ticket by the API and by a Zendesk webhook, the order-status page and its form, a survey answered.
    const ticket = await ok(201, 'POST', '/api/v1/tickets', { payload: { external_id: 'schema-t1', customer_id: 'ext:cust-1', subject: 'Where is my order?' } });
    await ok(200, 'POST', '/api/v1/tickets', { payload: { external_id: 'schema-t1', customer_id: 'ext:cust-1', status: 'resolved' } });
    await ok(422, 'POST', '/api/v1/tickets', { payload: { customer_id: 'ext:cust-1' } });
    await ok(200, 'GET', '/api/v1/tickets', { query: { status: 'resolved' } });
    await ok(200, 'GET', '/api/v1/tickets/:id', { params: { id: ticket.id } });
    await ok(404, 'GET', '/api/v1/tickets/:id', { params: { id: 'tkt_nope' } });
    const supportSettings = await ok(200, 'PUT', '/api/v1/support/settings', { payload: { topic_rules: [{ topic: 'gifts', keywords: ['gift wrap'] }] } });
    await ok(422, 'PUT', '/api/v1/support/settings', { payload: { high_value_clv: -1 } });
    await ok(200, 'GET', '/api/v1/support/settings');
    const hook = { provider: 'zendesk', store: storeId, token: new URL(supportSettings.webhook_urls.zendesk).pathname.split('/').at(-1)! };
    const json = { 'content-type': 'application/json' };
    const zendeskTicket = { type: 'zen:event-type:ticket.created', id: 'e1', time: '2026-11-20T09:00:00Z', subject: 'zen:ticket:1', detail: { id: '1', status: 'OPEN', requester_id: '9', created_at: '2026-11-20T09:00:00Z', updated_at: '2026-11-20T09:00:00Z', via: { channel: 'email' } } };
    await ok(200, 'POST', '/webhooks/support/:provider/:store/:token', { auth: null, params: hook, headers: json, payload: JSON.stringify(zendeskTicket) });
    await ok(422, 'POST', '/webhooks/support/:provider/:store/:token', { auth: null, params: hook, headers: json, payload: JSON.stringify({ ...zendeskTicket, detail: { ...zendeskTicket.detail, id: '' } }) });
    await ok(401, 'POST', '/webhooks/support/:provider/:store/:token', { auth: null, params: { ...hook, token: 'not-the-token-at-all' }, headers: json, payload: '{}' });
    const statusLink = await ok(200, 'POST', '/api/v1/orders/:id/status-link', { params: { id: 'ext:ord-1' } });
    await ok(404, 'POST', '/api/v1/orders/:id/status-link', { params: { id: 'ext:nope' } });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const orderToken = new URL(statusLink.url).pathname.slice(3);
    await ok(200, 'GET', '/o/:token', { auth: null, params: { token: orderToken } });
    await ok(200, 'POST', '/o/:token', { auth: null, params: { token: orderToken }, headers: form, payload: 'message=Could+you+gift+wrap+it%3F' });
    await ok(404, 'GET', '/o/:token', { auth: null, params: { token: 'forged-token.signature' } });
    await ok(200, 'GET', '/api/v1/support/deflection');
    await ok(200, 'GET', '/api/v1/support/retention');
    const surveyCustomer = (await t.services.customers.get(storeId, 'ext:cust-1')).id;
    const surveyLink = await ok(200, 'POST', '/api/v1/surveys/links', { payload: { customer_id: surveyCustomer, kind: 'nps', key: 'schema' } });
    await ok(422, 'POST', '/api/v1/surveys/links', { payload: { customer_id: surveyCustomer, kind: 'ces', key: 'schema' } });
    const surveyToken = new URL(surveyLink.url).pathname.slice(3);
    await ok(200, 'GET', '/s/:token', { auth: null, params: { token: surveyToken } });
    await ok(200, 'POST', '/s/:token', { auth: null, params: { token: surveyToken }, headers: form, payload: 'score=9&comment=Lovely' });
    await ok(422, 'POST', '/s/:token', { auth: null, params: { token: surveyToken }, headers: form, payload: 'score=11' });
    await ok(200, 'POST', '/api/v1/surveys/send', { payload: { customer_id: surveyCustomer, kind: 'csat', key: 'schema' } });
    await ok(200, 'GET', '/api/v1/surveys/answers', { query: { kind: 'nps' } });
    await ok(200, 'GET', '/api/v1/surveys/results', { query: { kind: 'nps' } });
    // The storefront survey widget, for the customer signed above.
    const widgetSurvey = { kind: 'csat', survey_key: 'schema-widget' };
    await ok(200, 'GET', '/v1/surveys/state', { auth: null, query: { key: shopKey, ...signed, ...widgetSurvey } });
    await ok(403, 'GET', '/v1/surveys/state', { auth: null, query: { key: shopKey, ...signed, customer: 'cust-2', ...widgetSurvey } });
    await ok(401, 'GET', '/v1/surveys/state', { auth: null, query: { key: 'hk_write_unknown', ...signed, ...widgetSurvey } });
    await ok(201, 'POST', '/v1/surveys/answers', { auth: shopKey, payload: { ...signed, ...widgetSurvey, score: 5 } });
    await ok(200, 'POST', '/v1/surveys/answers', { auth: shopKey, payload: { ...signed, ...widgetSurvey, score: 4, follow_up: 'Faster delivery' } });
    await ok(422, 'POST', '/v1/surveys/answers', { auth: shopKey, payload: { ...signed, ...widgetSurvey, score: 6 } });
    await ok(403, 'POST', '/v1/surveys/answers', { auth: shopKey, payload: { ...signed, customer: 'cust-2', ...widgetSurvey, score: 5 } });
    await ok(404, 'POST', '/v1/surveys/answers', { auth: shopKey, payload: { customer: 'nobody-yet', signature: createHmac('sha256', Buffer.from(storefrontSecret.key, 'hex')).update('nobody-yet').digest('hex'), ...widgetSurvey, score: 5 } });
    await ok(200, 'GET', '/v1/surveys/widget.js', { auth: null });
    // Reviews: collected, moderated, answered; a signed link and its hosted page; the storefront's JSON, JSON-LD and widget.
    const review = await ok(201, 'POST', '/api/v1/reviews', { payload: { review_id: 'schema-r1', product_id: 'prod-1', customer_id: 'cust-1', order_id: 'ord-1', rating: 4, title: 'Good mug', body: 'Holds heat.', photos: [{ data: png(4, 3, [10, 120, 200]).toString('base64') }] } });
    await ok(200, 'POST', '/api/v1/reviews', { payload: { review_id: 'schema-r1', product_id: 'prod-1', rating: 4, body: 'Holds heat.' } });
    await ok(422, 'POST', '/api/v1/reviews', { payload: { review_id: 'schema-r2', product_id: 'prod-1', rating: 0, body: '' } });
    await ok(200, 'GET', '/api/v1/reviews', { query: { status: 'published', limit: 3 } });
    await ok(200, 'GET', '/api/v1/reviews/:id', { params: { id: review.id } });
    await ok(404, 'GET', '/api/v1/reviews/:id', { params: { id: 'rev_nope' } });
    await ok(200, 'GET', '/api/v1/reviews/settings');
    await ok(200, 'PUT', '/api/v1/reviews/settings', { payload: { auto_publish_min_rating: 4, max_reminders: 2 } });
    await ok(200, 'POST', '/api/v1/reviews/:id/reject', { params: { id: review.id } });
    await ok(409, 'POST', '/api/v1/reviews/:id/reply', { params: { id: review.id }, payload: { body: 'Thank you' } });
    await ok(200, 'GET', '/api/v1/reviews/photos/:id', { params: { id: review.photos[0].id } });
    await ok(404, 'GET', '/r/photos/:id', { auth: null, params: { id: review.photos[0].id } });
    await ok(200, 'POST', '/api/v1/reviews/:id/publish', { params: { id: review.id } });
    await ok(200, 'GET', '/r/photos/:id', { auth: null, params: { id: review.photos[0].id } });
    await ok(422, 'GET', '/r/photos/:id', { auth: null, params: { id: 'not-a-photo' } });
    await ok(404, 'GET', '/api/v1/reviews/photos/:id', { params: { id: 'pho_0123456789abcdef0123456789abcdef' } });
    await ok(200, 'POST', '/api/v1/reviews/:id/reply', { params: { id: review.id }, payload: { body: 'Thank you' } });
    await ok(200, 'POST', '/api/v1/reviews/imports', { payload: { from: 'judgeme', csv: 'title,body,rating,product_id\nGood,Nice,5,prod-1\n' } });
    await ok(422, 'POST', '/api/v1/reviews/imports', { payload: { from: 'yotpo', csv: 'Product ID,Review Content,Review Score\nprod-1,Bad,9\n' } });
    await ok(200, 'GET', '/api/v1/reviews/analytics', { query: { from: '2024-01-01T00:00:00Z' } });
    await ok(200, 'GET', '/api/v1/reviews/outcomes', { query: { as_of: '2026-11-30' } });
    const reviewLink = await ok(201, 'POST', '/api/v1/reviews/links', { payload: { customer_id: 'ext:cust-1', order_id: 'ord-1' } });
    await ok(422, 'POST', '/api/v1/reviews/links', { payload: { customer_id: 'ext:cust-1', order_id: 'ord-1', product_ids: ['nope'] } });
    await ok(200, 'GET', '/r/:token', { auth: null, params: { token: reviewLink.token } });
    await ok(422, 'POST', '/r/:token', { auth: null, params: { token: reviewLink.token }, payload: 'rating_0=9', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await ok(200, 'POST', '/r/:token', { auth: null, params: { token: reviewLink.token }, payload: 'rating_0=5&body_0=Lovely', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await ok(404, 'GET', '/r/:token', { auth: null, params: { token: 'forged-token.signature' } });
    const widgetKey = (await ok(201, 'POST', '/api/v1/keys', { payload: { kind: 'write', name: 'reviews widget' } })).key as string;
    await ok(200, 'GET', '/v1/reviews', { auth: null, query: { key: widgetKey, product_id: 'prod-1', per_page: 5 } });
    await ok(401, 'GET', '/v1/reviews', { auth: null, query: { key: 'not-a-key-at-all', product_id: 'prod-1' } });
    await ok(200, 'GET', '/v1/reviews/jsonld', { auth: null, query: { key: widgetKey, product_id: 'prod-1' } });
    await ok(200, 'GET', '/v1/reviews/widget.js', { auth: null });

    // Recommendations
    const recommended = await ok(200, 'GET', '/api/v1/customers/:id/recommendations', member);
    expect(recommended.items).toEqual([]);
    await ok(202, 'POST', '/api/v1/recommendations/fit');
    await ok(200, 'POST', '/api/v1/recommendations/fit-now');
    await ok(200, 'GET', '/api/v1/customers/:id/recommendations', { ...member, query: { model: 'popular', k: 3 } });
    await ok(422, 'GET', '/api/v1/customers/:id/recommendations', { ...member, query: { model: 'everything' } });
    const products = await ok(200, 'GET', '/api/v1/products');
    await ok(200, 'GET', '/api/v1/products/:id/recommendations', { params: { id: products.data[0].id }, query: { k: 5 } });
    await ok(200, 'GET', '/api/v1/recommendations/evaluation', { query: { cutoff: '2024-03-01', k: 5 } });
    await ok(422, 'GET', '/api/v1/recommendations/evaluation', { query: { cutoff: 'March' } });
    await ok(200, 'PUT', '/api/v1/recommendations/settings', { payload: { pinned: [products.data[0].id], blocked: [] } });
    await ok(422, 'PUT', '/api/v1/recommendations/settings', { payload: { pinned: ['mug'] } });
    await ok(200, 'GET', '/api/v1/recommendations/settings');
    const storefront = await ok(200, 'GET', '/api/v1/storefront/key');
    await ok(200, 'GET', '/v1/recommendations', { auth: null, query: { key: widgetKey, product: products.data[0].external_id, k: 3 } });
    await ok(200, 'GET', '/v1/recommendations', { auth: null, query: { key: widgetKey, customer: storefront.example.customer, signature: storefront.example.signature } });
    await ok(403, 'GET', '/v1/recommendations', { auth: null, query: { key: widgetKey, customer: 'someone-else', signature: storefront.example.signature } });
    await ok(422, 'GET', '/v1/recommendations', { auth: null, query: { key: widgetKey } });
    await ok(204, 'DELETE', '/api/v1/segments/:id', { params: { id: segment.id } });

    // Message templates
    const templates = await ok(200, 'GET', '/api/v1/templates', { query: { archived: 'false' } });
    const starters = await ok(200, 'GET', '/api/v1/templates/starters');
    const welcome = await ok(201, 'POST', '/api/v1/templates/from-starter', { payload: { starter: starters.data[0].key, name: 'Welcome copy' } });
    const templateDraft = { purpose: 'transactional', subject: 'Hi {{ customer.first_name }}', body: '<mjml><mj-body><mj-section><mj-column><mj-text>Hello</mj-text></mj-column></mj-section></mj-body></mjml>' };
    await ok(200, 'POST', '/api/v1/templates/preview', { payload: { ...templateDraft, customer: String(customerId) } });
    await ok(422, 'POST', '/api/v1/templates/preview', { payload: { ...templateDraft, subject: 'Hi {{ customer.frist_name }}' } });
    const note = await ok(201, 'POST', '/api/v1/templates', { payload: { name: 'Note', ...templateDraft } });
    await ok(200, 'PATCH', '/api/v1/templates/:id', { params: { id: note.id }, payload: { subject: 'Hello {{ customer.first_name }}' } });
    await ok(200, 'GET', '/api/v1/templates/:id', { params: { id: templates.data[0].id } });
    await ok(200, 'GET', '/api/v1/templates/:id/versions/:version', { params: { id: note.id, version: 1 } });
    await ok(200, 'POST', '/api/v1/templates/:id/preview', { params: { id: welcome.id }, payload: { customer: String(customerId) } });
    await ok(204, 'DELETE', '/api/v1/templates/:id', { params: { id: note.id } });
    await ok(200, 'POST', '/api/v1/templates/:id/test', { params: { id: welcome.id }, payload: { to: 'me@example.com', customer_id: customerId } });
    // Email topics
    await ok(200, 'GET', '/api/v1/messaging/topics', { query: { archived: 'false' } });
    const topic = await ok(201, 'POST', '/api/v1/messaging/topics', { payload: { name: 'Schema news', description: 'What the schema says' } });
    await ok(200, 'PATCH', '/api/v1/messaging/topics/:id', { params: { id: topic.id }, payload: { name: 'Schema news, weekly', position: 0 } });
    await ok(204, 'DELETE', '/api/v1/messaging/topics/:id', { params: { id: topic.id } });
    // Messages, suppressions, sending settings and the hosted pages of a message's links
    await ok(200, 'PATCH', '/api/v1/messaging/settings', { ...asOwner, payload: { from_address: 'shop@example.com', from_name: 'Schema Store', frequency_cap_hours: 0 } });
    await ok(200, 'GET', '/api/v1/messaging/settings');
    const email = { send_key: 'receipt:1', to: 'buyer@example.com', subject: 'Your receipt', html: '<p>Thank you</p>' };
    const queued = await ok(202, 'POST', '/api/v1/messages', { payload: email });
    await ok(200, 'POST', '/api/v1/messages', { payload: email });
    let links: { unsubscribe_url: string; view_in_browser_url: string } | undefined;
    await t.services.messages.queueEmails(storeId, [{ sendKey: 'campaign:schema:cust-1', purpose: 'marketing', to: 'fan@example.com', build: (l) => {
      links = l;
      return { subject: 'News', preheader: '', html: '<p>News</p>', text: 'News' };
    } }]);
    let profileLink = '';
    await t.services.messages.queueEmails(storeId, [{ sendKey: 'campaign:schema:profile', purpose: 'marketing', customerId, to: 'profile@example.com', topic: 'offers', build: (l) => {
      profileLink = l.preferences_url;
      return { subject: 'Offer', preheader: '', html: '<p>Offer</p>', text: 'Offer' };
    } }]);
    await runJobs();
    await ok(200, 'GET', '/api/v1/messages', { query: { state: 'sent', limit: 5 } });
    await ok(200, 'GET', '/api/v1/messages/:id', { params: { id: queued.message.id } });
    await ok(202, 'POST', '/api/v1/messages/resend', { payload: { state: 'uncertain' } });
    await ok(201, 'POST', '/api/v1/suppressions', { payload: { address: 'bounced@example.com', reason: 'hard_bounce' } });
    await ok(200, 'GET', '/api/v1/suppressions');
    await ok(204, 'DELETE', '/api/v1/suppressions/:address', { params: { address: 'bounced@example.com' } });
    await ok(200, 'POST', '/api/v1/messaging/sources/resume', { payload: { source: 'campaign:schema' } });
    const token = (url: string) => url.slice(url.lastIndexOf('/') + 1);
    await ok(200, 'GET', '/u/:token', { auth: null, params: { token: token(links!.unsubscribe_url) } });
    await ok(200, 'POST', '/u/:token', { auth: null, params: { token: token(links!.unsubscribe_url) }, payload: 'action=topics&shown=offers&shown=newsletter&topic=newsletter', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    // A customer's topic change and message on their profile's timeline.
    await ok(200, 'POST', '/u/:token', { auth: null, params: { token: token(profileLink) }, payload: 'action=topics&shown=offers', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const withMessages = await ok(200, 'GET', '/api/v1/customers/:id/profile', { params: { id: customerId } });
    expect(withMessages.timeline.map((item: { type: string }) => item.type)).toEqual(expect.arrayContaining(['message', 'topic']));
    await ok(200, 'POST', '/u/:token', { auth: null, params: { token: token(links!.unsubscribe_url) }, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await ok(200, 'GET', '/m/:token', { auth: null, params: { token: token(links!.view_in_browser_url) } });
    await ok(404, 'GET', '/u/:token', { auth: null, params: { token: 'forged-token.signature' } });
    // A campaign message's tracked link and open pixel.
    const campaignMail = t.services.engagement.track({ subject: 'News', preheader: '', html: '<body><a href="https://shop.example/new">New</a></body>', text: 'New' },
      { storeId, sendKey: 'campaign:schema:cust-1', customerId, links: { ...links!, preferences_url: links!.unsubscribe_url }, key: await t.services.messages.linkKey(storeId) });
    await ok(302, 'GET', '/t/c/:token', { auth: null, params: { token: /\/t\/c\/([^"]+)"/.exec(campaignMail.html)![1]! } });
    await ok(404, 'GET', '/t/c/:token', { auth: null, params: { token: 'forged-token.signature' } });
    // A mail provider's bounce report, posted to the store's webhook URL.
    const reportUrl = new URL((await t.services.deliveryReports.webhookUrls(storeId)).postmark).pathname.split('/');
    const bounce = JSON.stringify({ RecordType: 'Bounce', ID: 42, Type: 'HardBounce', MessageID: 'pm-1', Email: 'bounced@example.com', BouncedAt: '2026-11-30T10:00:00Z' });
    await ok(200, 'POST', '/webhooks/email/:provider/:store/:token', { auth: null, params: { provider: 'postmark', store: reportUrl[4]!, token: reportUrl[5]! }, payload: bounce, headers: { 'content-type': 'application/json' } });
    // The SMS and webhook channels: their settings, a new webhook secret, and the SMS provider's signed replies and status callbacks.
    const smsSettings = await ok(200, 'PATCH', '/api/v1/messaging/settings', { ...asOwner, payload: {
      sms_account_sid: 'AC0123456789abcdef0123456789abcdef', sms_auth_token: 'schema-auth-token', sms_from: '+15005550006', webhook_url: 'https://hooks.example.com/hearth',
    } });
    await ok(200, 'POST', '/api/v1/messaging/webhook-secret', asOwner);
    const twilioPost = (url: string, params: Record<string, string>) => {
      const path = new URL(url).pathname.split('/');
      return { auth: null, params: { store: path[4]!, token: path[5]! }, payload: new URLSearchParams(params).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignatureOf('schema-auth-token', url, params) } };
    };
    await ok(200, 'POST', '/webhooks/sms/twilio/:store/:token', twilioPost(smsSettings.sms.webhook_urls.incoming, { From: '+15005550007', To: '+15005550006', Body: 'STOP' }));
    await ok(200, 'POST', '/webhooks/sms/twilio/:store/:token/status', twilioPost(smsSettings.sms.webhook_urls.status, { MessageSid: 'SM0', MessageStatus: 'delivered' }));
    await ok(403, 'POST', '/webhooks/sms/twilio/:store/:token', { ...twilioPost(smsSettings.sms.webhook_urls.incoming, { Body: 'STOP' }), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'forged' } });
    await ok(200, 'GET', '/t/o/:token', { auth: null, params: { token: /\/t\/o\/([^"]+)"/.exec(campaignMail.html)![1]! } });
    await ok(409, 'POST', '/api/v1/messages/resend', { payload: { ids: [queued.message.id] } });

    await ok(204, 'PUT', '/api/v1/session/password', { auth: null, headers: session, payload: { current_password: ownerPassword, new_password: 'a fresher passphrase 42' } });
    await ok(204, 'DELETE', '/api/v1/session', { auth: null, headers: session });

    // Errors share one shape
    await ok(401, 'GET', '/api/v1/customers', { auth: 'hk_secret_wrong' });
    await ok(404, 'GET', '/api/v1/customers/:id', { params: { id: 'ext:nobody' } });
    await ok(422, 'GET', '/api/v1/orders', { query: { status: 'lost' } });
    await ok(422, 'PUT', '/api/v1/orders/:id/fulfillments/:fulfillment_id', { params: { id: 'ord-1', fulfillment_id: 'ful-2' }, payload: { status: 'shipped' } });
    await ok(422, 'GET', '/api/v1/checkouts', { query: { status: 'lost' } });
    await ok(403, 'POST', '/api/v1/keys', { payload: { kind: 'secret' } });
    await ok(413, 'POST', '/api/v1/customers/batch', { payload: { customers: Array.from({ length: 1001 }, (_, i) => ({ external_id: `c${i}` })) } });
    await ok(422, 'POST', '/v1/track', { auth: null, headers: { authorization: `Basic ${Buffer.from(`${(await t.services.accounts.createApiKey(storeId, 'write', 'w')).key}:`).toString('base64')}` }, payload: { messageId: 'x' } });
  }, 300_000);

  it('answers only with documented statuses and bodies the published schemas allow', async () => {
    doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(doc as object, 'openapi');
    const problems: string[] = [];
    for (const c of calls) {
      const path = c.template.replace(/:([A-Za-z_]+)/g, '{$1}');
      const operation = doc.paths[path]?.[c.method.toLowerCase()];
      if (!operation) {
        problems.push(`${c.method} ${c.template}: not in the document`);
        continue;
      }
      const response = operation.responses[String(c.status)];
      if (!response) {
        problems.push(`${operation.operationId}: answered ${c.status}, which is not documented`);
        continue;
      }
      if (c.status === 204 || c.status === 304) continue;
      const mediaType = c.contentType.split(';')[0]!.trim();
      if (!response.content?.[mediaType]) {
        problems.push(`${operation.operationId} ${c.status}: answered ${mediaType}, which is not documented`);
        continue;
      }
      if (mediaType !== 'application/json') continue;
      const pointer = `openapi#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${c.method.toLowerCase()}/responses/${c.status}/content/application~1json/schema`;
      const validate = ajv.getSchema(pointer) ?? ajv.compile({ $ref: pointer });
      if (!validate(c.body)) {
        problems.push(`${operation.operationId} ${c.status}: ${ajv.errorsText(validate.errors, { separator: '; ' })}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('calls every operation of the document at least once with success', () => {
    // A redirect is the success of a tracked link.
    const succeeded = new Set(calls.filter((c) => c.status < 300 || c.status === 302 || c.status === 304).map((c) => `${c.method.toLowerCase()} ${c.template.replace(/:([A-Za-z_]+)/g, '{$1}')}`));
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    expect(operations.length).toBeGreaterThanOrEqual(70);
    expect(operations.filter((operation) => !succeeded.has(operation))).toEqual([]);
  });

  it('rejects a body with a field the schema does not allow, or without a required one', async () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addSchema(doc as object, 'openapi');
    const validate = ajv.compile({ $ref: 'openapi#/components/schemas/Customer' });
    const customer = calls.find((c) => c.method === 'GET' && c.template === '/api/v1/customers/:id' && c.status === 200)!.body as Record<string, unknown>;
    expect(validate(customer)).toBe(true);
    expect(validate({ ...customer, externalId: customer.external_id })).toBe(false);
    const { email: _email, ...withoutEmail } = customer;
    expect(validate(withoutEmail)).toBe(false);
    expect(validate({ ...customer, created_at: 'yesterday' })).toBe(false);
  });
});

describe('the document', () => {
  it('names every operation once, with a camelCase verb and noun', () => {
    const ids = Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((operation) => operation.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+[A-Z][A-Za-z]+$/);
  });

  it('has no two paths that differ only in a parameter name (OpenAPI treats them as the same path)', () => {
    const shapes = Object.keys(doc.paths).map((path) => path.replace(/\{[^}]+\}/g, '{}'));
    expect(shapes.filter((shape, i) => shapes.indexOf(shape) !== i)).toEqual([]);
  });

  it('names every response field in snake_case', () => {
    const names = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (node === null || typeof node !== 'object') return;
      const { properties } = node as { properties?: Record<string, unknown> };
      if (properties) Object.keys(properties).forEach((name) => names.add(name));
      Object.values(node).forEach(walk);
    };
    walk(doc.components.schemas);
    for (const methods of Object.values(doc.paths)) for (const operation of Object.values(methods)) walk(operation.responses);
    expect([...names].filter((name) => !/^[a-z][a-z0-9_]*$/.test(name))).toEqual([]);
  });

  it('describes every error with the one Error component', () => {
    for (const methods of Object.values(doc.paths)) {
      for (const operation of Object.values(methods)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) >= 400) expect(response.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/Error' });
        }
      }
    }
  });
});
