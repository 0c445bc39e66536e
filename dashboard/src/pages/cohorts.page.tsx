import { useMemo, useState } from 'react';
import type { CohortRow, CohortsAnswer, CohortsReport, ReportQuery } from '../api/analytics-types';
import { http } from '../api/client';
import { useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { axis, Chart, escapeHtml, type ChartOption } from '../components/chart';
import type { Formatter } from '../components/format';
import { setQueryParam, useLocation } from '../components/router';
import { Async } from '../components/states';
import { Field, PageHeader, Panel, Segmented } from '../components/ui';

type Metric = 'customers' | 'revenue' | 'ltv';
const periodNames: Record<ReportQuery['period'], string> = { week: 'Week', month: 'Month', quarter: 'Quarter' };
/** A label for every breakdown the server offers (the compiler checks none is missing). */
const breakdownNames: Record<NonNullable<ReportQuery['breakdown']>, string> = {
  channel: 'First channel', country: 'Country', first_category: 'First category', first_product: 'First product', first_discount: 'First order discounted', payment_method: 'First payment method',
};
const breakdowns = [{ value: '', label: 'None' }, ...Object.entries(breakdownNames).map(([value, label]) => ({ value, label }))];

function cellValue(row: CohortRow, offset: number, metric: Metric): number | undefined {
  const cell = row.cells.find((c) => c.offset === offset);
  if (!cell) return undefined;
  if (metric === 'customers') return row.size ? cell.customers / row.size : 0;
  if (metric === 'revenue') return cell.revenue;
  let total = 0;
  for (const c of row.cells) if (c.offset <= offset) total += c.revenue;
  return row.size ? total / row.size : 0;
}

function label(row: CohortRow): string {
  return row.segment ? `${row.cohort} · ${row.segment}` : row.cohort;
}

function heatmapOption(answer: CohortsAnswer, metric: Metric, fmt: Formatter): ChartOption {
  const rows = answer.cohorts;
  const maxOffset = Math.max(0, ...rows.flatMap((r) => r.cells.map((c) => c.offset)));
  const offsets = Array.from({ length: maxOffset + 1 }, (_, i) => i);
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
  return {
    tooltip: {
      confine: true,
      formatter: (p: { value: [number, number, number] }) => {
        const row = rows[p.value[1]];
        const cell = row?.cells.find((c) => c.offset === p.value[0]);
        return row && cell ? `<b>Cohort ${escapeHtml(label(row))}</b> (${fmt.number(row.size)} customers)<br/>${periodNames[answer.period]} ${p.value[0]}: ${unitName.toLowerCase()} <b>${show(p.value[2])}</b><br/>${fmt.number(cell.customers)} customers, ${fmt.number(cell.orders)} orders, ${fmt.money(cell.revenue)}` : '';
      },
    },
    grid: { left: 130, right: 24, top: 10, bottom: 110 },
    xAxis: { type: 'category', data: offsets.map(String), splitArea: { show: true }, ...axis(`${periodNames[answer.period]}s since first order`) },
    yAxis: { type: 'category', data: rows.map(label), inverse: true, splitArea: { show: true }, ...axis('Cohort (first order)', { nameGap: 110 }) },
    visualMap: {
      min: 0, max: max || 1, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 240, precision: 3,
      inRange: { color: ['#eff6ff', '#93c5fd', '#1d4ed8', '#1e3a8a'] },
      formatter: (v: number) => show(v),
    },
    series: [{
      name: unitName, type: 'heatmap', data,
      label: { show: rows.length <= 14 && offsets.length <= 13, formatter: (p: { value: [number, number, number] }) => (metric === 'customers' ? fmt.percent(p.value[2], 0) : fmt.money(p.value[2], { compact: true })), fontSize: 10 },
    }],
  };
}

function ltvOption(answer: CohortsAnswer, fmt: Formatter): ChartOption {
  const rows = answer.cohorts.slice(-12);
  const maxOffset = Math.max(0, ...rows.flatMap((r) => r.cells.map((c) => c.offset)));
  return {
    tooltip: { trigger: 'axis', confine: true, valueFormatter: (v: number) => fmt.money(v) },
    legend: { type: 'scroll', top: 0 },
    grid: { left: 80, right: 24, top: 40, bottom: 48 },
    xAxis: { type: 'category', data: Array.from({ length: maxOffset + 1 }, (_, i) => String(i)), ...axis(`${periodNames[answer.period]}s since first order`) },
    yAxis: { type: 'value', ...axis(`Cumulative revenue per customer (${fmt.currency})`, { nameGap: 62, axisLabel: { formatter: (v: number) => fmt.money(v, { compact: true }) } }) },
    series: rows.map((row) => ({
      name: label(row), type: 'line', symbolSize: 4,
      data: Array.from({ length: maxOffset + 1 }, (_, x) => cellValue(row, x, 'ltv') ?? null),
    })),
  };
}

export function CohortsPage() {
  const { fmt } = useApp();
  const { params } = useLocation();
  const period = (params.get('period') ?? 'month') as CohortsAnswer['period'];
  const breakdown = params.get('breakdown') ?? '';
  const [metric, setMetric] = useState<Metric>('customers');
  const { result, reload } = useApi(`cohorts:${period}:${breakdown}`, () => http.get<CohortsReport>('/api/v1/analytics/cohorts', { period, breakdown }).then((r): CohortsAnswer => ({
    period, range: { from: r.query.from, to: r.query.to },
    cohorts: r.cohorts.map((c) => ({ cohort: c.cohort, segment: c.segment ?? null, size: c.size, cells: c.periods.map((p) => ({ offset: p.offset, customers: p.customers, orders: p.orders, revenue: p.revenue })) })),
  })));
  const options = useMemo(() => (result.state === 'ok' && result.data.cohorts.length ? { heat: heatmapOption(result.data, metric, fmt), ltv: ltvOption(result.data, fmt) } : undefined), [result, metric, fmt]);
  const best = useMemo(() => {
    if (result.state !== 'ok') return undefined;
    // The best retainer among cohorts old enough to have a third period, by share still ordering then.
    const candidates = result.data.cohorts.filter((r) => r.size >= 20 && r.cells.some((c) => c.offset === 3));
    return candidates.map((r) => ({ row: r, rate: cellValue(r, 3, 'customers') ?? 0 })).sort((a, b) => b.rate - a.rate)[0];
  }, [result]);
  const rows = result.state === 'ok' ? result.data.cohorts.length : 0;
  return (
    <div className="page">
      <PageHeader
        title="Cohorts"
        subtitle="Customers grouped by when they first ordered: how many come back, and what they are worth over time."
        actions={
          <>
            <Field label="Period">
              <select name="period" value={period} onChange={(e) => setQueryParam('period', e.target.value)}>
                <option value="week">Weekly</option>
                <option value="month">Monthly</option>
                <option value="quarter">Quarterly</option>
              </select>
            </Field>
            <Field label="Break down by">
              <select name="breakdown" value={breakdown} onChange={(e) => setQueryParam('breakdown', e.target.value)}>
                {breakdowns.map((b) => <option key={b.value} value={b.value}>{b.label}</option>)}
              </select>
            </Field>
          </>
        }
      />
      <div className="stack">
        {best && (
          <p className="notice" data-testid="best-cohort">
            Best retention: the <b>{label(best.row)}</b> cohort — {fmt.percent(best.rate, 1)} of its {fmt.number(best.row.size)} customers ordered again in {periodNames[period].toLowerCase()} 3.
          </p>
        )}
        <Panel
          title="Retention heatmap"
          definition="Each row is a cohort (customers by the period of their first order); each column the periods since. Customers %: share of the cohort who ordered in that period. Revenue: what the cohort spent then. Cumulative LTV: revenue per customer up to that period."
          actions={<Segmented label="Heatmap measure" value={metric} onChange={setMetric} options={[{ value: 'customers', label: 'Customers %' }, { value: 'revenue', label: 'Revenue' }, { value: 'ltv', label: 'Cumulative LTV' }]} />}
        >
          <Async result={result} onRetry={reload} height={360} isEmpty={(d) => d.cohorts.length === 0} empty="No cohorts yet: they appear once customers have placed orders. Import orders on the Data page.">
            {() => options && <Chart option={options.heat} label={`Cohort heatmap of ${metric}`} height={Math.max(320, 110 + rows * 24)} />}
          </Async>
        </Panel>
        <Panel title="LTV curves by cohort" definition="Cumulative revenue per customer of each of the latest 12 cohorts, by periods since their first order. Steeper curves are cohorts worth more.">
          <Async result={result} onRetry={reload} height={340} isEmpty={(d) => d.cohorts.length === 0} empty="No cohorts yet.">
            {() => options && <Chart option={options.ltv} label="Cumulative revenue per customer by cohort" height={360} />}
          </Async>
        </Panel>
      </div>
    </div>
  );
}
