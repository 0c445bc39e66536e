import { useState, type FormEvent } from 'react';
import { http } from '../api/client';
import type { MessagingSettings } from '../api/message-types';
import { useAction, useApi } from '../api/use-api';
import { useApp } from './app-context';
import { Async } from './states';
import { Field, Panel } from './ui';

type Changes = Record<string, string | null>;

/**
 * SMS through a Twilio-compatible API and the webhook channel. The auth token is write-only (the
 * API never returns it); the webhook's signing secret is shown once, in the answer that made it.
 */
function ChannelsForm({ settings, onSaved }: { settings: MessagingSettings; onSaved: (secret?: string) => void }) {
  const { isOwner } = useApp();
  const [baseUrl, setBaseUrl] = useState(settings.sms.base_url);
  const [accountSid, setAccountSid] = useState(settings.sms.account_sid ?? '');
  const [authToken, setAuthToken] = useState('');
  const [from, setFrom] = useState(settings.sms.from ?? '');
  const [serviceSid, setServiceSid] = useState(settings.sms.messaging_service_sid ?? '');
  const [webhookUrl, setWebhookUrl] = useState(settings.webhook.url ?? '');
  const [consent, setConsent] = useState(settings.webhook.consent);
  const [saved, setSaved] = useState(false);
  const save = useAction((changes: Changes) => http.patch<MessagingSettings>('/api/v1/messaging/settings', changes));
  const rotate = useAction(() => http.post<MessagingSettings>('/api/v1/messaging/webhook-secret', {}));
  const text = (value: string) => (value.trim() === '' ? null : value.trim());
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const result = await save.run({
      sms_base_url: text(baseUrl), sms_account_sid: text(accountSid), sms_from: text(from), sms_messaging_service_sid: text(serviceSid),
      webhook_url: text(webhookUrl), webhook_consent: consent, ...(authToken.trim() && { sms_auth_token: authToken.trim() }),
    });
    if (result) {
      setSaved(true);
      setAuthToken('');
      onSaved(result.webhook.secret);
    }
  };
  const newSecret = async () => {
    const result = await rotate.run();
    if (result) onSaved(result.webhook.secret);
  };
  const { sms, webhook } = settings;
  return (
    <form onSubmit={submit} className="stack" aria-label="SMS and webhook settings">
      <div>
        <h3 className="subheading">SMS</h3>
        <p className={sms.ready ? 'muted' : 'notice notice-warn'} data-testid="sms-state">
          {sms.ready
            ? `Texts go through ${sms.base_url} from ${sms.messaging_service_sid ? `messaging service ${sms.messaging_service_sid}` : sms.from}. Marketing texts go only to customers subscribed to SMS and end with "Reply STOP to opt out".`
            : 'SMS is not set up: give the account SID, the auth token and a sender.'}
        </p>
        <div className="form-grid">
          <Field label="API base URL" hint="A Twilio-compatible API; https://api.twilio.com for Twilio.">
            <input name="sms-base-url" type="url" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} disabled={!isOwner} />
          </Field>
          <Field label="Account SID"><input name="sms-account-sid" value={accountSid} onChange={(e) => setAccountSid(e.target.value)} disabled={!isOwner} autoComplete="off" /></Field>
          <Field label="Auth token" hint={sms.auth_token_set ? 'Set (hidden); type a new one to replace it.' : 'Write-only: never shown again.'}>
            <input name="sms-auth-token" type="password" autoComplete="off" value={authToken} onChange={(e) => setAuthToken(e.target.value)} disabled={!isOwner} placeholder={sms.auth_token_set ? 'set (hidden)' : 'none'} />
          </Field>
          <Field label="From number" hint="E.164 (+15551234567) or an alphanumeric sender id."><input name="sms-from" value={from} onChange={(e) => setFrom(e.target.value)} disabled={!isOwner} /></Field>
          <Field label="Messaging service SID" hint="Instead of a single number; it wins when both are set."><input name="sms-service-sid" value={serviceSid} onChange={(e) => setServiceSid(e.target.value)} disabled={!isOwner} /></Field>
        </div>
        <p className="muted">Paste the first address as your number&apos;s &ldquo;A message comes in&rdquo; webhook (HTTP POST): STOP replies then unsubscribe the number, START subscribes it again. Each text carries the second as its status callback.</p>
        <dl className="webhook-urls" data-testid="sms-webhooks">
          <div><dt>Incoming messages</dt><dd><code>{sms.webhook_urls.incoming}</code></dd></div>
          <div><dt>Status callback</dt><dd><code>{sms.webhook_urls.status}</code></dd></div>
        </dl>
      </div>
      <div>
        <h3 className="subheading">Webhook</h3>
        <p className="muted">Each webhook message is a JSON POST to this address, signed with the secret (header Hearth-Signature) and carrying its send key as Idempotency-Key: how to connect WhatsApp, chat or social tools.</p>
        <div className="form-grid">
          <Field label="Webhook URL"><input name="webhook-url" type="url" value={webhookUrl} onChange={(e) => setWebhookUrl(e.target.value)} disabled={!isOwner} placeholder="https://hooks.your-shop.example/hearth" /></Field>
          <Field label="Marketing needs consent to" hint="The customer's consent a marketing message over the webhook needs.">
            <select name="webhook-consent" value={consent} onChange={(e) => setConsent(e.target.value as typeof consent)} disabled={!isOwner}>
              <option value="email">Email</option>
              <option value="sms">SMS</option>
            </select>
          </Field>
        </div>
        <p className="muted" data-testid="webhook-secret-state">{webhook.secret_set ? `Signing secret: …${webhook.secret_hint ?? ''}` : 'A signing secret is made when the URL is first saved.'}</p>
      </div>
      {(save.error ?? rotate.error) && <p className="form-error" role="alert">{(save.error ?? rotate.error)!.describe()}</p>}
      {saved && <p className="notice" role="status">Saved.</p>}
      {isOwner ? (
        <div>
          <button type="submit" className="primary" disabled={save.pending}>Save SMS and webhook settings</button>{' '}
          {webhook.secret_set && <button type="button" className="secondary" onClick={newSecret} disabled={rotate.pending}>New signing secret</button>}
        </div>
      ) : (
        <p className="muted">Only the store&apos;s owners change these settings.</p>
      )}
    </form>
  );
}

export function ChannelsPanel() {
  const { result, reload } = useApi('messaging-settings', () => http.get<MessagingSettings>('/api/v1/messaging/settings'));
  const [secret, setSecret] = useState<string | undefined>();
  return (
    <Panel title="SMS and webhook" definition="Texts through a Twilio-compatible API with their own consent and STOP handling, and signed webhook messages. Details: docs/messaging.md.">
      {secret && (
        <div className="notice" role="status" data-testid="webhook-secret">
          <p>The webhook signing secret — copy it now, it is not shown again:</p>
          <code className="secret">{secret}</code>
        </div>
      )}
      <Async result={result} onRetry={reload}>
        {(settings) => <ChannelsForm key={JSON.stringify(settings)} settings={settings} onSaved={(made) => { if (made) setSecret(made); reload(); }} />}
      </Async>
    </Panel>
  );
}
