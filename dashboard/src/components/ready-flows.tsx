/**
 * The library of ready flows (docs/flows.md, "Ready flows"): installing one makes an editable draft
 * with its starter templates and segment, then opens it. The server answers a second install with
 * the first flow, so a double click opens the same draft.
 */
import { http } from '../api/client';
import type { FlowInstall, FlowSummary, ReadyFlow } from '../api/flow-types';
import { useAction } from '../api/use-api';
import { useApp } from './app-context';
import { flowStatusBadge } from './flow-words';
import { Link, navigate } from './router';

/** Installs the ready flow and opens its draft. */
export function useInstall(key: string) {
  return useAction(async () => {
    const answer = await http.post<FlowInstall>(`/api/v1/flows/library/${encodeURIComponent(key)}/install`, {});
    navigate(`/flows/${encodeURIComponent(answer.flow.id)}`);
    return answer;
  });
}

/** The store's copy of a ready flow with its status, or "Install" (a writer) / "not installed" (an analyst). */
export function ReadyFlowAction({ ready, flows, label = 'Install' }: { ready: ReadyFlow; flows: FlowSummary[]; label?: string }) {
  const { canWrite } = useApp();
  const install = useInstall(ready.key);
  const installed = ready.installed_flow_id === null ? undefined : flows.find((f) => f.id === ready.installed_flow_id);
  if (installed) {
    return (
      <span className="ready-flow-action">
        <Link to={`/flows/${encodeURIComponent(installed.id)}`}>{installed.name}</Link>{' '}
        <span className={flowStatusBadge[installed.status]}>{installed.status}</span>
      </span>
    );
  }
  return (
    <span className="ready-flow-action">
      {canWrite
        ? <button type="button" className="link-button" disabled={install.pending} onClick={() => void install.run()} aria-label={`Install the ${ready.name} flow`}>{install.pending ? 'Installing…' : label}</button>
        : <span className="muted small">not installed</span>}
      {install.error && <span className="form-error small" role="alert"> {install.error.describe()}</span>}
    </span>
  );
}
