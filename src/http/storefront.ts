/**
 * Storefront requests (`/v1/*` read or written by a shop's pages): the store's public write key
 * names the store, and a browser's Origin must be one the store lists in `tracking_origins` (no
 * list: any), as for tracked events.
 */
import { z } from 'zod';
import { AppError } from '../lib/errors.js';
import { customerSignatureValid, signCustomer, storefrontKey } from '../lib/storefront-signature.js';
import { originAllowed } from '../modules/accounts/index.js';
import type { Services } from '../services.js';

/** The write key in a storefront GET's query (a plain GET needs no CORS preflight). */
export const storefrontKeyParam = z.string().min(8).max(200).meta({ description: 'The store\'s public write key' });

/** Refuses a browser Origin the store does not list; `what` says in the refusal what the page may not do. */
export async function checkStorefrontOrigin(services: Services, storeId: string, origin: string | undefined, what: string): Promise<void> {
  if (!origin) return;
  const store = await services.accounts.findStore(storeId);
  if (store && !originAllowed(store.tracking_origins, origin)) {
    throw new AppError('forbidden', `Origin ${origin} may not ${what} for this store; add it to the store's tracking_origins`);
  }
}

/** The store a storefront GET names by its key, if the browser's Origin may `what`. */
export async function storefrontStore(services: Services, key: string, origin: string | undefined, what: string): Promise<string> {
  const principal = await services.accounts.authenticateKey(key);
  if (!principal) throw new AppError('unauthorized', 'Unknown or revoked key');
  await checkStorefrontOrigin(services, principal.storeId, origin, what);
  return principal.storeId;
}

const keyOf = async (services: Services, storeId: string): Promise<Buffer> => storefrontKey(await services.messages.linkKey(storeId));

/** The store's storefront key (see `lib/storefront-signature.ts`) and an example signature for the shop's developers. */
export async function storefrontKeyOf(services: Services, storeId: string): Promise<{ key: string; algorithm: string; example: { customer: string; signature: string } }> {
  const key = await keyOf(services, storeId);
  return { key: key.toString('hex'), algorithm: 'HMAC-SHA256 of the customer\'s external id, hex', example: { customer: 'c-1001', signature: signCustomer(key, 'c-1001') } };
}

export const signedCustomerParams = {
  customer: z.string().min(1).max(255).meta({ description: 'The signed-in customer\'s external id' }),
  signature: z.string().max(128).meta({ description: 'Hex HMAC-SHA256 of `customer` under the storefront key, made by the shop\'s server' }),
};

/**
 * The customer a storefront request signs for: a `403` when the signature is not the store's for
 * this external id. Answers the customer's id, or undefined when Hearth does not know them yet.
 */
export async function signedCustomer(services: Services, storeId: string, customer: string, signature: string): Promise<number | undefined> {
  if (!customerSignatureValid(await keyOf(services, storeId), customer, signature)) throw new AppError('forbidden', 'The signature does not match this customer under the store\'s storefront key');
  return (await services.customers.get(storeId, `ext:${customer}`).catch(() => undefined))?.id;
}
