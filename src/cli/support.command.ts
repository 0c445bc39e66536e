/**
 * `hearth support tickets|retention` and `hearth surveys results`: the store's tickets, who comes
 * back after a support contact or an NPS answer, and the survey results (docs/listen.md).
 * Works on the data directory, or through the server when one runs on it.
 */
import type { Command } from 'commander';
import type { z } from 'zod';
import type { retentionSchema, surveyResultsSchema, ticketListSchema } from '../http/schemas/support.schemas.js';
import { formatDateTime, formatNumber } from '../lib/format.js';
import { ticketStatuses } from '../modules/support/index.js';
import { surveyKinds, type SurveyKind } from '../modules/surveys/index.js';
import { CliError, dayOption, formatTable, printJson, toWire, withDataDir, withStoreBackend, type CommonOptions } from './context.js';

type TicketList = z.input<typeof ticketListSchema>;
type Retention = z.input<typeof retentionSchema>;
type Results = z.input<typeof surveyResultsSchema>;

const run = withStoreBackend;
const DAY = 86_400_000;

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
const interval = (low: number | null, high: number | null) => (low === null || high === null ? '—' : `${(low * 100).toFixed(1)} … ${(high * 100).toFixed(1)} %`);

export function registerSupportCommands(program: Command): void {
  const support = program.command('support').description('customer service: tickets, and who comes back after a contact');

  withDataDir(support.command('tickets').description('tickets, newest first')).option('--status <status>', ticketStatuses.join(', '))
    .option('--limit <n>', 'at most this many (default 50)').option('--json', 'print JSON')
    .action(async (options: CommonOptions & { status?: string; limit?: string }) => {
      if (options.status !== undefined && !(ticketStatuses as readonly string[]).includes(options.status)) throw new CliError(`--status: ${ticketStatuses.join(', ')}, got "${options.status}"`, 2);
      const limit = options.limit === undefined ? 50 : Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError(`--limit: a whole number from 1 to 1000, got "${options.limit}"`, 2);
      const status = options.status as (typeof ticketStatuses)[number] | undefined;
      const { list, zone } = await run(options, async (b) => ({
        zone: b.store.timezone,
        list: 'services' in b ? toWire({ data: await b.services.support.list(b.storeId, { status, limit }) }) as TicketList
          : await b.server.json<TicketList>('GET', `/api/v1/tickets?limit=${limit}${status ? `&status=${status}` : ''}`, { store: b.storeId }),
      }));
      if (options.json) return printJson(list);
      if (!list.data.length) return void process.stdout.write('No tickets yet.\n');
      process.stdout.write(`${formatTable([`opened (${zone})`, 'source', 'status', 'channel', 'topic', 'customer', 'first response', 'resolved in', 'subject'], list.data.map((t) => [
        formatDateTime(t.opened_at, zone), t.source, t.status, t.channel, t.topic ?? '—', t.customer_id ?? '—',
        t.first_response_minutes === null ? '—' : `${formatNumber(Math.round(t.first_response_minutes))} min`, t.resolution_hours === null ? '—' : `${t.resolution_hours.toFixed(1)} h`, (t.subject ?? '').slice(0, 40),
      ]))}\n`);
    });

  withDataDir(support.command('retention').description('repeat rate within 90 days by NPS category, by the first review\'s rating, by resolution within 24 hours and by first-response time, with 95 % intervals'))
    .option('--as-of <day>', 'only customers whose 90 days ended by this day (default today)').option('--json', 'print JSON')
    .action(async (options: CommonOptions & { asOf?: string }) => {
      const asOf = dayOption('--as-of', options.asOf);
      const r = await run(options, async (b): Promise<Retention> => {
        if (!('services' in b)) return b.server.json<Retention>('GET', `/api/v1/support/retention${asOf ? `?as_of=${asOf}` : ''}`, { store: b.storeId });
        const at = asOf ? new Date(`${asOf}T23:59:59.999Z`) : new Date();
        const [tickets, nps, reviews] = await Promise.all([b.services.support.retention(b.storeId, at), b.services.surveys.npsRetention(b.storeId, at), b.services.reviews.ratingRetention(b.storeId, at)]);
        return toWire({ ...tickets, nps_category: nps, review_rating: reviews, note: 'Associations in this store\'s data, not effects: the groups may differ in other ways.' }) as Retention;
      });
      if (options.json) return printJson(r);
      const table = (title: string, rows: Retention['nps_category']) => `${title}\n${formatTable(['group', 'customers', 'ordered again', 'rate', '95 % interval'],
        rows.map((row) => [row.group.replace(/_/g, ' '), row.customers, row.repeaters, pct(row.rate), interval(row.low, row.high)]))}`;
      process.stdout.write(`${[`Repeat rate within ${r.window_days} days (as of ${r.as_of.slice(0, 10)}).`, table('By NPS category of the first answer:', r.nps_category), table('By the rating of the first review:', r.review_rating),
        table('By the first ticket resolved within 24 hours:', r.resolved_within_24h), table('By the first ticket\'s first response:', r.first_response), r.note].join('\n\n')}\n`);
    });

  const surveys = program.command('surveys').description('NPS and CSAT surveys');
  withDataDir(surveys.command('results').description('NPS (promoters − detractors, with its 95 % interval) or CSAT, the monthly trend and the frequent themes'))
    .option('--kind <kind>', surveyKinds.join(' or '), 'nps').option('--from <day>', 'first day (default 90 days ago)').option('--to <day>', 'last day (default today)').option('--json', 'print JSON')
    .action(async (options: CommonOptions & { kind: string; from?: string; to?: string }) => {
      if (!(surveyKinds as readonly string[]).includes(options.kind)) throw new CliError(`--kind: ${surveyKinds.join(' or ')}, got "${options.kind}"`, 2);
      const kind = options.kind as SurveyKind;
      const from = dayOption('--from', options.from);
      const to = dayOption('--to', options.to);
      const r = await run(options, async (b): Promise<Results> => {
        if (!('services' in b)) return b.server.json<Results>('GET', `/api/v1/surveys/results?kind=${kind}${from ? `&from=${from}` : ''}${to ? `&to=${to}` : ''}`, { store: b.storeId });
        const end = to ? new Date(Date.parse(`${to}T00:00:00Z`) + DAY) : new Date();
        return toWire(await b.services.surveys.results(b.storeId, kind, from ? new Date(`${from}T00:00:00Z`) : new Date(end.getTime() - 90 * DAY), end)) as Results;
      });
      if (options.json) return printJson(r);
      const lines: string[] = [];
      if (r.nps) {
        lines.push(r.nps.nps === null ? 'NPS: no answers in the period.'
          : `NPS ${r.nps.nps.toFixed(1)} (95 % interval ${r.nps.low!.toFixed(1)} … ${r.nps.high!.toFixed(1)}) from ${formatNumber(r.nps.answers)} answers: ${r.nps.promoters} promoters, ${r.nps.passives} passives, ${r.nps.detractors} detractors.`);
      }
      if (r.csat) lines.push(r.csat.share === null ? 'CSAT: no answers in the period.' : `CSAT ${pct(r.csat.share)} satisfied (4–5; 95 % interval ${interval(r.csat.low, r.csat.high)}), mean ${r.csat.mean!.toFixed(2)} from ${formatNumber(r.csat.answers)} answers.`);
      if (r.trend.length) lines.push('', formatTable(['month', 'answers', 'score', '95 % interval'], r.trend.map((t) => [t.month, t.answers, t.score === null ? '—' : t.score.toFixed(1), t.low === null ? '—' : `${t.low.toFixed(1)} … ${t.high!.toFixed(1)}`])));
      if (r.themes.length) lines.push('', `Themes: ${r.themes.map((t) => `${t.term} (${t.answers})`).join(', ')}`);
      if (r.detractor_themes.length) lines.push(`Detractors' themes: ${r.detractor_themes.map((t) => `${t.term} (${t.answers})`).join(', ')}`);
      if (r.sentiment.mean !== null) lines.push(`Sentiment of ${r.sentiment.with_text} answers with text: ${r.sentiment.mean.toFixed(3)} (${r.sentiment.language_note}).`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
