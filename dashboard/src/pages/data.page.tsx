import { useState, type FormEvent } from 'react';
import { http } from '../api/client';
import { apiKeyKinds, type ApiKey, type ApiKeyKind, type CreatedKey, type JobList } from '../api/types';

const keyKindLabels: Record<ApiKeyKind, string> = { write: 'Write (browser)', server: 'Server (tracking)', secret: 'Secret (admin API)' };
import { useAction, useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { ImportRuns, TrackingStatus } from '../components/incoming';
import { Async } from '../components/states';
import { DataTable, Field, PageHeader, Panel, RefreshButton } from '../components/ui';

function snippet(origin: string, key: string): string {
  return `<!-- Hearth tracking: page views, events and identify (Segment spec). See docs/tracking.md. -->
<script async src="${origin}/hearth.js" data-write-key="${key}"></script>
<!-- When a customer is signed in, join their browsing to their orders:
<script>window.hearth = window.hearth || []; window.hearth.push(['identify', ['CUSTOMER_ID', { email: 'EMAIL' }]]);</script> -->`;
}

function Keys({ onWriteKey }: { onWriteKey: (key: string | undefined) => void }) {
  const { canWrite, fmt } = useApp();
  const { result, reload } = useApi(canWrite ? 'keys' : null, () => http.get<{ data: ApiKey[] }>('/api/v1/keys'));
  const [kind, setKind] = useState<ApiKeyKind>('write');
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedKey & { kind: string } | undefined>();
  const [copied, setCopied] = useState(false);
  const create = useAction((body: { kind: ApiKeyKind; name: string }) => http.post<CreatedKey>('/api/v1/keys', body));
  const revoke = useAction((id: string) => http.delete(`/api/v1/keys/${encodeURIComponent(id)}`).then(() => true));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const key = await create.run({ kind, name });
    if (key) {
      setCreated({ ...key, kind });
      if (kind === 'write') onWriteKey(key.key);
      setCopied(false);
      setName('');
      reload();
    }
  };
  if (!canWrite) {
    return (
      <Panel title="API keys">
        <p className="muted">Only owners and admins see and manage API keys.</p>
      </Panel>
    );
  }
  return (
    <Panel title="API keys" definition="Write keys are public: they sit in the shop's pages and may only record behaviour (events, page views). Server keys also send orders, refunds, consent and customer details from your server (Segment or RudderStack server sources). Secret keys read and change everything. Keep server and secret keys on your server.">
      {created && (
        <div className="notice" role="status" data-testid="new-key">
          New {created.kind} key — copy it now, it is shown only once:
          <code className="secret">{created.key}</code>
          <button type="button" className="secondary" onClick={() => navigator.clipboard?.writeText(created.key).then(() => setCopied(true), () => setCopied(false))}>
            {copied ? 'Copied' : 'Copy key'}
          </button>{' '}
          <button type="button" className="link-button" onClick={() => setCreated(undefined)}>Done</button>
        </div>
      )}
      <Async result={result} onRetry={reload} isEmpty={(d) => d.data.length === 0} empty="No keys yet. Create a write key for the tracking snippet, or a secret key for your server.">
        {(data) => (
          <DataTable
            caption="API keys"
            rows={data.data}
            rowKey={(k) => k.id}
            columns={[
              { key: 'name', label: 'Name', render: (k) => k.name },
              { key: 'kind', label: 'Kind', render: (k) => <span className={`badge ${k.kind === 'write' ? '' : 'warn'}`}>{k.kind}</span> },
              { key: 'prefix', label: 'Key starts with', render: (k) => <code>{k.prefix}…</code> },
              { key: 'created', label: 'Created', render: (k) => fmt.date(k.created_at) },
              { key: 'used', label: 'Last used', render: (k) => (k.last_used_at ? fmt.dateTime(k.last_used_at) : 'never') },
              {
                key: 'state', label: 'State', render: (k) => k.revoked_at
                  ? <span className="badge bad">revoked {fmt.date(k.revoked_at)}</span>
                  : <button type="button" className="danger" aria-label={`Revoke key ${k.name}`} onClick={async () => {
                    if (!(await revoke.run(k.id))) return;
                    if (k.id === created?.id) onWriteKey(undefined);
                    reload();
                  }}>Revoke</button>,
              },
            ]}
          />
        )}
      </Async>
      {revoke.error && <p className="form-error" role="alert">{revoke.error.describe()}</p>}
      <form onSubmit={submit} className="form-grid" aria-label="Create an API key" style={{ marginTop: 14 }}>
        <Field label="Kind">
          <select name="key-kind" value={kind} onChange={(e) => setKind(e.target.value as ApiKeyKind)}>
            {apiKeyKinds.map((k) => <option key={k} value={k}>{keyKindLabels[k]}</option>)}
          </select>
        </Field>
        <Field label="Name"><input name="key-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. storefront" maxLength={100} /></Field>
        <div><button type="submit" className="primary" disabled={create.pending}>Create key</button></div>
      </form>
      {create.error && <p className="form-error" role="alert">{create.error.describe()}</p>}
    </Panel>
  );
}

