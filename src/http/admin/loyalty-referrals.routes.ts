/**
 * Referrals and imports (docs/loyalty.md, "Referrals", "Imports"). The admin routes make a
 * customer's code and list the referrals; the storefront's click and sign-up are under `/v1/`
 * beside the tracking API: the store's public write key names the store, the browser's Origin
 * must be one of the store's `tracking_origins` (when it lists any), CORS answers as for `/v1/*`,
 * and each address is rate-limited. Every change takes an Idempotency-Key; a retry gets the first answer.
 */
import { z } from 'zod';
import { addressSchema, importSources, paymentFingerprintSchema, referralStates } from '../../modules/loyalty/index.js';
import { route } from '../route.js';
import { idempotencyHeader } from '../schemas/common.schemas.js';
import { checkStorefrontOrigin } from '../storefront.js';
import { loyaltyImportSchema, referralAnswerSchema, referralCodeSchema, referralPageSchema, referralSchema } from '../schemas/loyalty-referrals.schemas.js';

const tag = 'Loyalty';
const idempotency = idempotencyHeader('required: a key unique to this change; a retry with the same key gets the first answer');
const code = z.string().trim().min(3).max(64).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _');
const anonymousId = z.string().trim().min(1).max(200);
const customerParams = z.object({ id: z.string().min(1).max(300).meta({ description: 'Customer id, or ext:<external id>' }) });
/** Per address: a shop's visitors click now and then; a script guessing codes is stopped. */
const publicLimit = { max: 30, timeWindow: '1 minute' };

export const referralRoutes = [
  route({
    method: 'POST', url: '/api/v1/loyalty/customers/:id/referral-code', operationId: 'createReferralCode', response: referralCodeSchema, permission: 'write', tag,
    status: 201, alsoStatus: [200], statusDescriptions: { 201: 'The code and links (made on the first call, the same after)', 200: 'A retry with the same Idempotency-Key: the first answer' }, errors: [409],
    summary: 'A customer\'s referral code, link and share links (made once); optionally the customer\'s shipping address and payment fingerprint for the self-referral checks',
    params: customerParams, headers: idempotency,
    body: z.strictObject({ shipping_address: addressSchema.optional(), payment_fingerprint: paymentFingerprintSchema.optional() }).optional(),
    handler: async ({ services, storeId, params, body, headers, reply }) => {
      const customer = await services.customers.get(storeId, params.id);
      const { answer, replayed } = await services.loyalty.referrals.codeFor(storeId, customer.id, { key: headers['idempotency-key'], ...body });
      reply.status(replayed ? 200 : 201);
      return answer;
    },
  }),
  route({
    method: 'GET', url: '/api/v1/loyalty/referrals', operationId: 'listReferrals', response: referralPageSchema, permission: 'read', tag,
    summary: 'The store\'s referrals, newest first, with their state and, when rejected, the reason',
    query: z.strictObject({
      state: z.enum(referralStates).optional(),
      referrer: z.coerce.number().int().min(1).optional().meta({ description: 'Only this referrer\'s (customer id)' }),
      cursor: z.string().regex(/^rfl_[a-z0-9]{1,40}$/, 'a cursor returned by this endpoint').optional(),
      limit: z.coerce.number().int().min(1).max(500).optional(),
    }),
    handler: async ({ services, storeId, query }) => services.loyalty.referrals.list(storeId, { state: query.state, referrer_id: query.referrer, before: query.cursor, limit: query.limit }),
  }),
  route({
    method: 'GET', url: '/api/v1/loyalty/referrals/:id', operationId: 'getReferral', response: referralSchema, permission: 'read', tag,
    summary: 'One referral: its steps\' times, the friend, the offer, the referrer\'s award and any rejection reason',
    params: z.object({ id: z.string().min(1).max(100) }),
    handler: async ({ services, storeId, params }) => services.loyalty.referrals.get(storeId, params.id),
  }),
  route({
    method: 'POST', url: '/api/v1/loyalty/imports', operationId: 'importLoyaltyExport', response: loyaltyImportSchema, permission: 'write', tag, bodyLimit: 64 * 1024 ** 2,
    summary: 'Import balances, tiers and referral codes from a Smile.io or LoyaltyLion customer export (CSV text); a bad line refuses the whole file; importing again changes nothing',
    body: z.strictObject({
      from: z.enum(importSources),
      csv: z.string().min(1, 'the CSV text of the export').meta({ description: 'The export file\'s text' }),
      dry_run: z.boolean().optional().meta({ description: 'Check and count without writing' }),
    }),
    handler: async ({ services, storeId, body, principal }) => services.loyalty.importExport(storeId, body.from, body.csv, { dryRun: body.dry_run ?? false, actor: `${principal.kind}:${principal.id}` }),
  }),
  route({
    method: 'POST', url: '/v1/referrals/click', operationId: 'recordReferralClick', response: referralAnswerSchema, permission: 'track', tag, rateLimit: publicLimit,
    status: 201, alsoStatus: [200], statusDescriptions: { 201: 'Recorded: a referral in state clicked', 200: 'A retry with the same Idempotency-Key: the first answer' }, errors: [404, 409],
    summary: 'Storefront: a visitor followed a referral link (write key; Idempotency-Key); answers the referral id and the friend\'s offer terms',
    headers: idempotency, body: z.strictObject({ code, anonymous_id: anonymousId.optional() }),
    handler: async ({ services, storeId, body, headers, request, reply }) => {
      await checkStorefrontOrigin(services, storeId, request.headers.origin, 'record referrals');
      const { answer, replayed } = await services.loyalty.referrals.click(storeId, body, headers['idempotency-key']);
      reply.status(replayed ? 200 : 201);
      return answer;
    },
  }),
  route({
    method: 'POST', url: '/v1/referrals/signup', operationId: 'recordReferralSignup', response: referralAnswerSchema, permission: 'track', tag, rateLimit: publicLimit,
    status: 201, alsoStatus: [200], statusDescriptions: { 201: 'Recorded: signed_up with the friend\'s offer, or rejected with the reason', 200: 'A retry with the same Idempotency-Key: the first answer' }, errors: [404, 409],
    summary: 'Storefront: the referred friend signed up (write key; Idempotency-Key); runs the fraud checks and answers the offer code or the rejection',
    headers: idempotency,
    body: z.strictObject({
      code, referral_id: z.string().min(1).max(100).optional().meta({ description: 'From the click\'s answer' }),
      email: z.string().trim().min(3).max(320), anonymous_id: anonymousId.optional(),
      shipping_address: addressSchema.optional(), payment_fingerprint: paymentFingerprintSchema.optional(),
    }),
    handler: async ({ services, storeId, body, headers, request, reply }) => {
      await checkStorefrontOrigin(services, storeId, request.headers.origin, 'record referrals');
      const { answer, replayed } = await services.loyalty.referrals.signup(storeId, body, headers['idempotency-key']);
      reply.status(replayed ? 200 : 201);
      return answer;
    },
  }),
];
