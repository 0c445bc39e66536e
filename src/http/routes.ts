/**
 * Every route of the server, by area. Each spec states its permission (see `route.ts`):
 * public, track (write key), read (any member), write (owner/admin, secret key), owner.
 */
import { accountRoutes } from './admin/accounts.routes.js';
import type { RouteSpec } from './route.js';

export const allRoutes: readonly RouteSpec[] = [
  ...accountRoutes,
];
