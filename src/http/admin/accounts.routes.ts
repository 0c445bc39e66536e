import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import type { Principal, SessionInfo } from '../../modules/accounts/index.js';
import { apiKeyKinds, brandColorsOf, roles, type StoreTable } from '../../modules/accounts/index.js';
import { SESSION_COOKIE } from '../auth.js';
import { route } from '../route.js';
import {
  addedUserSchema, apiKeysSchema, brandColorsSchema, createdKeySchema, currentSessionSchema, membersSchema, sessionSchema, storeSettingsSchema,
} from '../schemas/accounts.schemas.js';

const tag = 'Accounts';

/** A store as the API shows it: the Shopify secret only as set or not, the origins as a list. */
export function storeView({ shopify_secret: secret, tracking_origins: origins, brand_colors: colors, ...store }: StoreTable) {
  return { ...store, shopify_secret_set: secret !== null, tracking_origins: origins === null ? null : (JSON.parse(origins) as string[]), brand_colors: brandColorsOf(colors) };
}
const roleSchema = z.enum(roles);

function sessionView(session: SessionInfo) {
  return { user_id: session.userId, email: session.email, csrf_token: session.csrfToken, must_change_password: session.mustChangePassword, stores: session.stores };
}

function principalView({ storeId, keyKind, ...principal }: Principal) {
  return { ...principal, store_id: storeId, ...(keyKind && { key_kind: keyKind }) };
}

