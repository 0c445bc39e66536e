import { readFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { formatDateTime, formatNumber, plural } from '../lib/format.js';
import { CliError, formatTable, printJson, resolveStore, resolveStoreId, withContext, withDataDir, type CommonOptions } from './context.js';

/** A rule given inline as JSON or as @file.json. */
function readRule(text: string | undefined): unknown {
  if (!text) throw new CliError('--rule: give the rule as JSON or @file.json', 2);
  let source = text;
  if (text.startsWith('@')) {
    try {
      source = readFileSync(text.slice(1), 'utf8');
    } catch (error) {
      throw new CliError(`--rule: cannot read ${text.slice(1)} (${(error as Error).message})`, 2);
    }
  }
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new CliError(`--rule: not valid JSON (${(error as Error).message})`, 2);
  }
}

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${name}: must be a whole number above 0, got "${text}"`, 2);
  return n;
}

export function registerSegmentsCommand(program: Command): void {
  const segments = program.command('segments').description('list, preview, create, inspect and export customer segments');

  withDataDir(segments.command('list').description('saved segments with their size')).option('--json', 'print JSON')
    .action(async (options: CommonOptions) => withContext(options, async ({ services }) => {
      const store = await resolveStore(services, options.store);
      const list = await services.segments.list(store.id);
      if (options.json) return printJson({ data: list });
      process.stdout.write(`${formatTable(['id', 'name', 'members', 'refreshed', `last refreshed (${store.timezone})`], list.map((s) => [
        s.id, s.name, formatNumber(s.member_count), s.refresh_mode === 'scheduled' ? 'on a schedule' : 'when data changes', s.refreshed_at ? formatDateTime(s.refreshed_at, store.timezone) : 'not yet',
      ]))}\n`);
    }));

  withDataDir(segments.command('preview').description('count and a sample of the customers a rule selects'))
    .option('--rule <json>', 'the rule as JSON, or @file.json').option('--sample <n>', 'sample size', '10').option('--json', 'print JSON')
    .action(async (options: CommonOptions & { rule?: string; sample?: string }) => {
      const rule = readRule(options.rule);
      const sampleSize = positiveInt('--sample', options.sample, 10);
      await withContext(options, async ({ services }) => {
        const storeId = await resolveStoreId(services, options.store);
        const preview = await services.segments.preview(storeId, rule, { sampleSize });
        if (options.json) return printJson(preview);
        process.stdout.write(`${plural(preview.count, 'customer')} (${preview.took_ms} ms; refreshed ${preview.refresh_mode === 'scheduled' ? 'on a schedule' : 'when data changes'})\n`);
        const whyLabels = Object.keys(preview.sample[0]?.why ?? {});
        process.stdout.write(`${formatTable(['id', 'email', 'name', 'country', ...whyLabels], preview.sample.map((s) => [s.id, s.email, s.name, s.country, ...whyLabels.map((l) => String(s.why[l] ?? ''))]))}\n`);
      });
    });

  withDataDir(segments.command('create').description('save a segment; members are computed at once'))
    .option('--name <name>', 'segment name').option('--description <text>', 'what the segment is for').option('--rule <json>', 'the rule as JSON, or @file.json').option('--json', 'print JSON')
    .action(async (options: CommonOptions & { name?: string; description?: string; rule?: string }) => {
      if (!options.name?.trim()) throw new CliError('--name: give the segment a name', 2);
      const rule = readRule(options.rule);
      await withContext(options, async ({ services }) => {
        const storeId = await resolveStoreId(services, options.store);
        const segment = await services.segments.create(storeId, { name: options.name!, description: options.description ?? null, rule });
        if (options.json) return printJson(segment);
        process.stdout.write(`created "${segment.name}" (${segment.id}) with ${plural(segment.member_count, 'member')}\n`);
      });
    });

  withDataDir(segments.command('members <id>').description('members of a segment, a page at a time'))
    .option('--limit <n>', 'page size', '50').option('--cursor <cursor>', 'the next_cursor of the previous page').option('--json', 'print JSON')
    .action(async (id: string, options: CommonOptions & { limit?: string; cursor?: string }) => {
      const limit = positiveInt('--limit', options.limit, 50);
      await withContext(options, async ({ services }) => {
        const store = await resolveStore(services, options.store);
        const page = await services.segments.members(store.id, id, { limit, ...(options.cursor && { cursor: options.cursor }) });
        if (options.json) return printJson(page);
        process.stdout.write(`${formatTable(['id', 'external id', 'email', 'name', 'country', `entered (${store.timezone})`], page.data.map((m) => [m.customer_id, m.external_id, m.email, [m.first_name, m.last_name].filter(Boolean).join(' '), m.country, formatDateTime(m.entered_at, store.timezone)]))}\n`);
        if (page.next_cursor) process.stdout.write(`next page: --cursor ${page.next_cursor}\n`);
      });
    });

  withDataDir(segments.command('export <id>').description('all members as CSV (to stdout, or --out FILE)'))
    .option('--out <file>', 'write to this file')
    .action(async (id: string, options: CommonOptions & { out?: string }) => withContext(options, async ({ services }) => {
      const storeId = await resolveStoreId(services, options.store);
      await services.segments.get(storeId, id);
      const out = options.out ? createWriteStream(options.out) : process.stdout;
      for await (const chunk of services.segments.exportCsv(storeId, id)) {
        if (!out.write(chunk)) await once(out, 'drain');
      }
      if (options.out) await new Promise<void>((resolve, reject) => (out as ReturnType<typeof createWriteStream>).end((error?: Error | null) => (error ? reject(error) : resolve())));
    }));

  withDataDir(segments.command('refresh [id]').description('recompute members now (one segment, or all)')).option('--json', 'print JSON')
    .action(async (id: string | undefined, options: CommonOptions) => withContext(options, async ({ services }) => {
      const storeId = await resolveStoreId(services, options.store);
      const results = id ? [{ id, outcome: await services.segments.refresh(storeId, id) }] : await services.segments.refreshAll(storeId);
      if (options.json) return printJson(results);
      const names = new Map((await services.segments.list(storeId)).map((s) => [s.id, s.name]));
      const count = (n: number | undefined) => (n === undefined ? '' : formatNumber(n));
      process.stdout.write(`${formatTable(['segment', 'members', 'entered', 'exited', 'error'], results.map((r) => [names.get(r.id) ?? r.id, count(r.outcome?.size), count(r.outcome?.entered), count(r.outcome?.exited), 'error' in r ? r.error : '']))}\n`);
    }));
}
