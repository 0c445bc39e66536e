/**
 * Opaque cursors for keyset pagination: the sort key of the last row of a page, as base64url
 * JSON. Keyset (not offset) pages stay fast and stable while rows are being added.
 */
import { parseInstant } from '../../lib/time.js';
import { AppError } from '../../lib/errors.js';

export type CursorKey = (string | number)[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor whose key has the given element types; a damaged one is a 400 naming the parameter. */
export function decodeCursor(cursor: string | undefined, types: readonly ('string' | 'number')[]): CursorKey | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Numbers are row ids (safe integers); strings are times the list sorts by (ISO 8601).
    const valid = (v: unknown, i: number) => (types[i] === 'number' ? Number.isSafeInteger(v) && (v as number) >= 0 : typeof v === 'string' && parseInstant(v) !== undefined);
    if (Array.isArray(key) && key.length === types.length && key.every(valid)) return key as CursorKey;
  } catch {
    // fall through to the error below
  }
  throw new AppError('bad_request', 'Invalid cursor', [{ path: 'query.cursor', reason: 'is not a cursor returned by this list' }]);
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** Rows were fetched with limit + 1 to know whether another page follows. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => CursorKey): Page<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, next_cursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}

/** `123` is an internal id, `ext:<id>` a store's external id. */
export function parseEntityRef(ref: string): { id: number } | { externalId: string } | undefined {
  if (ref.startsWith('ext:') && ref.length > 4) return { externalId: ref.slice(4) };
  if (/^\d{1,15}$/.test(ref)) return { id: Number(ref) };
  return undefined;
}
