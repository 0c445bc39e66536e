import { useEffect, useMemo, useState } from 'react';
import type { CohortsReport, ReportQuery } from '../api/analytics-types';
import { http } from '../api/client';
import { useApi } from '../api/use-api';
import { periodLabel, periodRangeLabel } from '../../../src/modules/analytics/period-labels';
import { useApp } from '../components/app-context';
import { Chart } from '../components/chart';
import { cohortLabel, heatmapOption, ltvOption, periodNames, type CohortMetric, type CohortRow, type Period } from '../components/cohort-charts';
import type { Formatter } from '../components/format';
import { setQueryParam, useLocation } from '../components/router';
import { Async } from '../components/states';
import { DataTable, Field, PageHeader, Panel, Segmented, type Column } from '../components/ui';

/** A label for every breakdown the server offers (the compiler checks none is missing). */
const breakdownNames: Record<NonNullable<ReportQuery['breakdown']>, string> = {
  channel: 'First channel', country: 'Country', first_category: 'First category', first_product: 'First product', first_discount: 'First order discounted', payment_method: 'First payment method',
};
const breakdowns = [{ value: '', label: 'None' }, ...Object.entries(breakdownNames).map(([value, label]) => ({ value, label }))];

const isMonth = (text: string | null): text is string => text !== null && /^\d{4}-\d{2}$/.test(text);
const lastDayOfMonth = (month: string) => new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).toISOString().slice(0, 10);

/** Phones get shorter labels and charts without numbers in the cells. */
function useNarrow(): boolean {
  const query = '(max-width: 600px)';
  const [narrow, setNarrow] = useState(() => typeof window !== 'undefined' && window.matchMedia(query).matches);
  useEffect(() => {
    const media = window.matchMedia(query);
    const update = () => setNarrow(media.matches);
    media.addEventListener('change', update);
    return () => media.removeEventListener('change', update);
  }, []);
  return narrow;
}

/** The first-order months shown: the server's default (the last 12 full months) or a chosen from … to. */
function CohortRange({ from, to, shown }: { from: string | undefined; to: string | undefined; shown: { from: string; to: string } | undefined }) {
  const custom = from !== undefined || to !== undefined;
  const set = (f: string | undefined, t: string | undefined) => {
    setQueryParam('from', f);
    setQueryParam('to', t);
  };
  const fromValue = from ?? shown?.from.slice(0, 7) ?? '';
  const toValue = to ?? shown?.to.slice(0, 7) ?? '';
  return (
    <div className="row" role="group" aria-label="Cohorts shown">
      <Field label="Cohorts">
        <select name="cohort-range" value={custom ? 'custom' : 'default'} onChange={(e) => (e.target.value === 'default' ? set(undefined, undefined) : set(fromValue || undefined, toValue || undefined))}>
          <option value="default">Last 12 full months</option>
          <option value="custom">Custom</option>
        </select>
      </Field>
      {custom && (
        <>
          <Field label="First order from"><input type="month" name="from" value={fromValue} max={toValue || undefined} onChange={(e) => isMonth(e.target.value) && set(e.target.value, toValue || undefined)} /></Field>
          <Field label="to"><input type="month" name="to" value={toValue} min={fromValue || undefined} onChange={(e) => isMonth(e.target.value) && set(fromValue || undefined, e.target.value)} /></Field>
        </>
      )}
    </div>
  );
}

function BestRetention({ report, fmt }: { report: CohortsReport; fmt: Formatter }) {
  const period = report.query.period;
  const b = report.best_retention;
  const age = `${periodNames[period].toLowerCase()}-${b.age}`;
  const { compared } = b;
  const months = compared.first && compared.last ? periodRangeLabel(period, compared.first, compared.last) : undefined;
  const left = compared.too_small ? ` (${fmt.number(compared.too_small)} with fewer than ${b.min_customers} customers left out)` : '';
  if (!b.best || !months) {
    const old = b.mature.first && b.mature.last ? periodRangeLabel(period, b.mature.first, b.mature.last) : undefined;
    return (
      <p className="notice notice-warn" data-testid="best-cohort">
        No best {age} retention yet: {old ? <>of the {fmt.number(b.mature.cohorts)} {b.mature.cohorts === 1 ? 'cohort' : 'cohorts'} old enough to have a complete {periodNames[period].toLowerCase()} {b.age} ({old}), </> : 'no cohort is old enough to have a complete ' + `${periodNames[period].toLowerCase()} ${b.age}, and `}
        {fmt.number(compared.cohorts)} {compared.cohorts === 1 ? 'has' : 'have'} at least {b.min_customers} customers; {b.min_cohorts} such cohorts are needed to compare.
      </p>
    );
  }
  return (
    <p className="notice" data-testid="best-cohort">
      Best {age} retention among the {fmt.number(compared.cohorts)} cohorts from {months}: <b>{periodLabel(period, b.best.cohort)}</b> — {fmt.percent(b.best.retention, 1)} of its {fmt.number(b.best.size)} customers ordered in {periodNames[period].toLowerCase()} {b.age}, against {fmt.percent(compared.retention, 1)} for all {fmt.number(compared.cohorts)}.{left}
    </p>
  );
}

