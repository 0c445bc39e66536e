import type { FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.js';
import type { Principal, SessionInfo } from '../modules/accounts/index.js';
import { writerRoles } from '../modules/accounts/index.js';
import type { Services } from '../services.js';
import { isLocalRequest, localPrincipal } from './local-admin.js';
import type { Permission } from './route.js';

export const SESSION_COOKIE = 'hearth_session';

/** Write (browser) and server keys may only send tracking data. */
const trackingOnly = (p: Principal) => p.keyKind === 'write' || p.keyKind === 'server';

const allowed: Record<Exclude<Permission, 'public'>, (p: Principal) => boolean> = {
  // Tracking takes keys only: a dashboard session (an analyst's included) may not send events.
  track: (p) => p.keyKind !== undefined,
  read: (p) => !trackingOnly(p),
  write: (p) => !trackingOnly(p) && writerRoles.includes(p.role),
  owner: (p) => p.keyKind === undefined && p.role === 'owner',
};

/** The key presented as `Authorization: Bearer`, `Basic` (key as user name, Segment style) or `X-Hearth-Key`. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return decoded.split(':')[0] || undefined;
  }
  const key = request.headers['x-hearth-key'];
  return typeof key === 'string' ? key : undefined;
}

/**
 * Who is calling and for which store. Keys carry their store; a session picks its store from the
 * `X-Hearth-Store` header (id or slug) — or, on a GET, the `store` query parameter, since a download
 * link cannot send headers — else the user's first store. Cookie-authenticated writes
 * must echo the session's CSRF token in `X-CSRF-Token`. A request through the local admin socket
 * (`local-admin.ts`) acts as an owner of the store it names.
 */
export async function authenticate(
  services: Services,
  request: FastifyRequest,
  permission: Exclude<Permission, 'public'>,
): Promise<{ principal: Principal; session: SessionInfo | undefined }> {
  const key = presentedKey(request);
  let principal: Principal | undefined;
  let session: SessionInfo | undefined;
  if (isLocalRequest(request)) {
    principal = await localPrincipal(services, request);
  } else if (key) {
    principal = await services.accounts.authenticateKey(key);
    if (!principal) throw new AppError('unauthorized', 'Unknown or revoked API key');
  } else {
    const token = request.cookies[SESSION_COOKIE];
    session = token ? await services.accounts.session(token) : undefined;
    if (!session) throw new AppError('unauthorized', 'Sign in or send an API key');
    const wanted = request.headers['x-hearth-store'] ?? (request.method === 'GET' ? storeParam(request) : undefined);
    const store = typeof wanted === 'string' ? session.stores.find((s) => s.id === wanted || s.slug === wanted) : session.stores[0];
    if (!store) throw new AppError('forbidden', typeof wanted === 'string' ? `No access to store "${wanted}"` : 'This user belongs to no store');
    principal = { kind: 'user', id: session.userId, storeId: store.id, role: store.role };
    if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method) && request.headers['x-csrf-token'] !== session.csrfToken) {
      throw new AppError('forbidden', 'Missing or wrong X-CSRF-Token header');
    }
  }
  if (!allowed[permission](principal)) {
    const what = trackingOnly(principal) ? `A ${principal.keyKind} key may only send tracking data`
      : permission === 'track' ? 'Tracking takes an API key (write, server or secret), not a session' : `The ${principal.role} role may not do this`;
    throw new AppError('forbidden', what);
  }
  return { principal, session };
}

function storeParam(request: FastifyRequest): string | undefined {
  const store = (request.query as Record<string, unknown> | undefined)?.store;
  return typeof store === 'string' ? store : undefined;
}
