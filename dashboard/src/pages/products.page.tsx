import { useMemo, useState } from 'react';
import type { ProductsReport } from '../api/analytics-types';
import { http } from '../api/client';
import { useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { axis, Chart, escapeHtml, type ChartOption } from '../components/chart';
import { DateRange, useDateRange } from '../components/date-range';
import type { Formatter } from '../components/format';
import { setQueryParam, useLocation } from '../components/router';
import { Async } from '../components/states';
import { DataTable, Field, PageHeader, Panel } from '../components/ui';

type Row = ProductsReport['rows'][number];
const PAGE = 25;
/** Products the chart shows: those that started the most customers. */
const CHART_ROWS = 12;

function chartOption(rows: Row[], fmt: Formatter): ChartOption {
  const top = [...rows].sort((a, b) => b.customers - a.customers).slice(0, CHART_ROWS).reverse();
  return {
    tooltip: {
      trigger: 'axis', confine: true,
      formatter: (p: { dataIndex: number }[]) => {
        const r = top[p[0]?.dataIndex ?? 0];
        return r ? `<b>${escapeHtml(r.title ?? r.key)}</b><br/>${fmt.percent(r.repeat_rate, 1)} ordered again<br/>${fmt.number(r.customers)} first-order customers` : '';
      },
    },
    grid: { left: 160, right: 24, top: 8, bottom: 48 },
    xAxis: { type: 'value', max: 1, ...axis('Repeat rate of the customers it started', { nameGap: 28, axisLabel: { formatter: (v: number) => fmt.percent(v, 0) } }) },
    yAxis: { type: 'category', data: top.map((r) => r.title ?? r.key), axisLabel: { width: 150, overflow: 'truncate', color: '#374151' } },
    series: [{ name: 'Repeat rate', type: 'bar', data: top.map((r) => r.repeat_rate) }],
  };
}

export function ProductsPage() {
  const { fmt } = useApp();
  const { params } = useLocation();
  const range = useDateRange();
  const level = params.get('level') === 'category' ? 'category' : 'product';
  const [page, setPage] = useState(0);
  const { result, reload } = useApi(`products:${level}:${range.from}:${range.to}`, () => http.get<ProductsReport>('/api/v1/analytics/products', {
    ...(level === 'category' && { breakdown: 'first_category' }), from: range.from, to: range.to, limit: 500,
  }));
  const option = useMemo(() => (result.state === 'ok' && result.data.rows.length > 0 ? chartOption(result.data.rows, fmt) : undefined), [result, fmt]);
  const noun = level === 'category' ? 'Category' : 'Product';
  return (
    <div className="page">
      <PageHeader
        title="Products"
        subtitle="Which first purchases bring customers back: the repeat rate of customers by the products in their first order."
        actions={(
          <div className="row">
            <Field label="By">
              <select name="level" value={level} onChange={(e) => { setPage(0); setQueryParam('level', e.target.value === 'category' ? 'category' : undefined); }}>
                <option value="product">Product</option>
                <option value="category">Category</option>
              </select>
            </Field>
            <DateRange range={range} shown={result.state === 'ok' ? { from: result.data.query.from, to: result.data.query.to } : undefined} />
          </div>
        )}
      />
      <div className="stack">
        <Panel title={`Repeat rate by first ${noun.toLowerCase()}`} definition={`For the ${CHART_ROWS} ${level === 'category' ? 'categories' : 'products'} that started the most customers in the range: the share of those customers who ordered again.`}>
          <Async result={result} onRetry={reload} height={320} isEmpty={(d) => d.rows.length === 0} empty="No first orders in this range.">
            {() => option && <Chart option={option} label={`Repeat rate by first ${noun.toLowerCase()}`} height={340} />}
          </Async>
        </Panel>
        <Panel title={`${noun} retention`} definition={`For each ${noun.toLowerCase()}: customers whose first order in the range contained it, the share of them who ordered again, how long that took, what they spent in their first 12 months, and what they bought next. ${level === 'category' ? 'Categories' : 'Products'} that start loyal customers are worth promoting to new ones.`}>
          <Async result={result} onRetry={reload} isEmpty={(d) => d.rows.length === 0} empty="No products in first orders yet. Import orders with their lines on the Data page.">
            {(answer) => {
              const pages = Math.max(1, Math.ceil(answer.rows.length / PAGE));
              const shown = answer.rows.slice(page * PAGE, (page + 1) * PAGE);
              return (
                <>
                  <DataTable
                    caption={`${noun} retention`}
                    rows={shown}
                    rowKey={(p) => p.key}
                    columns={[
                      { key: 'title', label: noun, render: (p) => p.title ?? p.key, sortValue: (p) => p.title ?? p.key },
                      { key: 'first', label: 'First-order customers', numeric: true, render: (p) => fmt.number(p.customers), sortValue: (p) => p.customers },
                      { key: 'repeat', label: 'Repeat rate', numeric: true, render: (p) => fmt.percent(p.repeat_rate, 1), title: 'Share who ordered again', sortValue: (p) => p.repeat_rate },
                      { key: 'days', label: 'Days to 2nd order', title: 'Median days from the first order to the second', numeric: true, render: (p) => fmt.number(p.median_days_to_second_order, { digits: 0 }), sortValue: (p) => p.median_days_to_second_order },
                      { key: 'ltv', label: '12-mo revenue / customer', title: 'Revenue per customer over their first 12 months (customers acquired at least a year before the last day)', numeric: true, render: (p) => fmt.money(p.revenue_12m_per_customer === null ? null : Math.round(p.revenue_12m_per_customer)), sortValue: (p) => p.revenue_12m_per_customer },
                      {
                        key: 'next', label: 'Bought next',
                        render: (p) => (p.next.length ? <ol className="plain-list">{p.next.map((n) => <li key={n.key}>{n.title ?? n.key} <span className="muted">{fmt.percent(n.share, 0)}</span></li>)}</ol> : '—'),
                      },
                    ]}
                  />
                  {pages > 1 && (
                    <div className="row pager" role="navigation" aria-label="Pages">
                      <button type="button" className="secondary" disabled={page === 0} onClick={() => setPage(page - 1)}>Previous</button>
                      <span className="muted" data-testid="products-page">Page {page + 1} of {pages} ({fmt.number(answer.rows.length)} {level === 'category' ? 'categories' : 'products'})</span>
                      <button type="button" className="secondary" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>Next</button>
                    </div>
                  )}
                </>
              );
            }}
          </Async>
        </Panel>
      </div>
    </div>
  );
}
