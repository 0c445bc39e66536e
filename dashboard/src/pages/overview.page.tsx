import type { KpisAnswer, KpisReport, KpiValue } from '../api/analytics-types';
import { http } from '../api/client';
import { useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { ClvPanels } from '../components/clv-panels';
import type { Formatter } from '../components/format';
import { DateRange, useDateRange } from '../components/date-range';
import { Link } from '../components/router';
import { useExtraKpis } from '../components/extra-kpis';
import { RateTrends } from '../components/rate-trends';
import { Async, Loading } from '../components/states';
import { InfoTip, PageHeader, Panel, Sparkline } from '../components/ui';
import { changeDelta, kpiChange, type KpiChange } from '../../../src/modules/analytics/kpi-change';

export function formatKpi(kpi: Pick<KpiValue, 'unit'>, value: number | null | undefined, fmt: Formatter): string {
  if (kpi.unit === 'money') return fmt.money(value, { compact: true });
  if (kpi.unit === 'ratio') return fmt.percent(value, 1);
  return fmt.number(value, { compact: true });
}

function change(kpi: KpiValue): KpiChange {
  return kpiChange(kpi.value, kpi.previous, { rate: kpi.unit === 'ratio' });
}

function Delta({ kpi, fmt }: { kpi: KpiValue; fmt: Formatter }) {
  const c = change(kpi);
  // A previous value of zero has no percentage change, but it is a previous period.
  if (c.kind === 'from-zero') return <span className="delta flat">{c.unchanged ? 'unchanged' : 'up'} from {formatKpi(kpi, 0, fmt)} in the comparison period</span>;
  if (c.kind === 'none') return <span className="delta flat">no comparison period</span>;
  const good = kpi.lowerIsBetter ? c.delta < 0 : c.delta > 0;
  // Against a small start (a store's ramp-up) a percentage such as +10,543 % says nothing: give the figure instead.
  if (c.kind === 'ramp-up') {
    return (
      <span className={`delta ${good ? 'up' : 'down'}`} data-testid={`kpi-delta-${kpi.key}`}>
        ▲ comparison period had {formatKpi(kpi, c.previous, fmt)}
      </span>
    );
  }
  const delta = c.delta;
  const flat = Math.abs(delta) < 0.0005;
  const arrow = flat ? '→' : delta > 0 ? '▲' : '▼';
  const text = c.kind === 'points' ? `${delta >= 0 ? '+' : ''}${fmt.number(delta * 100, { digits: 1 })} pts` : `${delta >= 0 ? '+' : ''}${fmt.percent(delta, 1)}`;
  return (
    <span className={`delta ${flat ? 'flat' : good ? 'up' : 'down'}`} title={`Comparison period: ${formatKpi(kpi, kpi.previous, fmt)}`} data-testid={`kpi-delta-${kpi.key}`}>
      {arrow} {text} <span className="sr-only">vs comparison period ({formatKpi(kpi, kpi.previous, fmt)})</span>
    </span>
  );
}

function KpiCard({ kpi }: { kpi: KpiValue }) {
  const { fmt } = useApp();
  const series = (kpi.series ?? []).filter((p) => p.value !== null) as { period: string; value: number }[];
  return (
    <div className="kpi" data-testid={`kpi-${kpi.key}`}>
      <div className="kpi-label">
        {kpi.label}
        {kpi.definition && <InfoTip text={kpi.definition} />}
      </div>
      {kpi.loading ? <Loading label="Loading…" /> : (
        <div className="kpi-value" data-testid={`kpi-value-${kpi.key}`}>{formatKpi(kpi, kpi.value, fmt)}</div>
      )}
      {kpi.detail && <div className="kpi-detail muted">{kpi.detail}</div>}
      <div className="kpi-foot">
        {kpi.error ? <span className="delta down" role="alert">Could not load: {kpi.error}</span>
          : kpi.note ? <span className="delta flat" data-testid={`kpi-note-${kpi.key}`}>{kpi.note}</span>
          : !kpi.loading && <Delta kpi={kpi} fmt={fmt} />}
        {series.length > 0 && <Sparkline values={series.map((p) => p.value)} labels={series.map((p) => p.period)} format={(v) => formatKpi(kpi, v, fmt)} />}
      </div>
    </div>
  );
}

/** Churn's definition with the threshold it used and where that came from. */
export function churnDefinition(store: KpisReport['store']): string {
  const source = store.inactivity_source === 'store' ? 'set in Settings'
    : store.inactivity_source === 'derived' ? 'derived from how long this store\'s customers usually take to order again; set your own in Settings'
      : 'the default until there are enough repeat orders to derive it; set your own in Settings';
  return `Share of customers active at the start of the period (an order in the ${store.inactivity_days} days before it) who, counting from their last order, reached ${store.inactivity_days} days without another order before the period ended. `
    + `The threshold, ${store.inactivity_days} days, is ${source}. Churn and retention are not complements: retention counts the previous period's customers who ordered again in this one.`;
}

/** The report's figures as cards, each with its definition and its per-period trend where the report has one. */
export function toKpis(report: KpisReport): KpisAnswer {
  const now = report.current;
  const before = report.comparison;
  const series = (pick: (p: KpisReport['series'][number]) => number) => report.series.map((p) => ({ period: p.period_start, value: pick(p) }));
  // Rates only over complete periods: a period cut by the range has a shorter window.
  const rateSeries = (pick: (p: KpisReport['series'][number]) => number | null) => report.series.filter((p) => p.complete).map((p) => ({ period: p.period_start, value: pick(p) }));
  const kpi = (key: keyof typeof now & string, label: string, unit: KpiValue['unit'], definition: string, extra: Partial<KpiValue> = {}): KpiValue => ({
    key, label, unit, definition, value: (now[key] as number | null) ?? null, previous: before ? ((before[key] as number | null) ?? null) : null, ...extra,
  });
  return {
    range: { from: now.from, to: now.to },
    previous: before ? { from: before.from, to: before.to } : { from: now.from, to: now.from },
    kpis: [
      kpi('customers', 'Customers', 'count', 'Customers with at least one order in the period.', { series: series((p) => p.customers) }),
      kpi('repeat_purchase_rate', 'Repeat purchase rate', 'ratio', 'Share of the period\'s customers who have placed two or more orders by its end.', { series: rateSeries((p) => p.repeat_purchase_rate) }),
      kpi('retention_rate', 'Retention', 'ratio', 'Share of the previous period\'s customers who ordered again in this period.', { series: rateSeries((p) => p.retention_rate) }),
      kpi('returning_customers', 'Returning customers', 'count', 'Customers in the period whose first order was before it.'),
      kpi('revenue', 'Revenue', 'money', 'Order totals in the period, in the store\'s currency.', { series: series((p) => p.revenue) }),
      kpi('churn_rate', `Churn (${report.store.inactivity_days} days)`, 'ratio', churnDefinition(report.store), { lowerIsBetter: true, series: rateSeries((p) => p.churn_rate) }),
    ],
  };
}

/** The largest moves, in words, when the server sends no notes of its own. */
function whatChanged(answer: KpisAnswer, fmt: Formatter): string[] {
  if (answer.notes?.length) return answer.notes;
  return answer.kpis
    .map((kpi) => ({ kpi, delta: changeDelta(change(kpi)) }))
    .filter((x): x is { kpi: KpiValue; delta: number } => x.delta !== undefined && Math.abs(x.delta) >= 0.01)
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta))
    .slice(0, 4)
    .map(({ kpi, delta }) => `${kpi.label} ${delta > 0 ? 'rose' : 'fell'} from ${formatKpi(kpi, kpi.previous, fmt)} to ${formatKpi(kpi, kpi.value, fmt)}${
      (kpi.lowerIsBetter ? delta > 0 : delta < 0) ? ' — worth a look.' : '.'}`);
}

