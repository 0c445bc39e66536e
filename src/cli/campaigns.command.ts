/**
 * `hearth campaigns`: list, count an audience, create, send and show a campaign with its results.
 * Works on the data directory, or through the server when one runs on it (sending needs the
 * server's worker anyway). Segments are named by name or id.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Campaign, CampaignAudience, CampaignResults, CampaignStart } from '../http/schemas/campaigns.schemas.js';
import { formatDateTime, formatNumber, formatPercent, plural } from '../lib/format.js';
import { formatMoney } from '../lib/money.js';
import { zonedInstant } from '../lib/zoned-time.js';
import { callBackend, CliError, formatTable, printJson, withDataDir, withStoreBackend, type CommonOptions, type StoreBackend, type StoreRef } from './context.js';

interface AudienceOptions extends CommonOptions { segment?: string[]; exclude?: string[]; holdout?: string }
interface CreateOptions extends AudienceOptions {
  name?: string; days?: string; template?: string; topic?: string;
  at?: string; localTime?: string; usualHour?: string | boolean;
  variant?: string[]; testShare?: string; testHours?: string; winner?: string;
  channel?: string; text?: string; textFile?: string;
}

/** Either path to the store: the opened services, or the running server. */
type Backend = StoreBackend;

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

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ]([01]\d|2[0-3]):([0-5]\d)$/;

/** `--at` in the store's time zone (YYYY-MM-DD HH:MM) as a UTC instant. */
function storeTime(text: string | undefined, timezone: string): string | undefined {
  if (text === undefined) return undefined;
  const match = LOCAL.exec(text.trim());
  if (!match) throw new CliError(`--at: a date and time in the store's time zone, YYYY-MM-DD HH:MM, got "${text}"`, 2);
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  return zonedInstant({ year, month, day, hour, minute }, timezone).toISOString();
}

/** When each recipient gets it: `--local-time` or `--usual-hour [default hour]`, else at the start. */
function delivery(options: CreateOptions) {
  if (options.localTime !== undefined && options.usualHour !== undefined) throw new CliError('--local-time and --usual-hour: choose one', 2);
  if (options.localTime !== undefined) {
    const match = LOCAL.exec(options.localTime.trim());
    if (!match) throw new CliError(`--local-time: a date and time on each recipient's clock, YYYY-MM-DD HH:MM, got "${options.localTime}"`, 2);
    return { mode: 'local_time' as const, local_time: `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}` };
  }
  if (options.usualHour === undefined) return undefined;
  if (options.usualHour === true) return { mode: 'usual_hour' as const };
  const hour = Number(options.usualHour);
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new CliError(`--usual-hour: the default hour, 0 to 23, got "${options.usualHour}"`, 2);
  return { mode: 'usual_hour' as const, default_hour: hour };
}

/** An A/B test from `--variant` (two to four templates), `--test-share`, `--test-hours` and `--winner`. */
function abTest(options: CreateOptions) {
  const variants = options.variant ?? [];
  if (!variants.length) {
    if (options.testShare ?? options.testHours ?? options.winner) throw new CliError('--variant: name two to four templates to test', 2);
    return undefined;
  }
  if (variants.length < 2 || variants.length > 4) throw new CliError(`--variant: two to four templates, got ${variants.length}`, 2);
  const testShare = Number(options.testShare ?? '20');
  if (!Number.isFinite(testShare) || testShare <= 0 || testShare > 50) throw new CliError(`--test-share: a percentage above 0, at most 50, got "${options.testShare}"`, 2);
  const testHours = Number(options.testHours ?? '4');
  if (!Number.isInteger(testHours) || testHours < 1 || testHours > 168) throw new CliError(`--test-hours: whole hours from 1 to 168, got "${options.testHours}"`, 2);
  const winner = options.winner ?? 'revenue';
  if (winner !== 'revenue' && winner !== 'clicks') throw new CliError(`--winner: clicks or revenue, got "${winner}"`, 2);
  return { variants: variants.map((id) => ({ template_id: id })), test_share: testShare / 100, test_hours: testHours, winner_metric: winner as 'revenue' | 'clicks' };
}

const channels = ['email', 'sms', 'webhook'] as const;
type Channel = (typeof channels)[number];
const channelNames: Record<Channel, string> = { email: 'email', sms: 'SMS', webhook: 'webhook' };
/** The API's limit on an SMS or webhook campaign's text (campaign.input.ts). */
const TEXT_LIMIT = 1600;

/**
 * The channel and what it sends, checked as the API checks them: an email campaign sends a
 * template (and may have a topic and an A/B test), an SMS or webhook campaign its Liquid text from
 * `--text` or `--text-file` (at most 1,600 characters; the server compiles it and names the line).
 */