function Jobs() {
  const { fmt } = useApp();
  const { result, reload } = useApi('jobs', () => http.get<JobList>('/api/v1/jobs', { limit: 25 }));
  return (
    <Panel title="Job queue" definition="Background work: model refits, segment refreshes, imports. Failed jobs are retried with backoff; dead ones gave up after their last attempt." actions={<RefreshButton onClick={reload} />}>
      <Async result={result} onRetry={reload} isEmpty={(d) => d.data.length === 0} empty="No background jobs have run yet. Imports, model refits and segment refreshes appear here.">
        {(data) => (
          <DataTable
            caption="Recent jobs"
            rows={data.data}
            rowKey={(j) => String(j.id)}
            columns={[
              { key: 'id', label: '#', numeric: true, render: (j) => j.id },
              { key: 'kind', label: 'Job', render: (j) => j.kind },
              { key: 'state', label: 'State', render: (j) => <span className={`badge ${j.state === 'done' ? 'good' : j.state === 'dead' || j.state === 'failed' ? 'bad' : 'warn'}`}>{j.state}</span> },
              { key: 'progress', label: 'Progress', numeric: true, render: (j) => (j.progress === null ? '—' : fmt.percent(j.progress, 0)) },
              { key: 'attempts', label: 'Attempts', numeric: true, render: (j) => `${j.attempts} / ${j.max_attempts}` },
              { key: 'created', label: 'Created', render: (j) => fmt.dateTime(j.created_at) },
              { key: 'finished', label: 'Finished', render: (j) => fmt.dateTime(j.finished_at) },
              { key: 'error', label: 'Last error', render: (j) => <span title={j.last_error ?? ''}>{j.last_error ? j.last_error.slice(0, 60) : '—'}</span> },
            ]}
          />
        )}
      </Async>
    </Panel>
  );
}

export function DataPage() {
  const origin = window.location.origin;
  const [copied, setCopied] = useState(false);
  // A write key created on this page goes straight into the snippet (it is shown only once).
  const [writeKey, setWriteKey] = useState<string | undefined>();
  const code = snippet(origin, writeKey ?? 'YOUR_WRITE_KEY');
  return (
    <div className="page">
      <PageHeader title="Data" subtitle="Where your data comes from: keys, the tracking snippet, imports and background jobs." />
      <div className="stack">
        <TrackingStatus />
        <Keys onWriteKey={(key) => { setWriteKey(key); setCopied(false); }} />
        <Panel title="Tracking snippet" definition="Paste before </body> on every page of the shop, with a write key. It sends page views, and lets the shop call hearth.identify(customerId) and hearth.track(event, properties).">
          <p className="muted">{writeKey ? 'With the write key you just created, ready to paste.' : 'Create a write key above and it fills in here; or replace YOUR_WRITE_KEY with an existing one.'}</p>
          <pre className="snippet" data-testid="snippet"><code>{code}</code></pre>
          <button type="button" className="secondary" onClick={() => navigator.clipboard?.writeText(code).then(() => setCopied(true), () => setCopied(false))}>
            {copied ? 'Copied' : 'Copy snippet'}
          </button>
        </Panel>
        <ImportRuns />
        <Jobs />
      </div>
    </div>
  );
}
