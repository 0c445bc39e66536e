/**
 * `hearth models fit|backtest` and `hearth report predictions`: the customer-base models of a
 * store (see docs/predictions.md). Thin: parsing and printing only; the work is in the
 * predictions service.
 */
import type { Command } from 'commander';
import { AppError } from '../lib/errors.js';
import { snakeKeys } from '../lib/json-case.js';
import { formatDay, formatNumber, formatPercent, plural } from '../lib/format.js';
import { formatMoney } from '../lib/money.js';
import type { BacktestMetrics } from '../modules/predictions/index.js';
import {
  churnRiskCounts, currentModel, fitAndScore, listPredictions, runBacktest, saveBacktest, type ModelChoice, refitFields,
} from '../modules/predictions/index.js';
import { churnRisks } from '../modules/predictions/index.js';
import { addDays, type TimeUnit } from '../modules/predictions/index.js';
import { CliError, formatTable, printJson, resolveStore, resolveStoreId, toWire, withContext, withDataDir, type CommonOptions } from './context.js';

/** A flag checked by the refit's own option schema (`refit-options.ts`), named as the command names it. */
function refitFlag<K extends keyof typeof refitFields>(field: K, value: string, flag: string): string {
  const parsed = refitFields[field].safeParse(value);
  if (!parsed.success) {
    const expected = field === 'asOf' ? 'a date YYYY-MM-DD' : (refitFields[field] as { options: readonly string[] }).options.join(', ');
    throw new CliError(`${flag}: expected ${expected}, got "${value}"`, 2);
  }
  return parsed.data;
}

function day(value: string, flag: string): string {
  return refitFlag('asOf', value, flag);
}

function timeUnit(value: string | undefined): TimeUnit {
  return value === undefined ? 'week' : (refitFlag('timeUnit', value, '--time-unit') as TimeUnit);
}

function modelChoice(value: string | undefined): ModelChoice {
  return value === undefined ? 'auto' : (refitFlag('model', value, '--model') as ModelChoice);
}

/** The predictions service names its options (`holdoutEnd`); the command names its flags (`--holdout-end`). */
const flagNames: Record<string, string> = { asOf: '--as-of', calibrationEnd: '--calibration-end', holdoutEnd: '--holdout-end', timeUnit: '--time-unit', model: '--model' };

async function withFlagNames<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    throw new AppError(error.code, error.message, error.details.map((d) => ({ ...d, path: flagNames[d.path] ?? d.path })));
  }
}

const fixed = (v: number, digits = 3): string => (Number.isFinite(v) ? v.toFixed(digits) : '—');

function printMetrics(metrics: BacktestMetrics[]): void {
  process.stdout.write(`${formatTable(['model', 'predicted orders', 'actual orders', 'MAE / customer', 'correlation', 'Brier'],
    metrics.map((m) => [m.model, formatNumber(Math.round(m.totalPredicted)), formatNumber(m.totalActual), fixed(m.mae), m.correlation === null ? '—' : fixed(m.correlation), fixed(m.brier)]))}\n`);
}

