/**
 * The cohort page's charts: the retention heatmap and the LTV curves. Cohorts are named as a
 * marketer reads them ("Nov 2024"); everything from the store's data in a tooltip is escaped.
 */
import type { CohortsReport } from '../api/analytics-types';
import { periodLabel } from '../../../src/modules/analytics/period-labels';
import { axis, escapeHtml, type ChartOption } from './chart';
import type { Formatter } from './format';

export type CohortMetric = 'customers' | 'revenue' | 'ltv';
export type CohortRow = CohortsReport['cohorts'][number];
export type Period = CohortsReport['query']['period'];
export const periodNames: Record<Period, string> = { week: 'Week', month: 'Month', quarter: 'Quarter' };

export function cohortLabel(period: Period, row: CohortRow, options: { short?: boolean } = {}): string {
  const name = periodLabel(period, row.cohort, options);
  return row.segment ? `${name} · ${row.segment}` : name;
}

function cellValue(row: CohortRow, offset: number, metric: CohortMetric): number | undefined {
  const cell = row.periods[offset];
  if (!cell) return undefined;
  if (metric === 'customers') return row.size ? cell.customers / row.size : 0;
  if (metric === 'revenue') return cell.revenue;
  return cell.cumulative_revenue_per_customer;
}

/** `narrow`: a phone. Shorter row names, no numbers in the cells (the tooltip has them). */
export function heatmapOption(report: CohortsReport, metric: CohortMetric, fmt: Formatter, narrow: boolean): ChartOption {
  const period = report.query.period;
  const rows = report.cohorts;
  const longest = Math.max(1, ...rows.map((r) => r.periods.length));
  const offsets = Array.from({ length: longest }, (_, i) => i);
  const data: [number, number, number][] = [];
  let max = 0;
  rows.forEach((row, y) => offsets.forEach((x) => {
    const value = cellValue(row, x, metric);
    if (value === undefined) return;
    // Offset 0 is 100 % by definition; it would flatten the colour scale of the rest.
    if (!(metric === 'customers' && x === 0)) max = Math.max(max, value);
    data.push([x, y, value]);
  }));
  const show = (v: number) => (metric === 'customers' ? fmt.percent(v, 1) : fmt.money(v, { compact: true }));
  const unitName = metric === 'customers' ? 'Share of the cohort who ordered' : metric === 'revenue' ? `Revenue (${fmt.currency})` : `Cumulative revenue per customer (${fmt.currency})`;
  const hasSegments = rows.some((r) => r.segment);
  const left = narrow ? (hasSegments ? 110 : 56) : (hasSegments ? 200 : 130);
  return {
    tooltip: {
      confine: true,
      formatter: (p: { value: [number, number, number] }) => {
        const row = rows[p.value[1]];
        const cell = row?.periods[p.value[0]];
        return row && cell
          ? `<b>Cohort ${escapeHtml(cohortLabel(period, row))}</b> (${fmt.number(row.size)} customers)<br/>${periodNames[period]} ${p.value[0]} (${escapeHtml(periodLabel(period, cell.period_start))}): ${unitName.toLowerCase()} <b>${show(p.value[2])}</b><br/>${fmt.number(cell.customers)} customers, ${fmt.number(cell.orders)} orders, ${fmt.money(cell.revenue)}`
          : '';
      },
    },
    grid: { left, right: narrow ? 8 : 24, top: 10, bottom: narrow ? 120 : 110 },
    xAxis: { type: 'category', data: offsets.map(String), splitArea: { show: true }, ...axis(`${periodNames[period]}s since first order`, { axisLabel: { color: '#374151', interval: narrow && longest > 13 ? 'auto' : 0, fontSize: narrow ? 10 : 12 } }) },
    yAxis: {
      type: 'category', data: rows.map((r) => cohortLabel(period, r, { short: narrow })), inverse: true, splitArea: { show: true },
      // On a phone the rows speak for themselves; the rotated axis name would run into them.
      ...axis(narrow ? '' : 'Cohort (first order)', { nameGap: left - 20, axisLabel: { color: '#374151', interval: 0, fontSize: narrow ? 10 : 12, width: left - 12, overflow: 'truncate' } }),
    },
    visualMap: {
      min: 0, max: max || 1, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: narrow ? 180 : 240, precision: 3,
      inRange: { color: ['#eff6ff', '#93c5fd', '#1d4ed8', '#1e3a8a'] },
      formatter: (v: number) => show(v),
    },
    series: [{
      name: unitName, type: 'heatmap', data,
      label: { show: !narrow && rows.length <= 14 && offsets.length <= 13, formatter: (p: { value: [number, number, number] }) => (metric === 'customers' ? fmt.percent(p.value[2], 0) : fmt.money(p.value[2], { compact: true })), fontSize: 10 },
    }],
  };
}

export function ltvOption(report: CohortsReport, fmt: Formatter, narrow: boolean): ChartOption {
  const period = report.query.period;
  const rows = report.cohorts.slice(-12);
  const longest = Math.max(1, ...rows.map((r) => r.periods.length));
  return {
    tooltip: { trigger: 'axis', confine: true, valueFormatter: (v: number) => fmt.money(v) },
    legend: { type: 'scroll', top: 0 },
    grid: { left: narrow ? 56 : 80, right: narrow ? 8 : 24, top: 40, bottom: 48 },
    xAxis: { type: 'category', data: Array.from({ length: longest }, (_, i) => String(i)), ...axis(`${periodNames[period]}s since first order`) },
    yAxis: { type: 'value', ...axis(narrow ? '' : `Cumulative revenue per customer (${fmt.currency})`, { nameGap: 62, axisLabel: { formatter: (v: number) => fmt.money(v, { compact: true }) } }) },
    series: rows.map((row) => ({
      // ECharts escapes series names in the axis tooltip and the legend.
      name: cohortLabel(period, row), type: 'line', symbolSize: 4,
      data: Array.from({ length: longest }, (_, x) => cellValue(row, x, 'ltv') ?? null),
    })),
  };
}
