/**
 * `hearth loyalty`: a customer's points (balance, tier and latest ledger rows) and the members
 * list; `hearth loyalty import` brings balances, tiers and referral codes over from Smile.io or
 * LoyaltyLion; `hearth loyalty backfill` awards past orders (printing a line per committed chunk).
 * Works on the data directory, or through the server when one runs on it.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { z } from 'zod';
import type { loyaltyImportSchema } from '../http/schemas/loyalty-referrals.schemas.js';
import { importSources, type ImportSource } from '../modules/loyalty/index.js';
import type { loyaltyBackfillSchema, loyaltyBalanceSchema, loyaltyHistorySchema, loyaltyMemberPageSchema } from '../http/schemas/loyalty.schemas.js';
import { formatDateTime, formatNumber } from '../lib/format.js';
import { formatMoney } from '../lib/money.js';
import { isCalendarDay } from '../lib/time.js';
import type { Services } from '../services.js';
import { callBackend, CliError, formatTable, printJson, toWire, withDataDir, withStoreBackend, type CommonOptions, type StoreBackend } from './context.js';

type Balance = z.input<typeof loyaltyBalanceSchema>;
type History = z.input<typeof loyaltyHistorySchema>;
type Members = z.input<typeof loyaltyMemberPageSchema>;
type Imported = z.input<typeof loyaltyImportSchema>;
type Backfilled = z.input<typeof loyaltyBackfillSchema>;
type Backend = StoreBackend;

const run = withStoreBackend;

const call = <T>(backend: Backend, direct: (services: Services) => Promise<unknown>, path: string) => callBackend<T>(backend, direct, 'GET', path);

/** A customer as the API names them: an id, `ext:<external id>`, or a bare external id. */
const customerRef = (text: string): string => (/^\d+$/.test(text) || text.startsWith('ext:') ? text : `ext:${text}`);

function limitOf(text: string | undefined): number {
  if (text === undefined) return 50;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 1000) throw new CliError(`--limit: a whole number from 1 to 1000, got "${text}"`, 2);
  return value;
}

function sinceOf(text: string | undefined): string | undefined {
  if (text !== undefined && !isCalendarDay(text)) throw new CliError(`--since: a date written YYYY-MM-DD, got "${text}"`, 2);
  return text;
}

function chunkSizeOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 10_000_000) throw new CliError(`--chunk-size: a whole number from 1 to 10000000, got "${text}"`, 2);
  return value;
}

