/**
 * Every report as named flat tables: the same rows feed the terminal (formatted) and CSV export
 * (plain values: money in major units, rates as fractions).
 */
import { csvCell } from '../../lib/csv.js';
import { formatDay, formatNumber, formatPercent, formatPoints, formatRelative } from '../../lib/format.js';
import { formatMoney, fromMinorUnits, minorExponent } from '../../lib/money.js';
import type { Period } from './analytics.query.js';
import type { ClvResult, CohortsReport, KpisResult, ProductsResult, Report, ReportResult } from './analytics.service.js';
import type { KpiBlock, RfmResult } from './analytics.shape.js';
import { changeDelta, kpiChange, type KpiChange } from './kpi-change.js';
import { periodLabel } from './period-labels.js';

/**
 * `change`: a comparison column whose cells are `KpiChange`s, told by the dashboard's rule
 * (`kpi-change.ts`): rates by percentage points, counts, money and days by a relative change, or
 * by the comparison figure after a ramp-up. CSV keeps the number (points or relative).
 * `period`: the ISO start of a week, month or quarter (CSV keeps the date; a terminal shows "Nov 2024").
 * `range`: a column of a date range's figures (CSV heads it `from..to`; a terminal "1 Feb 2024 – 29 Feb 2024").
 */
export type ColumnKind = 'text' | 'int' | 'number' | 'money' | 'rate' | 'days' | 'change' | 'period' | 'flag';
export interface Column { key: string; label: string; kind: ColumnKind; period?: Period; range?: { from: string; to: string } }
export interface Table { name: string; columns: Column[]; rows: Record<string, unknown>[] }

const col = (key: string, kind: ColumnKind = 'int', label = key): Column => ({ key, label, kind });
const periodCol = (key: string, period: Period, label = key): Column => ({ key, label, kind: 'period', period });

const kpiMetrics: [string, ColumnKind, (b: KpiBlock) => unknown][] = [
  ['customers', 'int', (b) => b.customers],
  ['new customers', 'int', (b) => b.newCustomers],
  ['returning customers', 'int', (b) => b.returningCustomers],
  ['orders', 'int', (b) => b.orders],
  ['guest orders', 'int', (b) => b.guestOrders],
  ['revenue', 'money', (b) => b.revenue],
  ['AOV', 'money', (b) => b.aov],
  ['orders per customer', 'number', (b) => b.ordersPerCustomer],
  ['repeat purchase rate', 'rate', (b) => b.repeatPurchaseRate],
  ...[0, 1, 2].map((i): [string, ColumnKind, (b: KpiBlock) => unknown] => [`second order within ${[30, 60, 90][i]} days`, 'rate', (b) => b.secondOrderRate[i]?.rate ?? null]),
  ['median days between orders', 'days', (b) => b.timeBetweenOrders.medianDays],
  ['median days to second order', 'days', (b) => b.medianDaysToSecondOrder],
  ['retention rate', 'rate', (b) => b.retentionRate],
  ['churn rate', 'rate', (b) => b.churnRate],
  ['returns rate', 'rate', (b) => b.returnsRate],
  ['orders with a return', 'rate', (b) => b.orderReturnRate],
  ['repeat rate after a returned first order', 'rate', (b) => b.repeatRateAfterReturn],
  ['repeat rate after a kept first order', 'rate', (b) => b.repeatRateWithoutReturn],
];

