import { useMemo } from 'react';
import type { ClvReport } from '../api/analytics-types';
import { http } from '../api/client';
import { useApi } from '../api/use-api';
import { useApp } from './app-context';
import { axis, Chart, escapeHtml } from './chart';
import { Async } from './states';
import { AtRiskPanel } from './at-risk-table';
import { Panel } from './ui';

/** Revenue per customer by cohort, and the valuable customers most at risk. */
export function ClvPanels() {
  const { fmt } = useApp();
  const clv = useApi('clv', () => http.get<ClvReport>('/api/v1/analytics/clv'));
  const option = useMemo(() => {
    if (clv.result.state !== 'ok') return undefined;
    const rows = clv.result.data.rows;
    return {
      tooltip: {
        trigger: 'axis', confine: true,
        formatter: (p: { dataIndex: number }[]) => {
          const r = rows[p[0]?.dataIndex ?? 0];
          return r ? `<b>${escapeHtml(r.title ?? r.key)}</b><br/>${r.revenue_per_customer === null ? '—' : fmt.money(r.revenue_per_customer)} per customer<br/>${fmt.number(r.customers)} customers, repeat rate ${fmt.percent(r.repeat_rate, 1)}` : '';
        },
      },
      grid: { left: 80, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: rows.map((r) => r.title ?? r.key), ...axis('Cohort (month of first order)', { nameGap: 40 }) },
      yAxis: { type: 'value', ...axis(`Revenue per customer to date (${fmt.currency})`, { nameGap: 62, axisLabel: { formatter: (v: number) => fmt.money(v, { compact: true }) } }) },
      series: [{ name: 'Revenue per customer', type: 'bar', data: rows.map((r) => r.revenue_per_customer) }],
    };
  }, [clv.result, fmt]);
  return (
    <>
      <Panel title="Customer value by cohort" definition="Revenue per customer of each cohort so far: older cohorts have had longer to buy again.">
        <Async result={clv.result} onRetry={clv.reload} height={280} isEmpty={(d) => d.rows.length === 0} empty="No orders yet: import orders on the Data page.">
          {() => option && <Chart option={option} label="Revenue per customer by cohort" height={280} />}
        </Async>
      </Panel>
      <AtRiskPanel />
    </>
  );
}
