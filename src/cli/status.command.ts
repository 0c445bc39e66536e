import type { Command } from 'commander';
import { storeStatus, type Status } from '../modules/status/index.js';
import type { Services } from '../services.js';
import { formatNumber, plural, words } from '../lib/format.js';
import { snakeKeys } from '../lib/json-case.js';
import { formatTable, printJson, toWire, withContextOrServer, withDataDir, type CommonOptions, type Wire } from './context.js';

/** What `hearth status` shows, the same from the store or from `GET /local/v1/status`. */
type StatusReport = Wire<Status & { ingest: Record<string, Awaited<ReturnType<Services['ingest']['status']>>> }>;

export function registerStatusCommand(program: Command): void {
  withDataDir(program.command('status').description('row counts per entity and store, and the job queue'))
    .option('--json', 'print JSON')
    .action(async (options: CommonOptions) => {
      const status = await withContextOrServer(options, async ({ services }) => {
        const storeId = options.store ? (await services.accounts.getStore(options.store)).id : undefined;
        const counts = await storeStatus(services.storage.read, services.jobs, storeId);
        const ingest = await Promise.all(counts.stores.map(async (s) => [s.id, await services.ingest.status(s.id)] as const));
        return toWire({ ...counts, ingest: Object.fromEntries(ingest) });
      }, (server) => server.json<StatusReport>('GET', `/local/v1/status${options.store ? `?store=${encodeURIComponent(options.store)}` : ''}`));
      // Field names in snake_case like the API; the ingest record stays keyed by store id.
      if (options.json) return printJson({ stores: snakeKeys(status.stores), ingest: Object.fromEntries(Object.entries(status.ingest).map(([id, report]) => [id, snakeKeys(report)])), jobs: status.jobs });
      for (const store of status.stores) {
        process.stdout.write(`\n${store.name} (${store.slug})\n`);
        process.stdout.write(`${formatTable(['entity', 'rows'], Object.entries(store.counts).map(([entity, n]) => [words(entity), formatNumber(n)]))}\n`);
        process.stdout.write(`${plural(store.guestOrders, 'guest order')} (without a customer)\n`);
        const sources = status.ingest[store.id]?.sources ?? [];
        if (!sources.length) process.stdout.write('tracked events, last 24 h: none\n');
        else process.stdout.write(`tracked events, last 24 h:\n${formatTable(['source', 'received', 'stored', 'rejected', 'deduplicated', 'top rejection reasons'], sources.map((r) => [r.source, formatNumber(r.received), formatNumber(r.stored), formatNumber(r.rejected), formatNumber(r.deduplicated), r.topRejections.map((x) => `${x.reason} (${formatNumber(x.count)})`).join('; ')]))}\n`);
      }
      const jobs = Object.entries(status.jobs).map(([state, n]) => `${formatNumber(n)} ${words(state)}`).join(', ');
      process.stdout.write(`\njobs: ${jobs}\n`);
    });
}