export function tablesOf(report: Report, result: ReportResult): Table[] {
  switch (report) {
    case 'kpis': {
      const r = result as KpisResult;
      const rangeCol = (key: string, block: KpiBlock): Column => ({ ...col(key, 'number', `${block.from}..${block.to}`), range: { from: block.from, to: block.to } });
      const columns = [col('metric', 'text'), rangeCol('current', r.current)];
      if (r.comparison) columns.push(rangeCol('comparison', r.comparison), col('change', 'change', 'change (rates: points)'));
      const rows = kpiMetrics.map(([name, kind, get]) => {
        const current = get(r.current) as number | null;
        const previous = r.comparison ? (get(r.comparison) as number | null) : null;
        // The dashboard's rule: rates by points (30.1 % → 32.3 % is +2.2 points), the rest relatively, a ramp-up by its figure.
        return { metric: name, kind, current, ...(r.comparison && { comparison: previous, change: kpiChange(current, previous, { rate: kind === 'rate' }) }) };
      });
      const buckets = r.current.timeBetweenOrders.distribution.map((d) => ({ days: d.label, orders: d.orders }));
      return [
        { name: 'kpis', columns, rows },
        { name: 'series', columns: [periodCol('periodStart', r.query.period, 'period'), col('orders'), col('revenue', 'money'), col('customers'), col('newCustomers', 'int', 'new customers'),
          col('repeatPurchaseRate', 'rate', 'repeat purchase rate'), col('retentionRate', 'rate', 'retention rate'), col('churnRate', 'rate', 'churn rate'), col('complete', 'flag')],
        rows: r.series as unknown as Record<string, unknown>[] },
        { name: 'time-between-orders', columns: [col('days', 'text'), col('orders')], rows: buckets },
      ];
    }
    case 'cohorts': {
      const r = result as CohortsReport;
      const period = r.query.period;
      const offsets = Math.max(0, ...r.cohorts.map((c) => c.periods.length));
      const offsetCols = (kind: ColumnKind) => Array.from({ length: offsets }, (_, i) => col(`p${i}`, kind, String(i)));
      const head = [periodCol('cohort', period), ...(r.cohorts.some((c) => c.segment !== undefined) ? [col('segment', 'text')] : []), col('size')];
      const matrix = (name: string, kind: ColumnKind, value: (p: CohortsReport['cohorts'][number]['periods'][number]) => number) => ({
        name, columns: [...head, ...offsetCols(kind)],
        rows: r.cohorts.map((c) => ({ cohort: c.cohort, segment: c.segment ?? null, size: c.size, ...Object.fromEntries(c.periods.map((p) => [`p${p.offset}`, value(p)])) })),
      });
      return [
        matrix('retention', 'rate', (p) => p.retention),
        matrix('customers', 'int', (p) => p.customers),
        matrix('orders', 'int', (p) => p.orders),
        matrix('revenue', 'money', (p) => p.revenue),
        matrix('ltv', 'money', (p) => p.cumulativeRevenuePerCustomer),
        {
          name: 'value',
          columns: [...head, ...r.valueAverage.map((v) => col(`v${v.age}`, 'money', `value at ${period} ${v.age}`))],
          rows: r.cohorts.map((c) => ({ cohort: c.cohort, segment: c.segment ?? null, size: c.size, ...Object.fromEntries(c.valueAt.map((v) => [`v${v.age}`, v.value])) })),
        },
        {
          name: 'best-retention',
          columns: [col('age', 'text', 'age'), col('cohorts', 'int', 'cohorts compared'), periodCol('first', period, 'from'), periodCol('last', period, 'to'),
            col('comparedRetention', 'rate', 'their retention'), periodCol('best', period, 'best cohort'), col('size', 'int', 'its customers'), col('retention', 'rate', 'its retention')],
          rows: [{
            age: `${period} ${r.bestRetention.age}`, cohorts: r.bestRetention.compared.cohorts, first: r.bestRetention.compared.first, last: r.bestRetention.compared.last,
            comparedRetention: r.bestRetention.compared.retention, best: r.bestRetention.best?.cohort ?? null, size: r.bestRetention.best?.size ?? null, retention: r.bestRetention.best?.retention ?? null,
          }],
        },
      ];
    }
    case 'rfm': {
      const r = result as RfmResult;
      const tables: Table[] = [{
        name: 'segments',
        columns: [col('segment', 'text'), col('customers'), col('share', 'rate'), col('revenue', 'money'), col('revenueShare', 'rate', 'revenue share'),
          col('avgRecencyDays', 'days', 'avg recency (days)'), col('avgOrders', 'number', 'avg orders'), col('avgRevenue', 'money', 'avg revenue')],
        rows: r.segments as unknown as Record<string, unknown>[],
      }, { name: 'grid', columns: [col('r'), col('fm'), col('customers')], rows: r.grid }];
      if (r.movement) tables.push({ name: 'movement', columns: [col('from', 'text'), col('to', 'text'), col('customers')], rows: r.movement.map((m) => ({ from: m.from ?? '(new)', to: m.to, customers: m.customers })) });
      return tables;
    }
    case 'products': {
      const r = result as ProductsResult;
      return [{
        name: 'products',
        columns: [col('key', 'text', r.level === 'product' ? 'first product' : 'first category'), col('title', 'text'), col('customers'), col('repeatRate', 'rate', 'repeat rate'),
          col('medianDaysToSecondOrder', 'days', 'median days to 2nd'), col('revenue12mPerCustomer', 'money', '12-month revenue/customer'), col('next', 'text', 'next bought')],
        rows: r.rows.map((row) => ({ ...row, next: row.next.map((n) => `${n.title ?? n.key} (${formatNumber(n.customers)})`).join('; ') })),
      }];
    }
    case 'clv': {
      const r = result as ClvResult;
      return [{
        name: 'clv',
        columns: [col('key', 'text', r.query.by), col('title', 'text'), col('customers'), col('orders'), col('revenue', 'money'), col('revenuePerCustomer', 'money', 'revenue/customer'),
          col('ordersPerCustomer', 'number', 'orders/customer'), col('repeatRate', 'rate', 'repeat rate')],
        rows: r.rows,
      }];
    }
  }
}

