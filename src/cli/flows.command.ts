/**
 * `hearth flows`: list, show, export, import and publish automated flows. Works on the data
 * directory, or through the server when one runs on it. A flow is exported as `{ name, document }`
 * JSON, the file `import` reads back (as a new draft, or as the draft of `--into <id>`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatNumber } from '../lib/format.js';
import { formatMoney } from '../lib/money.js';
import type { FlowSummary, FlowView } from '../modules/flows/index.js';
import type { Services } from '../services.js';
import { registerFlowLibraryCommands } from './flow-library.command.js';
import type { ServerClient } from './server-client.js';
import { CliError, formatTable, printJson, resolveStore, toWire, withContextOrServer, withDataDir, type CommonOptions, type Wire } from './context.js';

export type Backend = ({ services: Services } | { server: ServerClient }) & { storeId: string };

export async function run<T>(options: CommonOptions, work: (backend: Backend) => Promise<T>): Promise<T> {
  return withContextOrServer(options,
    async ({ services }) => work({ services, storeId: (await resolveStore(services, options.store)).id }),
    async (server) => work({ server, storeId: (await resolveStore(server, options.store)).id }));
}

export async function call<T>(backend: Backend, direct: (services: Services) => Promise<unknown>, method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
  if ('services' in backend) return toWire(await direct(backend.services)) as T;
  return backend.server.json<T>(method, path, { store: backend.storeId, ...(body !== undefined && { body }) });
}

function readFlowFile(path: string): { name: string; document: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(`${path}: not a JSON file (${(error as Error).message})`, 2);
  }
  const file = value as { name?: unknown; document?: unknown };
  if (typeof file !== 'object' || file === null || typeof file.name !== 'string' || file.document === undefined) throw new CliError(`${path}: expected { "name": …, "document": … } as \`hearth flows export\` writes it`, 2);
  return { name: file.name, document: file.document };
}

const showFlow = (flow: Wire<FlowView>) => {
  process.stdout.write(`${flow.name} (${flow.id}) — ${flow.status}${flow.live_version ? `, version ${flow.live_version} live` : ', never published'}\n`);
  process.stdout.write(`trigger: ${JSON.stringify(flow.document.trigger)}\n`);
  process.stdout.write(`steps: ${flow.document.steps.map((s) => `${s.id} (${s.type})`).join(' → ')}\n`);
  if (flow.versions.length) process.stdout.write(`${formatTable(['version', 'published'], flow.versions.map((v) => [v.version, v.published_at]))}\n`);
};

export function registerFlowsCommand(program: Command): void {
  const flows = program.command('flows').description('list, show, export, import, publish, install ready flows and backtest automated flows');

  withDataDir(flows.command('list').description('the store\'s flows with their entrants, runs in progress, messages, revenue and incremental revenue')).option('--json', 'print JSON')
    .action(async (options: CommonOptions) => run(options, async (backend) => {
      const { data } = await call<{ data: Wire<FlowSummary>[] }>(backend, async (s) => ({ data: await s.flows.list(backend.storeId) }), 'GET', '/api/v1/flows');
      if (options.json) return printJson(data);
      const days = data[0]?.measurement.window_days ?? 30;
      process.stdout.write(`${formatTable(['id', 'name', 'status', 'version', 'trigger', 'entrants', 'in progress', 'messages', `revenue (${days} days)`, 'incremental (95 % interval)'],
        data.map((f) => {
          const money = (minor: number, sign = false) => `${sign && minor > 0 ? '+' : ''}${formatMoney(minor, f.measurement.currency, 'en-US')}`;
          const extra = f.incremental_revenue;
          return [f.id, f.name, f.status, f.live_version ?? '–', f.trigger.kind, formatNumber(f.entrants), formatNumber(f.in_progress), formatNumber(f.messages),
            f.revenue === null ? '–' : money(f.revenue), extra ? `${money(extra.value, true)} (${money(extra.low, true)} to ${money(extra.high, true)})` : '–'];
        }))}\n`);
      const unmeasured = data.filter((f) => f.measurement.reason && f.entrants > 0);
      for (const f of unmeasured) process.stdout.write(`${f.name}: ${f.measurement.reason}\n`);
    }));

  withDataDir(flows.command('show <id>').description('a flow: its trigger, steps and versions')).option('--json', 'print JSON')
    .action(async (id: string, options: CommonOptions) => run(options, async (backend) => {
      const flow = await call<Wire<FlowView>>(backend, (s) => s.flows.get(backend.storeId, id), 'GET', `/api/v1/flows/${encodeURIComponent(id)}`);
      if (options.json) return printJson(flow);
      showFlow(flow);
    }));

  withDataDir(flows.command('export <id>').description('write the flow\'s draft as JSON ({ name, document }) to a file or stdout')).option('--out <file>', 'the file to write')
    .action(async (id: string, options: CommonOptions & { out?: string }) => run(options, async (backend) => {
      const flow = await call<Wire<FlowView>>(backend, (s) => s.flows.get(backend.storeId, id), 'GET', `/api/v1/flows/${encodeURIComponent(id)}`);
      const text = `${JSON.stringify({ name: flow.name, document: flow.document }, null, 2)}\n`;
      if (options.out) writeFileSync(options.out, text);
      else process.stdout.write(text);
    }));

  withDataDir(flows.command('import <file>').description('create a draft flow from an exported file (or replace the draft of --into <id>)'))
    .option('--into <id>', 'the flow whose draft to replace').option('--json', 'print JSON')
    .action(async (file: string, options: CommonOptions & { into?: string }) => {
      const { name, document } = readFlowFile(file);
      await run(options, async (backend) => {
        const flow = options.into
          ? await call<Wire<FlowView>>(backend, (s) => s.flows.update(backend.storeId, options.into!, { name, document: document as never }), 'PATCH', `/api/v1/flows/${encodeURIComponent(options.into)}`, { name, document })
          : await call<Wire<FlowView>>(backend, (s) => s.flows.create(backend.storeId, { name, document: document as never }), 'POST', '/api/v1/flows', { name, document });
        if (options.json) return printJson(flow);
        process.stdout.write(`${options.into ? 'Draft replaced' : 'Draft created'}: ${flow.name} (${flow.id}). Publish it with \`hearth flows publish ${flow.id}\`.\n`);
      });
    });

  withDataDir(flows.command('publish <id>').description('publish the draft as the next version and make the flow live')).option('--json', 'print JSON')
    .action(async (id: string, options: CommonOptions) => run(options, async (backend) => {
      const flow = await call<Wire<FlowView>>(backend, (s) => s.flows.publish(backend.storeId, id), 'POST', `/api/v1/flows/${encodeURIComponent(id)}/publish`);
      if (options.json) return printJson(flow);
      process.stdout.write(`${flow.name} is live: version ${flow.live_version}. Runs in progress keep the version they started on.\n`);
    }));

  registerFlowLibraryCommands(flows);
}
