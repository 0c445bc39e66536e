import { useEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import { ApiError, http, type ErrorDetail } from '../api/client';
import type { MessagePreview, MessageTemplate, MessageTemplateSummary, StarterList, TemplateTestSend } from '../api/template-types';
import { useAction, useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { Link } from '../components/router';
import { Async, ErrorState, Loading } from '../components/states';
import { DataTable, Field, PageHeader, Panel, Segmented } from '../components/ui';

type Purpose = 'marketing' | 'transactional';
interface Draft { name: string; purpose: Purpose; subject: string; preheader: string; body: string }
type Problem = ErrorDetail & { line?: number; column?: number };

const draftOf = (t: MessageTemplate): Draft => ({ name: t.name, purpose: t.purpose, subject: t.subject, preheader: t.preheader, body: t.body });
const where = (p: Problem): string => `${p.path}${p.line ? `, line ${p.line}${p.column ? `, column ${p.column}` : ''}` : ''}`;

/** Moves the cursor of the body editor to a problem's line and column, so it can be fixed at once. */
function focusAt(textarea: HTMLTextAreaElement | null, line: number, column = 1): void {
  if (!textarea) return;
  const lines = textarea.value.split('\n');
  const offset = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0) + column - 1;
  textarea.focus();
  textarea.setSelectionRange(offset, offset);
  const lineHeight = Number.parseFloat(getComputedStyle(textarea).lineHeight) || 18;
  textarea.scrollTop = Math.max(0, (line - 4) * lineHeight);
}

/** The width of an element, kept up to date as the layout changes. */
function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(entry?.contentRect.width ?? 0));
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

const FRAME_HEIGHT = 720;

function Preview({ draft, customer }: { draft: Draft; customer: string }) {
  const [width, setWidth] = useState<'390' | '800'>('800');
  const box = useRef<HTMLDivElement>(null);
  const available = useWidth(box);
  // A desktop client's 800 px pane shown whole in a narrower panel: scaled down, never cut.
  const scale = available > 0 ? Math.min(1, available / Number(width)) : 1;
  const [view, setView] = useState<'html' | 'text'>('html');
  const [state, setState] = useState<{ state: 'loading' } | { state: 'ok'; data: MessagePreview } | { state: 'error'; error: ApiError }>({ state: 'loading' });
  const key = JSON.stringify([draft.purpose, draft.subject, draft.preheader, draft.body, customer]);
  useEffect(() => {
    let current = true;
    // Each key press changes the draft; render once typing pauses.
    const timer = window.setTimeout(() => {
      http.post<MessagePreview>('/api/v1/templates/preview', {
        purpose: draft.purpose, subject: draft.subject, preheader: draft.preheader, body: draft.body, ...(customer.trim() && { customer: customer.trim() }),
      }).then(
        (data) => current && setState({ state: 'ok', data }),
        (error: unknown) => current && setState({ state: 'error', error: error instanceof ApiError ? error : new ApiError(0, 'client', String(error)) }),
      );
    }, 400);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [key]);
  return (
    <div className="stack" style={{ gap: 8 }} aria-live="polite" ref={box}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <Segmented label="Preview width" value={width} onChange={setWidth} options={[{ value: '390', label: 'Phone' }, { value: '800', label: 'Desktop' }]} />
        <Segmented label="Part" value={view} onChange={setView} options={[{ value: 'html', label: 'HTML' }, { value: 'text', label: 'Plain text' }]} />
      </div>
      {state.state === 'loading' && <Loading label="Rendering…" height={200} />}
      {state.state === 'error' && (state.error.status === 422 ? <p className="muted">Fix the problems listed under the editor to see the preview.</p> : <ErrorState error={state.error} />)}
      {state.state === 'ok' && (
        <>
          <div data-testid="preview-envelope" style={{ fontSize: 14, overflowWrap: 'anywhere' }}>
            <div><span className="muted">To:</span> {state.data.customer.name || state.data.customer.email}{state.data.customer.sample && <span className="muted"> (sample customer)</span>}</div>
            <div><span className="muted">Subject:</span> <strong>{state.data.subject}</strong></div>
            {state.data.preheader && <div className="muted">{state.data.preheader}</div>}
          </div>
          {view === 'html' ? (
            <div style={{ height: FRAME_HEIGHT * scale, overflow: 'hidden' }}>
              {/* No scripts, no forms, no same-origin access: the message is shown, never run. */}
              <iframe
                title="Message preview" sandbox="" srcDoc={state.data.html} data-testid="preview-frame"
                style={{
                  display: 'block', width: `${width}px`, height: FRAME_HEIGHT, border: '1px solid #cbd5e1', borderRadius: 6, background: '#fff',
                  transform: `scale(${scale})`, transformOrigin: 'top left', marginLeft: Math.max(0, (available - Number(width) * scale) / 2),
                }}
              />
            </div>
          ) : <pre data-testid="preview-text" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: 720, overflow: 'auto', background: '#f8fafc', padding: 12, borderRadius: 8 }}>{state.data.text}</pre>}
        </>
      )}
    </div>
  );
}

