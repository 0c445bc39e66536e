import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';

/** A random, URL-safe token (for API keys, sessions, CSRF tokens). */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** A sortable text id for small tables (stores, users, keys): prefix, time, randomness. */
export function newId(prefix: string): string {
  const time = Date.now().toString(36).padStart(9, '0');
  return `${prefix}_${time}${randomBytes(6).toString('hex')}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Constant-time comparison of two strings (HMACs, token hashes). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
