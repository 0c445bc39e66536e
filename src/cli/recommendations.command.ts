/**
 * `hearth recommendations evaluate|fit`: the offline evaluation of the recommendation models
 * against the popularity and buy-again baselines, and a refit (docs/recommendations.md). Thin:
 * parsing and printing only; the work is in the recommendations service.
 */
import type { Command } from 'commander';
import { formatNumber, plural } from '../lib/format.js';
import { snakeKeys } from '../lib/json-case.js';
import type { EvaluationReport } from '../modules/recommendations/index.js';
import { CliError, formatTable, printJson, resolveStoreId, toWire, withContext, withDataDir, type CommonOptions } from './context.js';

const percent = (v: number): string => `${(v * 100).toFixed(1)}%`;

function printEvaluation(report: EvaluationReport): void {
  process.stdout.write(`Trained on orders before ${report.cutoff} (${plural(report.trainingCustomers, 'customer')}, ${plural(report.catalogue, 'product')} bought); `
    + `tested on ${plural(report.testCustomers, 'customer')}' first order on or after it; k = ${report.k}\n`);
  process.stdout.write(`${formatTable([`model`, `hit rate@${report.k}`, `recall@${report.k}`, `NDCG@${report.k}`, 'coverage', 'customers'],
    report.rows.map((r) => [`${r.model}${r.model === report.chosen ? ' (chosen)' : ''}`, percent(r.hitRate), percent(r.recall), r.ndcg.toFixed(3), percent(r.coverage), formatNumber(r.customers)]))}\n`);
  process.stdout.write(report.testCustomers === 0 ? 'No customer ordered both before and on or after the cutoff: choose another cutoff.\n'
    : report.beatsBaselines ? `${report.chosen} beats both baselines on hit rate@${report.k}.\n`
      : `${report.chosen} does NOT beat both baselines on hit rate@${report.k}.\n`);
}

export function registerRecommendationsCommand(program: Command): void {
  const recommendations = program.command('recommendations').description('product recommendations: evaluate against baselines, fit');

  withDataDir(recommendations.command('evaluate').description('train on orders before a day and test on each returning customer\'s first order on or after it'))
    .requiredOption('--cutoff <date>', 'the day the test period starts (YYYY-MM-DD, UTC)')
    .option('--k <n>', 'length of the recommended lists', '10')
    .option('--json', 'print the evaluation as the API answers it (GET /api/v1/recommendations/evaluation)')
    .action(async (options: CommonOptions & { cutoff: string; k: string; json?: boolean }) => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(options.cutoff) || Number.isNaN(Date.parse(`${options.cutoff}T00:00:00Z`))) {
        throw new CliError(`--cutoff: expected a day YYYY-MM-DD, got "${options.cutoff}"`, 2);
      }
      const k = Number(options.k);
      if (!Number.isInteger(k) || k < 1 || k > 100) throw new CliError(`--k: expected a whole number from 1 to 100, got "${options.k}"`, 2);
      await withContext(options, async ({ services }) => {
        const storeId = await resolveStoreId(services, options.store);
        const report = await services.recommendations.evaluate(storeId, { cutoff: options.cutoff, k });
        if (options.json) printJson(toWire(snakeKeys(report)));
        else printEvaluation(report);
      });
    });

  withDataDir(recommendations.command('fit').description('train the models on all orders so far and store them for serving'))
    .option('--json', 'print the fit as the API answers it')
    .action(async (options: CommonOptions & { json?: boolean }) => {
      await withContext(options, async ({ services }) => {
        const storeId = await resolveStoreId(services, options.store);
        const fit = await services.recommendations.fit(storeId);
        if (options.json) return printJson(toWire(fit));
        process.stdout.write(`Fit ${fit.fit_id}: ${plural(fit.customers, 'customer')}, ${plural(fit.products, 'product')}, ${formatNumber(fit.pairs)} co-purchase links in ${fit.seconds.toFixed(1)} s\n`);
      });
    });
}
