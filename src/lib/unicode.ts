/**
 * Lone UTF-16 surrogates (`"\ud800"` in JSON) are valid JSON but not text: stored, they later
 * break every query that reads them back as JSON. Input is checked at the edge instead.
 */

/** A JSON text that may hold an escaped surrogate (a cheap test before walking the parsed value). */
export const mayHoldSurrogate = (json: string): boolean => /\\u[dD][89a-fA-F]/.test(json);

/** The path (a.b.0.c) of the first key or string value with a lone surrogate, or undefined. */
export function loneSurrogatePath(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : path || '(body)';
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = loneSurrogatePath(value[i], path ? `${path}.${i}` : String(i));
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (!key.isWellFormed()) return at;
    const found = loneSurrogatePath(item, at);
    if (found) return found;
  }
  return undefined;
}

export const LONE_SURROGATE_REASON = 'holds a lone UTF-16 surrogate (\\ud800–\\udfff without its pair), which is not text';

/** The value with every lone surrogate in keys and strings replaced by U+FFFD (the rest unchanged). */
export function repairSurrogates(value: unknown): unknown {
  if (typeof value === 'string') return value.isWellFormed() ? value : value.toWellFormed();
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(repairSurrogates);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key.toWellFormed(), repairSurrogates(item)]));
}
