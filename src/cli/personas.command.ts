/**
 * `hearth personas`: the latest personas with how their number was chosen (the mean silhouette of
 * every k tried, the chosen one marked), and `hearth personas run` to find them again.
 */
import type { Command } from 'commander';
import { formatMoney } from '../lib/money.js';
import type { PersonaRunInfo, PersonaView } from '../modules/personas/index.js';
import { CliError, formatTable, printJson, resolveStoreId, withContext, withDataDir, type CommonOptions } from './context.js';

const count = (n: number) => n.toLocaleString('en');
const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;

function wholeNumber(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${name}: must be a whole number from ${min} to ${max}, got "${text}"`, 2);
  return n;
}

/** The silhouette per k as a table, the chosen k marked, then the reason in words. */
export function formatRun(run: PersonaRunInfo): string {
  const rows = run.silhouettes.map((s) => [s.k, s.silhouette.toFixed(3), s.k === run.k ? '◀ chosen' : '']);
  return `${run.k} personas among ${count(run.buyers)} buyers, found ${run.created_at.toISOString().slice(0, 10)}\n${formatTable(['personas (k)', 'mean silhouette', ''], rows)}\n${run.reason}.\n`;
}

export function formatPersona(persona: PersonaView, currency: string): string {
  const clv = persona.predicted_clv === null ? '' : `, predicted CLV ${formatMoney(persona.predicted_clv, currency)}`;
  const lines = [
    `${persona.name} — ${count(persona.size)} ${persona.size === 1 ? 'customer' : 'customers'}, ${percent(persona.revenue_share)} of revenue${clv}`,
    ...persona.profile.filter((c) => c.distinguishing).map((c) => `  · ${c.text}`),
    ...(persona.needs.length ? [`  needs: ${persona.needs.join('; ')}`, `  responds to: ${persona.motivators.join('; ')}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

export function registerPersonasCommand(program: Command): void {
  const personas = program.command('personas').description('buyer personas found by clustering: list them, or find them again');

  withDataDir(personas.command('list', { isDefault: true }).description('the latest personas, with the silhouette of every number of personas tried')).option('--json', 'print JSON')
    .action(async (options: CommonOptions) => withContext(options, async ({ services }) => {
      const storeId = await resolveStoreId(services, options.store);
      const [list, run, store] = await Promise.all([services.personas.list(storeId), services.personas.latestRun(storeId), services.accounts.getStore(storeId)]);
      if (options.json) return printJson({ data: list, run });
      if (!list.length) {
        process.stdout.write('No personas yet: run `hearth personas run` to find them.\n');
        return;
      }
      process.stdout.write(`${run ? formatRun(run) : ''}\n${list.map((p) => formatPersona(p, store.currency)).join('\n')}`);
    }));

  withDataDir(personas.command('run').description('cluster the buyers again (replaces the latest personas)'))
    .option('--k <n>', 'a fixed number of personas (2–10); default: the best of 2–6 by mean silhouette')
    .option('--seed <n>', 'random seed (same seed, same personas)', '42')
    .option('--json', 'print JSON')
    .action(async (options: CommonOptions & { k?: string; seed?: string }) => {
      const k = wholeNumber('--k', options.k, 2, 10);
      const seed = wholeNumber('--seed', options.seed, 0, 2 ** 31 - 1);
      await withContext(options, async ({ services }) => {
        const storeId = await resolveStoreId(services, options.store);
        const [run, store] = await Promise.all([services.personas.run(storeId, { ...(k && { k }), ...(seed !== undefined && { seed }) }), services.accounts.getStore(storeId)]);
        if (options.json) return printJson(run);
        process.stdout.write(`${formatRun(run)}\n${run.personas.map((p) => formatPersona(p, store.currency)).join('\n')}`);
      });
    });
}
