/** Answers of the accounts API: session, store settings, members, API keys. */
import { z } from 'zod';
import { apiKeyKinds, roles } from '../../modules/accounts/index.js';
import { component, currency, list, timestamp } from './common.schemas.js';

export const role = z.enum(roles);
export const apiKeyKind = z.enum(apiKeyKinds);

export const sessionSchema = component('Session', z.strictObject({
  user_id: z.string(),
  email: z.string(),
  /** Echo it in X-CSRF-Token on every write made with the session cookie. */
  csrf_token: z.string(),
  must_change_password: z.boolean(),
  stores: z.array(z.strictObject({ id: z.string(), slug: z.string(), name: z.string(), role })),
}));

export const principalSchema = component('Principal', z.strictObject({
  kind: z.enum(['user', 'key']),
  id: z.string().meta({ description: 'User id or key id' }),
  store_id: z.string(),
  role,
  key_kind: apiKeyKind.optional(),
}));

/** GET /api/v1/session: the signed-in user's session, or for an API key the key as a principal. */
export const currentSessionSchema = z.union([sessionSchema, z.strictObject({ principal: principalSchema })]);

export const brandColorsSchema = z.strictObject({ primary: z.string().optional(), background: z.string().optional(), text: z.string().optional() });

export const storeSettingsSchema = component('StoreSettings', z.strictObject({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  timezone: z.string(),
  currency,
  inactivity_days: z.number().int().nullable(),
  shopify_secret_set: z.boolean(),
  tracking_origins: z.array(z.string()).nullable().meta({ description: 'Web origins allowed to send tracked events; null: any' }),
  website_url: z.string().nullable().meta({ description: 'The store\'s web address, linked from messages' }),
  logo_url: z.string().nullable().meta({ description: 'The logo shown at the top of messages' }),
  postal_address: z.string().nullable().meta({ description: 'The postal address in the legal footer of marketing mail' }),
  brand_colors: brandColorsSchema.meta({ description: 'Colours of messages (hex); unset ones use the defaults' }),
  created_at: timestamp,
}));

export const memberSchema = component('Member', z.strictObject({
  user_id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role,
  created_at: timestamp,
}));
export const membersSchema = list(memberSchema);
export const addedUserSchema = z.strictObject({ user_id: z.string(), created: z.boolean().meta({ description: 'false when the user existed and was added to this store' }) });

export const apiKeySchema = component('ApiKey', z.strictObject({
  id: z.string(),
  store_id: z.string(),
  kind: apiKeyKind,
  name: z.string(),
  prefix: z.string(),
  created_at: timestamp,
  last_used_at: timestamp.nullable(),
  revoked_at: timestamp.nullable(),
}));
export const apiKeysSchema = list(apiKeySchema);
export const createdKeySchema = z.strictObject({ key: z.string().meta({ description: 'The key itself, shown in this answer only' }), id: z.string(), prefix: z.string() });

export type Role = z.infer<typeof role>;
export type ApiKeyKind = z.infer<typeof apiKeyKind>;
export type Session = z.input<typeof sessionSchema>;
export type Principal = z.input<typeof principalSchema>;
export type CurrentSession = z.input<typeof currentSessionSchema>;
export type StoreSettings = z.input<typeof storeSettingsSchema>;
export type Member = z.input<typeof memberSchema>;
export type ApiKey = z.input<typeof apiKeySchema>;
export type CreatedKey = z.input<typeof createdKeySchema>;
