import { useMemo } from 'react';
import type { CohortsReport } from '../api/analytics-types';
import { http } from '../api/client';
import { useApi } from '../api/use-api';
import { useApp } from './app-context';
import { axis, Chart, escapeHtml } from './chart';
import { cohortLabel } from './cohort-charts';
import { Async } from './states';
import { AtRiskPanel } from './at-risk-table';
import { Panel } from './ui';

/** The age cohorts are compared at: value by the end of their third month. */
const AGE = 3;

/** Revenue per customer of each monthly cohort at the same age, and the valuable customers most at risk. */
export function ClvPanels() {
  const { fmt } = useApp();
  const cohorts = useApi('cohorts:overview', () => http.get<CohortsReport>('/api/v1/analytics/cohorts', { period: 'month' }));
  const mature = useMemo(() => (cohorts.result.state === 'ok'
    ? cohorts.result.data.cohorts.map((row) => ({ row, value: row.value_at.find((v) => v.age === AGE)?.value ?? null })).filter((c) => c.value !== null)
    : []), [cohorts.result]);
  const option = useMemo(() => {
    if (mature.length === 0) return undefined;
    const labels = mature.map(({ row }) => cohortLabel('month', row));
    return {
      tooltip: {
        trigger: 'axis', confine: true,
        formatter: (p: { dataIndex: number }[]) => {
          const c = mature[p[0]?.dataIndex ?? 0];
          return c ? `<b>${escapeHtml(labels[p[0]?.dataIndex ?? 0] ?? '')}</b><br/>${fmt.money(c.value)} per customer by month ${AGE}<br/>${fmt.number(c.row.size)} customers` : '';
        },
      },
      grid: { left: 80, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: labels, ...axis('Cohort (month of first order)', { nameGap: 40 }) },
      yAxis: { type: 'value', ...axis(`Revenue per customer by month ${AGE} (${fmt.currency})`, { nameGap: 62, axisLabel: { formatter: (v: number) => fmt.money(v, { compact: true }) } }) },
      series: [{ name: `Revenue per customer by month ${AGE}`, type: 'bar', data: mature.map((c) => c.value) }],
    };
  }, [mature, fmt]);
  return (
    <>
      <Panel title="Customer value by cohort" testId="cohort-value"
        definition={`Revenue per customer of each monthly cohort from its first order through month ${AGE}: every cohort at the same age, so they compare fairly. Cohorts younger than that are left out; the Cohorts page shows months 6 and 12.`}>
        <Async result={cohorts.result} onRetry={cohorts.reload} height={280} isEmpty={() => mature.length === 0}
          empty={`No cohort is ${AGE} months old yet within the last 12 full months: see the Cohorts page for the younger ones.`}>
          {() => option && <Chart option={option} label={`Revenue per customer by month ${AGE}, by cohort`} height={280} />}
        </Async>
      </Panel>
      <AtRiskPanel />
    </>
  );
}
