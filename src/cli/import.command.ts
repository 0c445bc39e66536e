/** `hearth import FILE... --format F`: bulk import with a progress bar, a summary and a rejects file. */
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { AppError } from '../lib/errors.js';
import { readMapping } from '../modules/imports/index.js';
import { formatNames } from '../modules/imports/index.js';
import { checkImportRequest, type ImportRequest, type ImportSummary } from '../modules/imports/index.js';
import { snakeKeys } from '../lib/json-case.js';
import { CliError, printJson, withContextOrServer, withDataDir, type CommonOptions } from './context.js';
import type { ServerClient } from './server-client.js';

interface ImportOptions extends CommonOptions {
  format: string;
  rejects?: string;
  mapping?: string;
  currency?: string;
}

export function registerImportCommand(program: Command): void {
  withDataDir(program.command('import').description('import customers, orders, returns and products from files').argument('<files...>', 'files to import'))
    .requiredOption('--format <format>', `file format: ${formatNames.join(', ')}`)
    .option('--rejects <file>', 'where to write rejected rows (default: <data dir>/imports/<file>.rejects.csv)')
    .option('--mapping <file>', 'column mapping (JSON) for --format csv')
    .option('--currency <code>', 'currency of amounts the file does not label (ISO 4217)')
    .option('--json', 'print the summary as JSON')
    .action(async (files: string[], options: ImportOptions) => {
      // Wrong arguments fail with a one-line reason before the data directory is opened or created.
      const request = await oneLine(async () => {
        const mapping = options.mapping ? readMapping(options.mapping) : undefined;
        const checked = { files, format: options.format, currency: options.currency, mapping, rejectsFile: options.rejects, store: options.store };
        await checkImportRequest(checked);
        return checked;
      });
      const bar = process.stdout.isTTY && !options.json
        ? new cliProgress.SingleBar({ format: 'importing {bar} {percentage}% | {done}/{size} MB | ETA {eta_formatted}', hideCursor: true }, cliProgress.Presets.shades_classic)
        : undefined;
      const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
      let started = false;
      const onProgress = bar && ((done: number, total: number) => {
        if (!started) bar.start(total, 0, { done: mb(0), size: mb(total) });
        started = true;
        bar.update(done, { done: mb(done), size: mb(total) });
      });
      try {
        const summary = await withContextOrServer(options,
          ({ services, config }) => oneLine(() => services.imports.run({ ...request, rejectsDir: join(config.dataDir, 'imports') }, { onProgress })),
          (server, config) => oneLine(() => importThroughServer(server, { ...request, rejectsDir: join(config.dataDir, 'imports') }, onProgress)),
          { migrate: true });
        bar?.stop();
        if (options.json) printJson(snakeKeys(summary));
        else process.stdout.write(describe(summary));
      } finally {
        if (started) bar?.stop();
      }
    });
}

/**
 * The same import run by the server that holds the data directory, on the same files (by absolute
 * path: the server is on this machine). Files and the rejects file are reported as given here.
 */
async function importThroughServer(server: ServerClient, request: ImportRequest, onProgress: ((done: number, total: number) => void) | undefined): Promise<ImportSummary> {
  const rejectsFile = request.rejectsFile === undefined ? undefined : resolve(request.rejectsFile);
  const summary = await server.importFiles({ ...request, files: request.files.map((file) => resolve(file)), names: request.files, rejectsFile }, onProgress);
  return { ...summary, rejectsFiles: summary.rejectsFiles.map((file) => (file === rejectsFile ? request.rejectsFile! : file)) };
}

async function oneLine<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError && error.code === 'bad_request') throw new CliError(error.message, 2);
    throw error;
  }
}

function describe(s: ImportSummary): string {
  const n = (value: number) => value.toLocaleString('en');
  const counts = (label: string, c: ImportSummary['orders']) => `  ${label.padEnd(10)} ${n(c.created)} created, ${n(c.updated)} updated, ${n(c.unchanged)} unchanged\n`;
  return `Imported ${n(s.rowsRead)} rows from ${s.files.length} file${s.files.length === 1 ? '' : 's'} (${s.format}) into store ${s.store.slug}${s.store.created ? ' (new)' : ''} in ${s.seconds} s\n`
    + counts('customers', s.customers) + counts('products', s.products) + counts('orders', s.orders) + counts('returns', s.returns)
    + (s.rowsRejected ? `  rejected   ${n(s.rowsRejected)} rows: see ${s.rejectsFiles.join(', ')}\n` : '');
}
