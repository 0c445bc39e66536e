/**
 * Flows: the store's automated flows with their status, trigger and figures, and a new flow from
 * a blank trigger (the JSON document is the source; the server checks it on save).
 */
import { useState } from 'react';
import { http } from '../api/client';
import type { Flow, FlowSummary, FlowTrigger, ReadyFlow } from '../api/flow-types';
import type { Segment } from '../api/segment-types';
import { useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import type { Formatter } from '../components/format';
import { blankDocument, FlowEditor, useFlowNames } from '../components/flow-editor';
import { flowStatusBadge, triggerWords } from '../components/flow-words';
import { ReadyFlowAction } from '../components/ready-flows';
import { Link, navigate } from '../components/router';
import { Async } from '../components/states';
import { DataTable, Field, PageHeader, Panel } from '../components/ui';


const signed = (fmt: Formatter, minor: number) => `${minor > 0 ? '+' : ''}${fmt.money(minor)}`;
const verdictWords: Record<string, string> = { increase: 'an increase', decrease: 'a decrease', too_early: 'too early to tell' };

/** The flow's revenue over the measurement's window: its entrants (not held out) whose window has ended. */
function RevenueCell({ flow }: { flow: FlowSummary }) {
  const { fmt } = useApp();
  const m = flow.measurement;
  if (flow.revenue === null) return <span title={m.reason ?? undefined}>—</span>;
  return (
    <div className="flow-figure" title={`Net revenue of the ${fmt.number(m.people)} entrants not held out whose ${m.window_days}-day window has ended, over the ${m.window_days} days after they entered (orders not cancelled, less refunds).`}>
      {fmt.money(flow.revenue)}
      <span className="cell-sub">{m.window_days} days · {fmt.number(m.people)} {m.people === 1 ? 'entrant' : 'entrants'}</span>
    </div>
  );
}

/** What the flow added over its holdout, with the 95 % interval; or why there is no figure yet. */
function IncrementalCell({ flow }: { flow: FlowSummary }) {
  const { fmt } = useApp();
  const m = flow.measurement;
  const extra = flow.incremental_revenue;
  if (!extra) {
    return (
      <div className="flow-figure">
        <span title={m.reason ?? undefined}>—</span>
        {m.reason && <span className="cell-sub flow-why">{m.reason}</span>}
      </div>
    );
  }
  const interval = `${signed(fmt, extra.low)} to ${signed(fmt, extra.high)}`;
  return (
    <div
      className="flow-figure"
      title={`${signed(fmt, extra.value)} against the holdout over ${m.window_days} days (95 % interval ${interval}): ${fmt.number(m.people)} entrants against ${fmt.number(m.holdout_people)} held out; ${verdictWords[m.verdict ?? 'too_early']}.`}
    >
      {signed(fmt, extra.value)}
      <span className="cell-sub flow-interval">95 %: {interval}</span>
    </div>
  );
}

const triggerKinds: { value: FlowTrigger['kind']; label: string }[] = [
  { value: 'manual', label: 'Enrolled by hand (a segment)' },
  { value: 'segment_entered', label: 'Enters a segment' },
  { value: 'segment_exited', label: 'Leaves a segment' },
  { value: 'order_placed', label: 'Places an order' },
  { value: 'checkout_started', label: 'Starts a checkout' },
  { value: 'browse_abandoned', label: 'Views a product without adding it to a cart' },
  { value: 'event', label: 'A tracked event' },
  { value: 'order_delivered', label: 'An order is delivered' },
  { value: 'churn_risk_rose', label: 'Churn risk rises' },
  { value: 'loyalty_tier_changed', label: 'Loyalty tier changes' },
  { value: 'points_expiring', label: 'Loyalty points about to expire' },
  { value: 'referral_ordered', label: 'A referred friend places a first order' },
  { value: 'return_created', label: 'Returns something' },
  { value: 'review_submitted', label: 'Writes a review' },
  { value: 'survey_answered', label: 'Answers a survey' },
  { value: 'date', label: 'A date comes (birthday, anniversary, predicted reorder)' },
];

export function FlowsPage() {
  const { fmt, canWrite } = useApp();
  const names = useFlowNames();
  const flows = useApi('flows', () => http.get<{ data: FlowSummary[] }>('/api/v1/flows'));
  return (
    <div className="page">
      <PageHeader
        title="Flows"
        subtitle="Messages that go out when a customer's situation changes — each flow holds out a share of its entrants so its effect can be measured."
        actions={canWrite && <Link to="/flows/new" className="button-link">New flow</Link>}
      />
      <Panel
        title="Flows"
        definition={'Entrants: runs ever started, holdout included. In progress: runs not yet completed or exited. Messages: messages the flow put in the send ledger. '
          + 'Holdout: entrants who follow the flow without receiving anything. Revenue: net revenue of the entrants not held out over the 30 days after they entered, '
          + 'counting those whose 30 days have ended. Incremental: what the flow added over its holdout in those 30 days, with the 95 % interval (the flow\'s experiment, as on the Impact page).'}
      >
        <Async result={flows.result} onRetry={flows.reload} isEmpty={(d) => d.data.length === 0} empty="No flows yet. Start one with “New flow”.">
          {(answer) => (
            <DataTable
              caption="Flows"
              rows={answer.data}
              rowKey={(f) => f.id}
              rowHref={(f) => `/flows/${encodeURIComponent(f.id)}`}
              columns={[
                {
                  // What starts the flow, under its name: the figures need the width.
                  key: 'name', label: 'Flow', sortValue: (f) => f.name,
                  render: (f) => (
                    <div className="flow-name">
                      <Link to={`/flows/${encodeURIComponent(f.id)}`}>{f.name}</Link>
                      <span className="cell-sub flow-trigger">{triggerWords(f.trigger, names)}</span>
                    </div>
                  ),
                },
                { key: 'status', label: 'Status', render: (f) => <span className={flowStatusBadge[f.status]}>{f.status}{f.live_version ? ` · v${f.live_version}` : ''}</span> },
                { key: 'entrants', label: 'Entrants', numeric: true, render: (f) => fmt.number(f.entrants), sortValue: (f) => f.entrants },
                { key: 'in_progress', label: 'In progress', numeric: true, render: (f) => fmt.number(f.in_progress), sortValue: (f) => f.in_progress },
                { key: 'messages', label: 'Messages', numeric: true, render: (f) => fmt.number(f.messages), sortValue: (f) => f.messages },
                { key: 'holdout', label: 'Holdout', numeric: true, render: (f) => fmt.number(f.holdout), sortValue: (f) => f.holdout },
                {
                  key: 'revenue', label: 'Revenue', numeric: true, title: 'Net revenue of the entrants not held out, over the 30 days after they entered',
                  render: (f) => <RevenueCell flow={f} />, sortValue: (f) => f.revenue ?? -Infinity,
                },
                {
                  key: 'incremental', label: 'Incremental', numeric: true, title: 'What the flow added over its holdout in those 30 days, with the 95 % interval',
                  render: (f) => <IncrementalCell flow={f} />, sortValue: (f) => f.incremental_revenue?.value ?? -Infinity,
                },
              ]}
            />
          )}
        </Async>
      </Panel>
      <ReadyFlows flows={flows.result.state === 'ok' ? flows.result.data.data : []} />
    </div>
  );
}

/** The library: what each ready flow does and why it works, installed as a draft in one click. */
function ReadyFlows({ flows }: { flows: FlowSummary[] }) {
  const library = useApi('flows:library', () => http.get<{ data: ReadyFlow[] }>('/api/v1/flows/library'));
  return (
    <Panel title="Ready flows" testId="ready-flows" definition="Flows that work for most stores, each with its starter templates and, where it listens to one, its segment. Installing makes an editable draft: nothing runs until you publish it.">
      <Async result={library.result} onRetry={library.reload}>
        {(answer) => (
          <ul className="plain-list ready-flows">
            {answer.data.map((f) => (
              <li key={f.key} className="ready-flow" data-key={f.key}>
                <div className="row ready-flow-head"><b>{f.name}</b><ReadyFlowAction ready={f} flows={flows} /></div>
                <p className="small">{f.summary}</p>
                <details className="small">
                  <summary>Why it works, its steps</summary>
                  <p>{f.why}</p>
                  {f.note && <p className="muted">{f.note}</p>}
                  <p className="muted">
                    Steps: {f.steps.map((step) => step.name ?? step.id).join(' → ')}.
                    {f.templates.length > 0 && <> Templates: {f.templates.map((t) => t.name).join(', ')}.</>}
                    {f.segment && <> Segment: {f.segment.name} ({f.segment.description})</>}
                  </p>
                </details>
              </li>
            ))}
          </ul>
        )}
      </Async>
    </Panel>
  );
}

export function NewFlowPage() {
  const { canWrite } = useApp();
  const segments = useApi('segments', () => http.get<{ data: Segment[] }>('/api/v1/segments'));
  const [name, setName] = useState('');
  const [kind, setKind] = useState<FlowTrigger['kind']>('manual');
  const [initial, setInitial] = useState(() => blankDocument('manual'));
  const firstSegment = segments.result.state === 'ok' ? segments.result.data.data[0]?.id : undefined;
  const create = async (document: unknown) => {
    const flow = await http.post<Flow>('/api/v1/flows', { name: name.trim() || 'New flow', document });
    navigate(`/flows/${encodeURIComponent(flow.id)}`);
  };
  return (
    <div className="page">
      <p><Link to="/flows">← Flows</Link></p>
      <PageHeader title="New flow" subtitle="Choose what starts it, then write its steps. It is saved as a draft: nobody enters until you publish it." />
      <Panel title="Flow document" definition="A flow is a JSON document: a trigger, entry and exit rules, a holdout share and steps, each pointing at the next by id. docs/flows.md lists every trigger and step.">
        {/* A new trigger starts a new editor (and a new blank document). */}
        <FlowEditor key={kind} initial={initial} canWrite={canWrite} onSave={create} saveLabel="Create draft">
          <div className="filters wide-fields">
            <Field label="Name"><input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} placeholder="Win-back" required /></Field>
            <Field label="Starts when" hint="Changing it starts the document again">
              <select
                value={kind}
                onChange={(e) => {
                  const chosen = e.target.value as FlowTrigger['kind'];
                  setInitial(blankDocument(chosen, firstSegment));
                  setKind(chosen);
                }}
              >
                {triggerKinds.map((k) => <option key={k.value} value={k.value}>{k.label}</option>)}
              </select>
            </Field>
          </div>
        </FlowEditor>
      </Panel>
    </div>
  );
}
