/**
 * Impact: what every programme — each campaign, each flow, the store-wide holdout — added over its
 * holdout, in orders and net revenue, with 95 % intervals, and the total; a calculator of how long
 * an experiment must run to see a lift of a given size.
 */
import { useState, type FormEvent } from 'react';
import { http } from '../api/client';
import type { Impact, ImpactProgramme, Incremental, PowerPlan } from '../api/experiment-types';
import { useAction, useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { ExperimentDetail, verdictBadge } from '../components/experiment-results';
import { DateRange, useDateRange } from '../components/date-range';
import { setQueryParam, useLocation } from '../components/router';
import { Async, Empty } from '../components/states';
import { DataTable, Field, PageHeader, Panel, Segmented } from '../components/ui';

const kindNames: Record<string, string> = { campaign: 'Campaign', flow: 'Flow', global: 'Store-wide holdout', offer: 'Offer' };

function Figure({ value, render }: { value: Incremental; render: (v: number) => string }) {
  return <span>{render(value.value)} <span className="muted">({render(value.low)} to {render(value.high)})</span></span>;
}

function PowerCalculator() {
  const { fmt } = useApp();
  const [form, setForm] = useState({ baseline: '5', effect: '1', holdout: '10', perDay: '50', window: '30' });
  const [plan, setPlan] = useState<PowerPlan | undefined>();
  const calculate = useAction(() => http.post<PowerPlan>('/api/v1/experiments/power', {
    kind: 'proportion', baseline_mean: Number(form.baseline) / 100, minimum_effect: Number(form.effect) / 100,
    holdout_share: Number(form.holdout) / 100, eligible_per_day: Number(form.perDay), window_days: Number(form.window),
  }));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPlan(await calculate.run());
  };
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  return (
    <Panel title="How long must it run?" testId="power-calculator" definition="Before launching: the people an experiment needs to see a difference of the given size 80 % of the time with a 95 % interval, and so the days it takes at the rate people become eligible, plus the last person's window.">
      <form className="stack" onSubmit={submit}>
        <div className="row">
          <Field label="Share who buy now (%)"><input type="number" min={0.1} max={99} step={0.1} value={form.baseline} onChange={set('baseline')} /></Field>
          <Field label="Lift to detect (points)"><input type="number" min={0.1} max={50} step={0.1} value={form.effect} onChange={set('effect')} /></Field>
          <Field label="Holdout (%)"><input type="number" min={1} max={50} step={1} value={form.holdout} onChange={set('holdout')} /></Field>
          <Field label="Eligible per day"><input type="number" min={1} step={1} value={form.perDay} onChange={set('perDay')} /></Field>
          <Field label="Window (days)"><input type="number" min={1} max={365} step={1} value={form.window} onChange={set('window')} /></Field>
        </div>
        <div><button type="submit" className="primary" disabled={calculate.pending}>Calculate</button></div>
        {calculate.error && <p className="form-error" role="alert">{calculate.error.describe()}</p>}
        {plan && (
          <p data-testid="power-plan" role="status">
            <strong>{fmt.number(plan.days_to_result)} days</strong> to a result: {fmt.number(plan.people_needed)} people ({fmt.number(plan.holdout_needed)} held out), {fmt.number(plan.days_to_enrol)} days of enrolment. <span className="muted">{plan.reason}</span>
          </p>
        )}
      </form>
    </Panel>
  );
}

interface GlobalHoldout { share: number; since: string | null; experiment_id: string | null }

function GlobalHoldoutPanel() {
  const { fmt, canWrite } = useApp();
  const { result, reload } = useApi('global-holdout', () => http.get<GlobalHoldout>('/api/v1/experiments/global-holdout'));
  const [percent, setPercent] = useState<string | undefined>();
  const save = useAction((share: number) => http.put<GlobalHoldout>('/api/v1/experiments/global-holdout', { share }));
  return (
    <Panel title="Store-wide holdout" testId="global-holdout" definition="A share of all customers who receive no marketing message at all — no campaign, no flow email, on any channel; order and account mail still goes. Comparing everyone else with them measures the whole programme. Changing the share starts a new measured period.">
      <Async result={result} onRetry={reload}>
        {(g) => (
          <form
            className="row"
            onSubmit={async (event) => {
              event.preventDefault();
              if (await save.run(Number(percent ?? g.share * 100) / 100)) {
                setPercent(undefined);
                reload();
              }
            }}
          >
            <p data-testid="global-holdout-state">
              {g.share > 0 ? <>On: <strong>{fmt.percent(g.share, 0)}</strong> of customers held out since {fmt.date(g.since)}.</> : 'Off: every customer can receive marketing.'}
            </p>
            {canWrite && (
              <>
                <Field label="Held out (%)" hint="0 turns it off; at most 20"><input type="number" min={0} max={20} step={1} value={percent ?? String(Math.round(g.share * 100))} onChange={(e) => setPercent(e.target.value)} /></Field>
                <button type="submit" className="secondary" disabled={save.pending || percent === undefined}>Save</button>
              </>
            )}
            {save.error && <p className="form-error" role="alert">{save.error.describe()}</p>}
          </form>
        )}
      </Async>
    </Panel>
  );
}

