/**
 * The `hearth` command's way to a running server: HTTP over the server's local admin socket
 * (`DATA_DIR/hearth.sock`, see `src/http/local-admin.ts`). Errors the server answers with become
 * the same errors the command raises when it opens the data directory itself, so output and exit
 * status do not depend on the path taken.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { localSocketPath, STORE_HEADER } from '../http/local-admin.js';
import type { LocalImportLine } from '../http/local.routes.js';
import { AppError, errorCodes, type ErrorCode, type ErrorDetail } from '../lib/errors.js';
import type { ImportRequest, ImportSummary } from '../modules/imports/index.js';

export interface RemoteStore {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  currency: string;
}

/** How long the socket may take to answer a health check before it counts as not answering. */
const HEALTH_TIMEOUT_MS = 5_000;

export type Found = { client: ServerClient } | { reason: string };

export class ServerClient {
  private stores: Promise<RemoteStore[]> | undefined;

  private constructor(readonly socketPath: string) {}

  /** The server behind the data directory's socket, or why none answers. */
  static async find(dataDir: string): Promise<Found> {
    const client = new ServerClient(localSocketPath(dataDir));
    try {
      const response = await client.send('GET', '/healthz', {}, undefined, HEALTH_TIMEOUT_MS);
      response.resume();
      if (response.statusCode !== 200) return { reason: `it answers /healthz with status ${response.statusCode}` };
      return { client };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { reason: 'there is no socket' };
      if (code === 'ECONNREFUSED') return { reason: 'nothing listens on it' };
      if (code === 'EACCES' || code === 'EPERM') return { reason: 'permission denied: it belongs to the user the server runs as' };
      return { reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /** A JSON request; `store` is the store's id or slug (the command's `--store`); `headers` such as an Idempotency-Key. */
  async json<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, options: { store?: string | undefined; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
    const response = await this.send(method, path, { ...options.headers, ...(options.store ? { [STORE_HEADER]: options.store } : {}) }, options.body);
    const text = await readText(response);
    const value: unknown = text ? JSON.parse(text) : null;
    if ((response.statusCode ?? 500) >= 400) throw errorFrom(value, response.statusCode);
    return value as T;
  }

  /** Every store, as `--store` resolves against them (cached for the command's run). */
  listStores(): Promise<RemoteStore[]> {
    this.stores ??= this.json<{ stores: RemoteStore[] }>('GET', '/local/v1/stores').then((r) => r.stores);
    return this.stores;
  }

  async findStore(idOrSlug: string): Promise<RemoteStore | undefined> {
    return (await this.listStores()).find((s) => s.id === idOrSlug || s.slug === idOrSlug);
  }

  /** Imports files of this machine by path through the server's import service. */
  async importFiles(request: ImportRequest, onProgress?: (done: number, total: number) => void): Promise<ImportSummary> {
    const response = await this.send('POST', '/local/v1/imports', {}, { ...request, progress: onProgress !== undefined });
    if ((response.statusCode ?? 500) >= 400) throw errorFrom(JSON.parse(await readText(response)), response.statusCode);
    let summary: ImportSummary | undefined;
    let rest = '';
    for await (const chunk of response) {
      rest += (chunk as Buffer).toString('utf8');
      let end: number;
      while ((end = rest.indexOf('\n')) >= 0) {
        const line = JSON.parse(rest.slice(0, end)) as LocalImportLine;
        rest = rest.slice(end + 1);
        if ('progress' in line) onProgress?.(line.progress.done, line.progress.total);
        else if ('summary' in line) summary = line.summary as ImportSummary;
        else throw errorFrom(line, 500);
      }
    }
    if (!summary) throw new Error('The server ended the import without a summary; see its log');
    return summary;
  }

  private send(method: string, path: string, headers: Record<string, string>, body: unknown, timeoutMs?: number): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const request = httpRequest({
        socketPath: this.socketPath, method, path,
        headers: { host: 'localhost', ...headers, ...(payload !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }) },
      }, resolve);
      request.on('error', reject);
      if (timeoutMs !== undefined) request.setTimeout(timeoutMs, () => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
      request.end(payload);
    });
  }
}

async function readText(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) text += (chunk as Buffer).toString('utf8');
  return text;
}

/** The server's `{error:{code,message,details}}` as the error the command would have raised itself. */
function errorFrom(value: unknown, status: number | undefined): Error {
  const error = (value as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | null)?.error;
  if (!error?.code || !error.message) return new Error(`The server answered with status ${status ?? '?'}`);
  if (error.code === 'internal' || !(error.code in errorCodes)) return new Error(error.message);
  return new AppError(error.code as ErrorCode, error.message, error.details ?? []);
}
