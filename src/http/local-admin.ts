/**
 * The local admin endpoint: the same HTTP app served on a Unix domain socket in the data directory
 * (`DATA_DIR/hearth.sock`, mode 0600), so that the `hearth` command can work through a running
 * server, which owns the database file. Like docker.sock, the socket's file permission is the
 * authentication: only the user the server runs as (and root) can connect, and a request that came
 * through it acts as an owner of the store named in `X-Hearth-Store` (id or slug; default the
 * only store). The TCP listener never grants this: a request is local only when it arrived on
 * this socket's server, which marks it before handing it to the app.
 */
import { chmodSync, lstatSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Principal } from '../modules/accounts/index.js';
import type { Services } from '../services.js';

/** The socket's file name inside the data directory. */
export const LOCAL_SOCKET_FILE = 'hearth.sock';

export const localSocketPath = (dataDir: string): string => join(dataDir, LOCAL_SOCKET_FILE);

/** The header naming the store a local request works on (the CLI's `--store`). */
export const STORE_HEADER = 'x-hearth-store';

const localRequests = new WeakSet<IncomingMessage>();

/** True when the request came through the local socket (never settable by a client). */
export function isLocalRequest(request: FastifyRequest): boolean {
  return localRequests.has(request.raw);
}

/** A local request acts as an owner of the store it names, or of the only store. */
export async function localPrincipal(services: Services, request: FastifyRequest): Promise<Principal> {
  const wanted = request.headers[STORE_HEADER];
  let storeId: string;
  if (typeof wanted === 'string' && wanted !== '') {
    const store = await services.accounts.findStore(wanted);
    if (!store) throw new AppError('not_found', `No store "${wanted}"`, [{ path: STORE_HEADER, reason: 'no such store' }]);
    storeId = store.id;
  } else {
    const stores = await services.accounts.listStores();
    if (stores.length !== 1) {
      const reason = stores.length === 0 ? 'there is no store yet' : `there are ${stores.length} stores (${stores.map((s) => s.slug).join(', ')})`;
      throw new AppError('bad_request', `Name the store in the X-Hearth-Store header: ${reason}`, [{ path: STORE_HEADER, reason }]);
    }
    storeId = stores[0]!.id;
  }
  return { kind: 'user', id: 'local-admin', storeId, role: 'owner' };
}

export interface LocalAdmin {
  path: string;
  close: () => Promise<void>;
}

/**
 * Serves `app` on `DATA_DIR/hearth.sock`. The caller holds the data directory's database lock, so
 * a socket file already there was left by a server that died: it is replaced. When the socket
 * cannot be created (a path longer than the system allows, a read-only directory) the server runs
 * without it and says why.
 */
export async function openLocalAdmin(app: FastifyInstance, dataDir: string, logger: Logger): Promise<LocalAdmin | undefined> {
  const path = localSocketPath(dataDir);
  const server = createServer((request, response) => {
    localRequests.add(request);
    app.routing(request, response);
  });
  try {
    removeStale(path);
    const listening = new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.once('listening', () => {
        server.off('error', reject);
        resolve();
      });
    });
    // The socket is created with the process umask; a umask of 0177 makes it 0600 from the first
    // instant, so no other user can connect before the chmod below. The bind is synchronous, so the
    // umask is back to its old value before anything else runs. (Worker threads may not change the
    // umask; there the chmod alone applies.)
    const previous = trySetUmask(0o177);
    try {
      server.listen(path);
    } finally {
      if (previous !== undefined) process.umask(previous);
    }
    await listening;
    chmodSync(path, 0o600);
  } catch (error) {
    server.close();
    logger.warn({ err: error, path }, 'the local admin socket could not be opened; the hearth command cannot work beside this server');
    return undefined;
  }
  // The TCP listener keeps the process alive; this one follows it, and closes when it closes.
  server.unref();
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      // Requests in flight (an import) finish first; idle keep-alive connections are dropped.
      server.close(() => resolve());
      server.closeIdleConnections();
    }).then(() => rmSync(path, { force: true }));
    return closing;
  };
  app.server.once('close', () => void close());
  return { path, close };
}

function removeStale(path: string): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new Error(`${path} exists and is not a socket`);
  rmSync(path, { force: true });
}

function trySetUmask(mask: number): number | undefined {
  try {
    return process.umask(mask);
  } catch {
    return undefined;
  }
}
