import { useState } from 'react';
import { http } from '../api/client';
import type { Message, MessageDetail, MessageList, MessagingSettings, SendState } from '../api/message-types';
import { useAction, useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { Link, setQueryParam, useLocation } from '../components/router';
import { Async } from '../components/states';
import { DataTable, Field, PageHeader, Panel, RefreshButton, Segmented } from '../components/ui';

const states: SendState[] = ['queued', 'sending', 'sent', 'failed', 'suppressed', 'uncertain'];
const stateClass: Record<SendState, string> = { queued: '', sending: 'warn', sent: 'good', failed: 'bad', suppressed: '', uncertain: 'warn' };

const stateHelp = 'queued: waiting to be sent — with a time, not before then (the campaign\'s timing, or quiet hours on the customer\'s clock). sending: in an SMTP conversation. sent: the mail server accepted it. failed: refused, or the server could not be reached. '
  + 'suppressed: not sent — no consent, unsubscribed, bounced, or over the frequency cap (the reason says which). '
  + 'uncertain: Hearth stopped during the conversation, so it may have arrived; it is sent again only if you ask.';

export function StateBadge({ message }: { message: Pick<Message, 'state' | 'reason'> }) {
  return <span className={`badge ${stateClass[message.state]}`}>{message.state}{message.reason ? ` · ${message.reason.replace(/_/g, ' ')}` : ''}</span>;
}

function Where({ settings }: { settings: MessagingSettings }) {
  if (settings.smtp.origin === 'catcher') {
    return <p className="notice" data-testid="catcher-notice">No SMTP server is configured, so nothing leaves this machine: every message is received by Hearth's built-in mail catcher and shown here.</p>;
  }
  return <p className="muted">Sending through {settings.smtp.host}{settings.smtp.port ? `:${settings.smtp.port}` : ''} ({settings.smtp.origin === 'store' ? "the store's own server" : "the server's default"}).</p>;
}

export function OutboxPage() {
  const { fmt, canWrite } = useApp();
  const { params } = useLocation();
  const state = states.find((s) => s === params.get('state'));
  const [cursor, setCursor] = useState<string | undefined>();
  const query = new URLSearchParams({ limit: '50', ...(state && { state }), ...(cursor && { cursor }) });
  const { result, reload } = useApi(`outbox ${query}`, () => http.get<MessageList>(`/api/v1/messages?${query}`));
  const settings = useApi('messaging-settings', () => http.get<MessagingSettings>('/api/v1/messaging/settings'));
  const resend = useAction(() => http.post<{ queued: number }>('/api/v1/messages/resend', { state: 'uncertain' }));
  return (
    <div className="page">
      <PageHeader title="Outbox" subtitle="Every email the store sent or tried to send, newest first" actions={<RefreshButton onClick={reload} />} />
      {settings.result.state === 'ok' && <Where settings={settings.result.data} />}
      <Panel title="Messages" definition={stateHelp}>
        <Field label="State">
          <select name="state" className="state-filter" value={state ?? 'all'} onChange={(event) => {
            setCursor(undefined);
            setQueryParam('state', event.target.value === 'all' ? undefined : event.target.value);
          }}>
            <option value="all">All</option>
            {states.map((s) => <option key={s} value={s}>{s[0]!.toUpperCase() + s.slice(1)}</option>)}
          </select>
        </Field>
        <Async result={result} onRetry={reload} isEmpty={(d) => d.data.length === 0} empty={state ? `No ${state} messages.` : 'No messages yet.'}>
          {(data) => (
            <>
              <p className="muted" data-testid="outbox-counts">
                {states.map((s) => `${fmt.number(data.counts[s])} ${s}`).join(' · ')}
              </p>
              {data.counts.uncertain > 0 && canWrite && (
                <p className="notice notice-warn">
                  {fmt.number(data.counts.uncertain)} message{data.counts.uncertain === 1 ? ' is' : 's are'} uncertain: Hearth stopped while sending, so the recipient may already have them.{' '}
                  <button type="button" className="secondary" onClick={async () => { if (await resend.run()) reload(); }}>Send uncertain messages again</button>
                </p>
              )}
              <DataTable
                caption="Messages"
                rows={data.data}
                rowKey={(m) => String(m.id)}
                rowHref={(m) => `/outbox/${m.id}`}
                columns={[
                  { key: 'to', label: 'To', render: (m) => <Link to={`/outbox/${m.id}`}>{m.to || '(no address)'}</Link> },
                  { key: 'subject', label: 'Subject', render: (m) => <span className="message-subject in-list">{m.subject}</span> },
                  { key: 'purpose', label: 'Kind', render: (m) => m.purpose },
                  { key: 'state', label: 'State', render: (m) => <><StateBadge message={m} />{m.not_before && <span className="muted"> until {fmt.dateTime(m.not_before)}</span>}</> },
                  { key: 'time', label: 'Time', render: (m) => fmt.dateTime(m.updated_at) },
                ]}
              />
              {data.next_cursor && <button type="button" className="secondary" onClick={() => setCursor(data.next_cursor ?? undefined)}>Older messages</button>}
            </>
          )}
        </Async>
      </Panel>
    </div>
  );
}

export function MessagePage({ id }: { id: string }) {
  const { fmt } = useApp();
  const { result, reload } = useApi(`message ${id}`, () => http.get<MessageDetail>(`/api/v1/messages/${encodeURIComponent(id)}`));
  const [view, setView] = useState<'html' | 'text' | 'headers'>('html');
  return (
    <div className="page">
      <Async result={result} onRetry={reload}>
        {({ message, history, content }) => (
          <>
            <PageHeader
              title={<span className="message-subject">{message.subject}</span>}
              subtitle={<>To {message.to || '(no address)'} · from {message.from} · <StateBadge message={message} /></>}
              actions={<Link to="/outbox">← Outbox</Link>}
            />
            <Panel title="Message" definition={content.origin === 'received' ? 'As the mail catcher received it, parsed from the raw message.' : 'As rendered when it was queued; it has not been received yet.'}>
              <Segmented label="Show" value={view} options={[{ value: 'html', label: 'HTML' }, { value: 'text', label: 'Text' }, { value: 'headers', label: 'Headers' }]} onChange={setView} />
              {view === 'html' && (
                content.html
                  ? <iframe className="message-frame" title={`The message ${message.subject}`} sandbox="" srcDoc={content.html} />
                  : <p className="muted">This message has no HTML part.</p>
              )}
              {view === 'text' && <pre className="message-text">{content.text || '(no text part)'}</pre>}
              {view === 'headers' && (
                <DataTable caption="Headers" rows={content.headers} rowKey={(h, i) => `${i}`} columns={[
                  { key: 'name', label: 'Header', render: (h) => <code>{h.name}</code> },
                  { key: 'value', label: 'Value', render: (h) => <span className="message-header">{h.value}</span> },
                ]} />
              )}
            </Panel>
            <Panel title="History" definition="Each state the message went through, oldest first. Attempt counts the sends a user asked for again.">
              <DataTable caption="History" rows={history} rowKey={(h, i) => `${i}`} columns={[
                { key: 'at', label: 'Time', render: (h) => fmt.dateTime(h.at) },
                { key: 'state', label: 'State', render: (h) => <StateBadge message={h} /> },
                { key: 'attempt', label: 'Attempt', numeric: true, render: (h) => h.attempt },
                { key: 'detail', label: 'Server answer', render: (h) => h.detail ?? '' },
              ]} />
              <p className="muted">Send key <code>{message.send_key}</code>{content.received_at ? ` · received ${fmt.dateTime(content.received_at)}` : ''}</p>
            </Panel>
          </>
        )}
      </Async>
    </div>
  );
}
