/**
 * The API's JSON fields are snake_case (external_id, placed_at, new_customers); code inside the
 * server names things in camelCase. `snakeKeys` converts a value's object keys deeply at the HTTP
 * boundary, and `SnakeKeys<T>` is its type, so the compiler checks the result against the
 * published response schema. An underscore goes before an upper-case letter and between a letter
 * and a digit: newCustomers → new_customers, clv12m → clv_12m, pOrder365d → p_order_365d.
 *
 * Only for values whose keys are field names; a record keyed by data (labels, ids) keeps its keys
 * and must not go through here.
 */
type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';

type Snake<S extends string, Previous extends 'start' | 'letter' | 'digit' = 'start'> =
  S extends `${infer Head}${infer Tail}`
    ? Head extends Digit
      ? `${Previous extends 'letter' ? '_' : ''}${Head}${Snake<Tail, 'digit'>}`
      : Head extends Lowercase<Head>
        ? `${Head}${Snake<Tail, Head extends Uppercase<Head> ? 'start' : 'letter'>}`
        : `${Previous extends 'start' ? '' : '_'}${Lowercase<Head>}${Snake<Tail, 'letter'>}`
    : S;

export type SnakeKeys<T> = T extends Date
  ? T
  : T extends readonly (infer Item)[]
    ? SnakeKeys<Item>[]
    : T extends object
      ? { [K in keyof T as K extends string ? Snake<K> : K]: SnakeKeys<T[K]> }
      : T;

export function snakeCase(key: string): string {
  return key.replace(/([A-Za-z])(\d)/g, '$1_$2').replace(/([a-z\d])([A-Z])/g, '$1_$2').toLowerCase();
}

export function snakeKeys<T>(value: T): SnakeKeys<T> {
  if (Array.isArray(value)) return value.map((item) => snakeKeys(item)) as SnakeKeys<T>;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value as SnakeKeys<T>;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[snakeCase(key)] = snakeKeys(item);
  return out as SnakeKeys<T>;
}

/** The inverse of `snakeCase` for the names it writes: new_customers → newCustomers, clv_12m → clv12m. */
export function camelCase(key: string): string {
  return key.replace(/_([a-z\d])/g, (_match, next: string) => next.toUpperCase());
}

/** `snakeKeys` undone, for a client that reads the API's JSON with the server's own names (the CLI beside a server). */
export function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => camelKeys(item));
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[camelCase(key)] = camelKeys(item);
  return out;
}
