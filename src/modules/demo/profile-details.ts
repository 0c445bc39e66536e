/**
 * What a store knows about a demo customer beyond name and place — consent per channel, birthday,
 * language, time zone — and how each order was paid. Drawn from a hash of the customer's or order's
 * id, not from the simulation's random stream, so adding them changes nothing else in the demo.
 */
import { createHash } from 'node:crypto';
import type { ConsentInput } from '../commerce/index.js';

/** A number in [0, 1) fixed by the text. */
function unit(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

const LOCALES: Record<string, { languages: readonly string[]; zones: readonly string[] }> = {
  US: { languages: ['en-US', 'en-US', 'en-US', 'es-US'], zones: ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'] },
  CA: { languages: ['en-CA', 'en-CA', 'fr-CA'], zones: ['America/Vancouver', 'America/Edmonton', 'America/Toronto'] },
  GB: { languages: ['en-GB'], zones: ['Europe/London'] },
  AU: { languages: ['en-AU'], zones: ['Australia/Sydney', 'Australia/Melbourne', 'Australia/Hobart'] },
};

const pick = <T>(items: readonly T[], u: number): T => items[Math.min(items.length - 1, Math.floor(u * items.length))]!;

export interface ProfileDetails {
  email_consent: ConsentInput;
  sms_consent: ConsentInput;
  birthday: string | null;
  language: string | null;
  timezone: string | null;
}

/**
 * Email: subscribed when the customer accepts marketing, else a third unsubscribed and the rest never
 * asked. SMS: about a quarter subscribed, a few unsubscribed. Seven in ten gave a birthday.
 */
export function profileDetails(externalId: string, country: string, acceptsMarketing: boolean, createdAt: Date): ProfileDetails {
  const u = (what: string) => unit(`${what}:${externalId}`);
  const locale = LOCALES[country];
  const sms = u('sms');
  const birthday = u('birthday') < 0.7 ? birthdayOf(u('born')) : null;
  return {
    email_consent: { status: acceptsMarketing ? 'subscribed' : u('email') < 0.33 ? 'unsubscribed' : 'never_asked', at: createdAt },
    sms_consent: { status: sms < 0.24 ? 'subscribed' : sms < 0.3 ? 'unsubscribed' : 'never_asked', at: createdAt },
    birthday,
    language: locale ? pick(locale.languages, u('language')) : null,
    timezone: locale ? pick(locale.zones, u('zone')) : null,
  };
}

/** A day between 1958 and 2006. */
function birthdayOf(u: number): string {
  const day = new Date(Date.UTC(1958, 0, 1) + Math.floor(u * 48 * 365.25) * 86_400_000);
  return day.toISOString().slice(0, 10);
}

const PAYMENT_METHODS: readonly [string, number][] = [['card', 0.58], ['paypal', 0.2], ['shop_pay', 0.14], ['apple_pay', 0.05], ['gift_card', 0.03]];

/** How an order was paid: mostly by card, then PayPal, Shop Pay, Apple Pay and gift cards. */
export function paymentMethodOf(orderId: string): string {
  let u = unit(`payment:${orderId}`);
  for (const [method, share] of PAYMENT_METHODS) {
    if (u < share) return method;
    u -= share;
  }
  return 'card';
}
