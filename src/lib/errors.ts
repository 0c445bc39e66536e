/**
 * One error type with a closed set of codes. HTTP status is decided in exactly one place
 * (`httpStatusOf`), used by the HTTP error handler; the CLI maps the same codes to exit codes.
 */
export const errorCodes = {
  bad_request: 400,
  validation_failed: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export interface ErrorDetail {
  /** Where the problem is: a JSON path (`lines.0.quantity`), a CSV line (`line 12`), a setting name. */
  path: string;
  reason: string;
  /** For a problem inside a text (a template's body): 1-based line and column. */
  line?: number;
  column?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];

  /** For rate_limited and unavailable: when to try again (the Retry-After header); default 1 s. */
  retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toJSON(): { error: { code: ErrorCode; message: string; details: ErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export function httpStatusOf(code: ErrorCode): number {
  return errorCodes[code];
}

export const notFound = (what: string): AppError => new AppError('not_found', `${what} not found`);

export const invalid = (message: string, details: ErrorDetail[]): AppError =>
  new AppError('validation_failed', message, details);

/** Turns zod issues into our details: the path of the bad field and the reason. */
export function detailsFromZod(issues: readonly { path: readonly PropertyKey[]; message: string }[]): ErrorDetail[] {
  return issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    reason: issue.message,
  }));
}
