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

const stateHelp = 'queued: waiting to be sent — with a time, not before then (the campaign\'s timing, or quiet hours on the customer\'s clock), or to be tried again after a passing error. sending: in an SMTP conversation or an HTTP request. sent: the mail server, SMS API or webhook accepted it. failed: refused, or the server could not be reached. '
  + 'suppressed: not sent — no consent, unsubscribed, bounced, or over the frequency cap (the reason says which). '
  + 'uncertain: Hearth stopped during the conversation, so it may have arrived; it is sent again only if you ask.';

const channelLabel: Record<Message['channel'], string> = { email: 'Email', sms: 'SMS', webhook: 'Webhook' };

/** What a message is called in a list: its subject, or for an SMS its size. */
function titleOf(m: Message): string {
  if (m.channel === 'sms') return m.sms ? `SMS · ${m.sms.segments} segment${m.sms.segments === 1 ? '' : 's'} (${m.sms.encoding})` : 'SMS';
  return m.subject || (m.channel === 'webhook' ? 'Webhook message' : '(no subject)');
}

export function StateBadge({ message }: { message: Pick<Message, 'state' | 'reason'> }) {
  return <span className={`badge ${stateClass[message.state]}`}>{message.state}{message.reason ? ` · ${message.reason.replace(/_/g, ' ')}` : ''}</span>;
}

function Where({ settings }: { settings: MessagingSettings }) {
  if (settings.smtp.origin === 'catcher') {
    const others = settings.sms.ready || settings.webhook.ready;
    return (
      <p className="notice" data-testid="catcher-notice">
        No SMTP server is configured, so nothing leaves this machine by email: every email is received by Hearth&apos;s built-in mail catcher and shown here.
        {others && ' SMS and webhook messages go to the services set in Settings.'}
      </p>
    );
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
      <PageHeader title="Outbox" subtitle="Every email, SMS and webhook message the store sent or tried to send, newest first" actions={<RefreshButton onClick={reload} />} />
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
                  { key: 'channel', label: 'Channel', render: (m) => channelLabel[m.channel] },
                  { key: 'subject', label: 'Subject', render: (m) => <span className="message-subject in-list">{titleOf(m)}</span> },
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
              title={<span className="message-subject">{titleOf(message)}</span>}
              subtitle={<>{channelLabel[message.channel]} to {message.to || '(no address)'}{message.from ? ` · from ${message.from}` : ''} · <StateBadge message={message} /></>}
              actions={<Link to="/outbox">← Outbox</Link>}
            />
            {message.channel === 'email' ? (
              <Panel title="Message" definition={content.origin === 'received' ? 'As the mail catcher received it, parsed from the raw message.' : 'As rendered when it was queued; it has not been received yet.'}>
                <Segmented label="Show" value={view} options={[{ value: 'html', label: 'HTML' }, { value: 'text', label: 'Text' }, { value: 'headers', label: 'Headers' }]} onChange={setView} />
                {view === 'html' && (
                  content.html
                    ? <iframe className="message-frame" title={`The message ${message.subject}`} sandbox="" srcDoc={content.html} />
                    : <p className="muted">This message has no HTML part.</p>
                )}
                {view === 'text' && <pre className="message-text">{content.text || '(no text part)'}</pre>}
                {view === 'headers' && <Headers rows={content.headers} />}
              </Panel>
            ) : message.channel === 'sms' ? (
              <Panel title="Text message" definition="The body as sent to the SMS API. GSM-7 fits 160 characters in one message (153 a segment when longer); any other character makes it UCS-2: 70, then 67 a segment.">
                <pre className="message-text" data-testid="sms-body">{content.text}</pre>
                <Headers rows={content.headers} />
              </Panel>
            ) : (
              <Panel title="Webhook payload" definition="The JSON body posted to the store's webhook URL, the same bytes on every attempt; each attempt is signed with the store's secret (Hearth-Signature) and carries the send key as Idempotency-Key.">
                <pre className="message-text" data-testid="webhook-payload">{prettyJson(content.payload ?? '')}</pre>
                <Headers rows={content.headers} />
              </Panel>
            )}
            <Panel title="History" definition="Each state the message went through, oldest first. Attempt counts the sends tried again: after a passing error, or because a user asked.">
              <DataTable caption="History" rows={history} rowKey={(h, i) => `${i}`} columns={[
                { key: 'at', label: 'Time', render: (h) => fmt.dateTime(h.at) },
                { key: 'state', label: 'State', render: (h) => <StateBadge message={h} /> },
                { key: 'attempt', label: 'Attempt', numeric: true, render: (h) => h.attempt },
                { key: 'detail', label: 'Answer', render: (h) => h.detail ?? '' },
              ]} />
              <p className="muted">Send key <code>{message.send_key}</code>{content.received_at ? ` · received ${fmt.dateTime(content.received_at)}` : ''}</p>
            </Panel>
          </>
        )}
      </Async>
    </div>
  );
}

function Headers({ rows }: { rows: MessageDetail['content']['headers'] }) {
  return (
    <DataTable caption="Headers" rows={rows} rowKey={(h, i) => `${i}`} columns={[
      { key: 'name', label: 'Header', render: (h) => <code>{h.name}</code> },
      { key: 'value', label: 'Value', render: (h) => <span className="message-header">{h.value}</span> },
    ]} />
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