function message(options: CreateOptions): { channel: Channel; text?: string } {
  const channel = (options.channel ?? 'email').trim().toLowerCase();
  if (!(channels as readonly string[]).includes(channel)) throw new CliError(`--channel: email, sms or webhook, got "${options.channel}"`, 2);
  if (options.text !== undefined && options.textFile !== undefined) throw new CliError('--text and --text-file: choose one', 2);
  const flag = options.textFile !== undefined ? '--text-file' : '--text';
  let text = options.text;
  if (options.textFile !== undefined) {
    try {
      text = readFileSync(options.textFile, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new CliError(`--text-file: cannot read ${options.textFile}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, 2);
    }
  }
  if (channel === 'email') {
    if (text !== undefined) throw new CliError(`${flag}: an email campaign sends its template (--template); the text is for --channel sms or webhook`, 2);
    return { channel };
  }
  const what = channel === 'sms' ? 'an SMS campaign' : 'a webhook campaign';
  const emailOnly: [string, unknown][] = [['--template', options.template], ['--topic', options.topic], ['--variant', options.variant?.length ? options.variant : undefined]];
  for (const [name, value] of emailOnly) if (value !== undefined) throw new CliError(`${name}: ${what} sends its text; ${name} is for email campaigns`, 2);
  if (text === undefined || text.trim() === '') throw new CliError(`--text: ${what} needs the text to send: give it with --text or --text-file`, 2);
  if (text.length > TEXT_LIMIT) throw new CliError(`${flag}: at most ${TEXT_LIMIT.toLocaleString('en-US')} characters, got ${text.length.toLocaleString('en-US')}`, 2);
  return { channel: channel as Channel, text };
}

const run = withStoreBackend;

const call = callBackend;

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

function describeAudience(a: CampaignAudience, channel: Channel = 'email'): string {
  const left = [
    a.excluded && `${number(a.excluded)} excluded`,
    a.without_address && `${number(a.without_address)} without ${channel === 'email' ? 'an email address' : channel === 'sms' ? 'a phone number' : 'an address the webhook consent needs'}`,
    a.without_consent && `${number(a.without_consent)} without ${channel === 'email' ? 'marketing' : channelNames[channel]} consent`,
  ].filter(Boolean);
  return `${plural(a.audience, 'customer')} in the campaign: about ${number(a.audience - a.holdout_expected)} receive it, ${number(a.holdout_expected)} held out.`
    + (left.length ? `\nOf ${number(a.in_segments)} in the chosen segments, left out: ${left.join(', ')}.` : '');
}

/** What the campaign sends: its channel, and the template or the text (indented under it). */
function describeMessage(c: Campaign): string {
  if (c.channel === 'email') return `channel: email${c.template_id ? `, template ${c.template_id}` : ', no template chosen yet'}${c.topic_id ? `, topic ${c.topic_id}` : ''}`;
  const text = c.text === null ? '(no text yet)' : c.text.split('\n').map((line, i) => (i === 0 ? line : `  ${line}`)).join('\n');
  return `channel: ${channelNames[c.channel]}\ntext: ${text}`;
}

function describeResults(c: Campaign, r: CampaignResults, store: StoreRef): string {
  if (!c.started_at) return `"${c.name}" has not started: send it with \`hearth campaigns send ${c.id}\`.\n${describeMessage(c)}`;
  const money = (minor: number) => formatMoney(minor, r.currency, 'en-US');
  const at = (instant: string | null) => formatDateTime(instant, store.timezone);
  const lines = [
    `"${c.name}" (${c.status}) started ${at(c.started_at)}; orders count until ${at(r.window_ends_at)} (${store.timezone})${r.complete ? '' : ', window still open'}.`,
    describeMessage(c),
    formatTable(['group', 'people', 'bought', 'share who bought', 'revenue', 'per person'],
      r.groups.map((g) => [g.group, number(g.people), number(g.buyers), formatPercent(g.conversion), money(g.revenue), money(g.revenue_per_person)])),
  ];
  if (r.messages) {
    const m = r.messages;
    // Opens, clicks and one-click unsubscribes are email's.
    lines.push(`messages: ${number(m.sent)} sent, ${number(m.queued)} queued, ${number(m.suppressed)} suppressed, ${number(m.failed + m.uncertain)} failed or uncertain`
      + (c.channel === 'email' ? `; ${number(m.opened)} opened (inflated by mail privacy proxies), ${number(m.clicked)} clicked, ${number(m.unsubscribed)} unsubscribed` : ''));
  }
  if (r.schedule && r.schedule.hours > 0) {
    lines.push(`scheduled over ${r.schedule.hours} hours: ${at(r.schedule.first_at)} to ${at(r.schedule.last_at)} (${c.delivery.mode === 'local_time' ? `${c.delivery.local_time.replace('T', ' ')} on each recipient's clock` : c.delivery.mode === 'usual_hour' ? "each recipient's usual hour" : 'quiet hours'})`);
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
      process.stdout.write(`${formatTable(['id', 'name', 'channel', 'status', 'holdout', `started (${store.timezone})`], list.data.map((c) => [c.id, c.name, channelNames[c.channel], c.status, formatPercent(c.holdout_share), formatDateTime(c.started_at, store.timezone)]))}\n`);
    });

  const audienceOptions = (command: Command) => command
    .option('--segment <name-or-id>', 'send to customers in this segment (repeat for several)', collect)
    .option('--exclude <name-or-id>', 'leave out customers in this segment (repeat for several)', collect)
    .option('--holdout <percent>', 'share held out, 0 to 50 (default 10)');

  audienceOptions(withDataDir(campaigns.command('audience').description('who a campaign to these segments would reach now')))
    .option('--channel <email|sms|webhook>', 'whose address and consent count (default email)').option('--json', 'print JSON')
    .action(async (options: AudienceOptions & { channel?: string }) => {
      if (!options.segment?.length) throw new CliError('--segment: name at least one segment', 2);
      const channel = (options.channel ?? 'email').trim().toLowerCase() as Channel;
      if (!(channels as readonly string[]).includes(channel)) throw new CliError(`--channel: email, sms or webhook, got "${options.channel}"`, 2);
      const holdout = share(options.holdout);
      const count = await run(options, async (b) => {
        const body = {
          segment_ids: await segmentIds(b, '--segment', options.segment!), exclude_segment_ids: await segmentIds(b, '--exclude', options.exclude ?? []),
          ...(holdout !== undefined && { holdout_share: holdout }), ...(channel !== 'email' && { channel }),
        };
        return call<CampaignAudience>(b, (s) => s.campaigns.audience(b.storeId, body), 'POST', '/api/v1/campaigns/audience', body);
      });
      if (options.json) return printJson(count);
      process.stdout.write(`${describeAudience(count, channel)}\n`);
    });

  audienceOptions(withDataDir(campaigns.command('create').description('create a draft campaign')))
    .option('--name <name>', 'campaign name').option('--days <n>', 'days after the start in which orders count (default 5)')
    .option('--channel <email|sms|webhook>', 'how it is sent (default email)')
    .option('--template <id>', 'email: the template to send')
    .option('--topic <id>', 'email: the topic (recipients who dropped it are skipped)')
    .option('--text <liquid>', 'SMS and webhook: the Liquid text to send (at most 1,600 characters)')
    .option('--text-file <path>', 'SMS and webhook: read the Liquid text from this file')
    .option('--at <YYYY-MM-DD HH:MM>', "start at this time, in the store's time zone (else: a draft, started with `send`)")
    .option('--local-time <YYYY-MM-DD HH:MM>', "send at this date and time on each recipient's clock (their time zone, else the store's)")
    .option('--usual-hour [default-hour]', "send at each recipient's usual hour (from their orders and clicks); default hour for the others (10)")
    .option('--variant <template-id>', 'A/B test: a template to test (repeat: two to four)', collect)
    .option('--test-share <percent>', 'A/B test: share of the audience tested, up to 50 (default 20)')
    .option('--test-hours <n>', 'A/B test: hours before the winner goes to the rest (default 4)')
    .option('--winner <clicks|revenue>', 'A/B test: what picks the winner (default revenue)')
    .option('--json', 'print JSON')
    .action(async (options: CreateOptions) => {
      if (!options.name?.trim()) throw new CliError('--name: give the campaign a name', 2);
      if (!options.segment?.length) throw new CliError('--segment: name at least one segment', 2);
      const holdout = share(options.holdout);
      const window = days(options.days);
      const timing = delivery(options);
      const test = abTest(options);
      const sends = message(options);
      let timezone = 'UTC';
      const created = await run(options, async (b) => {
        timezone = b.store.timezone;
        const sendAt = storeTime(options.at, b.store.timezone);
        const body = {
          ...(sendAt && { send_at: sendAt }), ...(timing && { delivery: timing }), ...(test && { ab_test: test }),
          name: options.name!.trim(), segment_ids: await segmentIds(b, '--segment', options.segment!), exclude_segment_ids: await segmentIds(b, '--exclude', options.exclude ?? []),
          ...(holdout !== undefined && { holdout_share: holdout }), ...(window !== undefined && { attribution_days: window }), ...(options.template && { template_id: options.template }),
          ...(options.topic && { topic_id: options.topic }), ...(sends.channel !== 'email' && { channel: sends.channel, text: sends.text }),
        };
        return call<Campaign>(b, (s) => s.campaigns.create(b.storeId, body), 'POST', '/api/v1/campaigns', body);
      });
      if (options.json) return printJson(created);
      process.stdout.write(created.status === 'scheduled'
        ? `created ${created.id} "${created.name}", scheduled to start ${formatDateTime(created.send_at, timezone)} (${timezone})\n`
        : `created ${created.id} "${created.name}" (draft); send it with \`hearth campaigns send ${created.id}\`\n`);
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
