import { useState, type FormEvent } from 'react';
import { http } from '../api/client';
import type { MessagingSettings } from '../api/message-types';
import { useAction, useApi } from '../api/use-api';
import { useApp } from './app-context';
import { Async } from './states';
import { Field, Panel } from './ui';

type Changes = Record<string, string | number | null | Record<string, string | boolean>>;

/** The store's sender, SMTP server, DKIM key and sending rules. Secrets are write-only: the API never returns them. */
function SendingForm({ settings, onSaved }: { settings: MessagingSettings; onSaved: () => void }) {
  const { isOwner } = useApp();
  const [from, setFrom] = useState(settings.from_address ?? '');
  const [fromName, setFromName] = useState(settings.from_name ?? '');
  const [replyTo, setReplyTo] = useState(settings.reply_to ?? '');
  const [smtpUrl, setSmtpUrl] = useState('');
  const [dkimDomain, setDkimDomain] = useState(settings.dkim.domain ?? '');
  const [dkimSelector, setDkimSelector] = useState(settings.dkim.selector ?? '');
  const [dkimKey, setDkimKey] = useState('');
  const [sendgridKey, setSendgridKey] = useState('');
  const [mailgunKey, setMailgunKey] = useState('');
  const [cap, setCap] = useState(String(settings.frequency_cap_hours));
  const [weeklyCap, setWeeklyCap] = useState(String(settings.weekly_cap));
  const [quiet, setQuiet] = useState(settings.quiet_hours);
  const [policy, setPolicy] = useState(settings.transactional_policy);
  const [saved, setSaved] = useState(false);
  const save = useAction((changes: Changes) => http.patch<MessagingSettings>('/api/v1/messaging/settings', changes));
  const text = (value: string) => (value.trim() === '' ? null : value.trim());
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const changes: Changes = {
      from_address: text(from), from_name: text(fromName), reply_to: text(replyTo),
      dkim_domain: text(dkimDomain), dkim_selector: text(dkimSelector), frequency_cap_hours: Number(cap), transactional_policy: policy,
      weekly_cap: Number(weeklyCap), quiet_hours: { enabled: quiet.enabled, start: quiet.start, end: quiet.end },
      ...(smtpUrl.trim() && { smtp_url: smtpUrl.trim() }),
      ...(dkimKey.trim() && { dkim_private_key: dkimKey.trim() }),
      ...(sendgridKey.trim() && { sendgrid_verification_key: sendgridKey.trim() }),
      ...(mailgunKey.trim() && { mailgun_signing_key: mailgunKey.trim() }),
    };
    if (await save.run(changes)) {
      setSaved(true);
      setSmtpUrl('');
      setDkimKey('');
      setSendgridKey('');
      setMailgunKey('');
      onSaved();
    }
  };
  const forget = async (field: 'smtp_url' | 'dkim_private_key') => {
    if (await save.run({ [field]: null })) onSaved();
  };
  const smtp = settings.smtp;
  return (
    <form onSubmit={submit} className="stack" aria-label="Sending settings">
      <p className={smtp.origin === 'catcher' ? 'notice' : 'muted'} data-testid="smtp-origin">
        {smtp.origin === 'catcher'
          ? 'No SMTP server: mail stays on this machine and shows in the Outbox.'
          : `Mail goes through ${smtp.host}${smtp.port ? `:${smtp.port}` : ''}${smtp.user ? ` as ${smtp.user}` : ''} (${smtp.origin === 'store' ? "this store's server" : "the server's default"}${smtp.password_set ? ', password set' : ''}).`}
      </p>
      <div className="form-grid">
        <Field label="From address"><input name="from-address" type="email" value={from} onChange={(e) => setFrom(e.target.value)} disabled={!isOwner} placeholder="hello@your-shop.example" /></Field>
        <Field label="From name"><input name="from-name" value={fromName} onChange={(e) => setFromName(e.target.value)} disabled={!isOwner} /></Field>
        <Field label="Reply-to" hint="Also receives mailto unsubscribe requests."><input name="reply-to" type="email" value={replyTo} onChange={(e) => setReplyTo(e.target.value)} disabled={!isOwner} /></Field>
        <Field label="SMTP server" hint="smtp://user:password@host:587 — write-only; leave empty to keep the current one.">
          <input name="smtp-url" type="password" autoComplete="off" value={smtpUrl} onChange={(e) => setSmtpUrl(e.target.value)} disabled={!isOwner} placeholder={smtp.origin === 'store' ? 'set (hidden)' : 'none'} />
        </Field>
        <Field label="Marketing frequency cap (hours)" hint="At most one marketing email per customer in this many hours; 0: no cap.">
          <input name="frequency-cap" type="number" min={0} max={2160} step={1} value={cap} onChange={(e) => setCap(e.target.value)} disabled={!isOwner} />
        </Field>
        <Field label="Marketing emails per week" hint="At most this many per customer in 7 days; 0: no weekly cap.">
          <input name="weekly-cap" type="number" min={0} max={100} step={1} value={weeklyCap} onChange={(e) => setWeeklyCap(e.target.value)} disabled={!isOwner} />
        </Field>
        <Field label="Quiet hours" hint="No marketing email between these times on each customer's clock (their time zone, else the store's); it waits until the end. Transactional email is not held.">
          <span className="inline-fields">
            <input name="quiet-hours" type="checkbox" checked={quiet.enabled} onChange={(e) => setQuiet({ ...quiet, enabled: e.target.checked })} disabled={!isOwner} />
            <span>On, from</span>
            <input name="quiet-start" type="time" aria-label="Quiet hours start" value={quiet.start} onChange={(e) => setQuiet({ ...quiet, start: e.target.value })} disabled={!isOwner || !quiet.enabled} />
            <span>to</span>
            <input name="quiet-end" type="time" aria-label="Quiet hours end" value={quiet.end} onChange={(e) => setQuiet({ ...quiet, end: e.target.value })} disabled={!isOwner || !quiet.enabled} />
          </span>
        </Field>
        <Field label="Transactional email" hint="Order and shipping messages to customers who unsubscribed from marketing. Bounced, complained and invalid addresses are always skipped.">
          <select name="transactional-policy" value={policy} onChange={(e) => setPolicy(e.target.value as typeof policy)} disabled={!isOwner}>
            <option value="deliverability">Still send them</option>
            <option value="all">Do not send them</option>
          </select>
        </Field>
        <Field label="DKIM domain"><input name="dkim-domain" value={dkimDomain} onChange={(e) => setDkimDomain(e.target.value)} disabled={!isOwner} /></Field>
        <Field label="DKIM selector"><input name="dkim-selector" value={dkimSelector} onChange={(e) => setDkimSelector(e.target.value)} disabled={!isOwner} /></Field>
        <Field label="DKIM private key (PEM)" hint={settings.dkim.key_set ? 'A key is set (hidden); paste a new one to replace it.' : 'Paste the PEM private key to sign outgoing mail.'}>
          <textarea name="dkim-key" rows={3} value={dkimKey} onChange={(e) => setDkimKey(e.target.value)} disabled={!isOwner} />
        </Field>
        <Field label="SendGrid verification key" hint={settings.delivery_webhooks.sendgrid_key_set ? 'Set (hidden): SendGrid posts must be signed.' : 'From SendGrid\'s Signed Event Webhook settings; then its posts must be signed.'}>
          <input name="sendgrid-key" type="password" autoComplete="off" value={sendgridKey} onChange={(e) => setSendgridKey(e.target.value)} disabled={!isOwner} />
        </Field>
        <Field label="Mailgun webhook signing key" hint={settings.delivery_webhooks.mailgun_key_set ? 'Set (hidden): Mailgun posts must be signed.' : 'From Mailgun\'s webhook settings; then its posts must be signed.'}>
          <input name="mailgun-key" type="password" autoComplete="off" value={mailgunKey} onChange={(e) => setMailgunKey(e.target.value)} disabled={!isOwner} />
        </Field>
      </div>
      <div>
        <h3 className="subheading">Bounce and complaint webhooks</h3>
        <p className="muted">Give your mail provider the address for it: bounces and complaints then suppress the address, and a complaint unsubscribes the customer. Keep these addresses secret.</p>
        <dl className="webhook-urls" data-testid="delivery-webhooks">
          {Object.entries(settings.delivery_webhooks.urls).map(([provider, url]) => (
            <div key={provider}><dt>{{ ses: 'Amazon SES (SNS)', postmark: 'Postmark', sendgrid: 'SendGrid', mailgun: 'Mailgun' }[provider]}</dt><dd><code>{url}</code></dd></div>
          ))}
        </dl>
      </div>
      {save.error && <p className="form-error" role="alert">{save.error.describe()}</p>}
      {saved && <p className="notice" role="status">Saved.</p>}
      {isOwner ? (
        <div>
          <button type="submit" className="primary" disabled={save.pending}>Save sending settings</button>{' '}
          {smtp.origin === 'store' && <button type="button" className="secondary" onClick={() => forget('smtp_url')}>Remove the SMTP server</button>}{' '}
          {settings.dkim.key_set && <button type="button" className="secondary" onClick={() => forget('dkim_private_key')}>Remove the DKIM key</button>}
        </div>
      ) : (
        <p className="muted">Only the store's owners change these settings.</p>
      )}
    </form>
  );
}

export function SendingPanel() {
  const { result, reload } = useApi('messaging-settings', () => http.get<MessagingSettings>('/api/v1/messaging/settings'));
  return (
    <Panel title="Sending email" definition="Where the store's email goes and the rules every message is checked against when it is sent. Details: docs/messaging.md.">
      <Async result={result} onRetry={reload}>
        {(settings) => <SendingForm key={JSON.stringify(settings)} settings={settings} onSaved={reload} />}
      </Async>
    </Panel>
  );
}
