/**
 * Imports balances, tiers and referral codes from a Smile.io or LoyaltyLion customer export
 * (docs/loyalty.md, "Imports"), so a store can switch without its customers losing points.
 * - Headers are matched after normalising (lower-case, runs of other characters as `_`), so
 *   "Points Balance" and `points_balance` are one column; the names each source uses are below.
 * - Customers are matched by their email after normalising (referral.normalise.ts).
 * - A balance is one `adjust` row from source `import:<from>` under the key
 *   `import:<from>:<normalised email>`: importing the file again changes nothing.
 * - The whole file is checked first; any problem refuses it whole (422 naming line and column).
 *   Then everything is written in one transaction; a dry run does the same work and rolls it back,
 *   so its counts are exactly what the import would do.
 */
import { parse } from 'csv-parse/sync';
import { AppError, invalid, type ErrorDetail } from '../../lib/errors.js';
import { addMonths } from './earning.js';
import { entryByKey } from './ledger.repository.js';
import { writeAward } from './ledger.writer.js';
import type { LoyaltySettings } from './loyalty.settings.js';
import type { LoyaltyTx } from './loyalty.table.js';
import { currentTier } from './loyalty.tiers.js';
import { normaliseEmail } from './referral.normalise.js';
import { changed, type Transact } from './ledger.changes.js';

export const importSources = ['smile', 'loyaltylion'] as const;
export type ImportSource = (typeof importSources)[number];

interface Columns { email: string[]; points: string[]; pending: string[]; tier: string[]; referral: string[] }

/**
 * Smile.io's customer fields (dev.smile.io, "Customer object"): email, points_balance,
 * vip_tier, referral_url. LoyaltyLion's customer export (help.loyaltylion.com, "Exports", "How
 * points work"): email, points approved / pending, tier, referral link. Alternatives as found in
 * exports with renamed columns.
 */
export const sourceColumns: Record<ImportSource, Columns> = {
  smile: { email: ['email', 'customer_email'], points: ['points_balance', 'points'], pending: [], tier: ['vip_tier', 'vip_tier_name', 'tier'], referral: ['referral_url', 'referral_link', 'referral_code'] },
  loyaltylion: {
    email: ['email', 'customer_email'], points: ['points_approved', 'approved_points', 'points'], pending: ['points_pending', 'pending_points'],
    tier: ['tier', 'loyalty_tier', 'current_tier', 'tier_name'], referral: ['referral_link', 'referral_url', 'referral_code', 'referral_id'],
  },
};

export const sourceNames: Record<ImportSource, string> = { smile: 'Smile.io', loyaltylion: 'LoyaltyLion' };

export interface ImportSummary {
  from: ImportSource;
  dry_run: boolean;
  rows: number;
  matched: number;
  balances: { imported: number; points: number; already: number };
  tiers: { changed: number; unchanged: number };
  referral_codes: { imported: number; already: number };
  unknown: { line: number; email: string }[];
}

interface Row { line: number; email: string; points: number; tier: string | null; code: string | null }

const headerName = (text: string): string => text.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');

/** The code of a referral URL (`?ref=`, `?referral_code=`, or the last path segment), or the cell itself. */
export function codeOf(text: string): string | undefined {
  const cell = text.trim();
  let code = cell;
  if (/^https?:\/\//i.test(cell)) {
    try {
      const url = new URL(cell);
      code = url.searchParams.get('ref') ?? url.searchParams.get('referral_code') ?? url.pathname.split('/').filter(Boolean).at(-1) ?? '';
    } catch {
      return undefined;
    }
  }
  return /^[A-Za-z0-9_-]{3,64}$/.test(code) ? code : undefined;
}

const MAX_PROBLEMS = 50;

