/**
 * Lone UTF-16 surrogates (`"\ud800"` in JSON) are valid JSON but not text: stored, they later
 * break every query that reads them back as JSON. Input is checked at the edge instead.
 */

/** A JSON text that may hold an escaped surrogate (a cheap test before walking the parsed value). */
export const mayHoldSurrogate = (json: string): boolean => /\\u[dD][89a-fA-F]/.test(json);

/**
 * The path (a.b.0.c) of the first key or string value with a lone surrogate, or undefined. Walks
 * with its own stack, so a deeply nested body cannot exhaust the call stack.
 */
export function loneSurrogatePath(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [item, path] = stack.pop()!;
    if (typeof item === 'string') {
      if (!item.isWellFormed()) return path || '(body)';
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    const entries = Array.isArray(item) ? item.map((child, i) => [String(i), child] as const) : Object.entries(item);
    // Pushed in reverse so the first child is looked at first.
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const [key, child] = entries[i]!;
      const at = path ? `${path}.${key}` : key;
      if (!key.isWellFormed()) return at;
      stack.push([child, at]);
    }
  }
  return undefined;
}

export const LONE_SURROGATE_REASON = 'holds a lone UTF-16 surrogate (\\ud800–\\udfff without its pair), which is not text';

/**
 * The value with every lone surrogate in keys and strings replaced by U+FFFD, the rest unchanged:
 * arrays and objects are repaired in place, with their own stack (no recursion).
 */
export function repairSurrogates(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === null || typeof item !== 'object') continue;
    if (Array.isArray(item)) {
      item.forEach((child, i) => {
        if (typeof child === 'string') item[i] = child.toWellFormed();
        else stack.push(child);
      });
      continue;
    }
    const record = item as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      let child = record[key];
      if (typeof child === 'string') child = child.toWellFormed();
      else stack.push(child);
      if (!key.isWellFormed()) {
        delete record[key];
        record[key.toWellFormed()] = child;
      } else record[key] = child;
    }
  }
  return value;
}
