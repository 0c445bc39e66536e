/**
 * "Refit now": queues the refit job and follows it until it ends (queued → running → done or
 * failed), then asks the page to reload. Analysts see the button disabled, with the reason.
 */
import { useEffect, useRef, useState } from 'react';
import { http } from '../api/client';
import type { QueuedJob, RefitJob } from '../api/prediction-types';
import { useAction } from '../api/use-api';
import { useApp } from './app-context';

const POLL_MS = 1000;
const stateText: Record<RefitJob['state'], string> = { queued: 'Queued', running: 'Fitting the models…', done: 'Done', failed: 'Failed, will retry', dead: 'Failed' };

export function RefitButton({ onDone }: { onDone: () => void }) {
  const { canWrite } = useApp();
  const [jobId, setJobId] = useState<number | undefined>();
  const [job, setJob] = useState<RefitJob | undefined>();
  const [pollError, setPollError] = useState<string | undefined>();
  const done = useRef(onDone);
  done.current = onDone;
  const queue = useAction(() => http.post<QueuedJob>('/api/v1/predictions/refit'));

  useEffect(() => {
    if (jobId === undefined) return;
    let current = true;
    let timer: number | undefined;
    const poll = async () => {
      try {
        const next = await http.get<RefitJob>(`/api/v1/predictions/refit/${jobId}`);
        if (!current) return;
        setJob(next);
        setPollError(undefined);
        if (next.state === 'done') done.current();
        if (next.state === 'done' || next.state === 'dead') return;
      } catch (error) {
        if (current) setPollError(error instanceof Error ? error.message : String(error));
      }
      if (current) timer = window.setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [jobId]);

  const running = job !== undefined && (job.state === 'queued' || job.state === 'running' || job.state === 'failed');
  const start = async () => {
    const answer = await queue.run();
    if (answer) {
      setJob(undefined);
      setJobId(answer.job_id);
    }
  };
  const result = job?.state === 'done' ? job.result : null;
  return (
    <div className="refit">
      <button
        type="button" className="secondary" onClick={start}
        disabled={!canWrite || queue.pending || running}
        title={canWrite ? 'Fit the models on all orders now, instead of waiting for the daily refit' : 'Only owners and admins can refit the models'}
        aria-describedby="refit-status"
      >
        {queue.pending ? 'Queueing…' : 'Refit now'}
      </button>
      <span id="refit-status" className="muted refit-status" role="status" aria-live="polite" data-testid="refit-status">
        {!canWrite && 'Only owners and admins can refit.'}
        {queue.error && <span className="form-error">{queue.error.describe()}</span>}
        {job && (
          <>
            Refit job #{job.id}: {stateText[job.state]}
            {job.progress !== null && job.state === 'running' && ` (${Math.round(job.progress * 100)} %)`}
            {running && <span className="spinner" aria-hidden="true" />}
            {result?.status === 'ok' && ` — ${result.customers.toLocaleString()} customers scored (fit and scoring ${(result.seconds.fit + result.seconds.score).toFixed(2)} s)`}
            {result?.status === 'insufficient' && ` — not enough data: ${result.missing.join('; ')}`}
            {job.last_error && job.state !== 'done' && ` — ${job.last_error}`}
          </>
        )}
        {pollError && ` (could not read the job's state: ${pollError})`}
      </span>
    </div>
  );
}