/** Reads and checks the whole file; throws 422 naming every bad line and column (up to 50). */
export function readExport(text: string, from: ImportSource, settings: LoyaltySettings): Row[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, skip_empty_lines: true, bom: true, trim: false }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const e = error as { lines?: number; message: string };
    throw invalid(`The file is not valid CSV (line ${e.lines ?? '?'})`, [{ path: `line ${e.lines ?? 1}`, reason: e.message, ...(e.lines !== undefined && { line: e.lines }) }]);
  }
  if (records.length === 0) throw invalid('The file is empty', [{ path: 'line 1', reason: 'no header row', line: 1 }]);
  const header = records[0]!.record.map(headerName);
  const columns = sourceColumns[from];
  const find = (names: string[]) => names.map((n) => header.indexOf(n)).find((i) => i >= 0);
  const at = { email: find(columns.email), points: find(columns.points), pending: find(columns.pending), tier: find(columns.tier), referral: find(columns.referral) };
  const missing = (['email', 'points'] as const).filter((c) => at[c] === undefined);
  if (missing.length) {
    throw invalid(`The header of this ${sourceNames[from]} export lacks ${missing.join(' and ')}`, missing.map((c) => ({
      path: 'line 1', reason: `no ${c} column (one of: ${columns[c].join(', ')})`, line: 1,
    })));
  }
  const problems: ErrorDetail[] = [];
  const problem = (line: number, index: number, reason: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ path: `line ${line}, column ${records[0]!.record[index]?.trim() || index + 1}`, reason, line, column: index + 1 });
  };
  const tiers = new Map(settings.tiers.levels.map((l) => [l.name.toLowerCase(), l.name]));
  const emails = new Map<string, number>();
  const codes = new Map<string, number>();
  const rows: Row[] = [];
  for (const { record, info } of records.slice(1)) {
    // csv-parse counts the line a record ends on; a quoted cell may span lines.
    const line = info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
    const cell = (i: number | undefined) => (i === undefined ? '' : (record[i] ?? '').trim());
    const email = normaliseEmail(cell(at.email));
    if (!email) { problem(line, at.email!, cell(at.email) ? 'not an email address' : 'empty: every row needs the customer\'s email'); continue; }
    if (emails.has(email)) problem(line, at.email!, `the same customer as line ${emails.get(email)}`);
    emails.set(email, line);
    const count = (i: number | undefined, name: string): number => {
      const text = cell(i);
      if (i === undefined || text === '') return 0;
      if (!/^\d{1,12}$/.test(text)) { problem(line, i, `${name}: a whole number of points ≥ 0 without separators, got "${text.slice(0, 40)}"`); return 0; }
      return Number(text);
    };
    const points = count(at.points, 'points') + count(at.pending, 'pending points');
    let tier: string | null = null;
    if (cell(at.tier)) {
      tier = tiers.get(cell(at.tier).toLowerCase()) ?? null;
      if (!tier) problem(line, at.tier!, `tier "${cell(at.tier).slice(0, 60)}" is not a tier of the programme (${[...tiers.values()].join(', ') || 'none set'})`);
    }
    let code: string | null = null;
    if (cell(at.referral)) {
      code = codeOf(cell(at.referral)) ?? null;
      if (!code) problem(line, at.referral!, 'not a referral code or link (3–64 letters, digits, - or _)');
      else if (codes.has(code)) problem(line, at.referral!, `the same referral code as line ${codes.get(code)}`);
      else codes.set(code, line);
    }
    rows.push({ line, email, points, tier, code });
  }
  if (problems.length) throw invalid(`The ${sourceNames[from]} export has ${problems.length === MAX_PROBLEMS ? 'at least ' : ''}${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was imported`, problems);
  return rows;
}

class DryRun extends Error {
  constructor(readonly summary: ImportSummary) { super('dry run'); }
}

/** Writes the checked rows in one transaction (rolled back for a dry run). */
export async function importExport(transact: Transact, storeId: string, settings: LoyaltySettings, from: ImportSource, rows: readonly Row[], options: { dryRun: boolean; actor: string }, now = new Date()): Promise<ImportSummary> {
  try {
    return await transact(async (tx) => {
      const summary = await apply(tx, storeId, settings, from, rows, options.actor, now);
      if (options.dryRun) throw new DryRun({ ...summary, dry_run: true });
      return summary;
    });
  } catch (error) {
    if (error instanceof DryRun) return error.summary;
    throw error;
  }
}

async function apply(tx: LoyaltyTx, storeId: string, settings: LoyaltySettings, from: ImportSource, rows: readonly Row[], actor: string, now: Date): Promise<ImportSummary> {
  const summary: ImportSummary = {
    from, dry_run: false, rows: rows.length, matched: 0, balances: { imported: 0, points: 0, already: 0 }, tiers: { changed: 0, unchanged: 0 },
    referral_codes: { imported: 0, already: 0 }, unknown: [],
  };
  const customers = await tx.selectFrom('customers').select(['id', 'email']).where('store_id', '=', storeId).where('email', 'is not', null).orderBy('id').execute();
  const byEmail = new Map<string, number>();
  for (const c of customers) {
    const email = normaliseEmail(c.email!);
    if (email && !byEmail.has(email)) byEmail.set(email, Number(c.id));
  }
  for (const row of rows) {
    const customerId = byEmail.get(row.email);
    if (customerId === undefined) { summary.unknown.push({ line: row.line, email: row.email }); continue; }
    summary.matched += 1;
    const key = `import:${from}:${row.email}`;
    if (await entryByKey(tx, storeId, key)) summary.balances.already += 1;
    else if (row.points > 0) {
      await writeAward(tx, {
        storeId, customerId, kind: 'adjust', points: row.points, state: 'available', availableAt: now,
        expiresAt: settings.expiry.mode === 'per_award' ? addMonths(now, settings.expiry.months) : null,
        source: `import:${from}`, reason: `balance imported from ${sourceNames[from]} (line ${row.line})`, actor, key, at: now,
      });
      summary.balances.imported += 1;
      summary.balances.points += row.points;
    }
    if (row.tier) {
      const current = await currentTier(tx, storeId, customerId);
      if (current.tier === row.tier) summary.tiers.unchanged += 1;
      else {
        changed(tx, storeId, customerId);
        await tx.insertInto('loyalty_tier_changes').values({ store_id: storeId, customer_id: customerId, tier: row.tier, previous_tier: current.tier, figure: 0, reason: `import:${from}`, changed_at: now }).execute();
        summary.tiers.changed += 1;
      }
    }
    if (row.code) {
      const owner = await tx.selectFrom('loyalty_referral_codes').select('customer_id').where('store_id', '=', storeId).where('code', '=', row.code).executeTakeFirst();
      if (owner && Number(owner.customer_id) !== customerId) {
        throw new AppError('conflict', `Line ${row.line}: referral code ${row.code} belongs to another customer (${Number(owner.customer_id)}); nothing was imported`, [{ path: `line ${row.line}, referral code`, reason: 'already another customer\'s code', line: row.line }]);
      }
      if (owner) summary.referral_codes.already += 1;
      else {
        await tx.insertInto('loyalty_referral_codes').values({ store_id: storeId, code: row.code, customer_id: customerId, origin: from, created_at: now }).execute();
        summary.referral_codes.imported += 1;
      }
    }
  }
  return summary;
}
