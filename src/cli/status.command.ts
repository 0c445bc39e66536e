import type { Command } from 'commander';
import { storeStatus } from '../modules/status/status.service.js';
import { formatTable, printJson, withContext, withDataDir, type CommonOptions } from './context.js';

export function registerStatusCommand(program: Command): void {
  withDataDir(program.command('status').description('row counts per entity and store, and the job queue'))
    .option('--json', 'print JSON')
    .action(async (options: CommonOptions) => {
      await withContext(options, async ({ services }) => {
        const storeId = options.store ? (await services.accounts.getStore(options.store)).id : undefined;
        const status = await storeStatus(services.storage.read, services.jobs, storeId);
        const ingest = new Map(await Promise.all(status.stores.map(async (s) => [s.id, await services.ingest.status(s.id)] as const)));
        if (options.json) return printJson({ ...status, ingest: Object.fromEntries(ingest) });
        for (const store of status.stores) {
          process.stdout.write(`\n${store.name} (${store.slug})\n`);
          process.stdout.write(`${formatTable(['entity', 'rows'], Object.entries(store.counts).map(([entity, n]) => [entity, n]))}\n`);
          process.stdout.write(`guest orders: ${store.guestOrders}\n`);
          const sources = ingest.get(store.id)?.sources ?? [];
          if (!sources.length) process.stdout.write('tracked events, last 24 h: none\n');
          else process.stdout.write(`tracked events, last 24 h:\n${formatTable(['source', 'received', 'stored', 'rejected', 'deduplicated', 'top rejection reasons'], sources.map((r) => [r.source, r.received, r.stored, r.rejected, r.deduplicated, r.topRejections.map((x) => `${x.reason} (${x.count})`).join('; ')]))}\n`);
        }
        const jobs = Object.entries(status.jobs).map(([state, n]) => `${state} ${n}`).join(', ');
        process.stdout.write(`\njobs: ${jobs}\n`);
      });
    });
}