export function ImpactPage() {
  const { fmt } = useApp();
  const range = useDateRange();
  const { params } = useLocation();
  const window = (params.get('window') ?? '30') as '7' | '30' | '90';
  const chosen = params.get('experiment');
  const query = new URLSearchParams({ window, ...(range.from && { from: range.from }), ...(range.to && { to: range.to }) });
  const { result, reload } = useApi(`impact:${query.toString()}`, () => http.get<Impact>(`/api/v1/experiments/impact?${query.toString()}`));
  const orders = (v: number) => `${v > 0 ? '+' : ''}${fmt.number(Math.round(v))}`;
  const money = (v: number) => `${v > 0 ? '+' : ''}${fmt.money(Math.round(v))}`;
  return (
    <div className="page">
      <PageHeader title="Impact" subtitle="What each campaign and flow really changed: orders and revenue over what its holdout did without it — not the orders it was merely near." />
      <div className="row">
        <DateRange range={range} shown={result.state === 'ok' ? { from: result.data.from, to: result.data.to } : undefined} />
        <Segmented label="Window after eligibility" value={window} onChange={(v) => setQueryParam('window', v === '30' ? undefined : v)} options={[{ value: '7', label: '7 days' }, { value: '30', label: '30 days' }, { value: '90', label: '90 days' }]} />
      </div>
      <Async result={result} onRetry={reload}>
        {(impact) => (
          <>
            <Panel title="Total" testId="impact-total" definition="The sum over the programmes below. Each programme's figure is its difference from its own holdout times the people it treated; the total's interval adds their variances, which is approximate when programmes reach the same customers.">
              {impact.programmes.length === 0 ? <Empty>No programme with a holdout had people become eligible in this period.</Empty> : (
                <div className="kpis">
                  <div className="kpi"><div className="kpi-label">Extra orders</div><div className="kpi-value" data-testid="impact-orders">{orders(impact.total.incremental_orders.value)}</div><div className="muted">95 %: {orders(impact.total.incremental_orders.low)} to {orders(impact.total.incremental_orders.high)}</div></div>
                  <div className="kpi"><div className="kpi-label">Extra net revenue</div><div className="kpi-value" data-testid="impact-revenue">{money(impact.total.incremental_revenue.value)}</div><div className="muted">95 %: {money(impact.total.incremental_revenue.low)} to {money(impact.total.incremental_revenue.high)}</div></div>
                </div>
              )}
            </Panel>
            <Panel title="Programmes" testId="impact-programmes" definition={`People who became eligible between ${fmt.date(impact.from)} and ${fmt.date(impact.to)}, their outcomes counted over the ${impact.window_days} days after; only people whose window has closed count.`}>
              <DataTable<ImpactProgramme>
                caption="Programmes and what they added"
                rows={impact.programmes}
                rowKey={(p) => p.experiment_id}
                onRowClick={(p) => setQueryParam('experiment', p.experiment_id)}
                isSelected={(p) => p.experiment_id === chosen}
                columns={[
                  { key: 'name', label: 'Programme', render: (p) => <><strong>{p.name}</strong> <span className="muted">{kindNames[p.kind] ?? p.kind}</span></> },
                  { key: 'people', label: 'People', numeric: true, render: (p) => fmt.number(p.people) },
                  { key: 'orders', label: 'Extra orders (95 %)', numeric: true, render: (p) => <Figure value={p.incremental_orders} render={orders} /> },
                  { key: 'revenue', label: 'Extra revenue (95 %)', numeric: true, render: (p) => <Figure value={p.incremental_revenue} render={money} /> },
                  { key: 'verdict', label: 'Verdict', render: (p) => <span className={verdictBadge[p.verdict].className}>{verdictBadge[p.verdict].label}</span> },
                ]}
              />
            </Panel>
            {chosen && impact.programmes.some((p) => p.experiment_id === chosen) && (
              <Panel title={impact.programmes.find((p) => p.experiment_id === chosen)!.name} testId="impact-experiment">
                <ExperimentDetail id={chosen} />
              </Panel>
            )}
          </>
        )}
      </Async>
      <PowerCalculator />
      <GlobalHoldoutPanel />
    </div>
  );
}
