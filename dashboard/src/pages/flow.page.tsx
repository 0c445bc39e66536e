/**
 * One flow: its graph with the runs at each step and along each edge, publish / pause / resume,
 * the editor of its draft, and its latest runs.
 */
import { useRef, useState } from 'react';
import { http } from '../api/client';
import type { Flow, FlowBacktest, FlowEnrolment, FlowRunPage, FlowStats } from '../api/flow-types';
import type { Segment } from '../api/segment-types';
import { useAction, useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { FlowEditor, useFlowNames } from '../components/flow-editor';
import { ExperimentResultsFor } from '../components/experiment-results';
import { FlowGraph } from '../components/flow-graph';
import { flowStatusBadge, outcomeText, triggerWords } from '../components/flow-words';
import { Link } from '../components/router';
import { Async, ErrorState } from '../components/states';
import { DataTable, PageHeader, Panel, RefreshButton } from '../components/ui';

const runStatusBadge: Record<string, string> = { active: 'badge', completed: 'badge good', exited: 'badge warn' };

function Actions({ flow, onChanged }: { flow: Flow; onChanged: () => void }) {
  const { canWrite } = useApp();
  const path = `/api/v1/flows/${encodeURIComponent(flow.id)}`;
  const act = useAction((what: 'publish' | 'pause' | 'resume') => http.post<Flow>(`${path}/${what}`, {}));
  if (!canWrite) return null;
  const run = async (what: 'publish' | 'pause' | 'resume') => {
    if (what === 'publish' && !window.confirm(`Publish the draft of "${flow.name}" as version ${flow.versions.length + 1}? New entrants start on it; runs in progress keep their version.`)) return;
    if (await act.run(what)) onChanged();
  };
  return (
    <div className="row">
      <button type="button" className="primary" disabled={act.pending} onClick={() => run('publish')}>Publish version {flow.versions.length + 1}</button>
      {flow.status === 'live' && <button type="button" className="secondary" disabled={act.pending} onClick={() => run('pause')}>Pause</button>}
      {flow.status === 'paused' && <button type="button" className="secondary" disabled={act.pending} onClick={() => run('resume')}>Resume</button>}
      {act.error && <p className="form-error" role="alert">{act.error.describe()}</p>}
    </div>
  );
}

/** Enrols a segment's current members in a live flow (those in it already, or who may not re-enter, are skipped). */
function Enrol({ flow, onEnrolled }: { flow: Flow; onEnrolled: () => void }) {
  const { fmt } = useApp();
  const segments = useApi('segments', () => http.get<{ data: Segment[] }>('/api/v1/segments'));
  const [segment, setSegment] = useState('');
  const [done, setDone] = useState<FlowEnrolment | undefined>();
  const enrol = useAction((segmentId: string) => http.post<FlowEnrolment>(`/api/v1/flows/${encodeURIComponent(flow.id)}/enrol`, { segment_id: segmentId }));
  const list = segments.result.state === 'ok' ? segments.result.data.data : [];
  const chosen = segment || list[0]?.id || '';
  return (
    <div className="row" data-testid="flow-enrol">
      <label className="inline-fields">
        Enrol the members of
        <select value={chosen} onChange={(e) => setSegment(e.target.value)} aria-label="Segment to enrol">
          {list.map((s) => <option key={s.id} value={s.id}>{s.name} ({fmt.number(s.member_count)})</option>)}
        </select>
      </label>
      <button
        type="button" className="secondary" disabled={enrol.pending || !chosen}
        onClick={async () => {
          const answer = await enrol.run(chosen);
          if (answer) {
            setDone(answer);
            onEnrolled();
          }
        }}
      >
        Enrol now
      </button>
      {done && <span className="muted" role="status">{fmt.number(done.enrolled)} of {fmt.number(done.members)} members enrolled (the others are in the flow or may not enter again).</span>}
      {enrol.error && <p className="form-error" role="alert">{enrol.error.describe()}</p>}
    </div>
  );
}

/** The draft run over the store's history: who would have entered, reached each step, left, been sent what. */
function Backtest({ flow }: { flow: Flow }) {
  const { fmt } = useApp();
  const [days, setDays] = useState('90');
  const [answer, setAnswer] = useState<FlowBacktest | undefined>();
  const run = useAction((n: number) => http.post<FlowBacktest>(`/api/v1/flows/${encodeURIComponent(flow.id)}/backtest`, { days: n }));
  const counts = (record: Record<string, number>) => Object.entries(record).map(([k, n]) => `${k} ${fmt.number(n)}`).join(', ') || '—';
  return (
    <div className="stack" data-testid="flow-backtest">
      <form
        className="row"
        onSubmit={async (e) => {
          e.preventDefault();
          const result = await run.run(Number(days));
          if (result) setAnswer(result);
        }}
      >
        <label className="inline-fields">
          Over the last
          <input type="number" min={1} max={730} step={1} required value={days} onChange={(e) => setDays(e.target.value)} aria-label="Days of history" style={{ width: '6em' }} />
          days
        </label>
        <button type="submit" className="secondary" disabled={run.pending}>{run.pending ? 'Running…' : 'Run the backtest'}</button>
      </form>
      {run.error && <p className="form-error" role="alert">{run.error.describe()}</p>}
      {answer && (
        <>
          <p data-testid="backtest-summary">{answer.summary}</p>
          <p className="muted small">
            {fmt.number(answer.entrants)} entrants ({fmt.number(answer.entries)} entries) · {fmt.number(answer.completed)} would have finished · {fmt.number(answer.messages)} messages,
            {' '}{fmt.date(answer.from)} – {fmt.date(answer.to)}
          </p>
          <DataTable
            caption="Backtest by step"
            rows={answer.steps}
            rowKey={(step) => step.id}
            columns={[
              { key: 'step', label: 'Step', render: (step) => step.name ?? step.id },
              { key: 'type', label: 'Type', render: (step) => step.type.replace(/_/g, ' ') },
              { key: 'reached', label: 'Reached', numeric: true, render: (step) => fmt.number(step.reached) },
              { key: 'waiting', label: 'Still on the way', numeric: true, render: (step) => fmt.number(step.waiting) },
              { key: 'exited', label: 'Left before it', render: (step) => <span className="wrap">{counts(step.exited)}</span> },
              { key: 'outcomes', label: 'Went', render: (step) => <span className="wrap">{counts(step.outcomes)}</span> },
            ]}
          />
          {answer.approximations.length > 0 && (
            <details className="small">
              <summary>Where the backtest differs from the live flow</summary>
              <ul>{answer.approximations.map((a) => <li key={a}>{a}</li>)}</ul>
            </details>
          )}
        </>
      )}
    </div>
  );
}

export function FlowPage({ id }: { id: string }) {
  const { fmt, canWrite } = useApp();
  const names = useFlowNames();
  const path = `/api/v1/flows/${encodeURIComponent(id)}`;
  const flow = useApi(`flow:${id}`, () => http.get<Flow>(path));
  const stats = useApi(`flow-stats:${id}`, () => http.get<FlowStats>(`${path}/stats`));
  const runs = useApi(`flow-runs:${id}`, () => http.get<FlowRunPage>(`${path}/runs`, { order: 'newest', limit: 50 }));
  // While the flow reloads (after publish, pause, save), the page keeps showing it: unsaved edits stay.
  const last = useRef<Flow | undefined>(undefined);
  if (flow.result.state === 'ok') last.current = flow.result.data;
  const shown = flow.result.state === 'error' ? undefined : last.current;
  const refresh = () => {
    flow.reload();
    stats.reload();
    runs.reload();
  };
  return (
    <div className="page">
      <p><Link to="/flows">← Flows</Link></p>
      {shown ? page(shown) : <Async result={flow.result} onRetry={flow.reload}>{page}</Async>}
    </div>
  );

  function page(f: Flow) {
    const latest = f.versions.at(-1);
    return (
      <div className="stack">
        <PageHeader
          title={f.name}
          subtitle={(
            <span data-testid="flow-status">
              <span className={flowStatusBadge[f.status]}>{f.status}</span>{' '}
              {f.live_version ? `version ${f.live_version} live since ${fmt.dateTime(latest?.published_at)}` : 'never published'}
              {' · '}{triggerWords(f.document.trigger, names)}
            </span>
          )}
          actions={<Actions flow={f} onChanged={refresh} />}
        />
        <Panel
          title="Flow"
          testId="flow-graph"
          actions={<RefreshButton onClick={refresh} />}
          definition="The draft's steps from the first at the top. On each step: runs that reached it, runs waiting there now, and runs that left the flow there with the reason (an exit condition, or an error). On each edge: runs that went along it. Counts are by step id over every version's runs."
        >
          {canWrite && f.status === 'live' && f.document.trigger.kind === 'manual' && <Enrol flow={f} onEnrolled={() => { stats.reload(); runs.reload(); }} />}
          {stats.result.state === 'ok' && (
            <p className="muted" data-testid="flow-totals">
              {fmt.number(stats.result.data.runs.entered)} entered · {fmt.number(stats.result.data.runs.in_progress)} in progress ·{' '}
              {fmt.number(stats.result.data.runs.completed)} completed · {fmt.number(stats.result.data.runs.exited)} exited · {fmt.number(stats.result.data.runs.holdout)} held out
            </p>
          )}
          {stats.result.state === 'error' && <ErrorState error={stats.result.error} onRetry={stats.reload} />}
          <FlowGraph document={f.document} stats={stats.result.state === 'ok' ? stats.result.data : undefined} names={names} />
        </Panel>
        <Panel title="Measured against the holdout" testId="flow-experiments" definition="Everyone who entered counts from the day they entered, in the group the draw gave them: held-out runs follow the flow without receiving anything. Each split step is an experiment of its own, its branches compared with the first.">
          <ExperimentResultsFor kind="flow" sourceId={f.id} includeSplits />
        </Panel>
        <Panel title="Backtest" testId="flow-backtest-panel" definition="The draft — trigger, entry rule, exit conditions and steps — run over the store's recorded history: who would have entered, reached each step and left, and how many messages it would have sent (less the holdout). Nothing is sent or written.">
          <Backtest flow={f} />
        </Panel>
        <Panel title={canWrite ? 'Edit the draft' : 'Document'} definition="Saving changes the draft only; publishing makes it the next version. Runs in progress keep the version they started on.">
          {/* A new editor only when the saved draft changed: pausing or publishing keeps unsaved edits. */}
          <FlowEditor
            key={JSON.stringify(f.document)}
            initial={f.document}
            canWrite={canWrite}
            saveLabel="Save draft"
            onSave={async (document) => {
              await http.patch<Flow>(path, { document });
              refresh();
            }}
          />
        </Panel>
        <Panel title="Latest runs" testId="flow-runs" definition="The newest 50 runs: who, when they entered, the step they are at, and how they ended. A held-out run follows the flow without receiving anything.">
          <Async result={runs.result} onRetry={runs.reload} isEmpty={(d) => d.data.length === 0} empty="Nobody has entered this flow yet.">
            {(page) => (
              <DataTable
                caption="Latest runs"
                rows={page.data}
                rowKey={(r) => String(r.id)}
                columns={[
                  { key: 'customer', label: 'Customer', render: (r) => <Link to={`/customers/${r.customer_id}`}>Customer {r.customer_id}</Link> },
                  { key: 'entered', label: 'Entered', render: (r) => fmt.dateTime(r.entered_at) },
                  { key: 'step', label: 'Step', render: (r) => r.step_id ?? '—' },
                  { key: 'status', label: 'Status', render: (r) => <><span className={runStatusBadge[r.status] ?? 'badge'}>{r.status}</span>{r.holdout && <> <span className="badge">holdout</span></>}</> },
                  { key: 'reason', label: 'Exit reason', render: (r) => r.exit_reason ?? '—' },
                  { key: 'last', label: 'Last step', render: (r) => { const s = r.steps.at(-1); return s ? <span className="wrap">{outcomeText(s, names)}</span> : '—'; } },
                  { key: 'version', label: 'Version', numeric: true, render: (r) => `v${r.version}` },
                ]}
              />
            )}
          </Async>
        </Panel>
      </div>
    );
  }
}
