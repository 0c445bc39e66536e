/** The closed lists of the accounts domain, used by the server, the CLI and the dashboard. */
export const roles = ['owner', 'admin', 'analyst'] as const;
export type Role = (typeof roles)[number];
/** Roles that change data, keys and segments (analysts only read); owners also change settings and users. */
export const writerRoles: readonly Role[] = ['owner', 'admin'];
/**
 * write: the public browser key, behaviour only (events, page views, the visitor's own anonymous →
 * known link); server: secret, for server-side tracking (Segment, RudderStack sources), trusted
 * with orders, refunds, consent and identity; secret: the admin API (and trusted tracking).
 */
export const apiKeyKinds = ['write', 'server', 'secret'] as const;
export type ApiKeyKind = (typeof apiKeyKinds)[number];

export interface StoreTable {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  currency: string;
  shopify_secret: string | null;
  inactivity_days: number | null;
  /** JSON list of web origins allowed to send tracked events; null: any. */
  tracking_origins: string | null;
  /** What messages show (migration 2026-12-03T000500): web address, logo, postal address, brand colours as JSON. */
  website_url: string | null;
  logo_url: string | null;
  postal_address: string | null;
  brand_colors: string | null;
  created_at: Date;
}

/** Brand colours for messages, each a #rrggbb (or #rgb) colour; unset ones use Hearth's defaults. */
export interface BrandColors { primary?: string; background?: string; text?: string }

export interface UserTable {
  id: string;
  email: string;
  name: string | null;
  password_hash: string;
  must_change_password: boolean;
  created_at: Date;
}

export interface MembershipTable {
  store_id: string;
  user_id: string;
  role: Role;
  created_at: Date;
}

export interface SessionTable {
  /** sha256 of the cookie token: a leaked database does not leak live sessions. */
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: Date;
  expires_at: Date;
}

export interface ApiKeyTable {
  id: string;
  store_id: string;
  kind: ApiKeyKind;
  name: string;
  /** The first characters of the key, shown in lists so a key can be recognised. */
  prefix: string;
  key_hash: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}
