import { useMemo } from 'react';
import type { RfmAnswer, RfmSegment } from '../api/analytics-types';
import { http } from '../api/client';
import type { Preview } from '../api/segment-types';
import { useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { axis, Chart, type ChartOption, escapeHtml } from '../components/chart';
import type { Formatter } from '../components/format';
import { navigate, setQueryParam, useLocation } from '../components/router';
import { Async } from '../components/states';
import { DataTable, PageHeader, Panel } from '../components/ui';

function name(s: RfmSegment): string {
  return s.segment;
}

function barsOption(segments: RfmSegment[], fmt: Formatter): ChartOption {
  const rows = [...segments].sort((a, b) => a.revenue - b.revenue);
  return {
    tooltip: { trigger: 'axis', confine: true, formatter: (p: { dataIndex: number }[]) => { const s = rows[p[0]?.dataIndex ?? 0]; return s ? `<b>${escapeHtml(name(s))}</b><br/>${fmt.number(s.customers)} customers<br/>${fmt.money(s.revenue)} revenue` : ''; } },
    grid: { left: 150, right: 30, top: 10, bottom: 48 },
    xAxis: { type: 'value', ...axis(`Revenue (${fmt.currency})`, { axisLabel: { formatter: (v: number) => fmt.money(v, { compact: true }) } }) },
    yAxis: { type: 'category', data: rows.map(name), axisLabel: { color: '#374151' } },
    series: [{ name: 'Revenue', type: 'bar', data: rows.map((s) => s.revenue) }],
  };
}

function Members({ segment, definition }: { segment: string; definition: string | undefined }) {
  const { fmt } = useApp();
  const { result, reload } = useApi(`rfm-members:${segment}`, () => http.post<Preview>('/api/v1/segments/preview', { rule: { kind: 'rfm', field: 'segment', op: 'eq', value: segment } }));
  return (
    <Panel title={`Members: ${segment}`} definition={definition} testId="rfm-members">
      <Async result={result} onRetry={reload} isEmpty={(d) => d.count === 0} empty="No customers in this segment.">
        {(preview) => (
          <>
            <p className="muted">{fmt.number(preview.count)} customers; a sample of {preview.sample.length} below. Save it as a segment on the Segments page to act on all of them.</p>
            <DataTable
              caption="Segment members"
              rows={preview.sample}
              rowKey={(c) => String(c.id)}
              onRowClick={(c) => navigate(`/customers/${c.id}`)}
              columns={[
                { key: 'name', label: 'Customer', render: (c) => c.name || c.email || `#${c.id}` },
                { key: 'email', label: 'Email', render: (c) => c.email ?? '—' },
                { key: 'country', label: 'Country', render: (c) => c.country ?? '—' },
              ]}
            />
          </>
        )}
      </Async>
    </Panel>
  );
}

export function RfmPage() {
  const { fmt } = useApp();
  const { params } = useLocation();
  const selected = params.get('segment') ?? undefined;
  const { result, reload } = useApi('rfm', () => http.get<RfmAnswer>('/api/v1/analytics/rfm'));
  const total = result.state === 'ok' ? result.data.segments.reduce((sum, s) => sum + s.customers, 0) : 0;
  const option = useMemo(() => (result.state === 'ok' ? barsOption(result.data.segments, fmt) : undefined), [result, fmt]);
  return (
    <div className="page">
      <PageHeader title="RFM segments" subtitle="Customers scored 1–5 on recency, frequency and monetary value, grouped into segments you can act on. Click a segment to see its customers." />
      <div className="stack">
        <Panel title="Segments" definition="Recency: days since the last order. Frequency: number of orders. Monetary: total spend. Each is scored 1–5 by quintile; the segment follows from R and FM (the mean of F and M). Hover a segment for its definition. RFM's “At risk” and “Lost” describe recency and past value; the model's churn risk (Predictions) is another measure.">
          <Async result={result} onRetry={reload} isEmpty={(d) => d.segments.length === 0} empty="No customers with orders yet: RFM needs at least one order per customer. Import orders on the Data page.">
            {(answer) => (
              <div className="rfm-grid" data-testid="rfm-grid">
                {answer.segments.map((s) => (
                  <button type="button" key={s.segment} className={`rfm-cell ${selected === s.segment ? 'selected' : ''}`} onClick={() => setQueryParam('segment', s.segment)} data-testid={`rfm-${s.segment}`}
                    title={s.definition} aria-description={s.definition}>
                    <strong>{name(s)}</strong>
                    <span className="big">{fmt.number(s.customers)}</span>
                    <span className="muted">{fmt.percent(total ? s.customers / total : 0, 1)} of customers</span>
                    <span>{fmt.money(s.revenue, { compact: true })} revenue</span>
                  </button>
                ))}
              </div>
            )}
          </Async>
        </Panel>
        {selected && <Members segment={selected} definition={result.state === 'ok' ? result.data.segments.find((s) => s.segment === selected)?.definition : undefined} />}
        <Panel title="Revenue by segment">
          <Async result={result} onRetry={reload} height={320} isEmpty={(d) => d.segments.length === 0} empty="No segments yet.">
            {() => option && <Chart option={option} label="Revenue by RFM segment" height={360} onClick={(p) => { const s = [...(result.state === 'ok' ? result.data.segments : [])].sort((a, b) => a.revenue - b.revenue)[p.dataIndex]; if (s) setQueryParam('segment', s.segment); }} />}
          </Async>
        </Panel>
      </div>
    </div>
  );
}