export function OverviewPage() {
  const { fmt, store } = useApp();
  const range = useDateRange();
  const { result, reload } = useApi(`kpis:${range.from}:${range.to}:${range.compare}`, () => http.get<KpisReport>('/api/v1/analytics/kpis', { from: range.from, to: range.to, compare: range.compare })
    .then((report) => ({ report, ...toKpis(report) })));
  const extra = useExtraKpis(result.state === 'ok' ? result.data.report : undefined, fmt);
  return (
    <div className="page">
      <PageHeader
        title="Overview"
        subtitle={<>How retention is going at {store.name}, compared with the period before.</>}
        actions={<DateRange range={range} shown={result.state === 'ok' ? result.data.range : undefined} comparable />}
      />
      <Async result={result} onRetry={reload} isEmpty={(d) => d.kpis.length === 0} empty="No orders yet. Import orders or connect your shop on the Data page, and the figures appear here.">
        {(loaded) => {
          const answer = { ...loaded, kpis: [...loaded.kpis, ...extra] };
          const notes = whatChanged(answer, fmt);
          return (
            <>
              <p className="muted" data-testid="kpi-range">
                {fmt.date(answer.range.from)} – {fmt.date(answer.range.to)}, compared with {fmt.date(answer.previous.from)} – {fmt.date(answer.previous.to)}
              </p>
              <div className="kpis">{answer.kpis.map((kpi) => <KpiCard key={kpi.key} kpi={kpi} />)}</div>
              <RateTrends report={loaded.report} />
              <Panel title="What changed" className="notes-panel">
                {notes.length ? <ul className="notes">{notes.map((note) => <li key={note}>{note}</li>)}</ul> : <p className="muted">Nothing moved by more than 1 % against the comparison period.</p>}
                <p className="muted">
                  Next: see <Link to="/cohorts">which cohorts keep buying</Link>, <Link to="/predictions">who is at risk</Link> and <Link to="/segments">build a segment</Link> to act on it.
                </p>
              </Panel>
            </>
          );
        }}
      </Async>
      <div className="stack" style={{ marginTop: 16 }}>
        <ClvPanels />
      </div>
    </div>
  );
}
