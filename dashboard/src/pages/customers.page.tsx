import { useCallback, useState, type FormEvent } from 'react';
import type { CustomerSort } from '../api/types';
import { useApp } from '../components/app-context';
import { CustomerList, describeSort, type CustomerFilters } from '../components/customer-list';
import { minorDigits } from '../components/format';
import { navigate, setQueryParam, useLocation } from '../components/router';
import { Field, PageHeader, Panel } from '../components/ui';

export { customerName } from '../components/customer-list';

const sorts = new Set(['created_at', 'orders', 'revenue', 'last_order_on', 'predicted_clv', 'p_alive'].flatMap((f) => [f, `-${f}`]));
const risks = ['low', 'medium', 'high'] as const;
const day = /^\d{4}-\d{2}-\d{2}$/;

/** The filters as the URL holds them (revenue in major units, as typed); anything malformed is ignored. */
function filtersOf(params: URLSearchParams, currency: string): CustomerFilters {
  const number = (name: string) => {
    const value = Number(params.get(name) ?? '');
    return params.get(name) && Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  const risk = params.get('churn_risk');
  const revenue = number('min_revenue');
  const after = params.get('last_order_after') ?? '';
  const before = params.get('last_order_before') ?? '';
  const q = (params.get('q') ?? '').trim();
  return {
    q: q || undefined,
    churn_risk: risks.find((r) => r === risk),
    min_orders: number('min_orders') === undefined ? undefined : Math.floor(number('min_orders')!),
    min_revenue: revenue === undefined ? undefined : Math.round(revenue * 10 ** minorDigits(currency)),
    last_order_after: day.test(after) ? after : undefined,
    last_order_before: day.test(before) ? before : undefined,
  };
}

/** What the list is, in words: "All customers", or the filters that narrow it. */
function describe(filters: CustomerFilters, fmt: ReturnType<typeof useApp>['fmt']): string {
  const parts = [
    filters.q && `matching “${filters.q}”`,
    filters.churn_risk && `at ${filters.churn_risk} churn risk`,
    filters.min_orders !== undefined && `with at least ${fmt.number(filters.min_orders)} order${filters.min_orders === 1 ? '' : 's'}`,
    filters.min_revenue !== undefined && `with revenue of at least ${fmt.money(filters.min_revenue)}`,
    filters.last_order_after && `last ordering on or after ${fmt.date(filters.last_order_after)}`,
    filters.last_order_before && `last ordering before ${fmt.date(filters.last_order_before)}`,
  ].filter(Boolean);
  return parts.length ? `Customers ${parts.join(', ')}` : 'All customers';
}

export function CustomersPage() {
  const { fmt, store } = useApp();
  const { params } = useLocation();
  const filters = filtersOf(params, store.currency);
  const sortParam = params.get('sort') ?? '';
  const sort = (sorts.has(sortParam) ? sortParam : '-revenue') as CustomerSort;
  const [total, setTotal] = useState<number>();
  const onTotal = useCallback((n: number) => setTotal(n), []);
  const title = describe(filters, fmt);
  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams(sortParam ? { sort: sortParam } : {});
    for (const name of ['q', 'churn_risk', 'min_orders', 'min_revenue', 'last_order_after', 'last_order_before']) {
      const value = String(form.get(name) ?? '').trim();
      if (value) next.set(name, value);
    }
    const search = next.toString();
    navigate(`/customers${search ? `?${search}` : ''}`, { replace: true });
  };
  const filtered = Object.values(filters).some((v) => v !== undefined);
  return (
    <div className="page">
      <PageHeader
        title={<>{title} {total !== undefined && <span className="title-count" data-testid="customer-total">{fmt.number(total)}</span>}</>}
        subtitle="Orders, net revenue, predicted value and churn risk of each customer. Sort by a column, filter, open a customer."
      />
      <div className="stack">
        <Panel title="Filters">
          {/* Keyed by the URL so the fields show the filters in force (after Clear or the back button). */}
          <form key={params.toString()} className="filters" role="search" aria-label="Filter customers" onSubmit={apply}>
            <Field label="Search"><input type="search" name="q" defaultValue={params.get('q') ?? ''} placeholder="Name, email or id" /></Field>
            <Field label="Churn risk">
              <select name="churn_risk" defaultValue={filters.churn_risk ?? ''}>
                <option value="">Any</option>
                {risks.map((r) => <option key={r} value={r}>{r}</option>)}
              </select>
            </Field>
            <Field label="Min orders"><input type="number" name="min_orders" min={0} step={1} defaultValue={params.get('min_orders') ?? ''} /></Field>
            <Field label={`Min revenue (${store.currency})`}><input type="number" name="min_revenue" min={0} step="any" defaultValue={params.get('min_revenue') ?? ''} /></Field>
            <Field label="Last order from"><input type="date" name="last_order_after" defaultValue={filters.last_order_after ?? ''} /></Field>
            <Field label="Last order before"><input type="date" name="last_order_before" defaultValue={filters.last_order_before ?? ''} /></Field>
            <div className="filter-actions">
              <button type="submit" className="primary">Apply</button>
              {filtered && <button type="button" className="secondary" onClick={() => navigate(`/customers${sortParam ? `?sort=${sortParam}` : ''}`, { replace: true })}>Clear</button>}
            </div>
          </form>
        </Panel>
        <Panel title={describeSort(sort)}>
          <CustomerList filters={filters} sort={sort} onSort={(next) => setQueryParam('sort', next)} onTotal={onTotal} caption={title} testId="customer-list" />
        </Panel>
      </div>
    </div>
  );
}
