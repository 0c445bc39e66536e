/**
 * `hearth reviews`: the store's reviews (the moderation queue with --status pending), importing a
 * Judge.me or Yotpo export, and replying to a review (the reply is emailed to the reviewer)
 * (docs/listen.md). Works on the data directory, or through the server when one runs on it.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { z } from 'zod';
import type { reviewImportSchema, reviewOutcomesSchema, reviewPageSchema, reviewReplySchema } from '../http/schemas/reviews.schemas.js';
import { formatNumber } from '../lib/format.js';
import { REVIEW_OUTCOMES_NOTE, reviewImportSources, reviewStatuses } from '../modules/reviews/index.js';
import { CliError, dayOption, formatTable, printJson, toWire, withDataDir, withStoreBackend, type CommonOptions } from './context.js';

type Page = z.input<typeof reviewPageSchema>;
type Imported = z.input<typeof reviewImportSchema>;
type Replied = z.input<typeof reviewReplySchema>;
type Outcomes = z.input<typeof reviewOutcomesSchema>;
type Rate = Outcomes['store']['returns'];

const run = withStoreBackend;
const stars = (n: number) => '★'.repeat(n) + '☆'.repeat(5 - n);
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
const rateCell = (r: Rate) => (r.rate === null ? '—' : `${pct(r.rate)} of ${formatNumber(r.of)} (${(r.low! * 100).toFixed(1)} … ${(r.high! * 100).toFixed(1)})`);
const rho = (c: Outcomes['rating_vs_returns']) => (c === null ? 'too few products' : `ρ = ${c.rho.toFixed(2)} (95 % ${c.low.toFixed(2)} … ${c.high.toFixed(2)}, ${c.n} products)`);
const clip = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 1)}…` : text).replace(/\s+/g, ' ');

export function registerReviewsCommand(program: Command): void {
  const reviews = program.command('reviews').description('product reviews: list (the moderation queue with --status pending), import a Judge.me or Yotpo export, reply, outcomes');

  withDataDir(reviews.command('list').description('the store\'s reviews, newest first'))
    .option('--status <status>', reviewStatuses.join(', ')).option('--product <id>', 'only this product\'s (external id)').option('--limit <n>', 'at most this many (default 50)').option('--json', 'print JSON')
    .action(async (options: CommonOptions & { status?: string; product?: string; limit?: string }) => {
      if (options.status !== undefined && !(reviewStatuses as readonly string[]).includes(options.status)) throw new CliError(`--status: ${reviewStatuses.join(', ')}, got "${options.status}"`, 2);
      const limit = options.limit === undefined ? 50 : Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CliError(`--limit: a whole number from 1 to 500, got "${options.limit}"`, 2);
      const query = { ...(options.status && { status: options.status }), ...(options.product && { product_id: options.product }), limit: String(limit) };
      const page = await run(options, async (b): Promise<Page> => ('services' in b
        ? toWire(await b.services.reviews.list(b.storeId, { status: options.status as (typeof reviewStatuses)[number] | undefined, product_id: options.product, limit })) as Page
        : b.server.json<Page>('GET', `/api/v1/reviews?${new URLSearchParams(query).toString()}`, { store: b.storeId })));
      if (options.json) return printJson(page);
      if (!page.data.length) return void process.stdout.write('No reviews.\n');
      process.stdout.write(`${formatTable(['id', 'product', 'stars', 'status', 'flags', 'author', 'review', 'reply'], page.data.map((r) => [
        r.id, r.product_title ?? r.product_id, stars(r.rating), r.status, r.flags.join(', '), `${r.author_name}${r.verified ? ' ✔' : ''}`, clip(`${r.title ? `${r.title}: ` : ''}${r.body}`, 60), r.reply ? 'yes' : '',
      ]))}\n`);
    });

  withDataDir(reviews.command('import <file>').description('import a Judge.me or Yotpo review export (CSV); a bad line refuses the whole file'))
    .option('--from <source>', reviewImportSources.join(' or ')).option('--json', 'print JSON')
    .action(async (file: string, options: CommonOptions & { from?: string }) => {
      if (!options.from || !(reviewImportSources as readonly string[]).includes(options.from)) throw new CliError(`--from: ${reviewImportSources.join(' or ')}${options.from ? `, got "${options.from}"` : ' is required'}`, 2);
      let csv: string;
      try {
        csv = readFileSync(file, 'utf8');
      } catch (error) {
        throw new CliError(`<file>: cannot read ${file}: ${(error as Error).message}`, 2);
      }
      const from = options.from as (typeof reviewImportSources)[number];
      const result = await run(options, async (b): Promise<Imported> => ('services' in b
        ? toWire(await b.services.reviews.importExport(b.storeId, from, csv)) as Imported
        : b.server.json<Imported>('POST', '/api/v1/reviews/imports', { store: b.storeId, body: { from, csv } })));
      if (options.json) return printJson(result);
      process.stdout.write(`Imported ${formatNumber(result.imported)} reviews (${formatNumber(result.published)} published, ${formatNumber(result.pending)} waiting for moderation, ${formatNumber(result.rejected)} hidden); ${formatNumber(result.already)} were already there.\n`);
    });

  withDataDir(reviews.command('reply <review> <text>').description('the store\'s public reply to a review, emailed to the reviewer')).option('--json', 'print JSON')
    .action(async (id: string, text: string, options: CommonOptions) => {
      const result = await run(options, async (b): Promise<Replied> => ('services' in b
        ? toWire(await b.services.reviews.reply(b.storeId, id, { body: text })) as Replied
        : b.server.json<Replied>('POST', `/api/v1/reviews/${encodeURIComponent(id)}/reply`, { store: b.storeId, body: { body: text } })));
      if (options.json) return printJson(result);
      process.stdout.write(`Replied to ${result.review.id}${result.emailed ? `; the reply is on its way to ${result.review.author_email}` : '; no address to email it to'}.\n`);
    });

  withDataDir(reviews.command('outcomes').description('ratings against returns and repeat purchases: by rating given and per product, with 95 % intervals'))
    .option('--as-of <day>', 'data up to this day (default today)').option('--json', 'print JSON')
    .action(async (options: CommonOptions & { asOf?: string }) => {
      const asOf = dayOption('--as-of', options.asOf);
      const r = await run(options, async (b): Promise<Outcomes> => ('services' in b
        ? toWire({ ...await b.services.reviews.outcomes(b.storeId, asOf ? new Date(`${asOf}T23:59:59.999Z`) : undefined), note: REVIEW_OUTCOMES_NOTE }) as Outcomes
        : b.server.json<Outcomes>('GET', `/api/v1/reviews/outcomes${asOf ? `?as_of=${asOf}` : ''}`, { store: b.storeId })));
      if (options.json) return printJson(r);
      const byRating = formatTable(['rating', `ordered again within ${r.window_days} days`, 'returned the product'], r.repeat_by_rating.map((row, i) => [
        stars(Number(row.group)), rateCell({ count: row.repeaters, of: row.customers, rate: row.rate, low: row.low, high: row.high }), rateCell(r.returns_by_rating[i]!),
      ]));
      const products = r.products.length ? formatTable(['product', 'reviews', 'mean', 'returned', 'ordered again', 'flag'], r.products.map((p) => [
        clip(p.product_title ?? p.product_id, 40), p.reviews, p.average.toFixed(2), rateCell(p.returns), rateCell(p.repeat),
        [p.more_returns && 'more returns', p.less_repeat && 'less repeat'].filter(Boolean).join(', '),
      ])) : 'No reviewed products.';
      process.stdout.write(`${[
        `As of ${r.as_of.slice(0, 10)}. By the rating of each customer's first review (repeat) and of each review naming its order (returns):`, byRating,
        `Store: ${rateCell(r.store.returns)} of orders sent a product back; ${rateCell(r.store.repeat)} of buyers ordered again.`,
        `Across products with ${r.min_reviews}+ reviews, mean rating against return rate: ${rho(r.rating_vs_returns)}; against repeat rate: ${rho(r.rating_vs_repeat)}.`,
        products, r.note].join('\n\n')}\n`);
    });
}
