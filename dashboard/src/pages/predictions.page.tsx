import { useMemo } from 'react';
import { http } from '../api/client';
import { modelNames, type BacktestMetrics, type BacktestReport, type ModelAnswer } from '../api/prediction-types';
import { useAction, useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { axis, Chart, type ChartOption } from '../components/chart';
import { ClvPanels } from '../components/clv-panels';
import type { Formatter } from '../components/format';
import { Empty, ErrorState, Loading } from '../components/states';
import { PageHeader, Panel } from '../components/ui';

const tooltip = { trigger: 'axis', confine: true };

function weeklyOption(m: BacktestMetrics, fmt: Formatter): ChartOption {
  let predicted = 0;
  let actual = 0;
  const cumulative = m.weekly.map((w) => ({ week: w.week, predicted: (predicted += w.predicted), actual: (actual += w.actual) }));
  return {
    tooltip: { ...tooltip, valueFormatter: (v: number) => fmt.number(v, { digits: 1 }) },
    legend: { top: 0 },
    grid: { left: 64, right: 16, top: 36, bottom: 48 },
    xAxis: { type: 'category', data: cumulative.map((w) => `Week ${w.week}`), ...axis('Holdout week') },
    yAxis: { type: 'value', ...axis('Repeat orders (cumulative)', { nameGap: 48 }) },
    series: [
      { name: 'Actual', type: 'line', data: cumulative.map((w) => w.actual), symbolSize: 6 },
      { name: 'Predicted', type: 'line', data: cumulative.map((w) => w.predicted), lineStyle: { type: 'dashed' }, symbolSize: 6 },
    ],
  };
}

function frequencyOption(m: BacktestMetrics, fmt: Formatter): ChartOption {
  return {
    tooltip: { ...tooltip, valueFormatter: (v: number) => fmt.number(v, { digits: 2 }) },
    legend: { top: 0 },
    grid: { left: 64, right: 16, top: 36, bottom: 48 },
    xAxis: { type: 'category', data: m.byFrequency.map((b) => (b.x >= 7 ? '7+' : String(b.x))), ...axis('Repeat orders in the calibration period') },
    yAxis: { type: 'value', ...axis('Mean orders in the holdout', { nameGap: 44 }) },
    series: [
      { name: 'Actual', type: 'bar', data: m.byFrequency.map((b) => b.actual) },
      { name: 'Predicted', type: 'bar', data: m.byFrequency.map((b) => b.predicted) },
    ],
  };
}

function reliabilityOption(m: BacktestMetrics, fmt: Formatter): ChartOption {
  const points = m.reliability.map((r) => [r.predicted, r.observed, r.customers]);
  return {
    tooltip: {
      trigger: 'item', confine: true,
      formatter: (p: { value: number[] }) => `Predicted ${fmt.percent(p.value[0], 1)}<br/>Observed ${fmt.percent(p.value[1], 1)}<br/>${fmt.number(p.value[2])} customers`,
    },
    legend: { top: 0 },
    grid: { left: 64, right: 16, top: 36, bottom: 48 },
    xAxis: { type: 'value', min: 0, max: 1, ...axis('Predicted P(order in holdout)', { axisLabel: { formatter: (v: number) => fmt.percent(v, 0) } }) },
    yAxis: { type: 'value', min: 0, max: 1, ...axis('Observed share who ordered', { nameGap: 44, axisLabel: { formatter: (v: number) => fmt.percent(v, 0) } }) },
    series: [
      { name: 'Deciles of customers', type: 'line', data: points, symbolSize: 8 },
      { name: 'Perfect calibration', type: 'line', data: [[0, 0], [1, 1]], symbol: 'none', lineStyle: { type: 'dotted', color: '#9ca3af' }, tooltip: { show: false } },
    ],
  };
}

function ModelSummary({ answer, backtest, metrics }: { answer: ModelAnswer; backtest: BacktestReport | undefined; metrics: BacktestMetrics | undefined }) {
  const { fmt } = useApp();
  const fit = answer.fit;
  if (fit.status !== 'ok') {
    return (
      <Empty>
        Not enough data to predict yet (as of {fmt.date(fit.asOf)}): the models need {fit.missing.join('; ')}.
      </Empty>
    );
  }
  const error = metrics && metrics.totalActual > 0 ? (metrics.totalPredicted - metrics.totalActual) / metrics.totalActual : undefined;
  return (
    <dl className="dl" data-testid="model-summary">
      <dt>Model in use</dt><dd data-testid="model-name">{modelNames[fit.model] ?? fit.model}</dd>
      <dt>Why this model</dt><dd>{fit.reason}</dd>
      <dt>Fitted on data up to</dt><dd>{fmt.date(fit.asOf)}</dd>
      <dt>Customers scored</dt><dd>{fmt.number(fit.scored)}</dd>
      <dt>Spend model</dt><dd>{fit.spend ? `Gamma-Gamma (spend–frequency correlation ${fmt.number(fit.spend.spendFrequencyCorrelation, { digits: 2 })})` : 'not fitted (too few repeat buyers)'}</dd>
      {backtest && metrics && (
        <>
          <dt>Backtest</dt>
          <dd>calibration to {fmt.date(backtest.calibrationEnd)}, holdout to {fmt.date(backtest.holdoutEnd)}, {fmt.number(backtest.customers)} customers</dd>
          <dt>Holdout repeat orders</dt>
          <dd data-testid="backtest-totals">predicted {fmt.number(metrics.totalPredicted, { digits: 0 })}, actual {fmt.number(metrics.totalActual)}{error !== undefined && ` (${error >= 0 ? '+' : ''}${fmt.percent(error, 1)})`}</dd>
          <dt>Per-customer error</dt><dd>mean absolute error {fmt.number(metrics.mae, { digits: 3 })} orders; correlation {fmt.number(metrics.correlation, { digits: 3 })}; Brier score {fmt.number(metrics.brier, { digits: 3 })}</dd>
        </>
      )}
    </dl>
  );
}

export function PredictionsPage() {
  const { fmt, canWrite } = useApp();
  const { result, reload } = useApi('model', () => http.get<ModelAnswer>('/api/v1/predictions/model'));
  const refit = useAction(() => http.post<{ jobId: number }>('/api/v1/predictions/refit'));
  const answer = result.state === 'ok' ? result.data : undefined;
  const backtest = answer?.backtest ?? (answer?.fit.status === 'ok' && 'metrics' in answer.fit.backtest ? answer.fit.backtest : undefined);
  const metrics = backtest?.metrics.find((m) => m.model === backtest.chosen.model) ?? backtest?.metrics[0];
  const options = useMemo(() => metrics && { weekly: weeklyOption(metrics, fmt), frequency: frequencyOption(metrics, fmt), reliability: reliabilityOption(metrics, fmt) }, [metrics, fmt]);
  const notFitted = result.state === 'error' && result.error.status === 404 && !result.error.isMissingRoute;
  return (
    <div className="page">
      <PageHeader
        title="Predictions"
        subtitle="Who will buy again and what each customer is worth over the next 12 months, with how well the model predicted a period it did not see."
        actions={canWrite && (
          <button type="button" className="secondary" disabled={refit.pending} onClick={async () => { if (await refit.run()) window.setTimeout(reload, 1500); }}>
            {refit.pending ? 'Queueing…' : 'Refit now'}
          </button>
        )}
      />
      {refit.error && <p className="form-error" role="alert">{refit.error.describe()}</p>}
      <div className="stack">
        <Panel title="Model" definition="BG/NBD or Pareto/NBD model the number of repeat orders; Gamma-Gamma models the order value. The model that forecast the held-out period better is used.">
          {result.state === 'loading' ? <Loading /> : notFitted ? (
            <Empty>The models have not been fitted yet. They fit daily; {canWrite ? 'press “Refit now” to fit them at once.' : 'ask an admin to refit them now.'}</Empty>
          ) : result.state === 'error' ? <ErrorState error={result.error} onRetry={reload} /> : answer && <ModelSummary answer={answer} backtest={backtest} metrics={metrics} />}
        </Panel>
        {answer && (
          <div className="grid grid-3">
            <Panel title="Repeat orders in the holdout" definition="Cumulative repeat orders per week of the held-out period: what the model fitted on the earlier data forecast, and what happened.">
              {options ? <Chart option={options.weekly} label="Predicted and actual cumulative repeat orders by holdout week" height={280} /> : <Empty>No backtest yet: it needs at least 28 days of holdout history.</Empty>}
            </Panel>
            <Panel title="By past frequency" definition="Customers grouped by repeat orders in the calibration period: mean predicted vs actual orders in the holdout (Fader, Hardie & Lee 2005).">
              {options ? <Chart option={options.frequency} label="Mean predicted and actual holdout orders by calibration frequency" height={280} /> : <Empty>No backtest yet.</Empty>}
            </Panel>
            <Panel title="Calibration of P(order)" definition="Customers in ten groups by predicted probability of ordering in the holdout; a well-calibrated model lies on the diagonal.">
              {options ? <Chart option={options.reliability} label="Predicted probability versus observed share of customers who ordered" height={280} /> : <Empty>No backtest yet.</Empty>}
            </Panel>
          </div>
        )}
        <ClvPanels />
      </div>
    </div>
  );
}
