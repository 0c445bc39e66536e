/**
 * The journey map: the lifecycle stages in order, each with how many customers are in it, what
 * they see and do there (pages, touchpoints, what preceded a reactivation), where they go the
 * month after, the main drop-off on the way to the next stage, and the flows and segments that act
 * on it — installed from the library or opened in one click. It reads the journey reports
 * (funnels, exits, lifecycle), the ready flows, the store's flows and its segments; it computes
 * nothing the reports do not already give.
 */
import type { ReactNode } from 'react';
import type { ExitsReport, FunnelsReport, LifecycleReport } from '../api/analytics-types';
import { http } from '../api/client';
import type { FlowSummary, ReadyFlow } from '../api/flow-types';
import type { Segment } from '../api/segment-types';
import { useApi, type Loadable } from '../api/use-api';
import { useApp } from '../components/app-context';
import { DateRange, useDateRange } from '../components/date-range';
import type { Formatter } from '../components/format';
import { ReadyFlowAction } from '../components/ready-flows';
import { Link } from '../components/router';
import { Async } from '../components/states';
import { PageHeader } from '../components/ui';

type Stage = LifecycleReport['transitions'][number]['to'];
type Transition = LifecycleReport['transitions'][number];

const STAGES: readonly { stage: Stage; title: string; meaning: string; flows: string[]; segments: string[]; links?: { to: string; label: string }[] }[] = [
  {
    stage: 'prospect', title: 'Prospect', meaning: 'Browsing, no order yet.',
    flows: ['browse_abandonment', 'abandoned_checkout', 'welcome_series'], segments: [],
  },
  {
    stage: 'new', title: 'New', meaning: 'First order in the month.',
    flows: ['post_purchase', 'review_request'], segments: ['new_customers', 'one_time_buyers'],
  },
  {
    stage: 'active', title: 'Active', meaning: 'Ordered recently (within half the churn threshold).',
    flows: ['replenishment', 'vip_welcome', 'points_expiring'], segments: ['repeat_buyers', 'vip'], links: [{ to: '/loyalty', label: 'Loyalty programme' }],
  },
  {
    stage: 'at_risk', title: 'At risk', meaning: 'Last order between half the churn threshold and the threshold ago.',
    flows: ['win_back'], segments: ['at_risk', 'big_spenders_recent_return'],
  },
  {
    stage: 'lapsed', title: 'Lapsed', meaning: 'No order for longer than the churn threshold.',
    flows: ['win_back'], segments: ['lost'], links: [{ to: '/offers', label: 'Offers' }],
  },
  {
    stage: 'reactivated', title: 'Reactivated', meaning: 'Ordered again after lapsing.',
    flows: ['nps_after_second_delivery'], segments: ['repeat_buyers'], links: [{ to: '/impact', label: 'What each programme caused' }],
  },
];
const TITLES: Record<string, string> = Object.fromEntries(STAGES.map((s) => [s.stage, s.title]));
/** Moving to these from another stage is a drop-off; staying in them is too. */
const SLIPPING = new Set<Stage>(['at_risk', 'lapsed']);

/** Where customers in a stage at the end of one month were at the end of the next, summed over the range. */
export function nextStages(transitions: readonly Transition[], stage: Stage): { to: Stage; customers: number; share: number }[] {
  const from = transitions.filter((t) => t.from === stage);
  const total = from.reduce((sum, t) => sum + t.customers, 0);
  return from.map((t) => ({ to: t.to, customers: t.customers, share: total === 0 ? 0 : t.customers / total })).sort((a, b) => b.customers - a.customers);
}

/** The funnel step that lost the most, with what those who stopped before it did next. */
function biggestDrop(funnel: FunnelsReport): { from: string; to: string; lost: number; share: number | null; next: string[] } | null {
  let at = -1;
  funnel.steps.forEach((step, i) => {
    if (i > 0 && step.drop_off > 0 && (at < 0 || step.drop_off > funnel.steps[at]!.drop_off)) at = i;
  });
  if (at < 0) return null;
  const before = funnel.steps[at - 1]!;
  return {
    from: before.label, to: funnel.steps[at]!.label, lost: funnel.steps[at]!.drop_off,
    share: before.units === 0 ? null : funnel.steps[at]!.drop_off / before.units,
    next: before.next.filter((n) => n.label !== '(left)').slice(0, 2).map((n) => n.label),
  };
}

