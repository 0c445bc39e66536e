import type { ExitsReport, FunnelsReport, LifecycleReport } from '../api/analytics-types';
import { http } from '../api/client';
import { useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { DateRange, useDateRange } from '../components/date-range';
import { Link, setQueryParam, useLocation } from '../components/router';
import { Async } from '../components/states';
import { DataTable, Field, PageHeader, Panel } from '../components/ui';

const STAGE_LABELS: Record<string, string> = {
  prospect: 'Prospect', new: 'New', active: 'Active', at_risk: 'At risk', lapsed: 'Lapsed', reactivated: 'Reactivated',
};
const stageLabel = (stage: string | null) => (stage === null ? 'New to the store' : STAGE_LABELS[stage] ?? stage);

/** Funnel steps as horizontal bars, each as wide as its share of the first step. */
function FunnelBars({ answer }: { answer: FunnelsReport }) {
  const { fmt } = useApp();
  return (
    <ol className="plain-list funnel" data-testid="funnel-steps">
      {answer.steps.map((step, i) => (
        <li key={step.label} className="funnel-step">
          <div className="row funnel-label">
            <b>{step.label}</b>
            <span className="muted">{fmt.number(step.units)}{i > 0 && ` · ${fmt.percent(step.conversion_from_previous, 1)} of the step before`}</span>
          </div>
          <span className="bar" style={{ width: `${Math.max(0.5, (step.conversion_from_start ?? 0) * 100)}%` }} role="img" aria-label={`${step.label}: ${fmt.percent(step.conversion_from_start, 1)} of the first step`} />
          {step.next.length > 0 && (
            <div className="muted small">
              Of the {fmt.number(step.units - (answer.steps[i + 1]?.units ?? step.units))} who stopped here, next: {step.next.slice(0, 3).map((n) => `${n.label} ${fmt.percent(n.share, 0)}`).join(', ')}
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}

const BREAKDOWNS: Record<string, string> = {
  customer_type: 'First vs returning', channel: 'Acquisition channel', device: 'Device', persona: 'Persona',
};
const BREAKDOWN_VALUES: Record<string, string> = { first: 'First-time', returning: 'Returning' };

/** Entered and converted per value of the chosen breakdown. */
function FunnelBreakdown({ answer }: { answer: FunnelsReport }) {
  const { fmt } = useApp();
  const dimension = BREAKDOWNS[answer.breakdown.dimension] ?? answer.breakdown.dimension;
  return (
    <DataTable
      caption={`Conversion by ${dimension.toLowerCase()}`}
      rows={answer.breakdown.rows}
      rowKey={(r) => r.value}
      columns={[
        { key: 'value', label: dimension, render: (r) => BREAKDOWN_VALUES[r.value] ?? r.value },
        { key: 'entered', label: 'Entered', numeric: true, render: (r) => fmt.number(r.entered), sortValue: (r) => r.entered },
        { key: 'converted', label: 'Converted', numeric: true, render: (r) => fmt.number(r.converted), sortValue: (r) => r.converted },
        { key: 'conversion', label: 'Conversion', numeric: true, render: (r) => fmt.percent(r.conversion, 1), sortValue: (r) => r.conversion },
      ]}
    />
  );
}

export function JourneyPage() {
  const { fmt } = useApp();
  const { params } = useLocation();
  const range = useDateRange();
  const funnel = params.get('funnel') === 'repeat' ? 'repeat' : 'purchase';
  const asked = params.get('breakdown') ?? '';
  // The repeat funnel is about first-time customers: it breaks down by channel only.
  const breakdown = funnel === 'repeat' ? 'channel' : asked in BREAKDOWNS ? asked : 'customer_type';
  const { result: funnels, reload: reloadFunnels } = useApi(`funnels:${funnel}:${breakdown}:${range.from}:${range.to}`,
    () => http.get<FunnelsReport>('/api/v1/analytics/funnels', { funnel, from: range.from, to: range.to, ...(funnel === 'repeat' ? {} : { breakdown }) }));
  const { result: exits, reload: reloadExits } = useApi(`exits:${range.to}`, () => http.get<ExitsReport>('/api/v1/analytics/exits', { to: range.to, min_customers: 5, group: 'url' }));
  const { result: lifecycle, reload: reloadLifecycle } = useApi(`lifecycle:${range.from}:${range.to}`, () => http.get<LifecycleReport>('/api/v1/analytics/lifecycle', { from: range.from, to: range.to }));
  return (
    <div className="page">
      <PageHeader
        title="Journey"
        subtitle={<>Where visitors become customers, what customers saw before they lapsed, and how customers move between stages month to month. The <Link to="/journey-map">journey map</Link> puts the stages in order with what to act on each with.</>}
        actions={(
          <div className="row">
            <Field label="Funnel">
              <select name="funnel" value={funnel} onChange={(e) => setQueryParam('funnel', e.target.value === 'repeat' ? 'repeat' : undefined)}>
                <option value="purchase">Browse → order</option>
                <option value="repeat">First → second order</option>
              </select>
            </Field>
            {funnel === 'purchase' && (
              <Field label="Break down by">
                <select name="breakdown" value={breakdown} onChange={(e) => setQueryParam('breakdown', e.target.value === 'customer_type' ? undefined : e.target.value)}>
                  {Object.entries(BREAKDOWNS).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
                </select>
              </Field>
            )}
            <DateRange range={range} shown={funnels.state === 'ok' ? { from: funnels.data.query.from, to: funnels.data.query.to } : undefined} />
          </div>
        )}
      />
      <div className="stack">
        <Panel testId="journey-funnel" title={funnel === 'repeat' ? 'First order → second order within 90 days' : 'Browse → product → cart → checkout → order'}
          definition={funnel === 'repeat'
            ? 'Customers whose first order is in the range and 90 days old by the last day with orders; how many ordered again within 90 days.'
            : 'Sessions in the range; each bar is the share of sessions that reached the step, in order. Under a step: what those who stopped there did next.'}>
          <Async result={funnels} onRetry={reloadFunnels} isEmpty={(d) => (d.steps[0]?.units ?? 0) === 0} empty="No browsing in this range yet. Send page and track events with the tracking snippet.">
            {(answer) => (
              <>
                <FunnelBars answer={answer} />
                <p className="muted" data-testid="funnel-conversion">
                  Converted {fmt.percent(answer.conversion, 1)}; median time to convert {answer.time_to_convert.median === null ? '—'
                    : answer.time_to_convert.unit === 'days' ? `${fmt.number(answer.time_to_convert.median, { digits: 0 })} days` : `${fmt.number(answer.time_to_convert.median / 60, { digits: 0 })} min`}.
                </p>
                <FunnelBreakdown answer={answer} />
              </>
            )}
          </Async>
        </Panel>
        <Panel testId="journey-exits" title="Pages seen before a lapse"
          definition="For customers whose last order is in the range: the pages in their last two sessions before they lapsed (no order for longer than the store's churn threshold), against those who stayed. Lift: how many times as often those who saw the page lapsed, with its 95 % interval and the customers behind it.">
          <Async result={exits} onRetry={reloadExits} isEmpty={(d) => d.churn.rows.length === 0} empty="Not enough customers with browsing before their last order yet.">
            {(answer) => (
              <DataTable
                caption="Pages seen before a lapse"
                rows={answer.churn.rows.slice(0, 15)}
                rowKey={(r) => r.page}
                columns={[
                  { key: 'page', label: 'Page', render: (r) => r.page },
                  { key: 'customers', label: 'Customers', numeric: true, render: (r) => fmt.number(r.customers), sortValue: (r) => r.customers },
                  { key: 'lapsed', label: 'Lapsed', numeric: true, render: (r) => fmt.percent(r.lapse_rate, 0), sortValue: (r) => r.lapse_rate },
                  { key: 'others', label: 'Others lapsed', numeric: true, render: (r) => fmt.percent(r.other_lapse_rate, 0) },
                  { key: 'lift', label: 'Lift', numeric: true, render: (r) => (r.lift === null ? '—' : `${r.lift.toFixed(2)}×`), sortValue: (r) => r.lift },
                  { key: 'ci', label: '95 % interval', numeric: true, render: (r) => (r.lift_low === null || r.lift_high === null ? '—' : `${r.lift_low.toFixed(2)}–${r.lift_high.toFixed(2)}`) },
                ]}
              />
            )}
          </Async>
        </Panel>
        <Panel testId="journey-lifecycle" title="Movements between stages"
          definition="Customers by their stage at the end of one month and at the end of the next, summed over the range. New: first order in the month; active: ordered recently; at risk: last order more than half the churn threshold ago; lapsed: more than the threshold; reactivated: ordered again after lapsing; prospect: browsing, no order yet.">
          <Async result={lifecycle} onRetry={reloadLifecycle} isEmpty={(d) => d.transitions.length === 0} empty="No customers in this range yet.">
            {(answer) => (
              <DataTable
                caption="Movements between lifecycle stages"
                rows={answer.transitions}
                rowKey={(t) => `${t.from}>${t.to}`}
                columns={[
                  { key: 'from', label: 'From', render: (t) => stageLabel(t.from) },
                  { key: 'to', label: 'To', render: (t) => stageLabel(t.to) },
                  { key: 'customers', label: 'Customers', numeric: true, render: (t) => fmt.number(t.customers), sortValue: (t) => t.customers },
                ]}
              />
            )}
          </Async>
        </Panel>
        <Panel testId="journey-reactivations" title="What preceded the reactivations"
          definition="For each customer who ordered again after lapsing: the offer whose code was on that order; else the campaign or flow of the latest marketing email sent to them in the 30 days before; else nothing recorded. An association, not an effect: some would have come back anyway (Impact measures effects with holdouts).">
          <Async result={lifecycle} onRetry={reloadLifecycle} isEmpty={(d) => d.reactivations.length === 0} empty="No reactivations in this range.">
            {(answer) => (
              <DataTable
                caption="What preceded the reactivations"
                rows={answer.reactivations}
                rowKey={(r) => `${r.by}:${r.source_id ?? ''}`}
                columns={[
                  { key: 'by', label: 'Before it', render: (r) => (r.by === 'none' ? 'Nothing recorded' : `${r.by[0]!.toUpperCase()}${r.by.slice(1)}: ${r.name ?? r.source_id ?? ''}`) },
                  { key: 'customers', label: 'Customers', numeric: true, render: (r) => fmt.number(r.customers), sortValue: (r) => r.customers },
                  { key: 'revenue', label: 'Their orders', numeric: true, render: (r) => fmt.money(r.revenue), sortValue: (r) => r.revenue },
                ]}
              />
            )}
          </Async>
        </Panel>
      </div>
    </div>
  );
}
