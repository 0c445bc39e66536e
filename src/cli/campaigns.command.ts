/**
 * `hearth campaigns`: list, count an audience, create, send and show a campaign with its results.
 * Works on the data directory, or through the server when one runs on it (sending needs the
 * server's worker anyway). Segments are named by name or id.
 */
import type { Command } from 'commander';
import type { Campaign, CampaignAudience, CampaignResults, CampaignStart } from '../http/schemas/campaigns.schemas.js';
import { formatDateTime, formatNumber, formatPercent, plural } from '../lib/format.js';
import { formatMoney } from '../lib/money.js';
import type { Services } from '../services.js';
import type { ServerClient } from './server-client.js';
import { CliError, formatTable, printJson, resolveStore, toWire, withContextOrServer, withDataDir, type CommonOptions, type StoreRef } from './context.js';

interface AudienceOptions extends CommonOptions { segment?: string[]; exclude?: string[]; holdout?: string }
interface CreateOptions extends AudienceOptions { name?: string; days?: string; template?: string; topic?: string }

/** Either path to the store: the opened services, or the running server. */
type Backend = ({ services: Services } | { server: ServerClient }) & { storeId: string; store: StoreRef };

const collect = (value: string, previous: string[] = []) => [...previous, value];
const number = formatNumber;

function share(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 50) throw new CliError(`--holdout: a percentage from 0 to 50, got "${text}"`, 2);
  return value / 100;
}

function days(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 90) throw new CliError(`--days: a whole number of days from 1 to 90, got "${text}"`, 2);
  return value;
}

async function run<T>(options: CommonOptions, work: (backend: Backend) => Promise<T>): Promise<T> {
  return withContextOrServer(options,
    async ({ services }) => {
      const store = await resolveStore(services, options.store);
      return work({ services, storeId: store.id, store });
    },
    async (server) => {
      const store = await resolveStore(server, options.store);
      return work({ server, storeId: store.id, store });
    });
}

async function call<T>(backend: Backend, direct: (services: Services) => Promise<unknown>, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  if ('services' in backend) return toWire(await direct(backend.services)) as T;
  return backend.server.json<T>(method, path, { store: backend.storeId, ...(body !== undefined && { body }) });
}

/** Segment ids from names or ids, each checked; a flag that names no segment is a usage error. */
async function segmentIds(backend: Backend, flag: string, wanted: readonly string[]): Promise<string[]> {
  if (!wanted.length) return [];
  const { data } = await call<{ data: { id: string; name: string }[] }>(backend, async (s) => ({ data: await s.segments.list(backend.storeId) }), 'GET', '/api/v1/segments');
  return wanted.map((w) => {
    const found = data.find((s) => s.id === w) ?? data.find((s) => s.name.toLowerCase() === w.toLowerCase());
    if (!found) throw new CliError(`${flag}: no segment "${w}" (segments: ${data.map((s) => s.name).join(', ')})`, 2);
    return found.id;
  });
}

function describeAudience(a: CampaignAudience): string {
  const left = [
    a.excluded && `${number(a.excluded)} excluded`,
    a.without_email && `${number(a.without_email)} without an email address`,
    a.without_consent && `${number(a.without_consent)} without marketing consent`,
  ].filter(Boolean);
  return `${plural(a.audience, 'customer')} in the campaign: about ${number(a.audience - a.holdout_expected)} receive it, ${number(a.holdout_expected)} held out.`
    + (left.length ? `\nOf ${number(a.in_segments)} in the chosen segments, left out: ${left.join(', ')}.` : '');
}

function describeResults(c: Campaign, r: CampaignResults, store: StoreRef): string {
  if (!c.started_at) return `"${c.name}" has not started: send it with \`hearth campaigns send ${c.id}\`.`;
  const money = (minor: number) => formatMoney(minor, r.currency, 'en-US');
  const at = (instant: string | null) => formatDateTime(instant, store.timezone);
  const lines = [
    `"${c.name}" (${c.status}) started ${at(c.started_at)}; orders count until ${at(r.window_ends_at)} (${store.timezone})${r.complete ? '' : ', window still open'}.`,
    formatTable(['group', 'people', 'bought', 'share who bought', 'revenue', 'per person'],
      r.groups.map((g) => [g.group, number(g.people), number(g.buyers), formatPercent(g.conversion), money(g.revenue), money(g.revenue_per_person)])),
  ];
  if (r.messages) {
    const m = r.messages;
    lines.push(`messages: ${number(m.sent)} sent, ${number(m.queued)} queued, ${number(m.suppressed)} suppressed, ${number(m.failed + m.uncertain)} failed or uncertain; `
      + `${number(m.opened)} opened (inflated by mail privacy proxies), ${number(m.clicked)} clicked, ${number(m.unsubscribed)} unsubscribed`);
  }
  if (r.attributed) lines.push(`after a click: ${plural(r.attributed.orders, 'order')} by ${plural(r.attributed.buyers, 'buyer')}, ${money(r.attributed.revenue)}`);
  if (r.lift) {
    const l = r.lift;
    lines.push(`${l.significant ? 'Lift' : 'No clear effect yet'}: ${number(l.incremental_buyers)} more buyers than the holdout predicts `
      + `(95 % interval ${number(l.incremental_buyers_interval.low)} to ${number(l.incremental_buyers_interval.high)}), `
      + `${money(l.incremental_revenue)} more revenue (${money(l.incremental_revenue_interval.low)} to ${money(l.incremental_revenue_interval.high)}).`);
  } else lines.push('No holdout: the campaign\'s own effect cannot be measured.');
  return lines.join('\n');
}

