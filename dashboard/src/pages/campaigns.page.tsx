/**
 * Campaigns: build one from segments with a live audience count — an email from a template, or an
 * SMS or webhook message from a Liquid text — start it, and read what it changed against its holdout.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { smsSize, withOptOut } from '../../../src/modules/messaging/sms-text';
import type { Campaign, CampaignAudience, CampaignResults } from '../api/campaign-types';
import { http } from '../api/client';
import type { MessagingSettings } from '../api/message-types';
import type { Segment } from '../api/segment-types';
import type { MessageTemplateSummary } from '../api/template-types';
import type { EmailTopic } from '../api/topic-types';
import { useAction, useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { abBody, AbTestFields, deliveryWords, initialAb, initialTiming, TimingFields, timingBody } from '../components/campaign-timing';
import { ExperimentResultsFor } from '../components/experiment-results';
import { Link, setQueryParam, useLocation } from '../components/router';
import { Async, ErrorState } from '../components/states';
import { DataTable, Field, PageHeader, Panel, Segmented } from '../components/ui';

const statusWords: Record<Campaign['status'], string> = {
  draft: 'draft', scheduled: 'scheduled', sending: 'sending', sent: 'sent', paused: 'paused', cancelled: 'cancelled',
};

type Channel = Campaign['channel'];
const channelWords: Record<Channel, string> = { email: 'Email', sms: 'SMS', webhook: 'Webhook' };
const channelOptions = (['email', 'sms', 'webhook'] as const).map((value) => ({ value, label: channelWords[value] }));
/** The API's limit on an SMS or webhook campaign's text. */
const TEXT_LIMIT = 1600;

const holdoutDefinition = 'A random share of the audience that receives nothing. Comparing the people sent the campaign with them shows what the campaign itself changed, not what those customers would have done anyway.';

function SegmentChoice({ label, segments, chosen, onChange, disabled }: { label: string; segments: Segment[]; chosen: string[]; onChange: (ids: string[]) => void; disabled?: (id: string) => boolean }) {
  const { fmt } = useApp();
  return (
    <fieldset className="choice-list">
      <legend>{label}</legend>
      {segments.map((s) => (
        <label key={s.id} className={disabled?.(s.id) ? 'muted' : undefined}>
          <input
            type="checkbox" checked={chosen.includes(s.id)} disabled={disabled?.(s.id)}
            onChange={(event) => onChange(event.target.checked ? [...chosen, s.id] : chosen.filter((id) => id !== s.id))}
          />
          {' '}{s.name} <span className="muted">({fmt.number(s.member_count)})</span>
        </label>
      ))}
    </fieldset>
  );
}

/** `by`: whose address and consent the channel needs (a webhook campaign's is the store's webhook consent). */
function AudienceLine({ count, share, by }: { count: CampaignAudience; share: number; by: 'email' | 'sms' }) {
  const { fmt } = useApp();
  const left = [
    count.excluded && `${fmt.number(count.excluded)} excluded`,
    count.without_address && `${fmt.number(count.without_address)} without ${by === 'sms' ? 'a phone number' : 'an email address'}`,
    count.without_consent && `${fmt.number(count.without_consent)} without ${by === 'sms' ? 'SMS marketing consent' : 'marketing consent'}`,
  ].filter(Boolean);
  return (
    <div className="audience" data-testid="campaign-audience" aria-live="polite">
      <p><strong>{fmt.number(count.audience)}</strong> customers in this campaign: about {fmt.number(count.audience - count.holdout_expected)} receive it and {fmt.number(count.holdout_expected)} ({fmt.percent(share, 0)}) are held out.</p>
      {left.length > 0 && <p className="muted">Of the {fmt.number(count.in_segments)} in the chosen segments, left out: {left.join(', ')}.</p>}
    </div>
  );
}

/**
 * The Liquid text of an SMS or webhook campaign. For SMS, its length and segments as written, with
 * the opt-out line a marketing text gets (sms-text.ts): variables change them for each customer.
 */
