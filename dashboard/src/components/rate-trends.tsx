/**
 * "Is it improving?": repeat purchase rate, retention and churn for each complete month of the
 * range, each month computed with the same definitions as the cards above it.
 */
import { useMemo } from 'react';
import type { KpisReport } from '../api/analytics-types';
import { periodLabel } from '../../../src/modules/analytics/period-labels';
import { useApp } from './app-context';
import { axis, Chart, escapeHtml } from './chart';
import { Panel } from './ui';

type Point = KpisReport['series'][number];
const rates = [
  { key: 'repeat_purchase_rate', name: 'Repeat purchase rate' },
  { key: 'retention_rate', name: 'Retention' },
  { key: 'churn_rate', name: 'Churn' },
] as const satisfies readonly { key: keyof Point; name: string }[];

export function RateTrends({ report }: { report: KpisReport }) {
  const { fmt } = useApp();
  const period = report.query.period;
  const points = useMemo(() => report.series.filter((p) => p.complete), [report]);
  const option = useMemo(() => {
    const labels = points.map((p) => periodLabel(period, p.period_start));
    return {
      tooltip: {
        trigger: 'axis', confine: true,
        formatter: (items: { dataIndex: number; seriesName: string; value: number | null }[]) => {
          const i = items[0]?.dataIndex ?? 0;
          return `<b>${escapeHtml(labels[i] ?? '')}</b><br/>${items.map((item) => `${escapeHtml(item.seriesName)}: ${fmt.percent(item.value, 1)}`).join('<br/>')}`;
        },
      },
      legend: { bottom: 0 },
      grid: { left: 64, right: 16, top: 16, bottom: 64 },
      xAxis: { type: 'category', data: labels, ...axis(period === 'month' ? 'Month' : period === 'quarter' ? 'Quarter' : 'Week', { nameGap: 28 }) },
      yAxis: { type: 'value', ...axis('Share of customers', { nameGap: 48, axisLabel: { formatter: (v: number) => fmt.percent(v, 0) } }) },
      series: rates.map((rate) => ({ name: rate.name, type: 'line', showSymbol: true, connectNulls: false, data: points.map((p) => p[rate.key]) })),
    };
  }, [points, period, fmt]);
  return (
    <Panel title="Is it improving?" testId="rate-trends" className="trends-panel"
      definition={`Each complete ${period} of the range on its own, with the same definitions as the cards: the repeat purchase rate of the ${period}'s customers, retention of the ${period} before's customers into it, churn of the customers active at its start. A ${period} cut by the range or not yet over is left out.`}>
      {points.length < 2
        ? <p className="muted">Trends need at least two complete {period}s in the range: choose a longer period.</p>
        : <Chart option={option} label={`Repeat purchase rate, retention and churn by ${period}`} height={300} />}
    </Panel>
  );
}
