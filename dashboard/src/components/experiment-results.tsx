/**
 * What an experiment changed, against its holdout: for the chosen window after each person became
 * eligible, each outcome's difference with its 95 % interval, the relative lift, CUPED's tighter
 * estimate, and a verdict that says "too early to tell" — with the reason — while the interval
 * includes zero.
 */
import { useState } from 'react';
import { http } from '../api/client';
import type { ExperimentResults, ExperimentSummary, MetricResult, Verdict } from '../api/experiment-types';
import { useApi } from '../api/use-api';
import { useApp } from './app-context';
import type { Formatter } from './format';
import { Link } from './router';
import { Async, Empty } from './states';
import { DataTable, Segmented } from './ui';

export const metricNames: Record<string, string> = {
  conversion: 'Bought in the window', orders_per_person: 'Orders per person', net_revenue_per_person: 'Net revenue per person', retention: 'Ordered again', unsubscribes: 'Unsubscribed',
};

export const verdictBadge: Record<Verdict, { label: string; className: string }> = {
  increase: { label: 'Increase', className: 'badge good' },
  decrease: { label: 'Decrease', className: 'badge warn' },
  too_early: { label: 'Too early to tell', className: 'badge' },
};

export const armNames: Record<string, string> = { sent: 'Sent', holdout: 'Held out', entered: 'In the flow', marketed: 'Marketed to' };
export const armName = (key: string) => armNames[key] ?? (/^[A-Z]$/.test(key) ? `Variant ${key}` : key.replace(/^branch /, 'Branch '));

/** A value of an outcome as people read it: shares in %, differences of shares in points, revenue in money. */
export function outcomeText(fmt: Formatter, m: Pick<MetricResult, 'metric' | 'kind'>, value: number, difference = false): string {
  if (m.kind === 'proportion') return difference ? `${value > 0 ? '+' : ''}${fmt.number(value * 100, { digits: 2 })} pts` : fmt.percent(value, 1);
  if (m.metric === 'net_revenue_per_person') return `${difference && value > 0 ? '+' : ''}${fmt.money(Math.round(value))}`;
  return `${difference && value > 0 ? '+' : ''}${fmt.number(value, { digits: 3 })}`;
}

function MetricTable({ metrics }: { metrics: MetricResult[] }) {
  const { fmt } = useApp();
  return (
    <DataTable
      caption="Outcomes against the holdout"
      rows={metrics}
      rowKey={(m) => m.metric}
      columns={[
        { key: 'metric', label: 'Outcome', render: (m) => metricNames[m.metric] ?? m.metric },
        { key: 'treated', label: 'Treated', numeric: true, render: (m) => outcomeText(fmt, m, m.treated_mean) },
        { key: 'control', label: 'Holdout', numeric: true, render: (m) => outcomeText(fmt, m, m.control_mean) },
        {
          key: 'difference', label: 'Difference (95 % interval)', numeric: true,
          render: (m) => {
            const best = m.cuped ?? m;
            return <span title={m.cuped ? `CUPED-adjusted; unadjusted ${outcomeText(fmt, m, m.difference, true)}` : undefined}>
              {outcomeText(fmt, m, best.difference, true)} <span className="muted">({outcomeText(fmt, m, best.interval.low, true)} to {outcomeText(fmt, m, best.interval.high, true)})</span>
            </span>;
          },
        },
        { key: 'lift', label: 'Relative', numeric: true, render: (m) => (m.relative_lift === null ? '—' : `${m.relative_lift > 0 ? '+' : ''}${fmt.percent(m.relative_lift, 0)}`) },
        { key: 'cuped', label: 'Variance removed', numeric: true, render: (m) => (m.cuped ? fmt.percent(m.cuped.variance_reduction, 0) : '—') },
        { key: 'verdict', label: 'Verdict', render: (m) => <span className={verdictBadge[m.verdict].className} title={m.reason}>{verdictBadge[m.verdict].label}</span> },
      ]}
    />
  );
}

export function ExperimentDetail({ id }: { id: string }) {
  const { fmt } = useApp();
  const [days, setDays] = useState<'7' | '30' | '90'>('30');
  const { result, reload } = useApi(`experiment:${id}`, () => http.get<ExperimentResults>(`/api/v1/experiments/${encodeURIComponent(id)}`));
  return (
    <Async result={result} onRetry={reload}>
      {(r) => {
        const window = r.windows.find((w) => String(w.days) === days) ?? r.windows[0];
        if (!window) return <Empty>No outcomes yet.</Empty>;
        const headline = window.comparisons[0]?.metrics.find((m) => m.metric === 'conversion');
        return (
          <div className="stack" data-testid="experiment-detail">
            <div className="row">
              <Segmented label="Window" value={days} onChange={setDays} options={[{ value: '7', label: '7 days' }, { value: '30', label: '30 days' }, { value: '90', label: '90 days' }]} />
              <span className="muted">
                {r.arms.map((a) => `${armName(a.key)}: ${fmt.number(a.people)}`).join(' · ')}
                {window.still_open > 0 && ` · ${fmt.number(window.still_open)} still inside their ${window.days}-day window (not counted yet)`}
              </span>
            </div>
            {headline && <p data-testid="experiment-verdict"><span className={verdictBadge[headline.verdict].className}>{verdictBadge[headline.verdict].label}</span> {headline.reason}</p>}
            {window.comparisons.map((c) => (
              <div key={c.arm} className="stack">
                {window.comparisons.length > 1 && <h3>{armName(c.arm)} against {armName(r.control_arm)}</h3>}
                <MetricTable metrics={c.metrics} />
              </div>
            ))}
            <p className="muted">
              Each person counts from the day they became eligible, in the group the draw gave them, whether or not a message reached them.
              Intervals are CUPED-adjusted for each person's orders and revenue in the year before; <Link to="/impact">all programmes on the Impact page</Link>.
            </p>
          </div>
        );
      }}
    </Async>
  );
}

const list = (query: string) => http.get<{ data: ExperimentSummary[] }>(`/api/v1/experiments?${query}`).then((r) => r.data);

/** The experiments recorded for one campaign (and its A/B test) or flow (and each of its splits). */
export function ExperimentResultsFor({ kind, sourceId, includeSplits = false }: { kind: 'campaign' | 'flow'; sourceId: string; includeSplits?: boolean }) {
  const { result, reload } = useApi(`experiments:${kind}:${sourceId}`, async () => {
    const own = await list(new URLSearchParams({ kind, source_id: sourceId }).toString());
    const related = kind === 'campaign' ? 'ab_test' : includeSplits ? 'flow_split' : null;
    // A split's or a test's source names its flow or campaign first.
    const more = related ? (await list(new URLSearchParams({ kind: related }).toString())).filter((e) => e.source_id === sourceId || e.source_id.startsWith(`${sourceId}:`)) : [];
    return [...own, ...more];
  });
  return (
    <Async result={result} onRetry={reload}>
      {(data) => (data.length === 0
        ? <p className="muted">No measured experiment yet: it appears once people become eligible.</p>
        : <div className="stack">{data.map((e) => (
          <section key={e.id} className="stack" aria-label={e.name}>
            {data.length > 1 && <h3>{e.kind === 'flow_split' ? `Split: ${e.name}` : e.kind === 'ab_test' ? `A/B test: ${e.name}` : e.name}</h3>}
            <ExperimentDetail id={e.id} />
          </section>
        ))}</div>)}
    </Async>
  );
}
