/**
 * Who a storefront request is for. A shop's page may read or spend a signed-in customer's own
 * data (recommendations, loyalty points) only with a signature its server made: the hex
 * HMAC-SHA256 of the customer's external id under the store's storefront key. The key is derived
 * from the store's link key (so it signs nothing else, and a signature of one store opens nothing
 * in another); the shop's server reads it from `GET /api/v1/storefront/key` and keeps it secret.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from './ids.js';

export function storefrontKey(linkKey: Buffer): Buffer {
  return createHmac('sha256', linkKey).update('hearth:storefront-identity').digest();
}

/** What the shop's server puts in the page for a signed-in customer. */
export function signCustomer(key: Buffer, externalId: string): string {
  return createHmac('sha256', key).update(externalId, 'utf8').digest('hex');
}

export function customerSignatureValid(key: Buffer, externalId: string, signature: string): boolean {
  return /^[0-9a-f]{64}$/i.test(signature) && safeEqual(signature.toLowerCase(), signCustomer(key, externalId));
}
