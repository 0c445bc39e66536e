/**
 * `hearth flows library`, `hearth flows install <key>` and `hearth flows backtest <id>`: the ready
 * flows with why they work, installing one as a draft (with its templates and segment), and the
 * backtest of a flow over the store's history. Same backends as the other `hearth flows` commands.
 */
import type { Command } from 'commander';
import { formatNumber } from '../lib/format.js';
import type { BacktestResult, FlowView, ReadyFlowView } from '../modules/flows/index.js';
import { CliError, formatTable, printJson, withDataDir, type CommonOptions, type Wire } from './context.js';
import { call, run } from './flows.command.js';

export function registerFlowLibraryCommands(flows: Command): void {
  withDataDir(flows.command('library').description('the ready flows: what each does, why it works, and whether this store installed it')).option('--json', 'print JSON')
    .action(async (options: CommonOptions) => run(options, async (backend) => {
      const { data } = await call<{ data: Wire<ReadyFlowView>[] }>(backend, async (s) => ({ data: await s.flowLibrary.list(backend.storeId) }), 'GET', '/api/v1/flows/library');
      if (options.json) return printJson(data);
      process.stdout.write(`${formatTable(['key', 'name', 'trigger', 'steps', 'installed'], data.map((f) => [f.key, f.name, f.trigger, f.steps.length, f.installed_flow_id ?? '–']))}\n`);
      process.stdout.write('Install one with `hearth flows install <key>`; `--json` shows why each works.\n');
    }));

  withDataDir(flows.command('install <key>').description('install a ready flow as a draft, with its starter templates and segment (once: again returns the same flow)')).option('--json', 'print JSON')
    .action(async (key: string, options: CommonOptions) => run(options, async (backend) => {
      const installed = await call<{ created: boolean; flow: Wire<FlowView> }>(backend, (s) => s.flowLibrary.install(backend.storeId, key), 'POST', `/api/v1/flows/library/${encodeURIComponent(key)}/install`);
      if (options.json) return printJson(installed);
      const { flow } = installed;
      process.stdout.write(`${installed.created ? 'Installed' : 'Already installed'}: ${flow.name} (${flow.id}), ${flow.status}. Try it on your history with \`hearth flows backtest ${flow.id}\`, then \`hearth flows publish ${flow.id}\`.\n`);
    }));

  withDataDir(flows.command('backtest <id>').description('run the flow\'s draft over the store\'s history: who would have entered, reached and left each step'))
    .option('--days <n>', 'how many days of history', '90').option('--json', 'print JSON')
    .action(async (id: string, options: CommonOptions & { days: string }) => {
      const days = Number(options.days);
      if (!Number.isInteger(days) || days < 1 || days > 730) throw new CliError('--days: a whole number of days from 1 to 730', 2);
      await run(options, async (backend) => {
        const result = await call<Wire<BacktestResult>>(backend, (s) => s.flowBacktest.run(backend.storeId, id, days), 'POST', `/api/v1/flows/${encodeURIComponent(id)}/backtest`, { days });
        if (options.json) return printJson(result);
        process.stdout.write(`${result.summary}\n`);
        const exits = (e: Record<string, number>) => Object.entries(e).map(([reason, n]) => `${reason} ${formatNumber(n)}`).join(', ') || '–';
        process.stdout.write(`${formatTable(['step', 'type', 'reached', 'still on the way', 'exited before it'],
          result.steps.map((s, i) => [`${i + 1}. ${s.id}`, s.type, formatNumber(s.reached), formatNumber(s.waiting), exits(s.exited)]))}\n`);
        process.stdout.write(`Approximations: ${result.approximations.join('; ')}.\n`);
      });
    });
}
