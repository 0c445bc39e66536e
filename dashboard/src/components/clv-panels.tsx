import { useMemo } from 'react';
import type { ClvReport } from '../api/analytics-types';
import { http } from '../api/client';
import type { Preview } from '../api/segment-types';
import { useApi } from '../api/use-api';
import { useApp } from './app-context';
import { axis, Chart } from './chart';
import { navigate } from './router';
import { Async } from './states';
import { DataTable, Panel } from './ui';

/** Valuable customers at risk: high churn risk among the top fifth by predicted value. */
export const atRiskRule = {
  kind: 'all',
  rules: [
    { kind: 'prediction', field: 'churn_risk', op: 'eq', value: 'high' },
    { kind: 'prediction', field: 'predicted_clv', op: 'top_percent', value: 20 },
  ],
};

/** Revenue per customer by cohort, and the valuable customers most at risk. */
export function ClvPanels() {
  const { fmt } = useApp();
  const clv = useApi('clv', () => http.get<ClvReport>('/api/v1/analytics/clv'));
  const atRisk = useApi('at-risk', () => http.post<Preview>('/api/v1/segments/preview', { rule: atRiskRule }));
  const option = useMemo(() => {
    if (clv.result.state !== 'ok') return undefined;
    const rows = clv.result.data.rows;
    return {
      tooltip: {
        trigger: 'axis', confine: true,
        formatter: (p: { dataIndex: number }[]) => {
          const r = rows[p[0]?.dataIndex ?? 0];
          return r ? `<b>${r.title ?? r.key}</b><br/>${fmt.money(Math.round(r.revenuePerCustomer))} per customer<br/>${fmt.number(r.customers)} customers, repeat rate ${fmt.percent(r.repeatRate, 1)}` : '';
        },
      },
      grid: { left: 80, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: rows.map((r) => r.title ?? r.key), ...axis('Cohort (month of first order)', { nameGap: 40 }) },
      yAxis: { type: 'value', ...axis(`Revenue per customer to date (${fmt.currency})`, { nameGap: 62, axisLabel: { formatter: (v: number) => fmt.money(v, { compact: true }) } }) },
      series: [{ name: 'Revenue per customer', type: 'bar', data: rows.map((r) => Math.round(r.revenuePerCustomer)) }],
    };
  }, [clv.result, fmt]);
  const notFitted = atRisk.result.state === 'error' && [atRisk.result.error.message, ...atRisk.result.error.details.map((d) => d.reason)].some((t) => /until predictions are fitted/.test(t));
  return (
    <>
      <Panel title="Customer value by cohort" definition="Revenue per customer of each cohort so far: older cohorts have had longer to buy again.">
        <Async result={clv.result} onRetry={clv.reload} height={280} isEmpty={(d) => d.rows.length === 0} empty="No orders yet: import orders on the Data page.">
          {() => option && <Chart option={option} label="Revenue per customer by cohort" height={280} />}
        </Async>
      </Panel>
      <Panel title="Valuable customers at risk" definition="Customers in the top 20 % by predicted 12-month value whose churn risk is high: the first to win back." testId="at-risk">
        {notFitted ? <p className="muted">No predictions yet: they appear after the models are fitted (daily, or “Refit now” on the Predictions page).</p> : (
          <Async result={atRisk.result} onRetry={atRisk.reload} isEmpty={(d) => d.count === 0} empty="No valuable customers are at high risk right now, or the models have not been fitted yet.">
            {(preview) => (
              <>
                <p className="muted" data-testid="at-risk-count">{fmt.number(preview.count)} customers; save them as a segment on the Segments page to act on them.</p>
                <DataTable
                  caption="Valuable customers at risk"
                  rows={preview.sample}
                  rowKey={(c) => String(c.id)}
                  onRowClick={(c) => navigate(`/customers/${c.id}`)}
                  columns={[
                    { key: 'who', label: 'Customer', render: (c) => c.name || c.email || `#${c.id}` },
                    { key: 'email', label: 'Email', render: (c) => c.email ?? '—' },
                    { key: 'country', label: 'Country', render: (c) => c.country ?? '—' },
                  ]}
                />
              </>
            )}
          </Async>
        )}
      </Panel>
    </>
  );
}