/** A cell for CSV: money in major units, numbers unrounded, a change as its number, empty for missing. */
function plain(value: unknown, kind: ColumnKind, currency: string): string {
  if (value === null || value === undefined) return '';
  if (kind === 'change') return String(changeDelta(value as KpiChange) ?? '');
  if (kind === 'money' && typeof value === 'number') return fromMinorUnits(value, currency).toFixed(minorExponent(currency));
  return String(value);
}

/** A cell for a terminal, for people: money with its currency and thousands separators, rates as percentages. */
export function display(value: unknown, kind: ColumnKind, currency: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value !== 'number') return String(value);
  switch (kind) {
    case 'money': return formatMoney(value, currency, 'en-US');
    case 'rate': return formatPercent(value);
    case 'int': case 'number': case 'days': return formatNumber(value);
    default: return String(value);
  }
}

/** A change against the comparison period, in the dashboard's words. */
function displayChange(change: KpiChange, kind: ColumnKind, currency: string): string {
  switch (change.kind) {
    case 'none': return '';
    case 'from-zero': return change.unchanged ? 'unchanged' : `up from ${display(0, kind, currency)}`;
    case 'points': return formatPoints(change.delta);
    case 'relative': return formatRelative(change.delta);
    case 'ramp-up': return `comparison period had ${display(change.previous, kind, currency)}`;
  }
}

/** Rows whose `kind` field overrides the column's (the KPI table mixes kinds in one column). */
const kindOf = (row: Record<string, unknown>, column: Column): ColumnKind =>
  column.kind === 'number' && typeof row.kind === 'string' ? (row.kind as ColumnKind) : column.kind;

export function toCsv(table: Table, currency: string): string {
  const lines = [table.columns.map((c) => csvCell(c.label)).join(',')];
  for (const row of table.rows) lines.push(table.columns.map((c) => csvCell(plain(row[c.key], kindOf(row, c), currency))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Column headings for a terminal: date ranges as days people read. */
export function displayHeaders(table: Table): string[] {
  return table.columns.map((c) => (c.range ? `${formatDay(c.range.from)} – ${formatDay(c.range.to)}` : c.label));
}

export function displayRows(table: Table, currency: string): string[][] {
  return table.rows.map((row) => table.columns.map((c) => {
    const value = row[c.key];
    if (c.kind === 'change') return value ? displayChange(value as KpiChange, typeof row.kind === 'string' ? (row.kind as ColumnKind) : 'number', currency) : '';
    return c.kind === 'period' && c.period && typeof value === 'string' ? periodLabel(c.period, value) : display(value, kindOf(row, c), currency);
  }));
}