type Comparison = ExitsReport['churn']['rows'][number];
/** Clearly over-represented among those who lapsed: the whole 95 % interval of the lift above 1. */
const clearlyAbove = (row: Pick<Comparison, 'lift_low'>) => row.lift_low !== null && row.lift_low > 1;
const liftWords = (fmt: Formatter, row: Pick<Comparison, 'lift' | 'lift_low' | 'lift_high' | 'customers'>) =>
  `lapsed ${row.lift!.toFixed(1)}× as often (95 % CI ${row.lift_low!.toFixed(1)}–${row.lift_high!.toFixed(1)}, n = ${fmt.number(row.customers)})`;

function Facts({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="map-facts">
      <h4 className="panel-subtitle">{title}</h4>
      {children}
    </div>
  );
}

function Pending<T>({ result, children }: { result: Loadable<T>; children: (data: T) => ReactNode }) {
  if (result.state === 'loading') return <p className="muted small state-loading" role="status">Loading…</p>;
  if (result.state === 'error') return <p className="muted small">Not available: {result.error.message}</p>;
  return <>{children(result.data)}</>;
}

/** What the stage's customers see and do: pages, touchpoints, the figures that define its drop-off. */
function StageFacts({ stage, funnels, repeat, exits, lifecycle }: {
  stage: Stage; funnels: Loadable<FunnelsReport>; repeat: Loadable<FunnelsReport>; exits: Loadable<ExitsReport>; lifecycle: LifecycleReport;
}) {
  const { fmt } = useApp();
  switch (stage) {
    case 'prospect':
      return (
        <Facts title="Where visits without a purchase end">
          <Pending result={exits}>
            {(e) => (e.exit_pages.rows.length === 0 ? <p className="muted small">No browsing recorded yet.</p> : (
              <ul className="plain-list small">
                {e.exit_pages.rows.filter((r) => r.exits > 0).slice(0, 3).map((r) => <li key={r.page}><b>{r.page}</b> — {fmt.percent(r.exit_rate, 0)} of its visits end there</li>)}
              </ul>
            ))}
          </Pending>
          <Pending result={funnels}>
            {(f) => <p className="small">Browse → order: <b>{fmt.percent(f.conversion, 1)}</b> of {fmt.number(f.steps[0]?.units ?? 0)} sessions.</p>}
          </Pending>
        </Facts>
      );
    case 'new':
      return (
        <Facts title="After the first order">
          <Pending result={repeat}>
            {(f) => (
              <p className="small">
                <b>{fmt.percent(f.conversion, 0)}</b> of {fmt.number(f.steps[0]?.units ?? 0)} first-time customers ordered again within 90 days
                {f.time_to_convert.median !== null && <>; the median second order came after {fmt.number(f.time_to_convert.median, { digits: 0 })} days</>}.
              </p>
            )}
          </Pending>
        </Facts>
      );
    case 'active': {
      const last = lifecycle.months.at(-1);
      const revenue = last?.stages.reduce((sum, s) => sum + s.revenue, 0) ?? 0;
      const active = last?.stages.find((s) => s.stage === 'active')?.revenue ?? 0;
      return (
        <Facts title="Their share of the month">
          <p className="small">{revenue === 0 ? 'No orders in the last month.' : <><b>{fmt.percent(active / revenue, 0)}</b> of the last month's order revenue ({fmt.money(active)}).</>}</p>
        </Facts>
      );
    }
    case 'at_risk':
      return (
        <Facts title="Pages seen before a lapse">
          <Pending result={exits}>
            {(e) => {
              const rows = e.churn.rows.filter(clearlyAbove).slice(0, 3);
              return rows.length === 0 ? <p className="muted small">No page stands out among those who lapsed.</p> : (
                <ul className="plain-list small" data-testid="map-lapse-pages">
                  {rows.map((r) => <li key={r.page}>Read <b>{r.page}</b>: {liftWords(fmt, r)}</li>)}
                </ul>
              );
            }}
          </Pending>
        </Facts>
      );
    case 'lapsed':
      return (
        <Facts title={`Touchpoints before a lapse`}>
          <Pending result={exits}>
            {(e) => {
              const rows = e.touchpoints.rows.filter(clearlyAbove);
              return rows.length === 0 ? <p className="muted small">No review, return, late delivery or ticket stands out before a lapse.</p> : (
                <ul className="plain-list small" data-testid="map-touchpoints">
                  {rows.map((r) => <li key={r.touchpoint}>After <b>{r.touchpoint}</b> (within {e.touchpoints.days} days): {liftWords(fmt, r)}</li>)}
                </ul>
              );
            }}
          </Pending>
        </Facts>
      );
    case 'reactivated': {
      const rows = lifecycle.reactivations.slice(0, 3);
      return (
        <Facts title="What preceded the reactivation">
          {rows.length === 0 ? <p className="muted small">No reactivations in this range.</p> : (
            <ul className="plain-list small">
              {rows.map((r) => (
                <li key={`${r.by}:${r.source_id ?? ''}`}>
                  {r.by === 'none' ? 'Nothing recorded' : `${r.by[0]!.toUpperCase()}${r.by.slice(1)}: ${r.name ?? r.source_id ?? ''}`} — {fmt.number(r.customers)} customers, {fmt.money(r.revenue)}
                </li>
              ))}
            </ul>
          )}
        </Facts>
      );
    }
    default:
      return null;
  }
}

function Levers({ spec, library, flows, segments }: { spec: (typeof STAGES)[number]; library: ReadyFlow[]; flows: FlowSummary[]; segments: Segment[] }) {
  const { fmt } = useApp();
  const ready = spec.flows.map((key) => library.find((f) => f.key === key)).filter((f): f is ReadyFlow => f !== undefined);
  const chosen = spec.segments.map((key) => segments.find((s) => s.builtin_key === key)).filter((s): s is Segment => s !== undefined);
  return (
    <div className="map-facts">
      <h4 className="panel-subtitle">Act on it</h4>
      <ul className="plain-list small map-levers">
        {ready.map((f) => (
          <li key={f.key}>
            {f.installed_flow_id === null && <span title={f.summary}>{f.name} </span>}<ReadyFlowAction ready={f} flows={flows} />
          </li>
        ))}
        {chosen.map((s) => (
          <li key={s.id}>
            Segment <Link to={`/segments?segment=${encodeURIComponent(s.id)}`}>{s.name}</Link> ({fmt.number(s.member_count)})
            {' · '}<Link to={`/campaigns?segment=${encodeURIComponent(s.id)}`} aria-label={`Send a campaign to ${s.name}`}>send a campaign</Link>
          </li>
        ))}
        {spec.links?.map((l) => <li key={l.to}><Link to={l.to}>{l.label}</Link></li>)}
      </ul>
    </div>
  );
}

/** The drop-off between one stage and the next, shown between their cards. */
function Connector({ children }: { children: ReactNode }) {
  return <div className="map-connector" role="note"><span aria-hidden="true">↓</span> {children}</div>;
}

export function JourneyMapPage() {
  const { fmt } = useApp();
  const range = useDateRange();
  const lifecycle = useApi(`lifecycle:${range.from}:${range.to}`, () => http.get<LifecycleReport>('/api/v1/analytics/lifecycle', { from: range.from, to: range.to }));
  const funnels = useApi(`funnels:purchase:${range.from}:${range.to}`, () => http.get<FunnelsReport>('/api/v1/analytics/funnels', { funnel: 'purchase', from: range.from, to: range.to }));
  const repeat = useApi(`funnels:repeat:${range.from}:${range.to}`, () => http.get<FunnelsReport>('/api/v1/analytics/funnels', { funnel: 'repeat', from: range.from, to: range.to }));
  const exits = useApi(`exits:map:${range.to}`, () => http.get<ExitsReport>('/api/v1/analytics/exits', { to: range.to, min_customers: 20, group: 'url' }));
  const library = useApi('flows:library', () => http.get<{ data: ReadyFlow[] }>('/api/v1/flows/library'));
  const flows = useApi('flows', () => http.get<{ data: FlowSummary[] }>('/api/v1/flows'));
  const segments = useApi('segments', () => http.get<{ data: Segment[] }>('/api/v1/segments'));
  const levers = library.result.state === 'ok' && flows.result.state === 'ok' && segments.result.state === 'ok'
    ? { library: library.result.data.data, flows: flows.result.data.data, segments: segments.result.data.data } : null;
  const leverError = [library.result, flows.result, segments.result].find((r) => r.state === 'error')?.error;

  return (
    <div className="page">
      <PageHeader
        title="Journey map"
        subtitle={<>The stages a customer goes through, what they see in each, where they drop off, and what to act on it with. The figures come from the <Link to="/journey">Journey</Link> reports.</>}
        actions={<DateRange range={range} shown={lifecycle.result.state === 'ok' ? { from: lifecycle.result.data.query.from, to: lifecycle.result.data.query.to } : undefined} />}
      />
      <Async result={lifecycle.result} onRetry={lifecycle.reload} isEmpty={(d) => d.months.length === 0} empty="No customers in this range yet.">
        {(answer) => {
          const last = answer.months.at(-1);
          const count = (stage: Stage) => last?.stages.find((s) => s.stage === stage)?.customers ?? 0;
          const share = (from: Stage, to: Stage) => nextStages(answer.transitions, from).find((n) => n.to === to)?.share ?? 0;
          const connectors: Partial<Record<Stage, ReactNode>> = {
            prospect: (
              <Pending result={funnels.result}>
                {(f) => {
                  const drop = biggestDrop(f);
                  return drop === null ? <>No funnel drop-off recorded yet.</> : (
                    <>Main drop-off on the way to a first order: <b>{drop.from} → {drop.to}</b>, {fmt.number(drop.lost)} sessions ({fmt.percent(drop.share, 0)}) stopped there
                      {drop.next.length > 0 && <>; next they went to {drop.next.join(', ')}</>}.</>
                  );
                }}
              </Pending>
            ),
            new: (
              <Pending result={repeat.result}>
                {(f) => <>Main drop-off: <b>{fmt.percent(f.conversion === null ? null : 1 - f.conversion, 0)}</b> of first-time customers did not order again within 90 days.</>}
              </Pending>
            ),
            active: <>Each month <b>{fmt.percent(share('active', 'at_risk'), 0)}</b> of active customers slipped to at risk.</>,
            at_risk: <><b>{fmt.percent(share('at_risk', 'lapsed'), 0)}</b> of those at risk lapsed the month after; {fmt.percent(share('at_risk', 'active') + share('at_risk', 'reactivated'), 0)} ordered again.</>,
            lapsed: <><b>{fmt.percent(share('lapsed', 'reactivated'), 1)}</b> of lapsed customers came back each month.</>,
          };
          return (
            <ol className="plain-list journey-map" data-testid="journey-map">
              {STAGES.map((spec) => {
                const next = nextStages(answer.transitions, spec.stage);
                const revenue = last?.stages.find((s) => s.stage === spec.stage)?.revenue ?? 0;
                return (
                  <li key={spec.stage} className="map-stage-item">
                    <section className="panel map-stage" data-stage={spec.stage} aria-labelledby={`stage-${spec.stage}`}>
                      <div className="map-stage-head">
                        <h3 id={`stage-${spec.stage}`}>{spec.title}</h3>
                        <span className="map-count" data-testid={`stage-count-${spec.stage}`}>{fmt.number(count(spec.stage))}</span>
                        <span className="muted small">customers on {fmt.date(answer.query.to)}{revenue > 0 && last && <> · {fmt.money(revenue)} in orders since {fmt.date(last.month)}</>}</span>
                      </div>
                      <p className="muted small map-meaning">{spec.meaning}</p>
                      <div className="map-columns">
                        <StageFacts stage={spec.stage} funnels={funnels.result} repeat={repeat.result} exits={exits.result} lifecycle={answer} />
                        <div className="map-facts">
                          <h4 className="panel-subtitle">The month after</h4>
                          {next.length === 0 ? <p className="muted small">No movements recorded.</p> : (
                            <ul className="plain-list small" data-testid={`stage-next-${spec.stage}`}>
                              {next.slice(0, 4).map((n) => (
                                <li key={n.to} className={SLIPPING.has(n.to) ? 'map-slipping' : undefined}>
                                  {n.to === spec.stage ? 'stayed' : `→ ${TITLES[n.to] ?? n.to}`}: {fmt.percent(n.share, 0)} ({fmt.number(n.customers)})
                                </li>
                              ))}
                            </ul>
                          )}
                        </div>
                        {levers ? <Levers spec={spec} {...levers} /> : <Facts title="Act on it">{leverError ? <p className="muted small">Not available: {leverError.message}</p> : <p className="muted small state-loading" role="status">Loading…</p>}</Facts>}
                      </div>
                    </section>
                    {connectors[spec.stage] && <Connector>{connectors[spec.stage]}</Connector>}
                  </li>
                );
              })}
            </ol>
          );
        }}
      </Async>
    </div>
  );
}
