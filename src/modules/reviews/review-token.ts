/**
 * The signed link of a review request: `<claims>.<mac>`, the claims as base64url JSON naming the
 * store, the customer, the order and its products and the expiry; the MAC an HMAC-SHA256 under a
 * key derived from the store's signing key, so only this server makes them and a link of one
 * store opens nothing in another. Whoever holds a valid link writes a "verified buyer" review.
 */
import { createHmac } from 'node:crypto';
import { AppError } from '../../lib/errors.js';
import { safeEqual } from '../../lib/ids.js';

/** How long a request link stays valid. */
export const TOKEN_DAYS = 45;

export interface ReviewClaims {
  store: string;
  customer: number;
  order: string;
  products: string[];
  /** The request the link was mailed with, if any. */
  request: string | null;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/** The review links' own key: derived from the store's link key, so it signs nothing else. */
export function reviewKey(linkKey: Buffer): Buffer {
  return createHmac('sha256', linkKey).update('hearth:review-request').digest();
}

const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest('base64url');

export function signReviewToken(key: Buffer, claims: ReviewClaims): string {
  const body = Buffer.from(JSON.stringify({ s: claims.store, c: claims.customer, o: claims.order, p: claims.products, r: claims.request, e: claims.exp })).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

/** The store a token names, read before its MAC is checked (to find the key); null when it is not a token. */
export function storeOfToken(token: string): string | null {
  const claims = decode(token);
  return claims?.store ?? null;
}

/** The claims of a token signed with `key` that has not expired: a forged one is a 404, an expired one a 403. */
export function verifyReviewToken(key: Buffer, token: string, now: Date): ReviewClaims {
  const [body, signature] = token.split('.');
  const claims = decode(token);
  if (!body || !signature || !claims || !safeEqual(signature, mac(key, body))) throw new AppError('not_found', 'This review link is not valid.');
  if (claims.exp * 1000 <= now.getTime()) throw new AppError('forbidden', `This review link has expired: links are valid for ${TOKEN_DAYS} days.`);
  return claims;
}

function decode(token: string): ReviewClaims | null {
  const body = token.split('.')[0];
  if (!body || !/^[A-Za-z0-9_-]+$/.test(body)) return null;
  try {
    const raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    const products = raw.p;
    if (typeof raw.s !== 'string' || !Number.isSafeInteger(raw.c) || typeof raw.o !== 'string' || typeof raw.e !== 'number'
      || !Array.isArray(products) || products.length === 0 || products.length > 50 || !products.every((p) => typeof p === 'string')) return null;
    return { store: raw.s, customer: raw.c as number, order: raw.o, products: products as string[], request: typeof raw.r === 'string' ? raw.r : null, exp: raw.e };
  } catch {
    return null;
  }
}
