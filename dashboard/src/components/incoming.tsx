/**
 * What has arrived: tracked events of the last 24 hours per source (received, stored,
 * deduplicated, rejected with the top reasons) and the recent file imports.
 */
import { http } from '../api/client';
import type { ImportRun, IngestStatus } from '../api/types';
import { useApi } from '../api/use-api';
import { useApp } from './app-context';
import { Async } from './states';
import { DataTable, Panel, RefreshButton } from './ui';

const sourceNames: Record<string, string> = {
  api: 'HTTP API',
  snippet: 'Browser snippet (hearth.js)',
  segment: 'Segment',
  rudderstack: 'RudderStack',
  shopify: 'Shopify webhooks',
};

type Source = IngestStatus['sources'][number];

export function TrackingStatus() {
  const { fmt } = useApp();
  const { result, reload } = useApi('ingest-status', () => http.get<IngestStatus>('/api/v1/ingest/status'));
  return (
    <Panel
      title="Tracked events, last 24 hours"
      definition="Events sent to the tracking API (/v1/*), by the browser snippet, Segment or RudderStack, and Shopify webhooks. Received = events in the requests; stored = new events kept; deduplicated = retries of a messageId already stored (kept once); rejected = invalid events, with the most frequent reasons."
      actions={<RefreshButton onClick={reload} />}
      testId="tracking-status"
    >
      <Async
        result={result}
        onRetry={reload}
        isEmpty={(d) => d.sources.length === 0}
        empty={`No events in the last 24 hours. Create a write key below and paste the snippet into the shop, or point Segment or RudderStack at ${window.location.origin}/v1/batch.`}
      >
        {(status) => (
          <DataTable<Source>
            caption={`Tracked events since ${fmt.dateTime(status.since)}`}
            rows={status.sources}
            rowKey={(s) => s.source}
            columns={[
              { key: 'source', label: 'Source', render: (s) => sourceNames[s.source] ?? s.source },
              { key: 'received', label: 'Received', numeric: true, render: (s) => fmt.number(s.received) },
              { key: 'stored', label: 'Stored', numeric: true, render: (s) => fmt.number(s.stored) },
              { key: 'deduplicated', label: 'Deduplicated', numeric: true, render: (s) => fmt.number(s.deduplicated) },
              { key: 'rejected', label: 'Rejected', numeric: true, render: (s) => <span className={s.rejected > 0 ? 'badge bad' : ''}>{fmt.number(s.rejected)}</span> },
              {
                key: 'reasons', label: 'Top rejection reasons',
                render: (s) => s.top_rejections.length === 0 ? '—' : (
                  <ul className="plain-list">
                    {s.top_rejections.map((r) => <li key={r.reason}><code>{r.reason}</code> × {fmt.number(r.count)}</li>)}
                  </ul>
                ),
              },
            ]}
          />
        )}
      </Async>
    </Panel>
  );
}

/** "3 created, 1 updated" for each kind of record an import touched. */
function changes(summary: ImportRun['summary']): string {
  if (!summary) return '—';
  const parts = (['customers', 'orders', 'products', 'returns'] as const).flatMap((kind) => {
    const counts = summary[kind];
    if (!counts || counts.created + counts.updated === 0) return [];
    return [`${kind}: ${counts.created} new, ${counts.updated} updated`];
  });
  return parts.length ? parts.join('; ') : 'no changes';
}

export function ImportRuns() {
  const { fmt } = useApp();
  const { result, reload } = useApi('import-runs', () => http.get<{ data: ImportRun[] }>('/api/v1/imports?limit=20'));
  return (
    <Panel
      title="File imports"
      definition="Files imported with the hearth import command or uploaded to POST /api/v1/imports, newest first. Rejected rows are written to a rejects file with their line and reason; importing the same file again changes nothing."
      actions={<RefreshButton onClick={reload} />}
      testId="import-runs"
    >
      <Async result={result} onRetry={reload} isEmpty={(d) => d.data.length === 0} empty={<>No file imported yet. Import order and customer files with <code>hearth import FILE --format F</code>.</>}>
        {({ data: runs }) => (
          <DataTable<ImportRun>
            caption="File imports"
            rows={runs}
            rowKey={(r) => r.id}
            columns={[
              { key: 'file', label: 'File', render: (r) => <span title={r.file_sha256 ?? ''}>{r.file}</span> },
              { key: 'format', label: 'Format', render: (r) => r.format },
              { key: 'state', label: 'State', render: (r) => <span className={`badge ${r.state === 'done' ? 'good' : r.state === 'failed' ? 'bad' : 'warn'}`}>{r.state}</span> },
              { key: 'rows', label: 'Rows read', numeric: true, render: (r) => fmt.number(r.rows_read) },
              { key: 'rejected', label: 'Rejected', numeric: true, render: (r) => fmt.number(r.rows_rejected) },
              { key: 'changes', label: 'Changes', render: (r) => changes(r.summary) },
              { key: 'started', label: 'Started', render: (r) => fmt.dateTime(r.started_at) },
              { key: 'finished', label: 'Finished', render: (r) => fmt.dateTime(r.finished_at) },
            ]}
          />
        )}
      </Async>
    </Panel>
  );
}
