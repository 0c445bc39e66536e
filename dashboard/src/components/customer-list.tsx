/**
 * A page of customers with their figures, sorted and filtered by the server (`GET /api/v1/customers`):
 * the Customers page and a segment's members both show it. Each row is a link to the profile.
 */
import { useEffect, useState } from 'react';
import { http } from '../api/client';
import type { CustomerListItem, CustomerListPage, CustomerSort } from '../api/types';
import { useApi } from '../api/use-api';
import { useApp } from './app-context';
import { Link } from './router';
import { Async } from './states';
import { DataTable, type Sort } from './ui';

export type SortField = CustomerSort extends `-${infer F}` ? F : never;

export interface CustomerFilters {
  q?: string | undefined;
  churn_risk?: 'low' | 'medium' | 'high' | undefined;
  min_orders?: number | undefined;
  /** Minor units. */
  min_revenue?: number | undefined;
  last_order_after?: string | undefined;
  last_order_before?: string | undefined;
  segment_id?: string | undefined;
}

export function customerName(c: Pick<CustomerListItem, 'first_name' | 'last_name' | 'email' | 'id'>): string {
  return [c.first_name, c.last_name].filter(Boolean).join(' ') || c.email || `Customer #${c.id}`;
}

const sortLabels: Record<string, [string, string, string]> = {
  created_at: ['customer since', 'newest first', 'oldest first'],
  orders: ['orders', 'most first', 'fewest first'],
  revenue: ['revenue', 'largest first', 'smallest first'],
  last_order_on: ['last order', 'latest first', 'earliest first'],
  predicted_clv: ['predicted CLV', 'largest first', 'smallest first'],
  p_alive: ['P(alive)', 'highest first', 'lowest first'],
};

/** "By revenue, largest first". */
export function describeSort(sort: CustomerSort): string {
  const { key, direction } = sortState(sort);
  const [label, down, up] = sortLabels[key] ?? [key, 'descending', 'ascending'];
  return `By ${label}, ${direction === 'descending' ? down : up}`;
}

/** `-revenue` ⇄ the table's sort state. */
export function sortState(sort: CustomerSort): Sort {
  return sort.startsWith('-') ? { key: sort.slice(1), direction: 'descending' } : { key: sort, direction: 'ascending' };
}

/** A header click: the same column flips its direction; another starts largest (or latest) first. */
export function nextSort(current: CustomerSort, key: string): CustomerSort {
  const state = sortState(current);
  if (state.key !== key) return `-${key}` as CustomerSort;
  return (state.direction === 'descending' ? key : `-${key}`) as CustomerSort;
}

const riskClass = { low: 'good', medium: 'warn', high: 'bad' } as const;

export function CustomerList({ filters, sort, onSort, onTotal, caption, pageSize = 25, testId }: {
  filters: CustomerFilters; sort: CustomerSort; onSort: (sort: CustomerSort) => void; onTotal?: (total: number) => void; caption: string; pageSize?: number; testId?: string;
}) {
  const { fmt } = useApp();
  const query = JSON.stringify({ filters, sort, pageSize });
  // The cursors of the pages seen so far, to go back; they reset when the query changes.
  const [pages, setPages] = useState<{ query: string; cursors: string[] }>({ query, cursors: [''] });
  const cursors = pages.query === query ? pages.cursors : [''];
  const cursor = cursors.at(-1) ?? '';
  const { result, reload } = useApi(`customer-list:${query}:${cursor}`, () =>
    http.get<CustomerListPage>('/api/v1/customers', { ...filters, sort, limit: pageSize, cursor }));
  const total = result.state === 'ok' ? result.data.total : undefined;
  useEffect(() => {
    if (total !== undefined) onTotal?.(total);
  }, [total, onTotal]);
  const start = (cursors.length - 1) * pageSize;
  return (
    <div data-testid={testId}>
      <Async result={result} onRetry={reload} isEmpty={(d) => d.data.length === 0} empty="No customer matches these filters.">
        {(answer) => (
          <>
            <DataTable
              caption={caption}
              rows={answer.data}
              rowKey={(c) => String(c.id)}
              rowHref={(c) => `/customers/${c.id}`}
              sort={sortState(sort)}
              onSort={(key) => onSort(nextSort(sort, key))}
              columns={[
                {
                  key: 'name', label: 'Customer', className: 'sticky', render: (c) => (
                    <>
                      <Link to={`/customers/${c.id}`} className="row-link">{customerName(c)}</Link>
                      {c.email && customerName(c) !== c.email && <span className="cell-sub">{c.email}</span>}
                    </>
                  ),
                },
                { key: 'orders', label: 'Orders', numeric: true, sortable: true, render: (c) => fmt.number(c.orders), title: 'Orders placed, not counting cancelled ones' },
                { key: 'revenue', label: 'Revenue', numeric: true, sortable: true, render: (c) => fmt.money(c.revenue), title: 'Net revenue: what the orders came to, less returns' },
                { key: 'predicted_clv', label: 'Predicted CLV', numeric: true, sortable: true, render: (c) => fmt.money(c.predicted_clv), title: 'Predicted value over the next 12 months' },
                { key: 'p_alive', label: 'P(alive)', numeric: true, sortable: true, render: (c) => fmt.percent(c.p_alive, 0), title: 'Probability that the customer is still active' },
                { key: 'churn_risk', label: 'Churn risk', render: (c) => (c.churn_risk ? <span className={`badge ${riskClass[c.churn_risk]}`}>{c.churn_risk}</span> : '—') },
                { key: 'last_order_on', label: 'Last order', sortable: true, render: (c) => fmt.date(c.last_order_on) },
                { key: 'created_at', label: 'Customer since', sortable: true, render: (c) => fmt.date(c.created_at) },
              ]}
            />
            {answer.data.every((c) => c.p_alive === null) && (
              <p className="muted note">Predicted CLV, P(alive) and churn risk appear once predictions are fitted (see Predictions).</p>
            )}
            <nav className="pager" aria-label={`${caption} pages`}>
              <span className="muted" data-testid="list-range">
                {fmt.number(start + 1)}–{fmt.number(start + answer.data.length)} of {fmt.number(answer.total)}
              </span>
              <button type="button" className="secondary" disabled={cursors.length < 2} onClick={() => setPages({ query, cursors: cursors.slice(0, -1) })}>Previous</button>
              <button type="button" className="secondary" disabled={!answer.next_cursor} onClick={() => answer.next_cursor && setPages({ query, cursors: [...cursors, answer.next_cursor] })}>Next</button>
            </nav>
          </>
        )}
      </Async>
    </div>
  );
}
