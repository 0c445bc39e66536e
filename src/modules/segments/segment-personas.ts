/**
 * Persona conditions in segment rules: which personas a rule names, and the check that they
 * exist in the store before a rule is saved or previewed.
 */
import { sql } from 'kysely';
import { AppError } from '../../lib/errors.js';
import { pathOfKind, type Rule } from './segment-rule.schema.js';
import type { SegmentsDb } from './segments.table.js';

/** The persona ids a rule names, at any depth. */
export function personaIds(rule: Rule): string[] {
  if (rule.kind === 'persona') return [rule.persona_id];
  if (rule.kind === 'all' || rule.kind === 'any') return rule.rules.flatMap(personaIds);
  if (rule.kind === 'not') return personaIds(rule.rule);
  return [];
}

/** Throws a validation error naming the rule's path when a persona it names is not in the store. */
export async function checkPersonasExist(db: SegmentsDb, storeId: string, rule: Rule): Promise<void> {
  const wanted = personaIds(rule);
  if (!wanted.length) return;
  const found = await sql<{ id: string }>`select id from personas where store_id = ${storeId} and list_contains(${wanted}::varchar[], id)`.execute(db);
  const missing = wanted.filter((id) => !found.rows.some((r) => r.id === id));
  if (missing.length) {
    throw new AppError('validation_failed', 'Invalid segment rule', [{ path: pathOfKind(rule, 'persona', 'rule') ?? 'rule', reason: `no persona ${missing.map((m) => `"${m}"`).join(', ')} in this store` }]);
  }
}
