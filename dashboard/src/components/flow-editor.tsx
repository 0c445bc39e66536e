/**
 * The flow editor: the document's JSON is the source, in a textarea; beside it each step in words.
 * The server checks the document on save and names each problem by its path (`steps.1.no`); a
 * click on a step's path selects that step in the text.
 */
import { useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, http, type ErrorDetail } from '../api/client';
import type { FlowDocument, FlowTrigger } from '../api/flow-types';
import type { Segment } from '../api/segment-types';
import type { MessageTemplateSummary } from '../api/template-types';
import { useApi } from '../api/use-api';
import { stepSummary, triggerWords, type Names } from './flow-words';
import { Field } from './ui';

/** The store's segment and template names, for the sentences. */
export function useFlowNames(): Names {
  const segments = useApi('segments', () => http.get<{ data: Segment[] }>('/api/v1/segments'));
  const templates = useApi('templates', () => http.get<{ data: MessageTemplateSummary[] }>('/api/v1/templates'));
  return useMemo(() => ({
    segments: new Map(segments.result.state === 'ok' ? segments.result.data.data.map((s) => [s.id, s.name]) : []),
    templates: new Map(templates.result.state === 'ok' ? templates.result.data.data.map((t) => [t.id, t.name]) : []),
  }), [segments.result, templates.result]);
}

export const pretty = (document: unknown) => JSON.stringify(document, null, 2);

type Parsed = { ok: true; document: FlowDocument } | { ok: false; problem: string };

function parse(text: string): Parsed {
  try {
    const value = JSON.parse(text) as FlowDocument;
    if (!value || typeof value !== 'object' || !Array.isArray(value.steps) || !value.trigger) return { ok: false, problem: 'a document needs a "trigger" and "steps"' };
    return { ok: true, document: value };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}

/** Selects the step a path like `steps.2.no` names, so the problem is easy to find in the text. */
function selectStep(area: HTMLTextAreaElement | null, document: FlowDocument | undefined, path: string): void {
  const index = /^steps\.(\d+)/.exec(path)?.[1];
  const id = index !== undefined ? document?.steps[Number(index)]?.id : undefined;
  if (!area || id === undefined) return;
  const at = area.value.indexOf(`"id": ${JSON.stringify(id)}`);
  if (at < 0) return;
  area.focus();
  area.setSelectionRange(at, at + `"id": ${JSON.stringify(id)}`.length);
}

export function FlowEditor({ initial, canWrite, onSave, saveLabel, children }: {
  initial: unknown;
  canWrite: boolean;
  /** Saves the document; an ApiError with details shows them by path. */
  onSave: (document: unknown) => Promise<void>;
  saveLabel: string;
  /** Fields shown above the JSON (a name, a trigger). */
  children?: ReactNode;
}) {
  const names = useFlowNames();
  const [text, setText] = useState(() => pretty(initial));
  const [saved, setSaved] = useState(() => pretty(initial));
  const [problems, setProblems] = useState<ErrorDetail[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [pending, setPending] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const parsed = useMemo(() => parse(text), [text]);
  const summary = useMemo(() => {
    if (!parsed.ok) return undefined;
    try {
      return { trigger: triggerWords(parsed.document.trigger, names), steps: stepSummary(parsed.document, names) };
    } catch {
      // A document half-way through an edit (a step without its fields): no summary until it reads.
      return undefined;
    }
  }, [parsed, names]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!parsed.ok) return;
    setPending(true);
    setError(undefined);
    try {
      await onSave(parsed.document);
      setProblems([]);
      setSaved(text);
    } catch (caught) {
      const failure = caught instanceof ApiError ? caught : new ApiError(0, 'client', String(caught));
      setProblems(failure.details);
      setError(failure.details.length ? undefined : failure.describe());
    } finally {
      setPending(false);
    }
  };
  return (
    <form className="flow-editor" onSubmit={submit} aria-label="Flow document">
      <div className="stack" style={{ gap: 10 }}>
        {children}
        <Field label="Document (JSON)" hint="The trigger, entry and exit rules, holdout share and steps — docs/flows.md describes each field.">
          <textarea
            ref={area} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} disabled={!canWrite} aria-label="Document (JSON)"
            className="code-area" rows={22}
          />
        </Field>
        {!parsed.ok && <p className="form-error" role="alert" data-testid="flow-json-problem">Not valid JSON yet: {parsed.problem}</p>}
        {problems.length > 0 && (
          <div role="alert" className="problems" data-testid="flow-problems">
            <strong>{problems.length === 1 ? '1 problem' : `${problems.length} problems`}</strong>
            <ul>
              {problems.map((p, i) => (
                <li key={i}>
                  {/^steps\.\d+/.test(p.path) && parsed.ok
                    ? <button type="button" className="link-button" onClick={() => selectStep(area.current, parsed.document, p.path)}><code>{p.path}</code></button>
                    : <code>{p.path}</code>}: {p.reason}
                </li>
              ))}
            </ul>
          </div>
        )}
        {error && <p className="form-error" role="alert">{error}</p>}
        {canWrite && (
          <div className="row">
            <button type="submit" className="primary" disabled={pending || !parsed.ok}>{saveLabel}</button>
            {text !== saved && <button type="button" onClick={() => { setText(saved); setProblems([]); }}>Discard changes</button>}
          </div>
        )}
      </div>
      <div className="flow-summary" data-testid="flow-summary" aria-live="polite">
        <h3 className="panel-subtitle">In words</h3>
        {summary ? (
          <>
            <p><b>When:</b> {summary.trigger}</p>
            <ol>
              {summary.steps.map((s) => (
                <li key={s.id}><code>{s.id}</code> — {s.text} <span className="muted">{s.leads}</span></li>
              ))}
            </ol>
          </>
        ) : <p className="muted">The steps show here once the document reads as JSON.</p>}
      </div>
    </form>
  );
}

/** A document to start from, for each kind of trigger. */
export function blankDocument(kind: FlowTrigger['kind'], segmentId?: string): unknown {
  const trigger: Record<string, unknown> = { kind };
  if (kind === 'segment_entered' || kind === 'segment_exited') trigger.segment_id = segmentId ?? '';
  if (kind === 'order_placed') trigger.nth = 1;
  if (kind === 'event') trigger.name = 'Product Viewed';
  if (kind === 'browse_abandoned') trigger.wait = { hours: 4 };
  if (kind === 'review_submitted') trigger.max_rating = 3;
  if (kind === 'date') Object.assign(trigger, { date: 'birthday', offset_days: 0 });
  return {
    trigger,
    // A date comes back: the customer may enter again the next time.
    entry: kind === 'date' ? { re_entry: 'after', after_days: 300 } : { re_entry: 'never' },
    exit_when: [{ kind: 'ordered' }, { kind: 'unsubscribed' }],
    holdout_share: 0.1,
    steps: [
      { id: 'wait', type: 'wait', duration: { days: 1 }, next: 'done' },
      { id: 'done', type: 'exit' },
    ],
  };
}
