/**
 * Support: the store's tickets with their first-response and resolution times, the "where is my
 * order?" contacts the order-status page deflected, and who came back after a contact
 * (docs/listen.md). Ticket text came from outside: React renders it as text.
 */
import { http } from '../api/client';
import type { Deflection, Retention, RetentionRow, Ticket, TicketList } from '../api/support-types';
import { useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { Link } from '../components/router';
import { Async, Empty } from '../components/states';
import { DataTable, PageHeader, Panel } from '../components/ui';

const median = (values: number[]) => {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function RetentionTable({ rows, label, testId }: { rows: RetentionRow[]; label: string; testId: string }) {
  const { fmt } = useApp();
  return (
    <div data-testid={testId}>
      <DataTable
        caption={label}
        rows={rows}
        rowKey={(r) => r.group}
        columns={[
          { key: 'group', label: 'Group', render: (r) => r.group.replace(/_/g, ' ') },
          { key: 'customers', label: 'Customers', numeric: true, render: (r) => fmt.number(r.customers) },
          { key: 'repeaters', label: 'Ordered again', numeric: true, render: (r) => fmt.number(r.repeaters) },
          { key: 'rate', label: 'Repeat rate (95 %)', numeric: true, render: (r) => (r.rate === null ? '—' : `${fmt.percent(r.rate)} (${fmt.percent(r.low)} to ${fmt.percent(r.high)})`) },
        ]}
      />
    </div>
  );
}

const retentionDefinition = 'Share of customers who placed an order within 90 days after their first ticket or NPS answer. Only customers whose 90 days are over count. Associations in this store\'s data, not effects.';
const deflectionDefinition = 'Order-status page views (one per order and day) not followed by a ticket about that order or from that customer within 7 days.';

export function SupportPage() {
  const { fmt } = useApp();
  const tickets = useApi('support:tickets', () => http.get<TicketList>('/api/v1/tickets?limit=200'));
  const deflection = useApi('support:deflection', () => http.get<Deflection>('/api/v1/support/deflection'));
  const retention = useApi('support:retention', () => http.get<Retention>('/api/v1/support/retention'));
  return (
    <div className="page">
      <PageHeader title="Support" subtitle="Tickets from the API, Zendesk, Gorgias and the order-status page" />
      <Async result={tickets.result} onRetry={tickets.reload}>
        {({ data }) => {
          const responses = data.map((t) => t.first_response_minutes).filter((v): v is number => v !== null);
          const resolutions = data.map((t) => t.resolution_hours).filter((v): v is number => v !== null);
          return (
            <>
              <div className="grid grid-2">
                <Panel title="Response times" testId="support-times" definition="Over the latest 200 tickets: the median minutes from opening to the store's first response, and hours to resolution.">
                  <dl className="dl">
                    <dt>Tickets</dt><dd data-testid="ticket-count">{fmt.number(data.length)}</dd>
                    <dt>Open</dt><dd>{fmt.number(data.filter((t) => t.status !== 'resolved').length)}</dd>
                    <dt>Median first response</dt><dd data-testid="median-response">{median(responses) === null ? '—' : `${fmt.number(Math.round(median(responses)!))} min`}</dd>
                    <dt>Median resolution</dt><dd>{median(resolutions) === null ? '—' : `${median(resolutions)!.toFixed(1)} h`}</dd>
                  </dl>
                </Panel>
                <Panel title="Where is my order?" testId="support-deflection" definition={deflectionDefinition}>
                  <Async result={deflection.result} onRetry={deflection.reload}>
                    {(d) => (
                      <dl className="dl">
                        <dt>Order-status views (90 days)</dt><dd data-testid="deflection-views">{fmt.number(d.views)}</dd>
                        <dt>Deflected</dt><dd data-testid="deflection-deflected">{fmt.number(d.deflected)} ({fmt.percent(d.views ? d.deflected / d.views : null)})</dd>
                        <dt>WISMO tickets</dt><dd>{fmt.number(d.wismo_tickets)}</dd>
                      </dl>
                    )}
                  </Async>
                </Panel>
              </div>
              <Panel title="Tickets" testId="tickets-list">
                {data.length === 0 ? <Empty>No tickets yet: connect Zendesk or Gorgias in the support settings, or post them to the API.</Empty> : (
                  <DataTable<Ticket>
                    rows={data}
                    rowKey={(t) => t.id}
                    columns={[
                      { key: 'opened', label: 'Opened', render: (t) => fmt.dateTime(t.opened_at), sortValue: (t) => t.opened_at },
                      { key: 'subject', label: 'Subject', render: (t) => t.subject ?? '—' },
                      { key: 'customer', label: 'Customer', render: (t) => (t.customer_id === null ? '—' : <Link to={`/customers/${t.customer_id}`}>{t.requester_email ?? `#${t.customer_id}`}</Link>) },
                      { key: 'status', label: 'Status', render: (t) => t.status },
                      { key: 'topic', label: 'Topic', render: (t) => t.topic?.replace(/_/g, ' ') ?? '—' },
                      { key: 'source', label: 'Source', render: (t) => `${t.source} · ${t.channel}` },
                      { key: 'response', label: 'First response', numeric: true, render: (t) => (t.first_response_minutes === null ? '—' : `${fmt.number(Math.round(t.first_response_minutes))} min`), sortValue: (t) => t.first_response_minutes },
                      { key: 'resolution', label: 'Resolved in', numeric: true, render: (t) => (t.resolution_hours === null ? '—' : `${t.resolution_hours.toFixed(1)} h`), sortValue: (t) => t.resolution_hours },
                    ]}
                  />
                )}
              </Panel>
            </>
          );
        }}
      </Async>
      <Panel title="Who comes back after a contact" testId="support-retention" definition={retentionDefinition}>
        <Async result={retention.result} onRetry={retention.reload}>
          {(r) => (
            <div className="stack">
              <RetentionTable rows={r.resolved_within_24h} label="First ticket resolved within 24 hours" testId="retention-resolved" />
              <RetentionTable rows={r.first_response} label="First response time of the first ticket" testId="retention-response" />
            </div>
          )}
        </Async>
      </Panel>
    </div>
  );
}