export function registerCampaignsCommand(program: Command): void {
  const campaigns = program.command('campaigns').description('campaigns to segments with a holdout: count, create, send, and read their results');

  withDataDir(campaigns.command('list').description('campaigns, newest first')).option('--json', 'print JSON')
    .action(async (options: CommonOptions) => {
      const list = await run(options, async (b) => ({ ...await call<{ data: Campaign[] }>(b, async (s) => ({ data: await s.campaigns.list(b.storeId) }), 'GET', '/api/v1/campaigns'), store: b.store }));
      if (options.json) return printJson(list.data);
      if (!list.data.length) return void process.stdout.write('No campaigns yet: create one with `hearth campaigns create`.\n');
      const { store } = list;
      process.stdout.write(`${formatTable(['id', 'name', 'status', 'holdout', `started (${store.timezone})`], list.data.map((c) => [c.id, c.name, c.status, formatPercent(c.holdout_share), formatDateTime(c.started_at, store.timezone)]))}\n`);
    });

  const audienceOptions = (command: Command) => command
    .option('--segment <name-or-id>', 'send to customers in this segment (repeat for several)', collect)
    .option('--exclude <name-or-id>', 'leave out customers in this segment (repeat for several)', collect)
    .option('--holdout <percent>', 'share held out, 0 to 50 (default 10)');

  audienceOptions(withDataDir(campaigns.command('audience').description('who a campaign to these segments would reach now'))).option('--json', 'print JSON')
    .action(async (options: AudienceOptions) => {
      if (!options.segment?.length) throw new CliError('--segment: name at least one segment', 2);
      const holdout = share(options.holdout);
      const count = await run(options, async (b) => {
        const body = { segment_ids: await segmentIds(b, '--segment', options.segment!), exclude_segment_ids: await segmentIds(b, '--exclude', options.exclude ?? []), ...(holdout !== undefined && { holdout_share: holdout }) };
        return call<CampaignAudience>(b, (s) => s.campaigns.audience(b.storeId, body), 'POST', '/api/v1/campaigns/audience', body);
      });
      if (options.json) return printJson(count);
      process.stdout.write(`${describeAudience(count)}\n`);
    });

  audienceOptions(withDataDir(campaigns.command('create').description('create a draft campaign')))
    .option('--name <name>', 'campaign name').option('--days <n>', 'days after the start in which orders count (default 5)')
    .option('--template <id>', 'the template to send').option('--topic <id>', 'the email topic (recipients who dropped it are skipped)').option('--json', 'print JSON')
    .action(async (options: CreateOptions) => {
      if (!options.name?.trim()) throw new CliError('--name: give the campaign a name', 2);
      if (!options.segment?.length) throw new CliError('--segment: name at least one segment', 2);
      const holdout = share(options.holdout);
      const window = days(options.days);
      const created = await run(options, async (b) => {
        const body = {
          name: options.name!.trim(), segment_ids: await segmentIds(b, '--segment', options.segment!), exclude_segment_ids: await segmentIds(b, '--exclude', options.exclude ?? []),
          ...(holdout !== undefined && { holdout_share: holdout }), ...(window !== undefined && { attribution_days: window }), ...(options.template && { template_id: options.template }),
          ...(options.topic && { topic_id: options.topic }),
        };
        return call<Campaign>(b, (s) => s.campaigns.create(b.storeId, body), 'POST', '/api/v1/campaigns', body);
      });
      if (options.json) return printJson(created);
      process.stdout.write(`created ${created.id} "${created.name}" (draft); send it with \`hearth campaigns send ${created.id}\`\n`);
    });

  withDataDir(campaigns.command('send <id>').description('start a campaign: freeze its audience, draw the holdout and send to the others')).option('--json', 'print JSON')
    .action(async (id: string, options: CommonOptions) => {
      const started = await run(options, (b) => call<CampaignStart>(b, (s) => s.campaigns.start(b.storeId, id), 'POST', `/api/v1/campaigns/${encodeURIComponent(id)}/start`, {}));
      if (options.json) return printJson(started);
      process.stdout.write(`"${started.campaign.name}" started: ${plural(started.recipients, 'recipient')}, ${number(started.holdout)} held out.\n`);
    });

  withDataDir(campaigns.command('show <id>').description('a campaign with its results against the holdout')).option('--json', 'print JSON')
    .action(async (id: string, options: CommonOptions) => {
      const shown = await run(options, async (b) => ({
        store: b.store,
        campaign: await call<Campaign>(b, (s) => s.campaigns.get(b.storeId, id), 'GET', `/api/v1/campaigns/${encodeURIComponent(id)}`),
        results: await call<CampaignResults>(b, (s) => s.campaigns.results(b.storeId, id), 'GET', `/api/v1/campaigns/${encodeURIComponent(id)}/results`),
      }));
      if (options.json) return printJson({ campaign: shown.campaign, results: shown.results });
      process.stdout.write(`${describeResults(shown.campaign, shown.results, shown.store)}\n`);
    });
}
