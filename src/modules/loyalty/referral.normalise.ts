/**
 * What the referral checks compare, in one normal form each (docs/loyalty.md, "Fraud checks"),
 * and the referral link with its share links.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * Domains whose mailboxes ignore dots in the local part. Gmail documents it ("Dots don't matter
 * in Gmail addresses", Google Account Help 7436150); googlemail.com is the same service. Other
 * providers deliver `j.doe` and `jdoe` to different people, so their dots are kept.
 */
const DOTLESS_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * An email address as one mailbox: lower-case; the `+tag` of plus-addressing (RFC 5233 sub-
 * addressing, honoured by the big providers) removed; dots removed for Gmail, whose two domains
 * are one (googlemail.com counted as gmail.com). Undefined when it is not an address.
 */
export function normaliseEmail(email: string): string | undefined {
  const text = email.trim().toLowerCase();
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return undefined;
  let local = text.slice(0, at);
  let domain = text.slice(at + 1);
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (DOTLESS_DOMAINS.has(domain)) {
    local = local.replaceAll('.', '');
    domain = 'gmail.com';
  }
  return local ? `${local}@${domain}` : undefined;
}

export const addressSchema = z.strictObject({
  line1: z.string().trim().min(1).max(300),
  line2: z.string().trim().max(300).optional(),
  city: z.string().trim().min(1).max(200),
  postal_code: z.string().trim().max(40).optional(),
  country: z.string().regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 code such as DE'),
});
export type Address = z.infer<typeof addressSchema>;

/** Common street words and their abbreviations, so "12 Main Street" and "12 main st." match. */
const ABBREVIATIONS: Record<string, string> = {
  street: 'st', avenue: 'ave', road: 'rd', boulevard: 'blvd', drive: 'dr', lane: 'ln', court: 'ct', place: 'pl',
  apartment: 'apt', suite: 'ste', floor: 'fl', strasse: 'str', 'straße': 'str', number: 'no',
};

function words(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(' ').filter(Boolean)
    .map((w) => ABBREVIATIONS[w] ?? w.replace(/(strasse|straße)$/u, 'str')).join(' ');
}

/**
 * A shipping address as one string: accents, case, punctuation and spacing dropped, common street
 * words abbreviated, the postal code without spaces: `de|10115|berlin|12 hauptstr apt 3`.
 */
export function normaliseAddress(address: Address): string {
  const postal = (address.postal_code ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '').toLowerCase();
  return [address.country.toLowerCase(), postal, words(address.city), words([address.line1, address.line2 ?? ''].join(' '))].join('|');
}

/** A payment fingerprint as the payment provider gives it (Stripe's card `fingerprint`), trimmed. */
export const paymentFingerprintSchema = z.string().trim().min(6).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/** 32 letters and digits without look-alikes (no I, O, 0, 1). */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random code: 8 characters are 40 bits, about a trillion codes; the public routes are rate-limited. */
export function randomCode(length = 8): string {
  return [...randomBytes(length)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}

export interface ShareLinks { email: string; whatsapp: string; x: string; facebook: string }

/** The referral link: the shop page with `ref=<code>` added to its query. */
export function referralLink(base: string, code: string): string {
  const url = new URL(base);
  url.searchParams.set('ref', code);
  return url.toString();
}

/**
 * Share links, every value percent-encoded with encodeURIComponent (spaces as %20, as RFC 6068
 * requires in mailto: URIs, where "+" would be read as a plus sign): an email (mailto with subject
 * and body), WhatsApp's click-to-chat (wa.me/?text=), X's post intent (text and url), Facebook's
 * sharer (u=).
 */
export function shareLinks(link: string, message: string): ShareLinks {
  const e = encodeURIComponent;
  return {
    email: `mailto:?subject=${e(message)}&body=${e(`${message}: ${link}`)}`,
    whatsapp: `https://wa.me/?text=${e(`${message}: ${link}`)}`,
    x: `https://twitter.com/intent/tweet?text=${e(message)}&url=${e(link)}`,
    facebook: `https://www.facebook.com/sharer/sharer.php?u=${e(link)}`,
  };
}
