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
import { DataTable, Field, PageHeader, Panel } from '../components/ui';

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

/** Where the customers of each segment at the earlier date are now: the largest moves first. */
function Movement({ answer, since }: { answer: RfmAnswer; since: string }) {
  const { fmt } = useApp();
  const moves = (answer.movement ?? []).filter((m) => m.from !== m.to).sort((a, b) => b.customers - a.customers).slice(0, 15);
  return (
    <Panel title={`Movement since ${fmt.date(since)}`} testId="rfm-movement" definition="Customers whose segment changed between the two dates (new customers come from “no order yet”). The largest moves first.">
      {moves.length === 0 ? <p className="muted">No customer changed segment between these dates.</p> : (
        <DataTable
          caption="RFM movement"
          rows={moves}
          rowKey={(m) => `${m.from}:${m.to}`}
          columns={[
            { key: 'from', label: `On ${fmt.date(since)}`, render: (m) => m.from ?? 'no order yet' },
            { key: 'to', label: `On ${fmt.date(answer.as_of)}`, render: (m) => m.to ?? '—' },
            { key: 'customers', label: 'Customers', numeric: true, render: (m) => fmt.number(m.customers), sortValue: (m) => m.customers },
          ]}
        />
      )}
    </Panel>
  );
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

const isDay = (text: string | null): text is string => text !== null && /^\d{4}-\d{2}-\d{2}$/.test(text);

/** The R × FM grid: customers per score cell, each cell named by the segment it falls in. */
function ScoreGrid({ answer }: { answer: RfmAnswer }) {
  const { fmt } = useApp();
  const cells = new Map(answer.grid.map((c) => [`${c.r}:${c.fm}`, c.customers]));
  const max = Math.max(1, ...answer.grid.map((c) => c.customers));
  return (
    <div className="table-wrap">
      <table className="score-grid" data-testid="rfm-score-grid">
        <caption className="sr-only">Customers per recency score (rows) and frequency-monetary score (columns)</caption>
        <thead><tr><th scope="col">R \ FM</th>{[1, 2, 3, 4, 5].map((fm) => <th key={fm} scope="col">FM {fm}</th>)}</tr></thead>
        <tbody>
          {[5, 4, 3, 2, 1].map((r) => (
            <tr key={r}>
              <th scope="row">R {r}</th>
              {[1, 2, 3, 4, 5].map((fm) => {
                const n = cells.get(`${r}:${fm}`) ?? 0;
                return <td key={fm} style={{ background: `rgba(37, 99, 235, ${(0.08 + 0.6 * (n / max)).toFixed(2)})` }}>{fmt.number(n)}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RfmPage() {
  const { fmt } = useApp();
  const { params } = useLocation();
  const selected = params.get('segment') ?? undefined;
  const asOf = isDay(params.get('as_of')) ? params.get('as_of')! : undefined;
  const since = isDay(params.get('since')) ? params.get('since')! : undefined;
  const { result, reload } = useApi(`rfm:${asOf}:${since}`, () => http.get<RfmAnswer>('/api/v1/analytics/rfm', { to: asOf, since }));
  const total = result.state === 'ok' ? result.data.segments.reduce((sum, s) => sum + s.customers, 0) : 0;
  const option = useMemo(() => (result.state === 'ok' ? barsOption(result.data.segments, fmt) : undefined), [result, fmt]);
  const shownAsOf = result.state === 'ok' ? result.data.as_of : undefined;
  return (
    <div className="page">
      <PageHeader
        title="RFM segments"
        subtitle="Customers scored 1–5 on recency, frequency and monetary value, grouped into segments you can act on. Click a segment to see its customers."
        actions={(
          <div className="row" role="group" aria-label="RFM dates">
            <Field label="As of"><input type="date" name="as-of" value={asOf ?? shownAsOf ?? ''} onChange={(e) => setQueryParam('as_of', e.target.value || undefined)} /></Field>
            <Field label="Compared with"><input type="date" name="since" value={since ?? ''} max={shownAsOf} onChange={(e) => setQueryParam('since', e.target.value || undefined)} /></Field>
          </div>
        )}
      />
      <div className="stack">
        <Panel title="Segments" definition="Recency: days since the last order. Frequency: number of orders. Monetary: total spend. Each is scored 1–5 by quintile; the segment follows from R and FM (the mean of F and M). Hover a segment for its definition. RFM's “At risk” and “Lost” describe recency and past value; the model's churn risk (Predictions) is another measure.">
          <Async result={result} onRetry={reload} isEmpty={(d) => d.segments.length === 0} empty="No customers with orders yet: RFM needs at least one order per customer. Import orders on the Data page.">
            {(answer) => (
              <>
                <p className="muted" data-testid="rfm-as-of">As of {fmt.date(answer.as_of)}: {fmt.number(answer.customers)} customers with an order.</p>
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
              </>
            )}
          </Async>
        </Panel>
        <Async result={result} onRetry={reload} isEmpty={(d) => d.segments.length === 0} empty="">
          {(answer) => (
            <div className="grid grid-2">
              <Panel title="Averages per segment" definition="Per segment: days since the last order, orders and revenue per customer, as of the date above.">
                <DataTable
                  caption="Averages per RFM segment"
                  rows={answer.segments.filter((s) => s.customers > 0)}
                  rowKey={(s) => s.segment}
                  columns={[
                    { key: 'segment', label: 'Segment', render: (s) => <span title={s.definition}>{s.segment}</span>, sortValue: (s) => s.segment },
                    { key: 'recency', label: 'Days since last order', numeric: true, render: (s) => fmt.number(s.avg_recency_days, { digits: 0 }), sortValue: (s) => s.avg_recency_days ?? 0 },
                    { key: 'orders', label: 'Orders', numeric: true, render: (s) => fmt.number(s.avg_orders, { digits: 1 }), sortValue: (s) => s.avg_orders ?? 0 },
                    { key: 'revenue', label: 'Revenue', numeric: true, render: (s) => fmt.money(s.avg_revenue), sortValue: (s) => s.avg_revenue ?? 0 },
                  ]}
                />
              </Panel>
              <Panel title="R × FM grid" definition="Customers per recency score (rows, 5 = most recent) and the mean of the frequency and monetary scores (columns, 5 = most orders and spend).">
                <ScoreGrid answer={answer} />
              </Panel>
            </div>
          )}
        </Async>
        {since && result.state === 'ok' && <Movement answer={result.data} since={since} />}
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
