import { useMemo, useState } from 'react';
import { http } from '../api/client';
import { modelNames, parameterNames, type BacktestMetrics, type BacktestReport, type ModelAnswer, type PredictionDistribution } from '../api/prediction-types';
import { useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { AtRiskPanel } from '../components/at-risk-table';
import { Chart } from '../components/chart';
import { frequencyOption, histogramOption, moneyBinLabel, percentBinLabel, reliabilityOption, weeklyOption } from '../components/prediction-charts';
import { RefitButton } from '../components/refit-button';
import { Async, Empty, ErrorState, Loading } from '../components/states';
import { PageHeader, Panel } from '../components/ui';

/** Fixed decimals, so scores line up and compare (0.090, not 0.09). */
const fixed = (fmt: { locale: string }, value: number | null, digits: number) => (value !== null && Number.isFinite(value) ? new Intl.NumberFormat(fmt.locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value) : '—');

function Parameters({ params, errors }: { params: Record<string, number>; errors: Record<string, number | null> | undefined }) {
  const { fmt } = useApp();
  return (
    <span className="params">
      {Object.entries(params).map(([name, value]) => {
        const se = errors?.[name];
        // A parameter running off to a bound (a fit that did not converge) reads better compact.
        return <span key={name}>{parameterNames[name] ?? name} = {Math.abs(value) >= 10_000 ? fmt.number(value, { compact: true }) : fmt.number(value, { digits: 3 })}{typeof se === 'number' && Number.isFinite(se) && <span className="muted"> (± {fmt.number(se, { digits: 3 })})</span>}</span>;
      })}
    </span>
  );
}

/** The reason names models by their kind (bgnbd); show them as the papers name them. */
export const readableReason = (reason: string) => reason.replace(/\bpareto-nbd\b/g, 'Pareto/NBD').replace(/\bbgnbd\b/g, 'BG/NBD');

function ModelSummary({ answer, backtest, metrics }: { answer: ModelAnswer; backtest: BacktestReport | undefined; metrics: BacktestMetrics | undefined }) {
  const { fmt, canWrite } = useApp();
  const fit = answer.fit;
  if (fit.status !== 'ok') {
    return <Empty>Not enough data to predict yet (as of {fmt.date(fit.as_of)}): the models need {fit.missing.join('; ')}. {canWrite ? 'Import more orders on the Data page, then press “Refit now”.' : 'They are refitted daily as orders arrive.'}</Empty>;
  }
  const error = metrics && metrics.total_actual > 0 ? (metrics.total_predicted - metrics.total_actual) / metrics.total_actual : undefined;
  const skipped = 'skipped' in fit.backtest ? fit.backtest.skipped : undefined;
  return (
    <dl className="dl" data-testid="model-summary">
      <dt>Model in use</dt><dd data-testid="model-name">{modelNames[fit.model] ?? fit.model}{fit.spend && ' + Gamma-Gamma'}</dd>
      <dt>Why this model</dt><dd data-testid="model-reason">{readableReason(fit.reason)}</dd>
      <dt>Parameters</dt><dd><Parameters params={fit.count.params} errors={fit.count.standard_errors} /></dd>
      <dt>Spend model</dt>
      <dd>{fit.spend ? (
        <><Parameters params={fit.spend.params} errors={fit.spend.fit?.standard_errors} /> <span className="muted">spend–frequency correlation {fmt.number(fit.spend.spend_frequency_correlation, { digits: 2 })}{fit.spend.independent ? '' : ' — above 0.3, so order values may be biased'}</span></>
      ) : 'not fitted (fewer than 20 repeat buyers with an order value): no CLV'}</dd>
      <dt>Fitted on</dt><dd>orders up to {fmt.date(fit.as_of)}, {fmt.number(fit.customers)} customers, log-likelihood {fmt.number(fit.count.log_likelihood, { digits: 1 })}{fit.count.converged ? '' : ' — the fit did not converge: a parameter ran off to its limit, which usually means the history shows almost no customers leaving yet; read the predictions with care'}</dd>
      {backtest && metrics ? (
        <>
          <dt>Backtest</dt>
          <dd>fitted to {fmt.date(backtest.calibration_end)}, forecast to {fmt.date(backtest.holdout_end)}, {fmt.number(backtest.customers)} customers</dd>
          <dt>Holdout repeat orders</dt>
          <dd data-testid="backtest-totals">predicted {fmt.number(metrics.total_predicted, { digits: 0 })}, actual {fmt.number(metrics.total_actual)}{error !== undefined && ` (${error >= 0 ? '+' : ''}${fmt.percent(error, 1)})`}</dd>
          <dt>Per customer</dt><dd>mean absolute error {fixed(fmt, metrics.mae, 3)} orders; correlation {fixed(fmt, metrics.correlation, 3)}; Brier score <span data-testid="brier">{fixed(fmt, metrics.brier, 3)}</span></dd>
        </>
      ) : <><dt>Backtest</dt><dd>{skipped ?? 'none yet'}</dd></>}
    </dl>
  );
}

function Distributions({ reloadKey }: { reloadKey: number }) {
  const { fmt } = useApp();
  const { result, reload } = useApi(`distribution:${reloadKey}`, () => http.get<PredictionDistribution>('/api/v1/predictions/distribution'));
  const options = useMemo(() => {
    if (result.state !== 'ok') return undefined;
    const d = result.data;
    return {
      alive: histogramOption(d.p_alive.bins, d.customers, fmt, { xName: 'P(alive)', label: percentBinLabel(fmt) }),
      clv: histogramOption(d.clv.bins, d.clv.customers, fmt, { xName: `Predicted 12-month CLV (${fmt.currency})`, label: moneyBinLabel(fmt, d.clv.bins), color: '#059669' }),
    };
  }, [result, fmt]);
  const empty = 'No predictions yet: they appear once the models are fitted (daily, or “Refit now” above).';
  return (
    <div className="grid grid-2">
      <Panel title="P(alive) across customers" definition="How many customers fall in each band of P(alive), the probability that a customer would still order at their usual pace. Under BG/NBD a customer who bought once counts as alive (100 %); read it with the churn risk.">
        <Async result={result} onRetry={reload} height={280} isEmpty={(d) => d.customers === 0} empty={empty}>
          {(d) => (
            <>
              {options && <Chart option={options.alive} label={`Histogram of P(alive) over ${d.customers} customers`} height={280} />}
              <p className="muted">Mean {fmt.percent(d.p_alive.mean, 1)}, median {fmt.percent(d.p_alive.median, 1)} over <span data-testid="distribution-customers">{fmt.number(d.customers)}</span> customers.</p>
            </>
          )}
        </Async>
      </Panel>
      <Panel title="Predicted 12-month CLV across customers" definition="How many customers fall in each band of predicted 12-month value (future orders only, discounted). The last bar holds the top 1 % and above.">
        <Async result={result} onRetry={reload} height={280} isEmpty={(d) => d.clv.customers === 0} empty={result.state === 'ok' && result.data.customers > 0 ? 'No CLV: the spend model needs at least 20 repeat buyers with an order value.' : empty}>
          {(d) => (
            <>
              {options && <Chart option={options.clv} label={`Histogram of predicted 12-month CLV over ${d.clv.customers} customers`} height={280} />}
              <p className="muted">Total <span data-testid="clv-total">{fmt.money(d.clv.total)}</span>, mean {fmt.money(d.clv.mean === null ? null : Math.round(d.clv.mean))}, median {fmt.money(d.clv.median === null ? null : Math.round(d.clv.median))}.</p>
            </>
          )}
        </Async>
      </Panel>
    </div>
  );
}

export function PredictionsPage() {
  const { canWrite, fmt } = useApp();
  const [reloadKey, setReloadKey] = useState(0);
  const { result, reload } = useApi(`model:${reloadKey}`, () => http.get<ModelAnswer>('/api/v1/predictions/model'));
  const answer = result.state === 'ok' ? result.data : undefined;
  const backtest = answer?.backtest ?? (answer?.fit.status === 'ok' && 'metrics' in answer.fit.backtest ? answer.fit.backtest : undefined);
  const metrics = backtest?.metrics.find((m) => m.model === backtest.chosen.model) ?? backtest?.metrics[0];
  const options = useMemo(() => metrics && { weekly: weeklyOption(metrics, fmt), frequency: frequencyOption(metrics, fmt), reliability: reliabilityOption(metrics, fmt) }, [metrics, fmt]);
  const notFitted = result.state === 'error' && result.error.status === 404 && !result.error.isMissingRoute;
  const noBacktest = 'No backtest yet: it needs a history long enough to hold out the last 28 days.';
  return (
    <div className="page">
      <PageHeader
        title="Predictions"
        subtitle="Who will buy again and what each customer is worth over the next 12 months — and how well the model forecast a recent period it did not see."
        actions={<RefitButton onDone={() => setReloadKey((k) => k + 1)} />}
      />
      <div className="stack">
        <Panel title="Model" definition="BG/NBD or Pareto/NBD model how often customers order and when they quietly stop; Gamma-Gamma models the order value. Both count models are tested on the latest part of the history and the better forecaster is used.">
          {result.state === 'loading' ? <Loading /> : notFitted ? (
            <Empty>The models have not been fitted yet. They fit daily; {canWrite ? 'press “Refit now” to fit them at once.' : 'an owner or admin can refit them now.'}</Empty>
          ) : result.state === 'error' ? <ErrorState error={result.error} onRetry={reload} /> : answer && <ModelSummary answer={answer} backtest={backtest} metrics={metrics} />}
        </Panel>
        {answer && (
          <div className="grid grid-3">
            <Panel title="Repeat orders in the holdout" definition="Cumulative repeat orders week by week over the held-out period: what the model fitted on the earlier data forecast, and what happened.">
              {options ? <Chart option={options.weekly} label="Predicted and actual cumulative repeat orders by holdout week" height={280} /> : <Empty>{noBacktest}</Empty>}
            </Panel>
            <Panel title="By past frequency" definition="Customers grouped by their repeat orders before the holdout: mean predicted vs actual orders in the holdout (conditional expectation, Fader, Hardie & Lee 2005).">
              {options ? <Chart option={options.frequency} label="Mean predicted and actual holdout orders by calibration frequency" height={280} /> : <Empty>{noBacktest}</Empty>}
            </Panel>
            <Panel title="Reliability of P(order)" definition="Customers in ten equal groups (deciles) by predicted probability of ordering in the holdout: the mean prediction against the share who did order. A well-calibrated model lies on the diagonal. The Brier score is the mean squared error of that probability: 0 is perfect, always saying 50 % scores 0.25.">
              {options && metrics ? (
                <>
                  <Chart option={options.reliability} label="Predicted probability versus observed share of customers who ordered, by decile" height={280} />
                  <p className="muted">Brier score {fixed(fmt, metrics.brier, 3)} (0 is perfect; always 50 % scores 0.25).</p>
                </>
              ) : <Empty>{noBacktest}</Empty>}
            </Panel>
          </div>
        )}
        <Distributions reloadKey={reloadKey} />
        <AtRiskPanel limit={20} reloadKey={reloadKey} />
      </div>
    </div>
  );
}