export const accountRoutes = [
  route({
    method: 'POST', url: '/api/v1/session', operationId: 'createSession', permission: 'public', tag, summary: 'Sign in with email and password; sets the session cookie',
    response: sessionSchema, errors: [401, 429],
    // Guessing is slowed per address here (30 attempts per 15 minutes) and per account by the
    // accounts service's back-off after 5 wrong passwords in a row.
    rateLimit: { max: 30, timeWindow: '15 minutes' },
    body: z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) }),
    handler: async ({ services, body, reply }) => {
      const { token, session } = await services.accounts.login(body.email, body.password);
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/', httpOnly: true, sameSite: 'strict', secure: services.config.secureCookies, maxAge: 14 * 86_400,
      });
      return sessionView(session);
    },
  }),
  route({
    method: 'GET', url: '/api/v1/session', operationId: 'getSession', permission: 'read', tag, summary: 'The signed-in user, their stores and the CSRF token; for an API key, the key',
    response: currentSessionSchema,
    handler: async ({ session, principal }) => {
      if (!session) return { principal: principalView(principal) };
      return sessionView(session);
    },
  }),
  route({
    method: 'DELETE', url: '/api/v1/session', operationId: 'deleteSession', permission: 'public', tag, summary: 'Sign out', status: 204,
    handler: async ({ services, request, reply }) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await services.accounts.logout(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  }),
  route({
    method: 'PUT', url: '/api/v1/session/password', operationId: 'changePassword', permission: 'read', tag, status: 204, errors: [422],
    summary: "Change the signed-in user's own password (the current one must match; the new one: 10–256 characters, not trivially guessable)",
    body: z.object({ current_password: z.string().min(1).max(1024), new_password: z.string().min(1).max(1024) }).strict(),
    handler: async ({ services, session, body, reply }) => {
      if (!session) throw new AppError('forbidden', 'Sign in to change your password; an API key has none');
      await services.accounts.changePassword(session.userId, body.current_password, body.new_password);
      return reply.status(204).send();
    },
  }),
  route({
    method: 'GET', url: '/api/v1/store', operationId: 'getStore', permission: 'read', tag, summary: 'The current store and its settings',
    response: storeSettingsSchema,
    handler: async ({ services, storeId }) => {
      return storeView(await services.accounts.getStore(storeId));
    },
  }),
  route({
    method: 'PATCH', url: '/api/v1/store', operationId: 'updateStore', response: storeSettingsSchema, permission: 'owner', tag, summary: 'Change the store name, time zone, currency, Shopify secret, inactivity threshold, the web origins allowed to send events, or the branding of messages',
    body: z.object({
      name: z.string().optional(),
      timezone: z.string().optional(),
      currency: z.string().length(3).optional(),
      shopify_secret: z.string().min(8).nullable().optional(),
      inactivity_days: z.number().int().min(1).max(3650).nullable().optional(),
      tracking_origins: z.array(z.string()).max(100).nullable().optional(),
      website_url: z.string().max(2000).nullable().optional(),
      logo_url: z.string().max(2000).nullable().optional(),
      postal_address: z.string().max(500).nullable().optional(),
      brand_colors: brandColorsSchema.nullable().optional(),
    }).strict(),
    handler: async ({ services, storeId, body }) => {
      return storeView(await services.accounts.updateStore(storeId, {
        ...(body.name !== undefined && { name: body.name }),
        ...(body.timezone !== undefined && { timezone: body.timezone }),
        ...(body.currency !== undefined && { currency: body.currency }),
        ...(body.shopify_secret !== undefined && { shopifySecret: body.shopify_secret }),
        ...(body.inactivity_days !== undefined && { inactivityDays: body.inactivity_days }),
        ...(body.tracking_origins !== undefined && { trackingOrigins: body.tracking_origins }),
        ...(body.website_url !== undefined && { websiteUrl: body.website_url }),
        ...(body.logo_url !== undefined && { logoUrl: body.logo_url }),
        ...(body.postal_address !== undefined && { postalAddress: body.postal_address }),
        ...(body.brand_colors !== undefined && { brandColors: body.brand_colors }),
      }));
    },
  }),
  route({
    method: 'GET', url: '/api/v1/users', operationId: 'listUsers', response: membersSchema, permission: 'read', tag, summary: 'Members of the store and their roles',
    handler: async ({ services, storeId }) => ({ data: await services.accounts.listMembers(storeId) }),
  }),
  route({
    method: 'POST', url: '/api/v1/users', operationId: 'addUser', permission: 'owner', tag, summary: 'Add a user to the store with a role', status: 201,
    response: addedUserSchema,
    body: z.object({ email: z.string(), name: z.string().optional(), password: z.string(), role: roleSchema }).strict(),
    handler: async ({ services, storeId, body }) => {
      const { userId, created } = await services.accounts.addUser(storeId, body);
      return { user_id: userId, created };
    },
  }),
  route({
    method: 'DELETE', url: '/api/v1/users/:id', operationId: 'removeUser', permission: 'owner', tag, summary: 'Remove a user from the store', status: 204,
    errors: [409],
    params: z.object({ id: z.string() }),
    handler: async ({ services, storeId, params, reply }) => {
      await services.accounts.removeMember(storeId, params.id);
      return reply.status(204).send();
    },
  }),
  route({
    method: 'GET', url: '/api/v1/keys', operationId: 'listApiKeys', response: apiKeysSchema, permission: 'write', tag, summary: 'API keys of the store (never the key itself)',
    handler: async ({ services, storeId }) => ({ data: await services.accounts.listApiKeys(storeId) }),
  }),
  route({
    method: 'POST', url: '/api/v1/keys', operationId: 'createApiKey', permission: 'write', tag, summary: 'Create an API key; the key is in this response only', status: 201,
    response: createdKeySchema,
    body: z.object({ kind: z.enum(apiKeyKinds), name: z.string().max(100).default('') }).strict(),
    handler: async ({ services, storeId, principal, body }) => {
      if (principal.kind === 'key' && body.kind === 'secret') throw new AppError('forbidden', 'Secret keys are created by a signed-in owner or admin');
      return services.accounts.createApiKey(storeId, body.kind, body.name);
    },
  }),
  route({
    method: 'DELETE', url: '/api/v1/keys/:id', operationId: 'revokeApiKey', permission: 'write', tag, summary: 'Revoke an API key', status: 204,
    params: z.object({ id: z.string() }),
    handler: async ({ services, storeId, params, reply }) => {
      await services.accounts.revokeApiKey(storeId, params.id);
      return reply.status(204).send();
    },
  }),
];
