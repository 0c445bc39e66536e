import type { ColumnType } from 'kysely';

/** Marketing consent on one channel: never asked (the default), subscribed, or unsubscribed. */
export const consentStatuses = ['subscribed', 'unsubscribed', 'never_asked'] as const;
export type ConsentStatus = (typeof consentStatuses)[number];

/** Added by migration 2026-12-02T000000: optional on insert. */
type Later<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface CustomerTable {
  store_id: string;
  id: number;
  external_id: string | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  country: string | null;
  city: string | null;
  accepts_marketing: boolean;
  tags: string[];
  /** Custom attributes as JSON text. */
  attributes: string;
  created_at: Date;
  updated_at: Date;
  /** Email marketing consent (null only on rows written before consent per channel existed). */
  email_consent: Later<ConsentStatus>;
  email_consent_at: Later<Date>;
  /** Where the consent came from: shopify, segment, import, api, unsubscribe… */
  email_consent_source: Later<string>;
  sms_consent: Later<ConsentStatus>;
  sms_consent_at: Later<Date>;
  sms_consent_source: Later<string>;
  /** A calendar day, YYYY-MM-DD (or --MM-DD when the year is not known). */
  birthday: Later<string>;
  /** BCP 47 language tag (en, fr-CA). */
  language: Later<string>;
  /** IANA time zone (Europe/Paris). */
  timezone: Later<string>;
}

/** Other external ids a customer is known by (docs/identity.md). */
export interface CustomerAliasTable {
  store_id: string;
  alias: string;
  customer_id: number;
  /** How the alias was found: email, phone. */
  matched_by: string;
  created_at: Date;
}
