/**
 * The customer's flows on their profile: each run in a line — "entered Win-back 2 Nov 2026 · email
 * “Come back” queued · exited: ordered" — newest first.
 */
import { http } from '../api/client';
import type { FlowRun, FlowSummary } from '../api/flow-types';
import { useApi } from '../api/use-api';
import { useApp } from './app-context';
import { useFlowNames } from './flow-editor';
import { outcomeText } from './flow-words';
import { Link } from './router';
import { Async } from './states';
import { Panel } from './ui';

/** Steps worth a line on the profile: what was sent, branched, tagged and how it ended (not every wait). */
const shown = new Set(['queued', 'held_out', 'yes', 'no', 'event', 'timed_out', 'tagged', 'exited', 'error', 'completed']);

export function CustomerFlows({ customerId }: { customerId: number }) {
  const { fmt } = useApp();
  const names = useFlowNames();
  const runs = useApi(`customer-flow-runs:${customerId}`, () => http.get<{ data: FlowRun[] }>(`/api/v1/customers/${customerId}/flow-runs`));
  const flows = useApi('flows', () => http.get<{ data: FlowSummary[] }>('/api/v1/flows'));
  const flowName = new Map(flows.result.state === 'ok' ? flows.result.data.data.map((f) => [f.id, f.name]) : []);
  return (
    <Panel title="Flows" testId="profile-flows" definition="Each automated flow this customer entered: when, what each step did (a queued email goes through consent and the frequency cap when it is sent) and how the run ended. In the holdout, the flow sends nothing.">
      {/* The runs wait for the flows' names (were the list to fail, its ids stand in for them). */}
      <Async result={flows.result.state === 'loading' ? { state: 'loading' } : runs.result} onRetry={runs.reload} isEmpty={(d) => d.data.length === 0} empty="This customer has not entered any flow.">
        {(answer) => (
          <ol className="timeline">
            {answer.data.map((run) => (
              <li key={run.id} data-testid="profile-flow-run">
                <span className="muted">{fmt.dateTime(run.entered_at)}</span>
                <span>
                  <b>entered <Link to={`/flows/${encodeURIComponent(run.flow_id)}`}>{flowName.get(run.flow_id) ?? run.flow_id}</Link></b>
                  {run.holdout && <span className="muted"> (holdout)</span>}
                  {run.steps.filter((s) => shown.has(s.outcome)).map((s, i) => <span key={i}> · {outcomeText(s, names)}</span>)}
                  {run.status === 'active' && <span className="muted"> · now at {run.step_id ?? '—'}</span>}
                </span>
              </li>
            ))}
          </ol>
        )}
      </Async>
    </Panel>
  );
}
