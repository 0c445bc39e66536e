/**
 * Signed tokens in the links of a message: the one-click unsubscribe / preference page (RFC 8058)
 * and the message as a web page. A token names the store, the customer (or the address) and the
 * send key, and carries an HMAC-SHA256 over them, keyed by the store's signing key (mixed with
 * HEARTH_SECRET when the server has one). Changing any part — another customer, another store —
 * breaks the signature, so a token unsubscribes exactly the recipient of the message it came in.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface TokenClaims {
  /** What the token opens: `u` the unsubscribe and preference page, `v` the message itself. */
  kind: 'u' | 'v';
  storeId: string;
  /** The customer's id, or null for a message to a bare address. */
  customerId: number | null;
  address: string;
  sendKey: string;
}

export function tokenKey(storeSigningKey: string, serverSecret: string | undefined): Buffer {
  return createHmac('sha256', serverSecret ?? 'hearth-messaging').update(storeSigningKey).digest();
}

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

export function signToken(key: Buffer, claims: TokenClaims): string {
  const body = Buffer.from(JSON.stringify([claims.kind, claims.storeId, claims.customerId, claims.address, claims.sendKey])).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

/** The claims a token states, unverified: the store's id is needed to find the key. */
export function readToken(token: string): TokenClaims | undefined {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined || body.length > 2000) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 5) return undefined;
    const [kind, storeId, customerId, address, sendKey] = value as unknown[];
    if ((kind !== 'u' && kind !== 'v') || typeof storeId !== 'string' || typeof address !== 'string' || typeof sendKey !== 'string') return undefined;
    if (customerId !== null && (typeof customerId !== 'number' || !Number.isSafeInteger(customerId))) return undefined;
    return { kind, storeId, customerId, address, sendKey };
  } catch {
    return undefined;
  }
}

export function verifyToken(key: Buffer, token: string): boolean {
  const [body, signature] = token.split('.');
  if (!body || !signature) return false;
  const expected = Buffer.from(mac(key, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