export function registerLoyaltyCommand(program: Command): void {
  const loyalty = program.command('loyalty').description('loyalty points: a customer\'s balance and ledger, the members list');

  withDataDir(loyalty.command('show <customer>').description('a customer\'s points, tier and latest ledger rows (customer id, or external id)'))
    .option('--limit <n>', 'ledger rows to show (default 50)').option('--json', 'print JSON')
    .action(async (customer: string, options: CommonOptions & { limit?: string }) => {
      const limit = limitOf(options.limit);
      const ref = customerRef(customer);
      const path = `/api/v1/loyalty/customers/${encodeURIComponent(ref)}`;
      const shown = await run(options, async (b) => {
        const id = async (s: Services) => (await s.customers.get(b.storeId, ref)).id;
        return {
          store: b.store,
          balance: await call<Balance>(b, async (s) => s.loyalty.balance(b.storeId, await id(s)), path),
          history: await call<History>(b, async (s) => s.loyalty.history(b.storeId, await id(s), { limit }), `${path}/history?limit=${limit}`),
        };
      });
      if (options.json) return printJson({ balance: shown.balance, history: shown.history });
      const b = shown.balance;
      const lines = [
        `Customer ${b.customer_id}: ${formatNumber(b.available)} points available (${formatMoney(b.value, b.currency)}), ${formatNumber(b.pending)} pending${b.owed ? `, ${formatNumber(b.owed)} owed` : ''}${b.lapsed ? `, ${formatNumber(b.lapsed)} lapsed` : ''}.`,
        b.tier ? `Tier ${b.tier} since ${formatDateTime(b.tier_since, shown.store.timezone)}.` : 'No tier.',
      ];
      if (b.next_tier) lines.push(`${formatNumber(b.next_tier.missing)} more to reach ${b.next_tier.name} (${formatNumber(b.tier_figure)} of ${formatNumber(b.next_tier.threshold)} in 12 months).`);
      if (shown.history.data.length) {
        lines.push('', formatTable(['when', 'kind', 'points', 'standing', 'source', 'reason'], shown.history.data.map((e) => [
          formatDateTime(e.created_at, shown.store.timezone), e.kind, e.points > 0 ? `+${e.points}` : String(e.points), e.standing, e.source, e.reason ?? '',
        ])));
      } else lines.push('No points yet.');
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  withDataDir(loyalty.command('members').description('customers with points, by customer id, with balance and tier'))
    .option('--limit <n>', 'members to show (default 50)').option('--json', 'print JSON')
    .action(async (options: CommonOptions & { limit?: string }) => {
      const limit = limitOf(options.limit);
      const page = await run(options, (b) => call<Members>(b, (s) => s.loyalty.members(b.storeId, { limit }), `/api/v1/loyalty/members?limit=${limit}`));
      if (options.json) return printJson(page);
      if (!page.data.length) return void process.stdout.write('No members yet: customers join with their first points.\n');
      process.stdout.write(`${formatTable(['customer', 'available', 'pending', 'owed', 'tier'], page.data.map((m) => [m.customer_id, m.available, m.pending, m.owed, m.tier ?? '']))}\n`);
      if (page.next_cursor) process.stdout.write(`(more: the first ${formatNumber(page.data.length)} shown)\n`);
    });

  withDataDir(loyalty.command('import <file>').description('import balances, tiers and referral codes from a Smile.io or LoyaltyLion customer export (CSV)'))
    .option('--from <source>', `the export's source: ${importSources.join(' or ')}`).option('--dry-run', 'check the file and count, writing nothing').option('--json', 'print JSON')
    .action(async (file: string, options: CommonOptions & { from?: string; dryRun?: boolean }) => {
      if (!options.from || !(importSources as readonly string[]).includes(options.from)) {
        throw new CliError(`--from: ${importSources.join(' or ')}${options.from ? `, got "${options.from}"` : ' is required'}`, 2);
      }
      const from = options.from as ImportSource;
      let csv: string;
      try {
        csv = readFileSync(file, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${file}: ${(error as Error).message}`, 2);
      }
      const dryRun = options.dryRun ?? false;
      const result = await run(options, async (b): Promise<Imported> => {
        if ('services' in b) return toWire(await b.services.loyalty.importExport(b.storeId, from, csv, { dryRun, actor: 'cli' })) as Imported;
        return b.server.json<Imported>('POST', '/api/v1/loyalty/imports', { store: b.storeId, body: { from, csv, dry_run: dryRun } });
      });
      if (options.json) return printJson(result);
      const lines = [
        `${result.dry_run ? 'Dry run — nothing written. ' : ''}${formatNumber(result.rows)} rows, ${formatNumber(result.matched)} matched to customers.`,
        `Balances: ${formatNumber(result.balances.imported)} imported (${formatNumber(result.balances.points)} points), ${formatNumber(result.balances.already)} already imported.`,
        `Tiers: ${formatNumber(result.tiers.changed)} set, ${formatNumber(result.tiers.unchanged)} unchanged. Referral codes: ${formatNumber(result.referral_codes.imported)} imported, ${formatNumber(result.referral_codes.already)} already there.`,
      ];
      if (result.unknown.length) lines.push(`No customer with these emails (nothing imported for them):`, ...result.unknown.map((u) => `  line ${u.line}: ${u.email}`));
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  withDataDir(loyalty.command('backfill').description('award past orders that have no points yet, as their events would have; a rerun skips what is done'))
    .option('--since <day>', 'only orders placed on or after this day (YYYY-MM-DD, from 00:00 UTC)')
    .option('--chunk-size <n>', 'orders per committed chunk (default 500000)').option('--json', 'print JSON')
    .action(async (options: CommonOptions & { since?: string; chunkSize?: string }) => {
      const since = sinceOf(options.since);
      const chunkSize = chunkSizeOf(options.chunkSize);
      const result = await run(options, async (b): Promise<Backfilled> => {
        if ('server' in b) return b.server.json<Backfilled>('POST', '/api/v1/loyalty/backfill', { store: b.storeId, body: since ? { since } : {} });
        const onChunk = options.json ? undefined : (p: { chunk: number; chunks: number; orders: number; points: number }) =>
          process.stderr.write(`chunk ${p.chunk} of ${p.chunks} committed: ${formatNumber(p.orders)} orders, ${formatNumber(p.points)} points so far\n`);
        return toWire(await b.services.loyalty.backfill(b.storeId, { since: since ? new Date(`${since}T00:00:00Z`) : undefined, chunkSize, onChunk })) as Backfilled;
      });
      if (options.json) return printJson(result);
      process.stdout.write([
        `Awarded ${formatNumber(result.orders)} past orders: ${formatNumber(result.points)} points${result.since ? ` (orders since ${result.since.slice(0, 10)})` : ''}.`,
        `Refunds taken back: ${formatNumber(result.refunds)} (${formatNumber(result.refunded_points)} points). Cancelled orders recorded without points: ${formatNumber(result.voided)}. Tier upgrades: ${formatNumber(result.tier_changes)}.`,
        `${formatNumber(result.chunks)} chunks in ${(result.ms / 1000).toFixed(1)} s.`,
      ].join('\n') + '\n');
    });
}