function TextField({ channel, value, onChange }: { channel: 'sms' | 'webhook'; value: string; onChange: (text: string) => void }) {
  const { fmt } = useApp();
  const body = withOptOut(value);
  const size = smsSize(body);
  return (
    <div className="stack">
      <Field label="Text" hint="Liquid, at most 1,600 characters, with the variables of an email: {{ customer.first_name }}, {{ store.name }}, {{ links.preferences }} …">
        <textarea name="campaign-text" rows={4} maxLength={TEXT_LIMIT} value={value} onChange={(e) => onChange(e.target.value)} placeholder="{{ customer.first_name }}, our spring sale starts today" />
      </Field>
      {channel === 'sms' && value !== '' ? (
        <p className="muted" data-testid="campaign-text-size" aria-live="polite">
          {fmt.number(value.length)} of {fmt.number(TEXT_LIMIT)} characters. With the line "Reply STOP to opt out" added: {fmt.number(size.units)} {size.encoding === 'GSM-7' ? 'GSM-7 characters' : 'UCS-2 characters'},
          {' '}<strong>{fmt.number(size.segments)} SMS segment{size.segments === 1 ? '' : 's'}</strong>
          {' '}({size.encoding === 'GSM-7' ? '160 in one message, 153 a segment when longer' : 'a character outside GSM-7 makes it UCS-2: 70 in one message, 67 a segment'}); each customer's name and other variables change it.
        </p>
      ) : (
        <p className="muted" data-testid="campaign-text-size">
          {fmt.number(value.length)} of {fmt.number(TEXT_LIMIT)} characters{channel === 'webhook' ? <>; sent as <code>content.text</code> in the signed JSON the store's webhook receives</> : '; an SMS counts in segments of 160 GSM-7 characters (153 when longer) or 70 UCS-2 (67)'}.
        </p>
      )}
    </div>
  );
}

/** Says when the store has not set up the channel: the campaign can be saved, but its start is refused until it is. */
function ChannelReadiness({ channel, settings }: { channel: 'sms' | 'webhook'; settings: MessagingSettings }) {
  const ready = channel === 'sms' ? settings.sms.ready : settings.webhook.ready;
  if (ready) return null;
  const needs = channel === 'sms' ? 'an account SID, an auth token and a sender' : 'a webhook URL';
  return (
    <p className="notice notice-warn" role="status" data-testid="campaign-channel-state">
      {channel === 'sms' ? 'SMS is' : 'The webhook channel is'} not set up for this store: the campaign can be saved as a draft, but starting it is refused
      {' '}until the settings have {needs} (under "SMS and webhook" in <Link to="/settings">Settings</Link>).
    </p>
  );
}

function Builder({ segments, templates, onCreated, audience = [] }: { segments: Segment[]; templates: MessageTemplateSummary[]; onCreated: (id: string) => void; audience?: string[] }) {
  const [name, setName] = useState('');
  const [channel, setChannel] = useState<Channel>('email');
  const [text, setText] = useState('');
  const settings = useApi('messaging-settings', () => http.get<MessagingSettings>('/api/v1/messaging/settings'));
  const marketing = templates.filter((t) => t.purpose === 'marketing' && !t.archived_at);
  const [template, setTemplate] = useState(marketing[0]?.id ?? '');
  const topics = useApi('email-topics', () => http.get<{ data: EmailTopic[] }>('/api/v1/messaging/topics'));
  const [topic, setTopic] = useState('');
  // A link from elsewhere (the journey map) may name the segment to send to: ?segment=<id>.
  const [included, setIncluded] = useState<string[]>(() => audience.filter((id) => segments.some((s) => s.id === id)));
  const [excluded, setExcluded] = useState<string[]>([]);
  const [holdoutPercent, setHoldoutPercent] = useState('10');
  const [days, setDays] = useState('5');
  const [timing, setTiming] = useState(initialTiming);
  const [ab, setAb] = useState(initialAb);
  const { store } = useApp();
  const share = Math.min(50, Math.max(0, Number(holdoutPercent) || 0)) / 100;
  const [count, setCount] = useState<{ state: 'idle' } | { state: 'ok'; data: CampaignAudience } | { state: 'error'; error: Parameters<typeof ErrorState>[0]['error'] }>({ state: 'idle' });
  useEffect(() => {
    if (!included.length) return setCount({ state: 'idle' });
    let current = true;
    const timer = window.setTimeout(() => {
      http.post<CampaignAudience>('/api/v1/campaigns/audience', { segment_ids: included, exclude_segment_ids: excluded, holdout_share: share, channel }).then(
        (data) => current && setCount({ state: 'ok', data }),
        (error) => current && setCount({ state: 'error', error }),
      );
    }, 250);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [included, excluded, share, channel]);
  const loaded = settings.result.state === 'ok' ? settings.result.data : undefined;
  const by = channel === 'webhook' ? loaded?.webhook.consent ?? 'email' : channel;
  const create = useAction((body: unknown) => http.post<Campaign>('/api/v1/campaigns', body));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const message = channel === 'email'
      ? { template_id: template || null, topic_id: topic || null, ...abBody(ab, template) }
      : { channel, text };
    const created = await create.run({
      name, segment_ids: included, exclude_segment_ids: excluded, holdout_share: share, attribution_days: Number(days),
      ...timingBody(timing, store.timezone), ...message,
    });
    if (created) {
      setName('');
      setText('');
      setTiming(initialTiming);
      setAb(initialAb);
      setIncluded([]);
      setExcluded([]);
      onCreated(created.id);
    }
  };
  return (
    <Panel title="New campaign" definition={holdoutDefinition}>
      <form className="stack" onSubmit={submit}>
        <Field label="Campaign name"><input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} placeholder="Autumn win-back" /></Field>
        <div className="field">
          <span className="field-label">Channel</span>
          <div><Segmented label="Channel" value={channel} options={channelOptions} onChange={setChannel} /></div>
        </div>
        {channel === 'email' ? (
          <>
            <Field label="Email template" hint="Marketing templates; edit them on the Templates page.">
              <select value={template} onChange={(e) => setTemplate(e.target.value)}>
                <option value="">— choose later —</option>
                {marketing.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
              </select>
            </Field>
            <Field label="Email topic" hint="Customers who unticked this topic on their preference page are skipped; topics are set in Settings.">
              <select name="campaign-topic" value={topic} onChange={(e) => setTopic(e.target.value)}>
                <option value="">— none —</option>
                {topics.result.state === 'ok' && topics.result.data.data.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
              </select>
            </Field>
          </>
        ) : (
          <>
            {loaded && <ChannelReadiness channel={channel} settings={loaded} />}
            <TextField channel={channel} value={text} onChange={setText} />
          </>
        )}
        <div className="grid-2">
          <SegmentChoice label="Send to customers in any of" segments={segments} chosen={included} onChange={setIncluded} disabled={(id) => excluded.includes(id)} />
          <SegmentChoice label="Except customers in" segments={segments} chosen={excluded} onChange={setExcluded} disabled={(id) => included.includes(id)} />
        </div>
        <div className="filters">
          <Field label="Holdout (%)" hint="0 to 50; 10 is usual"><input type="number" min={0} max={50} step={1} value={holdoutPercent} onChange={(e) => setHoldoutPercent(e.target.value)} /></Field>
          <Field label="Orders count for (days)" hint="after the start"><input type="number" min={1} max={90} value={days} onChange={(e) => setDays(e.target.value)} /></Field>
        </div>
        <TimingFields value={timing} onChange={setTiming} timezone={store.timezone} />
        {channel === 'email' && <AbTestFields value={ab} onChange={setAb} templates={marketing.filter((t) => t.id !== template)} />}
        {count.state === 'ok' && <AudienceLine count={count.data} share={share} by={by} />}
        {count.state === 'error' && <ErrorState error={count.error} />}
        {count.state === 'idle' && <p className="muted">Choose at least one segment to see who the campaign reaches.</p>}
        {create.error && <p className="form-error" role="alert">{create.error.describe()}</p>}
        <div><button type="submit" className="primary" disabled={create.pending || !included.length || !name.trim() || (channel !== 'email' && !text.trim())}>{timing.when === 'store_time' || timing.when === 'local_time' ? 'Schedule' : 'Save as draft'}</button></div>
      </form>
    </Panel>
  );
}

/** What the campaign sends: its channel, and its template or its text (as written, shown as text). */
function CampaignMessage({ campaign }: { campaign: Campaign }) {
  return (
    <div className="stack" data-testid="campaign-message">
      <p>
        <span className="muted">Channel:</span> <span className="badge">{channelWords[campaign.channel]}</span>
        {campaign.channel === 'email' && <span className="muted"> · {campaign.template_id ? `template ${campaign.template_id}` : 'no template chosen yet'}</span>}
      </p>
      {campaign.channel !== 'email' && (campaign.text === null
        ? <p className="muted">No text yet: it is needed before the campaign can start.</p>
        : <pre data-testid="campaign-text" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', margin: 0, background: '#f8fafc', padding: 12, borderRadius: 8 }}>{campaign.text}</pre>)}
    </div>
  );
}

function Results({ campaign, onChanged }: { campaign: Campaign; onChanged: () => void }) {
  const { fmt, canWrite } = useApp();
  const { result, reload } = useApi(`campaign-results:${campaign.id}:${campaign.started_at ?? ''}`, () => http.get<CampaignResults>(`/api/v1/campaigns/${campaign.id}/results`));
  const start = useAction(() => http.post<unknown>(`/api/v1/campaigns/${campaign.id}/start`, {}));
  const begin = async () => {
    if (!window.confirm(`Start "${campaign.name}" now? Its audience is frozen and the messages are sent.`)) return;
    if (await start.run()) {
      onChanged();
      reload();
    }
  };
  return (
    <Panel title={`Results: ${campaign.name}`} testId="campaign-results" definition="Everyone counts in the group they were drawn into when the campaign started, whether or not the message was opened: the two groups stay random halves of the same audience. Buyers: people with an order in the window; revenue net of refunds. 95 % intervals: Newcombe for the share who bought, Welch for revenue per person.">
      <CampaignMessage campaign={campaign} />
      {!campaign.started_at ? (
        <div className="stack">
          <p className="muted">This campaign has not started. Starting freezes its audience and draws the holdout.</p>
          {canWrite && <div><button type="button" className="primary" onClick={begin} disabled={start.pending}>Start campaign</button></div>}
          {start.error && <p className="form-error" role="alert">{start.error.describe()}</p>}
        </div>
      ) : (
        <Async result={result} onRetry={reload}>
          {(r) => {
            const sent = r.groups.find((g) => g.group === 'sent');
            const held = r.groups.find((g) => g.group === 'holdout');
            return (
              <div className="stack">
                <p className="muted">
                  Started {fmt.dateTime(r.started_at)}; orders count until {fmt.dateTime(r.window_ends_at)}
                  {r.complete ? '.' : ' — the window is still open, so these figures can still change.'}
                </p>
                {r.schedule && r.schedule.hours > 0 && (
                  <p data-testid="campaign-schedule">
                    Scheduled over <strong>{fmt.number(r.schedule.hours)} hours</strong>: from {fmt.dateTime(r.schedule.first_at)} to {fmt.dateTime(r.schedule.last_at)}
                    {' '}<span className="muted">({campaign.delivery.mode === 'at_start' ? 'quiet hours deferred some messages' : deliveryWords(campaign, fmt.dateTime)})</span>.
                  </p>
                )}
                {campaign.winner_reason && <p className="muted" data-testid="campaign-winner">Variant {String.fromCharCode(65 + (campaign.winner_variant ?? 0))} won by {campaign.ab_test?.winner_metric === 'clicks' ? 'clicks' : 'revenue per person'}: {campaign.winner_reason}</p>}
                <DataTable
                  caption="Campaign groups"
                  rows={r.groups}
                  rowKey={(g) => g.group}
                  columns={[
                    { key: 'group', label: 'Group', render: (g) => (g.group === 'sent' ? 'Sent the campaign' : g.group === 'holdout' ? 'Held out' : `Variant ${g.group}`) },
                    { key: 'people', label: 'People', numeric: true, render: (g) => fmt.number(g.people) },
                    { key: 'buyers', label: 'Bought', numeric: true, render: (g) => fmt.number(g.buyers) },
                    { key: 'conversion', label: 'Share who bought', numeric: true, render: (g) => fmt.percent(g.conversion, 1) },
                    { key: 'revenue', label: 'Revenue', numeric: true, render: (g) => fmt.money(g.revenue) },
                    { key: 'rpp', label: 'Revenue per person', numeric: true, render: (g) => fmt.money(g.revenue_per_person) },
                  ]}
                />
                {r.lift && sent && held ? (
                  <p data-testid="campaign-lift">
                    {r.lift.significant ? 'The campaign brought' : 'No clear effect yet: the campaign shows'}{' '}
                    <strong>{fmt.number(r.lift.incremental_buyers)}</strong> more buyers than the holdout predicts
                    {' '}(95 % interval {fmt.number(r.lift.incremental_buyers_interval.low)} to {fmt.number(r.lift.incremental_buyers_interval.high)}
                    {r.lift.significant ? '' : ', which includes zero'}) and {fmt.money(r.lift.incremental_revenue)} more revenue
                    {' '}(95 % interval {fmt.money(r.lift.incremental_revenue_interval.low)} to {fmt.money(r.lift.incremental_revenue_interval.high)}).
                  </p>
                ) : <p className="muted">No holdout: the campaign's own effect cannot be measured.</p>}
                {r.lift && (
                  <details data-testid="campaign-experiment">
                    <summary>Every outcome, over 7, 30 and 90 days</summary>
                    <ExperimentResultsFor kind="campaign" sourceId={campaign.id} />
                  </details>
                )}
                {r.messages && (
                  <p data-testid="campaign-messages">
                    Messages: {fmt.number(r.messages.sent)} sent, {fmt.number(r.messages.queued)} waiting, {fmt.number(r.messages.suppressed)} suppressed
                    {r.messages.failed + r.messages.uncertain > 0 && `, ${fmt.number(r.messages.failed + r.messages.uncertain)} failed or uncertain`}.
                    {campaign.channel === 'email' && <>{' '}{fmt.number(r.messages.opened)} opened <span className="muted">(inflated: mail privacy proxies open every message)</span>,
                    {' '}{fmt.number(r.messages.clicked)} clicked, {fmt.number(r.messages.unsubscribed)} unsubscribed
                    {r.messages.complained > 0 && `, ${fmt.number(r.messages.complained)} complained`}
                    {r.messages.bounced > 0 && `, ${fmt.number(r.messages.bounced)} bounced`}.</>}
                    {r.attributed && r.attributed.orders > 0 && <> After a click: {fmt.number(r.attributed.orders)} orders, {fmt.money(r.attributed.revenue)}.</>}
                  </p>
                )}
              </div>
            );
          }}
        </Async>
      )}
    </Panel>
  );
}

export function CampaignsPage() {
  const { fmt, canWrite } = useApp();
  const campaigns = useApi('campaigns', () => http.get<{ data: Campaign[] }>('/api/v1/campaigns'));
  const segments = useApi('segments', () => http.get<{ data: Segment[] }>('/api/v1/segments'));
  const templates = useApi('templates', () => http.get<{ data: MessageTemplateSummary[] }>('/api/v1/templates'));
  const { params } = useLocation();
  const selectedId = params.get('campaign');
  const audience = params.getAll('segment');
  const choose = (id: string) => {
    setQueryParam('campaign', id);
    window.requestAnimationFrame(() => document.getElementById('campaign-detail')?.scrollIntoView({ block: 'start' }));
  };
  return (
    <div className="page">
      <PageHeader title="Campaigns" subtitle="One message to the segments you choose, with a holdout that receives nothing — so you see what each campaign really changed." />
      <div className="stack">
        {canWrite && (
          <Async result={segments.result} onRetry={segments.reload} isEmpty={(d) => d.data.length === 0} empty="No segments yet: build one on the Segments page first.">
            {(answer) => (
              <Async result={templates.result} onRetry={templates.reload}>
                {(list) => <Builder segments={answer.data} templates={list.data} audience={audience} onCreated={(id) => { campaigns.reload(); choose(id); }} />}
              </Async>
            )}
          </Async>
        )}
        <Panel title="Campaigns">
          <Async result={campaigns.result} onRetry={campaigns.reload} isEmpty={(d) => d.data.length === 0} empty="No campaigns yet.">
            {(answer) => (
              <DataTable
                caption="Campaigns"
                rows={answer.data}
                rowKey={(c) => c.id}
                onRowClick={(c) => choose(c.id)}
                isSelected={(c) => c.id === selectedId}
                columns={[
                  { key: 'name', label: 'Campaign', render: (c) => c.name, sortValue: (c) => c.name },
                  { key: 'status', label: 'Status', render: (c) => <span className="badge">{statusWords[c.status]}</span> },
                  { key: 'channel', label: 'Channel', render: (c) => channelWords[c.channel] },
                  { key: 'holdout', label: 'Holdout', numeric: true, render: (c) => fmt.percent(c.holdout_share, 0) },
                  { key: 'when', label: 'Sends', render: (c) => deliveryWords(c, fmt.dateTime) },
                  { key: 'started', label: 'Started', render: (c) => fmt.dateTime(c.started_at) },
                  { key: 'created', label: 'Created', render: (c) => fmt.date(c.created_at), sortValue: (c) => c.created_at },
                ]}
              />
            )}
          </Async>
        </Panel>
        <Async result={campaigns.result} onRetry={campaigns.reload}>
          {(answer) => {
            const selected = answer.data.find((c) => c.id === selectedId);
            return selected
              ? <div id="campaign-detail"><Results campaign={selected} onChanged={campaigns.reload} /></div>
              : <p className="muted">{selectedId ? 'That campaign no longer exists. ' : ''}Choose a campaign to see its results.</p>;
          }}
        </Async>
      </div>
    </div>
  );
}
