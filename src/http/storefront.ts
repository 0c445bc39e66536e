/**
 * Storefront requests (`/v1/*` read or written by a shop's pages): the store's public write key
 * names the store, and a browser's Origin must be one the store lists in `tracking_origins` (no
 * list: any), as for tracked events.
 */
import { z } from 'zod';
import { AppError } from '../lib/errors.js';
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
