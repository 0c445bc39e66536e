/**
 * The typed HTTP client of the admin API. The session cookie authenticates; writes echo the
 * session's CSRF token. Errors arrive as `{error:{code,message,details}}` and become ApiError.
 */

export interface ErrorDetail {
  path: string;
  reason: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }

  /** The server has no such route (yet): the feature is not part of this build. */
  get isMissingRoute(): boolean {
    return this.status === 404 && this.message.startsWith('No route');
  }

  /** One line for the screen: the message and the first reasons. */
  describe(): string {
    const reasons = this.details.slice(0, 3).map((d) => `${d.path}: ${d.reason}`);
    return reasons.length ? `${this.message} (${reasons.join('; ')})` : this.message;
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

let csrfToken: string | undefined;
let storeId: string | undefined;
const unauthorizedListeners = new Set<() => void>();

export function setSessionContext(context: { csrfToken?: string | undefined; storeId?: string | undefined }): void {
  csrfToken = context.csrfToken;
  storeId = context.storeId;
}

/** Called when any request answers 401 (the session expired or was revoked). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

async function request<T>(method: string, path: string, body?: unknown, query?: Query, extra: Record<string, string> = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...extra };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (storeId) headers['x-hearth-store'] = storeId;
  let response: Response;
  try {
    response = await fetch(withQuery(path, query), {
      method, headers, credentials: 'same-origin', ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ApiError(0, 'network', `The server could not be reached (${error instanceof Error ? error.message : String(error)})`);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // A non-JSON answer (a proxy error page, say) still yields a readable error below.
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | undefined)?.error;
    const apiError = new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `${response.status} ${response.statusText}`, error?.details ?? []);
    if (response.status === 401 && path !== '/api/v1/session') unauthorizedListeners.forEach((listener) => listener());
    throw apiError;
  }
  return parsed as T;
}

export const http = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, undefined, query),
  /** `headers`: e.g. an Idempotency-Key, so that a retried form sends its change once. */
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>) => request<T>('POST', path, body ?? {}, undefined, headers),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  delete: <T = void>(path: string) => request<T>('DELETE', path),
};
