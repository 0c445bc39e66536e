/**
 * Code patterns and imported code files (docs/offers.md, "Codes").
 * - A pattern is letters, digits and dashes; each `?` becomes one character drawn with
 *   node:crypto from an alphabet without look-alikes (no 0/O, 1/I/L).
 * - An imported file is Shopify's bulk discount code export (or any CSV with a `Code` column):
 *   every line is checked first, and any bad line refuses the whole file.
 */
import { randomInt } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { invalid, type ErrorDetail } from '../../lib/errors.js';

export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** At least this many random characters, so a pattern's codes cannot be guessed from one another. */
export const MIN_RANDOM_CHARACTERS = 6;

export const patternRule = /^[A-Z0-9?-]{1,40}$/;

/** A code as stored and matched: trimmed, upper-case. */
export const normaliseCode = (code: string): string => code.trim().toUpperCase();

/** What a code may be: letters, digits, dashes and underscores, up to 64 (Shopify's own codes are the same). */
export const codeRule = /^[A-Z0-9_-]{3,64}$/;

/** How many codes a pattern can make. */
export function patternSpace(pattern: string): number {
  return CODE_ALPHABET.length ** [...pattern].filter((c) => c === '?').length;
}

export function fromPattern(pattern: string): string {
  return [...pattern].map((c) => (c === '?' ? CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]! : c)).join('');
}

const MAX_PROBLEMS = 50;
const MAX_CODES = 100_000;

/**
 * The codes of a CSV file, upper-case, in file order. Lines are counted as in the file (the header
 * is line 1). Throws 422 naming each bad line (up to 50) and its reason; nothing is kept then.
 */
export function readCodeFile(text: string): { line: number; code: string }[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, skip_empty_lines: true, bom: true, relax_column_count: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw invalid('The file is not valid CSV', [{ path: line ? `line ${line}` : 'csv', reason: error instanceof Error ? error.message : String(error) }]);
  }
  const header = records[0]?.record.map((h) => h.trim().toLowerCase()) ?? [];
  const column = header.indexOf('code');
  if (column < 0) throw invalid('No code column', [{ path: 'line 1', reason: 'the header has no "Code" column (Shopify\'s discount code export names it so)' }]);
  const problems: ErrorDetail[] = [];
  const seen = new Map<string, number>();
  const codes: { line: number; code: string }[] = [];
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    const cell = record[column];
    if (cell === undefined || cell.trim() === '') problems.push({ path: `line ${line}`, reason: 'no code in the Code column' });
    else {
      const code = normaliseCode(cell);
      if (!codeRule.test(code)) problems.push({ path: `line ${line}`, reason: `"${cell.slice(0, 80)}" is not a code: 3 to 64 letters, digits, - and _` });
      else if (seen.has(code)) problems.push({ path: `line ${line}`, reason: `${code} is already on line ${seen.get(code)}` });
      else {
        seen.set(code, line);
        codes.push({ line, code });
      }
    }
    if (problems.length >= MAX_PROBLEMS) break;
  }
  if (problems.length) throw invalid(`The file has ${problems.length >= MAX_PROBLEMS ? `at least ${MAX_PROBLEMS}` : problems.length} bad line${problems.length === 1 ? '' : 's'}; nothing was imported`, problems);
  if (codes.length === 0) throw invalid('The file has no codes', [{ path: 'csv', reason: 'no line after the header' }]);
  if (codes.length > MAX_CODES) throw invalid('Too many codes', [{ path: 'csv', reason: `at most ${MAX_CODES} codes per file` }]);
  return codes;
}