export function registerModelsCommand(program: Command): void {
  const models = program.command('models').description('customer-base models: fit, backtest');

  withDataDir(models.command('fit').description('fit the models on orders up to a date, backtest them and score every customer'))
    .option('--as-of <date>', 'use orders up to this day (default: the last order day)')
    .option('--time-unit <unit>', 'day or week', 'week')
    .option('--model <model>', 'auto, bgnbd or pareto-nbd', 'auto')
    .option('--discount-rate <rate>', 'yearly discount rate for CLV, applied monthly', '0.1')
    .option('--json', 'print the fit report as the API shows it (GET /api/v1/predictions/model: its `fit`)')
    .action(async (options: CommonOptions & { asOf?: string; timeUnit?: string; model?: string; discountRate: string }) => {
      const asOf = options.asOf === undefined ? undefined : day(options.asOf, '--as-of');
      const rate = Number(options.discountRate);
      if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new CliError(`--discount-rate: expected a number from 0 to 1, got "${options.discountRate}"`, 2);
      await withContext(options, async ({ services, storage }) => {
        const storeId = await resolveStoreId(services, options.store);
        const { currency } = await services.accounts.getStore(storeId);
        const report = await withFlagNames(fitAndScore(storage, storeId, {
          ...(asOf && { asOf }), timeUnit: timeUnit(options.timeUnit), model: modelChoice(options.model), annualDiscountRate: rate, currency,
        }));
        if (options.json) return printJson(toWire(snakeKeys(report)));
        if (report.status !== 'ok') {
          process.stdout.write(`Not enough data to predict (as of ${formatDay(report.asOf)}). Missing:\n${report.missing.map((m) => `  - ${m}`).join('\n')}\n`);
          return;
        }
        const params = Object.entries({ ...report.count.params, ...report.spend?.params }).map(([k, v]) => `${k} = ${fixed(v)}`).join(', ');
        process.stdout.write(`${report.model} (${report.timeUnit}s), as of ${formatDay(report.asOf)}: ${params}\n`);
        process.stdout.write(`log-likelihood ${fixed(report.count.logLikelihood, 1)}, ${plural(report.customers, 'customer')}, ${plural(report.scored, 'customer')} scored, ${report.count.converged ? 'converged' : `NOT converged: ${report.count.note ?? 'see the report'}`}\n`);
        process.stdout.write(`${report.reason}\n`);
        if (report.spend && !report.spend.independent) process.stdout.write(`Warning: spend and frequency are correlated (${fixed(report.spend.spendFrequencyCorrelation, 2)}); CLV may be biased.\n`);
        if ('metrics' in report.backtest) printMetrics(report.backtest.metrics);
        else process.stdout.write(`Backtest skipped: ${report.backtest.skipped}\n`);
      });
    });

  withDataDir(models.command('backtest').description('fit on a calibration period and compare with the holdout period'))
    .requiredOption('--calibration-end <date>', 'last day of the calibration period')
    .option('--holdout-end <date>', 'last day of the holdout period (default: calibration end + as long again, up to a year)')
    .option('--time-unit <unit>', 'day or week', 'week')
    .option('--model <model>', 'auto, bgnbd or pareto-nbd', 'auto')
    .option('--json', 'print the backtest as the API shows it (GET /api/v1/predictions/model: its `backtest`)')
    .action(async (options: CommonOptions & { calibrationEnd: string; holdoutEnd?: string; timeUnit?: string; model?: string }) => {
      const calibrationEnd = day(options.calibrationEnd, '--calibration-end');
      await withContext(options, async ({ services, storage }) => {
        const storeId = await resolveStoreId(services, options.store);
        const { currency } = await services.accounts.getStore(storeId);
        const holdoutEnd = options.holdoutEnd ? day(options.holdoutEnd, '--holdout-end') : addDays(calibrationEnd, 273);
        const report = await withFlagNames(runBacktest(storage, storeId, { calibrationEnd, holdoutEnd, timeUnit: timeUnit(options.timeUnit), model: modelChoice(options.model), currency }));
        await saveBacktest(storage, storeId, report, null);
        if (options.json) return printJson(toWire(snakeKeys(report)));
        process.stdout.write(`Calibration to ${formatDay(report.calibrationEnd)}, holdout to ${formatDay(report.holdoutEnd)}, ${plural(report.customers, 'customer')}\n`);
        printMetrics(report.metrics);
        process.stdout.write(`${report.chosen.reason}\n`);
      });
    });
}

/** Adds `predictions` to the `report` command (created here if no other module made it). */
export function registerPredictionsReport(program: Command): void {
  const report = program.commands.find((c) => c.name() === 'report') ?? program.command('report').description('reports');
  withDataDir(report.command('predictions').description('the current model, churn-risk bands and the most valuable customers'))
    .option('--limit <n>', 'customers to list', '20')
    .option('--json', 'print JSON: the model as GET /api/v1/predictions/model shows it, churn-risk counts, the customers\' predictions')
    .action(async (options: CommonOptions & { limit: string }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new CliError(`--limit: expected a whole number from 1 to 10000, got "${options.limit}"`, 2);
      await withContext(options, async ({ services, storage }) => {
        const store = await resolveStore(services, options.store);
        const current = await currentModel(storage, store.id);
        if (!current) throw new CliError('The models have not been fitted yet: run `hearth models fit`.');
        const customers = await listPredictions(storage, store.id, { limit, sort: 'clv' });
        const churnRisk = await churnRiskCounts(storage, store.id);
        if (options.json) return printJson(toWire({ model: snakeKeys(current), churn_risk: churnRisk, customers }));
        if (current.fit.status !== 'ok') {
          process.stdout.write(`No predictions: missing ${current.fit.missing.join('; ')}\n`);
          return;
        }
        const names = await services.customers.labels(store.id, customers.map((c) => c.customer_id));
        process.stdout.write(`${store.name}: ${current.fit.model} as of ${formatDay(current.fit.asOf)}. ${current.fit.reason}\n`);
        process.stdout.write(`Churn risk: ${churnRisks.map((b) => `${b} ${formatNumber(churnRisk[b] ?? 0)}`).join(', ')}\n\n`);
        process.stdout.write(`${formatTable(['customer', 'P(alive)', 'orders 90d', 'P(order 90d)', 'CLV 12m', 'next order', 'risk'],
          customers.map((c) => [names.get(c.customer_id) ?? String(c.customer_id), formatPercent(c.p_alive), fixed(c.expected_orders_90d, 2), formatPercent(c.p_order_90d),
            c.clv_12m === null ? '' : formatMoney(Math.round(c.clv_12m), store.currency, 'en-US'), c.next_order_on ? formatDay(c.next_order_on) : '', c.churn_risk]))}\n`);
      });
    });
}
