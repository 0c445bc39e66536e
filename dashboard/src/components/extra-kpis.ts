/**
 * Overview cards from outside the KPI report: revenue from returning customers (same ranges as
 * the report), and the predictions' 12-month CLV and customers at risk (a snapshot as of the
 * last fit, so they carry its date instead of a change).
 */
import { http } from '../api/client';
import type { KpisReport, KpiValue, ReturningRevenueAnswer } from '../api/analytics-types';
import type { PredictionDistribution } from '../api/prediction-types';
import { useApi, type Loadable } from '../api/use-api';
import type { Formatter } from './format';

function returningCard(report: KpisReport | undefined, answer: Loadable<ReturningRevenueAnswer>, fmt: Formatter): KpiValue {
  const base: KpiValue = {
    key: 'returningRevenue', label: 'Revenue from returning customers', unit: 'money', value: null, previous: null,
    definition: 'Revenue, net of returns, from customers whose first order was before the period — what existing customers brought back.',
  };
  if (!report || answer.state === 'loading') return { ...base, loading: true };
  if (answer.state === 'error') return { ...base, error: answer.error.describe() };
  const { current, comparison, series } = answer.data;
  const share = current.revenue > 0 ? current.returning_revenue / current.revenue : null;
  return {
    ...base, value: current.returning_revenue, previous: comparison?.returning_revenue ?? null,
    series: series.map((p) => ({ period: p.period_start, value: p.returning_revenue })),
    ...(share !== null && { detail: `${fmt.percent(share, 0)} of revenue` }),
  };
}

function predictionCards(answer: Loadable<PredictionDistribution>, fmt: Formatter): KpiValue[] {
  const clv: KpiValue = {
    key: 'predictedClv', label: 'Predicted 12-month CLV', unit: 'money', value: null, previous: null,
    definition: 'Total discounted value of the orders the model expects from all current customers in the next 12 months (future orders only). The mean per customer is below it.',
  };
  const risk: KpiValue = {
    key: 'customersAtRisk', label: 'High churn risk', unit: 'count', value: null, previous: null, lowerIsBetter: true,
    definition: 'Customers in the model\'s high churn-risk band: under a 20 % chance of ordering in the next 365 days. The same customers as the built-in segment “High churn risk” and the list on Predictions. Not RFM\'s “At risk”, which is about recency and past value.',
  };
  if (answer.state === 'loading') return [{ ...clv, loading: true }, { ...risk, loading: true }];
  if (answer.state === 'error') return [{ ...clv, error: answer.error.describe() }, { ...risk, error: answer.error.describe() }];
  const d = answer.data;
  if (d.customers === 0) {
    const note = 'no predictions yet — fitted daily, or “Refit now” on Predictions';
    return [{ ...clv, note }, { ...risk, note }];
  }
  const asOf = `scored ${fmt.date(d.scored_at)}`;
  return [
    d.clv.customers > 0
      ? { ...clv, value: d.clv.total, note: `${asOf}; mean ${fmt.money(d.clv.mean)}` }
      : { ...clv, note: 'no spend model yet: needs 20 repeat buyers with an order value' },
    { ...risk, value: d.churn_risk.high, note: `${asOf}; ${fmt.percent(d.churn_risk.high / d.customers, 0)} of ${fmt.number(d.customers)} customers` },
  ];
}

/** The extra cards, each loading on its own so a slow or missing source never hides the report's. */
export function useExtraKpis(report: KpisReport | undefined, fmt: Formatter): KpiValue[] {
  const key = report ? `returning:${report.current.from}:${report.current.to}:${report.comparison?.from ?? ''}:${report.comparison?.to ?? ''}` : null;
  const returning = useApi(key, () => http.get<ReturningRevenueAnswer>('/api/v1/overview/returning-revenue', {
    from: report!.current.from, to: report!.current.to, compare_from: report!.comparison?.from, compare_to: report!.comparison?.to, period: report!.query.period,
  }));
  const predictions = useApi('distribution', () => http.get<PredictionDistribution>('/api/v1/predictions/distribution'));
  return [returningCard(report, returning.result, fmt), ...predictionCards(predictions.result, fmt)];
}
