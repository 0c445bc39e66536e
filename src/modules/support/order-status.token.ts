/**
 * The signed link of an order's status page (`/o/<token>`). The token names the store, the order
 * and when the link lapses, and carries an HMAC-SHA256 over them keyed by a key derived from the
 * store's link key (the key of its unsubscribe links, mixed with HEARTH_SECRET), so a token made
 * for one order never opens another, and a changed expiry breaks the signature.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../lib/ids.js';

/** An order email's link works this long: returns and late deliveries are asked about for months. */
export const ORDER_LINK_DAYS = 180;

export interface OrderTokenClaims {
  storeId: string;
  orderId: number;
  expiresAt: Date;
}

export function orderTokenKey(linkKey: Buffer): Buffer {
  return createHmac('sha256', linkKey).update('order-status').digest();
}

const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest('base64url');

export function signOrderToken(key: Buffer, claims: OrderTokenClaims): string {
  const body = Buffer.from(JSON.stringify(['o', claims.storeId, claims.orderId, Math.floor(claims.expiresAt.getTime() / 1000)])).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

/** The claims a token states, unverified (the store names the key). */
export function readOrderToken(token: string): OrderTokenClaims | undefined {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined || body.length > 1000) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 4 || value[0] !== 'o') return undefined;
    const [, storeId, orderId, expires] = value as unknown[];
    if (typeof storeId !== 'string' || !Number.isSafeInteger(orderId) || !Number.isSafeInteger(expires)) return undefined;
    return { storeId, orderId: orderId as number, expiresAt: new Date((expires as number) * 1000) };
  } catch {
    return undefined;
  }
}

export function verifyOrderToken(key: Buffer, token: string): boolean {
  const [body, signature] = token.split('.');
  return Boolean(body && signature) && safeEqual(mac(key, body!), signature!);
}