function ValueAtAges({ report, fmt }: { report: CohortsReport; fmt: Formatter }) {
  const period = report.query.period;
  const name = periodNames[period];
  const ages = report.value_average.map((v) => v.age);
  type Row = { key: string; label: string; customers: number; values: (number | null)[]; average?: boolean };
  const rows: Row[] = [
    ...report.cohorts.map((c: CohortRow) => ({ key: `${c.cohort}:${c.segment ?? ''}`, label: cohortLabel(period, c), customers: c.size, values: c.value_at.map((v) => v.value) })),
    { key: 'all', label: 'All cohorts that old', customers: NaN, values: report.value_average.map((v) => v.value), average: true },
  ];
  const columns: Column<Row>[] = [
    { key: 'cohort', label: 'Cohort', render: (r) => (r.average ? <b>{r.label}</b> : r.label) },
    { key: 'customers', label: 'Customers', numeric: true, render: (r) => (r.average ? '' : fmt.number(r.customers)) },
    ...ages.map((age, i): Column<Row> => ({
      key: `v${age}`, label: `${name} ${age}`, numeric: true,
      title: `Revenue per customer in the first-order ${name.toLowerCase()} and the ${age} after it; — until the cohort is that old`,
      render: (r) => (r.average ? <b>{fmt.money(r.values[i])}</b> : fmt.money(r.values[i])),
    })),
  ];
  return <DataTable columns={columns} rows={rows} rowKey={(r) => r.key} caption="Customer value by cohort at equal ages" />;
}

export function CohortsPage() {
  const { fmt } = useApp();
  const { params } = useLocation();
  const narrow = useNarrow();
  const period = (params.get('period') ?? 'month') as Period;
  const breakdown = params.get('breakdown') ?? '';
  const fromMonth = isMonth(params.get('from')) ? params.get('from')! : undefined;
  const toMonth = isMonth(params.get('to')) ? params.get('to')! : undefined;
  const [metric, setMetric] = useState<CohortMetric>('customers');
  const query = { period, breakdown, from: fromMonth && `${fromMonth}-01`, to: toMonth && lastDayOfMonth(toMonth) };
  const { result, reload } = useApi(`cohorts:${period}:${breakdown}:${fromMonth}:${toMonth}`, () => http.get<CohortsReport>('/api/v1/analytics/cohorts', query));
  const options = useMemo(() => (result.state === 'ok' && result.data.cohorts.length
    ? { heat: heatmapOption(result.data, metric, fmt, narrow), ltv: ltvOption(result.data, fmt, narrow) } : undefined), [result, metric, fmt, narrow]);
  const rows = result.state === 'ok' ? result.data.cohorts.length : 0;
  const shown = result.state === 'ok' ? { from: result.data.query.from, to: result.data.query.to } : undefined;
  const name = periodNames[period].toLowerCase();
  return (
    <div className="page">
      <PageHeader
        title="Cohorts"
        subtitle="Customers grouped by when they first ordered: how many come back, and what they are worth over time."
        actions={
          <>
            <CohortRange from={fromMonth} to={toMonth} shown={shown} />
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
        {result.state === 'ok' && result.data.cohorts.length > 0 && <BestRetention report={result.data} fmt={fmt} />}
        <Panel
          title="Retention heatmap"
          definition="Each row is a cohort (customers by the period of their first order); each column the periods since. Customers %: share of the cohort who ordered in that period. Revenue: what the cohort spent then. Cumulative LTV: revenue per customer up to that period. The last column of each row may still be running."
          actions={<Segmented label="Heatmap measure" value={metric} onChange={setMetric} options={[{ value: 'customers', label: 'Customers %' }, { value: 'revenue', label: 'Revenue' }, { value: 'ltv', label: 'Cumulative LTV' }]} />}
        >
          <Async result={result} onRetry={reload} height={360} isEmpty={(d) => d.cohorts.length === 0} empty="No cohorts in these months: they appear once customers have placed orders. Import orders on the Data page, or choose other months.">
            {() => options && <Chart option={options.heat} label={`Cohort heatmap of ${metric}`} height={Math.max(320, (narrow ? 130 : 120) + rows * 24)} />}
          </Async>
        </Panel>
        <Panel
          title="Customer value by cohort"
          testId="cohort-value"
          definition={`Revenue per customer (net of returns) from the first order's ${name} through the ${name} shown, so every cohort is compared at the same age. A cohort too young to have finished that ${name} shows —. The last row: all cohorts that old together.`}
        >
          <Async result={result} onRetry={reload} height={200} isEmpty={(d) => d.cohorts.length === 0} empty="No cohorts yet.">
            {(data) => <ValueAtAges report={data} fmt={fmt} />}
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