function Editor({ id, onSaved }: { id: string; onSaved: () => void }) {
  const { canWrite, fmt } = useApp();
  const { result, reload } = useApi(`template:${id}`, () => http.get<MessageTemplate>(`/api/v1/templates/${encodeURIComponent(id)}`));
  const [draft, setDraft] = useState<Draft | undefined>();
  const [customer, setCustomer] = useState('');
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const save = useAction((d: Draft) => http.patch<MessageTemplate>(`/api/v1/templates/${encodeURIComponent(id)}`, d));
  const [problems, setProblems] = useState<Problem[]>([]);
  useEffect(() => {
    if (result.state === 'ok') setDraft(draftOf(result.data));
  }, [result]);
  // Problems come from the live validation, so they show while typing, not only on save.
  const key = draft ? JSON.stringify([draft.purpose, draft.subject, draft.preheader, draft.body]) : '';
  useEffect(() => {
    if (!draft) return;
    let current = true;
    const timer = window.setTimeout(() => {
      http.post<MessagePreview>('/api/v1/templates/preview', { purpose: draft.purpose, subject: draft.subject, preheader: draft.preheader, body: draft.body }).then(
        () => current && setProblems([]),
        (error: unknown) => current && setProblems(error instanceof ApiError && error.status === 422 ? error.details : []),
      );
    }, 400);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [key]);
  if (result.state !== 'ok' || !draft) return <Async result={result} onRetry={reload}>{() => <Loading />}</Async>;
  const template = result.data;
  const changed = JSON.stringify(draft) !== JSON.stringify(draftOf(template));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await save.run(draft)) {
      reload();
      onSaved();
    }
  };
  const set = (change: Partial<Draft>) => setDraft({ ...draft, ...change });
  return (
    <div className="grid grid-2 templates-editor">
      <Panel title={`Edit: ${template.name}`} definition="MJML for the layout, Liquid for the content ({{ customer.first_name }}, {{ order.total | money }}). Each save is a new version; a sent message keeps the version it used.">
        <form className="stack" style={{ gap: 10 }} onSubmit={submit} aria-label="Edit template">
          <div className="row">
            <Field label="Name"><input value={draft.name} onChange={(e) => set({ name: e.target.value })} required maxLength={200} disabled={!canWrite} /></Field>
            <Field label="Purpose" hint={draft.purpose === 'marketing' ? 'Sent only with consent; needs the unsubscribe link' : 'Order and service mail'}>
              <select value={draft.purpose} onChange={(e) => set({ purpose: e.target.value as Purpose })} disabled={!canWrite}>
                <option value="marketing">Marketing</option>
                <option value="transactional">Transactional</option>
              </select>
            </Field>
          </div>
          <Field label="Subject"><input value={draft.subject} onChange={(e) => set({ subject: e.target.value })} maxLength={500} disabled={!canWrite} style={{ width: '100%' }} /></Field>
          <Field label="Preheader" hint="The preview text mail clients show after the subject"><input value={draft.preheader} onChange={(e) => set({ preheader: e.target.value })} maxLength={500} disabled={!canWrite} style={{ width: '100%' }} /></Field>
          <Field label="Body (MJML with Liquid)">
            <textarea
              ref={bodyRef} value={draft.body} onChange={(e) => set({ body: e.target.value })} spellCheck={false} disabled={!canWrite} aria-label="Body"
              style={{ width: '100%', minHeight: 420, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', fontSize: 13, lineHeight: '18px', whiteSpace: 'pre', overflowWrap: 'normal', overflowX: 'auto' }}
            />
          </Field>
          {problems.length > 0 && (
            <div role="alert" data-testid="template-problems">
              <strong>{problems.length === 1 ? '1 problem' : `${problems.length} problems`}</strong>
              <ul style={{ margin: '4px 0 0', paddingLeft: 18 }}>
                {problems.map((p, i) => (
                  <li key={i}>
                    {p.path === 'body' && p.line
                      ? <button type="button" className="link-button" onClick={() => focusAt(bodyRef.current, p.line!, p.column)}>{where(p)}</button>
                      : <span>{where(p)}</span>}: {p.reason}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {canWrite && (
            <div className="row">
              <button type="submit" className="primary" disabled={save.pending || !changed || problems.length > 0}>Save as version {template.version + 1}</button>
              {changed && <button type="button" onClick={() => setDraft(draftOf(template))}>Discard changes</button>}
              <span className="muted">Version {template.version}, saved {fmt.date(template.updated_at)}</span>
            </div>
          )}
          {save.error && <p className="form-error" role="alert">{save.error.describe()}</p>}
        </form>
      </Panel>
      <Panel title="Preview" definition="Rendered as the recipient would see it, with the sample customer (an order, a cart, a shipment and recommendations) or a customer of yours.">
        <Field label="Customer" hint="An id, ext:<external id> or email; empty for the sample customer">
          <input value={customer} onChange={(e) => setCustomer(e.target.value)} placeholder="Sample customer" />
        </Field>
        <Preview draft={draft} customer={customer} />
        {canWrite && <SendTest id={id} customer={customer} unsaved={changed} />}
      </Panel>
    </div>
  );
}

/** "Send a test": the saved version, rendered for the customer chosen for the preview, to one address. */
function SendTest({ id, customer, unsaved }: { id: string; customer: string; unsaved: boolean }) {
  const [to, setTo] = useState('');
  const [sent, setSent] = useState<TemplateTestSend | undefined>();
  const send = useAction((body: { to: string; customer_id?: string }) => http.post<TemplateTestSend>(`/api/v1/templates/${encodeURIComponent(id)}/test`, body));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSent(undefined);
    const answer = await send.run({ to: to.trim(), ...(customer.trim() && { customer_id: customer.trim() }) });
    if (answer) setSent(answer);
  };
  return (
    <form className="row send-test" onSubmit={(event) => void submit(event)} aria-label="Send a test">
      <Field label="Send a test to" hint={unsaved ? 'Sends the saved version: save your changes first to test them' : 'The saved version, as the preview shows it, marked [Test]'}>
        <input name="test-to" type="email" value={to} onChange={(e) => setTo(e.target.value)} required placeholder="you@example.com" />
      </Field>
      <button type="submit" disabled={send.pending} style={{ alignSelf: 'flex-end' }}>{send.pending ? 'Sending…' : 'Send a test'}</button>
      {send.error && <p className="form-error" role="alert">{send.error.describe()}</p>}
      {sent && (
        <p className={sent.state === 'sent' ? 'notice' : 'form-error'} role="status" data-testid="test-send-result">
          {sent.state === 'sent' ? 'Sent' : `Not sent (${sent.state}${sent.reason ? `: ${sent.reason.replace(/_/g, ' ')}` : ''})`} to {sent.to} — <Link to={`/outbox/${sent.send_id}`}>see it in the Outbox</Link>
        </p>
      )}
    </form>
  );
}

function AddFromStarter({ onAdded }: { onAdded: (id: string) => void }) {
  const { result } = useApi('starters', () => http.get<StarterList>('/api/v1/templates/starters'));
  const [key, setKey] = useState('');
  const add = useAction((starter: string) => http.post<MessageTemplate>('/api/v1/templates/from-starter', { starter }));
  if (result.state !== 'ok') return null;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const created = await add.run(key || result.data.data[0]!.key);
    if (created) onAdded(created.id);
  };
  return (
    <form className="row" onSubmit={submit} aria-label="Add from starter">
      <Field label="Add from a starter">
        <select value={key} onChange={(e) => setKey(e.target.value)}>
          {result.data.data.map((s) => <option key={s.key} value={s.key}>{s.name}</option>)}
        </select>
      </Field>
      <button type="submit" disabled={add.pending} style={{ alignSelf: 'flex-end' }}>Add a copy</button>
      {add.error && <p className="form-error" role="alert">{add.error.describe()}</p>}
    </form>
  );
}

export function TemplatesPage() {
  const { fmt, canWrite } = useApp();
  const { result, reload } = useApi('templates', () => http.get<{ data: MessageTemplateSummary[] }>('/api/v1/templates'));
  const [selected, setSelected] = useState<string | undefined>(() => new URLSearchParams(window.location.search).get('id') ?? undefined);
  const select = (id: string) => {
    setSelected(id);
    window.history.replaceState(null, '', `/templates?id=${encodeURIComponent(id)}`);
  };
  return (
    <div className="page stack">
      <PageHeader title="Templates" subtitle="Email templates for campaigns and flows: MJML layout, Liquid content, a version for every save." />
      <Panel title="Your templates" actions={canWrite ? <AddFromStarter onAdded={(id) => { reload(); select(id); }} /> : undefined}>
        <Async result={result} onRetry={reload} isEmpty={(d) => d.data.length === 0} empty="No templates yet.">
          {(data) => (
            <DataTable
              caption="Templates"
              rows={data.data}
              rowKey={(t) => t.id}
              onRowClick={(t) => select(t.id)}
              columns={[
                { key: 'name', label: 'Name', render: (t) => <span aria-current={t.id === selected ? 'true' : undefined} style={{ fontWeight: t.id === selected ? 700 : undefined }}>{t.name}</span> },
                { key: 'subject', label: 'Subject', render: (t) => <span title={t.subject} style={{ display: 'inline-block', maxWidth: 340, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', verticalAlign: 'bottom' }}>{t.subject}</span> },
                { key: 'purpose', label: 'Purpose', render: (t) => t.purpose },
                { key: 'version', label: 'Version', render: (t) => fmt.number(t.version) },
                { key: 'updated_at', label: 'Saved', render: (t) => fmt.date(t.updated_at) },
              ]}
            />
          )}
        </Async>
      </Panel>
      {selected ? <Editor key={selected} id={selected} onSaved={reload} /> : <p className="muted">Choose a template to edit it and see its preview.</p>}
    </div>
  );
}
