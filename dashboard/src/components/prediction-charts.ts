/**
 * Chart options of the Predictions page: the backtest's calibration charts (FHL 2005 §4: weekly
 * tracking, conditional expectation by calibration frequency; plus a reliability curve) and the
 * histograms of P(alive) and predicted CLV.
 */
import type { BacktestMetrics, Bin } from '../api/prediction-types';
import { axis, type ChartOption } from './chart';
import type { Formatter } from './format';

const tooltip = { trigger: 'axis', confine: true };
const grid = { left: 64, right: 16, top: 36, bottom: 48 };

export function weeklyOption(m: BacktestMetrics, fmt: Formatter): ChartOption {
  let predicted = 0;
  let actual = 0;
  const cumulative = m.weekly.map((w) => ({ week: w.week, predicted: (predicted += w.predicted), actual: (actual += w.actual) }));
  return {
    tooltip: { ...tooltip, valueFormatter: (v: number) => `${fmt.number(v, { digits: 1 })} orders` },
    legend: { top: 0 },
    grid,
    xAxis: { type: 'category', data: cumulative.map((w) => `Week ${w.week}`), ...axis('Holdout week') },
    yAxis: { type: 'value', ...axis('Repeat orders (cumulative)', { nameGap: 48 }) },
    series: [
      { name: 'Actual', type: 'line', data: cumulative.map((w) => w.actual), symbolSize: 6 },
      { name: 'Predicted', type: 'line', data: cumulative.map((w) => w.predicted), lineStyle: { type: 'dashed' }, symbolSize: 6 },
    ],
  };
}

export function frequencyOption(m: BacktestMetrics, fmt: Formatter): ChartOption {
  return {
    tooltip: {
      ...tooltip,
      formatter: (p: { dataIndex: number; seriesName: string; value: number; marker: string }[]) => {
        const b = m.by_frequency[p[0]?.dataIndex ?? 0];
        if (!b) return '';
        return [`<b>${b.x >= 7 ? '7 or more' : b.x} repeat orders before the holdout</b> (${fmt.number(b.customers)} customers)`,
          ...p.map((s) => `${s.marker}${s.seriesName}: ${fmt.number(s.value, { digits: 2 })} orders per customer`)].join('<br/>');
      },
    },
    legend: { top: 0 },
    grid,
    xAxis: { type: 'category', data: m.by_frequency.map((b) => (b.x >= 7 ? '7+' : String(b.x))), ...axis('Repeat orders in the calibration period', { axisLabel: { color: '#374151', interval: 0 } }) },
    yAxis: { type: 'value', ...axis('Mean orders in the holdout', { nameGap: 44 }) },
    series: [
      { name: 'Actual', type: 'bar', data: m.by_frequency.map((b) => b.actual) },
      { name: 'Predicted', type: 'bar', data: m.by_frequency.map((b) => b.predicted) },
    ],
  };
}

export function reliabilityOption(m: BacktestMetrics, fmt: Formatter): ChartOption {
  const points = m.reliability.map((r) => [r.predicted, r.observed, r.customers, r.decile]);
  return {
    tooltip: {
      trigger: 'item', confine: true,
      formatter: (p: { value: number[] }) => `Decile ${p.value[3]}: ${fmt.number(p.value[2])} customers<br/>Predicted ${fmt.percent(p.value[0], 1)}<br/>Observed ${fmt.percent(p.value[1], 1)}`,
    },
    legend: { top: 0 },
    grid: { ...grid, top: 44 },
    xAxis: { type: 'value', min: 0, max: 1, ...axis('Predicted P(order in holdout)', { axisLabel: { color: '#374151', formatter: (v: number) => fmt.percent(v, 0) } }) },
    yAxis: { type: 'value', min: 0, max: 1, ...axis('Observed share who ordered', { nameGap: 44, axisLabel: { color: '#374151', formatter: (v: number) => fmt.percent(v, 0) } }) },
    series: [
      { name: 'Deciles', type: 'line', data: points, symbolSize: 8 },
      { name: 'Perfect', type: 'line', data: [[0, 0], [1, 1]], symbol: 'none', lineStyle: { type: 'dotted', color: '#6b7280' }, tooltip: { show: false } },
    ],
  };
}

/** A histogram of customers; `label` names a bin for the axis and the tooltip. */
export function histogramOption(bins: Bin[], total: number, fmt: Formatter, options: { xName: string; label: (bin: Bin) => string; color?: string }): ChartOption {
  return {
    tooltip: {
      ...tooltip,
      formatter: (p: { dataIndex: number }[]) => {
        const bin = bins[p[0]?.dataIndex ?? 0];
        return bin ? `<b>${options.label(bin)}</b><br/>${fmt.number(bin.customers)} customers (${fmt.percent(total ? bin.customers / total : 0, 1)})` : '';
      },
    },
    grid: { left: 64, right: 16, top: 16, bottom: 64 },
    xAxis: { type: 'category', data: bins.map(options.label), ...axis(options.xName, { nameGap: 48, axisLabel: { color: '#374151', rotate: bins.length > 6 ? 30 : 0, fontSize: 11 } }) },
    yAxis: { type: 'value', minInterval: 1, ...axis('Customers', { nameGap: 48 }) },
    series: [{ name: 'Customers', type: 'bar', data: bins.map((b) => b.customers), barCategoryGap: '8%', ...(options.color && { itemStyle: { color: options.color } }) }],
  };
}

export const percentBinLabel = (fmt: Formatter) => (bin: Bin) => `${fmt.percent(bin.from, 0)}–${fmt.percent(bin.to ?? 1, 0)}`;

/** Money bin edges without cents when the edges are whole amounts ($0–$20, not $0.00–$20.00). */
export function moneyBinLabel(fmt: Formatter, bins: Bin[]): (bin: Bin) => string {
  const whole = bins.every((b) => Number.isInteger(fmt.major(b.from)) && (b.to === null || Number.isInteger(fmt.major(b.to))));
  const money = new Intl.NumberFormat(fmt.locale, { style: 'currency', currency: fmt.currency, ...(whole && { minimumFractionDigits: 0, maximumFractionDigits: 0 }) });
  return (bin) => (bin.to === null ? `≥ ${money.format(fmt.major(bin.from))}` : `${money.format(fmt.major(bin.from))}–${money.format(fmt.major(bin.to))}`);
}
