import type { CustomerProfile, TimelineItem } from '../api/segment-types';
import { http } from '../api/client';
import type { CustomerPrediction } from '../api/prediction-types';
import { useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { CustomerFlows } from '../components/customer-flows';
import { CustomerLoyalty } from '../components/customer-loyalty';
import { PredictionPanel } from '../components/prediction-panel';
import { RecommendationsPanel } from '../components/recommendations-panel';
import { Link } from '../components/router';
import { Async } from '../components/states';
import { PageHeader, Panel } from '../components/ui';
import { customerName } from './customers.page';

type Profile = CustomerProfile;
type BrowsingSession = Extract<TimelineItem, { type: 'browsing_session' }>;

/** A browsing session in a line: how long, how many pages and events, and the most frequent ones. */
function describeSession(item: BrowsingSession): string {
  const minutes = Math.round((Date.parse(item.ended_at) - Date.parse(item.at)) / 60_000);
  const top = Object.entries(item.names).sort(([, a], [, b]) => b - a).slice(0, 3).map(([name, n]) => (n > 1 ? `${name} ×${n}` : name));
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [minutes > 0 ? `${minutes} min` : undefined, item.pages ? plural(item.pages, 'page') : undefined, plural(item.events, 'event'), top.join(', ')]
    .filter(Boolean).join(' · ');
}

function describe(item: TimelineItem, money: (v: number) => string): string {
  switch (item.type) {
    case 'browsing_session': return describeSession(item);
    case 'segment': return `${item.change} ${item.name}`.trim();
    case 'order': return [item.external_id, item.status.replace(/_/g, ' '), `${item.items} item${item.items === 1 ? '' : 's'}`, money(item.total),
      item.discount_codes.length ? `code ${item.discount_codes.join(', ')}` : undefined].filter(Boolean).join(' · ');
    case 'return': return [money(item.amount), item.reason ?? undefined].filter(Boolean).join(' · ');
    case 'message': return messageDetail(item);
    case 'topic': return `${item.subscribed ? 'kept' : 'dropped'} ${item.name} (${item.source})`;
    case 'ticket': return [item.subject ?? 'ticket', item.status, item.channel, item.topic?.replace(/_/g, ' '), item.source].filter(Boolean).join(' · ');
    case 'survey_answer': return [`${item.kind.toUpperCase()} ${item.score} (${item.category})`, item.comment ?? undefined].filter(Boolean).join(' · ');
    case 'review': return [`${'★'.repeat(item.rating)}${'☆'.repeat(Math.max(0, 5 - item.rating))} (${item.rating}/5) ${item.product_title ?? item.product_id}`, item.title ?? undefined, item.status,
      item.verified ? 'verified buyer' : undefined, item.photos ? `${item.photos} photo${item.photos === 1 ? '' : 's'}` : undefined].filter(Boolean).join(' · ');
  }
}

type MessageItem = Extract<TimelineItem, { type: 'message' }>;

/** "sent · campaign · opened · clicked": what became of a message, after its subject. */
function messageDetail(item: MessageItem): string {
  const state = item.reason ? `${item.state} (${item.reason.replace(/_/g, ' ')})` : item.state;
  const source = item.source?.startsWith('campaign:') ? 'campaign' : item.source?.startsWith('flow:') ? 'flow' : item.source ?? (item.purpose === 'transactional' ? 'transactional' : undefined);
  return [state, source, item.topic_id ? `topic ${item.topic_id}` : undefined, item.opened ? 'opened' : undefined, item.clicked ? 'clicked' : undefined].filter(Boolean).join(' · ');
}

export function CustomerPage({ id }: { id: string }) {
  const { fmt } = useApp();
  const { result, reload } = useApi(`profile:${id}`, () => http.get<Profile>(`/api/v1/customers/${encodeURIComponent(id)}/profile`));
  const prediction = useApi(`prediction:${id}`, () => http.get<CustomerPrediction>(`/api/v1/customers/${encodeURIComponent(id)}/predictions`));
  return (
    <div className="page">
      <p><Link to="/customers">← Customers</Link></p>
      <Async result={result} onRetry={reload}>
        {(profile) => (
          <>
            <PageHeader title={customerName(profile.identity)} subtitle={[profile.identity.email, profile.identity.country, profile.identity.external_id && `id ${profile.identity.external_id}`].filter(Boolean).join(' · ')} />
            <div className="grid grid-2">
              <Panel title="Orders">
                <dl className="dl">
                  <dt>Orders</dt><dd data-testid="profile-orders">{fmt.number(profile.kpis?.orders)}</dd>
                  <dt>Revenue</dt><dd>{fmt.money(profile.kpis?.revenue)}</dd>
                  <dt>Average order</dt><dd>{fmt.money(profile.kpis?.average_order_value)}</dd>
                  <dt>First order</dt><dd>{fmt.date(profile.kpis?.first_order_at ?? null)}</dd>
                  <dt>Last order</dt><dd>{fmt.date(profile.kpis?.last_order_at ?? null)}</dd>
                </dl>
              </Panel>
              <PredictionPanel prediction={prediction.result} history={{ orders: profile.kpis?.orders, lastOrderAt: profile.kpis?.last_order_at }} />
              <Panel title="Segments">
                <dl className="dl">
                  <dt>RFM</dt><dd>{profile.rfm ? `${profile.rfm.segment} (R${profile.rfm.r ?? '?'} F${profile.rfm.f ?? '?'} M${profile.rfm.m ?? '?'})` : '—'}</dd>
                  <dt>Segments</dt><dd>{profile.segments?.length ? profile.segments.map((s) => s.name).join(', ') : 'none'}</dd>
                  <dt>Personas</dt>
                  <dd data-testid="profile-personas">
                    {profile.personas?.length
                      ? profile.personas.map((p) => (
                        <span key={p.id} className="persona-line">
                          {p.name}
                          {p.motivators.length > 0 && <span className="muted"> — responds to {p.motivators.slice(0, 2).join('; ')}</span>}
                        </span>
                      ))
                      : 'none'}
                  </dd>
                  <dt>Tags</dt><dd>{profile.identity.tags?.length ? profile.identity.tags.join(', ') : '—'}</dd>
                </dl>
              </Panel>
              <Panel title="Contact and consent" definition="Marketing consent per channel, as the store's sources state it: status, when it was given or withdrawn, and where it came from. Messages go only to subscribed channels.">
                <dl className="dl">
                  <dt>Email</dt><dd data-testid="consent-email">{consentText(profile.consent.email, fmt.date)}</dd>
                  {profile.consent.topics.length > 0 && (
                    <><dt>Email topics</dt><dd data-testid="consent-topics">{profile.consent.topics.map((t) => `${t.name}${t.subscribed ? '' : ' (dropped)'}`).join(', ')}</dd></>
                  )}
                  <dt>SMS</dt><dd data-testid="consent-sms">{consentText(profile.consent.sms, fmt.date)}</dd>
                  <dt>Phone</dt><dd>{profile.identity.phone ?? '—'}</dd>
                  <dt>Birthday</dt><dd>{profile.identity.birthday ? profile.identity.birthday.replace(/^--/, '') : '—'}</dd>
                  <dt>Language</dt><dd>{profile.identity.language ?? '—'}</dd>
                  <dt>Time zone</dt><dd>{profile.identity.timezone ?? '—'}</dd>
                </dl>
              </Panel>
            </div>
            {(profile.top_products.length > 0 || profile.top_categories.length > 0) && (
              <Panel title="What they buy" testId="profile-top" definition="The products and categories this customer has spent most on, with how many orders they were in.">
                <div className="grid grid-2">
                  {([['Products', profile.top_products], ['Categories', profile.top_categories]] as const).map(([title, items]) => (
                    <div key={title}>
                      <h3 className="panel-subtitle">{title}</h3>
                      {items.length ? (
                        <ol className="plain-list">
                          {items.map((item) => (
                            <li key={item.name}>{item.name} <span className="muted">· {fmt.money(item.spend)} · {item.orders} order{item.orders === 1 ? '' : 's'}</span></li>
                          ))}
                        </ol>
                      ) : <p className="muted">None recorded.</p>}
                    </div>
                  ))}
                </div>
              </Panel>
            )}
            <CustomerFlows customerId={profile.identity.id} />
            <CustomerLoyalty customerId={profile.identity.id} />
            <RecommendationsPanel customerId={id} />
            <Panel title="Timeline" className="timeline-panel">
              {profile.timeline?.length ? (
                <ol className="timeline">
                  {profile.timeline.map((item, i) => (
                    <li key={i}>
                      <span className="muted">{fmt.dateTime(item.at)}</span>
                      {item.type === 'message' ? (
                        <span data-testid="timeline-message"><b>{item.channel}</b> <Link to={`/outbox/${item.id}`}>{item.subject || '(no subject)'}</Link> <span className="muted">· {describe(item, (v) => fmt.money(v))}</span></span>
                      ) : (
                        <span><b>{item.type.replace(/_/g, ' ')}</b> {describe(item, (v) => fmt.money(v))}</span>
                      )}
                    </li>
                  ))}
                </ol>
              ) : <p className="muted">Nothing on this customer's timeline yet.</p>}
            </Panel>
          </>
        )}
      </Async>
    </div>
  );
}

/** "subscribed 3 Oct 2026 (shopify)", "unsubscribed …", "never asked". */
function consentText(consent: CustomerProfile['consent']['email'], date: (value: string | null) => string): string {
  if (consent.status === 'never_asked') return 'never asked';
  const when = consent.at ? ` ${date(consent.at)}` : '';
  return `${consent.status}${when}${consent.source ? ` (${consent.source})` : ''}`;
}
