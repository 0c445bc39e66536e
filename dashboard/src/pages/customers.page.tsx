import { useState, type FormEvent } from 'react';
import type { CustomerRow } from '../api/analytics-types';
import { http } from '../api/client';
import type { Preview } from '../api/segment-types';
import { useApi } from '../api/use-api';
import { navigate, setQueryParam, useLocation } from '../components/router';
import { Async } from '../components/states';
import { DataTable, PageHeader, Panel } from '../components/ui';

export function customerName(c: Pick<CustomerRow, 'first_name' | 'last_name' | 'email' | 'id'>): string {
  return [c.first_name, c.last_name].filter(Boolean).join(' ') || c.email || `Customer #${c.id}`;
}

interface Row {
  id: number;
  name: string;
  email: string | null;
  country: string | null;
  external_id: string | null;
}

const topCustomers = { kind: 'orders', metric: 'revenue', op: 'top_percent', value: 5 };

export function CustomersPage() {
  const { params } = useLocation();
  const q = (params.get('q') ?? '').trim();
  const [text, setText] = useState(q);
  const searching = q.length >= 2;
  // Without a search, a sample of the top 5 % by revenue: the customers most worth knowing.
  const { result, reload } = useApi(`customers:${q}`, async (): Promise<{ title: string; rows: Row[]; total?: number }> => {
    if (searching) {
      const found = await http.get<{ data: CustomerRow[] }>('/api/v1/customers/search', { q, limit: 50 });
      return { title: `Customers matching “${q}”`, rows: found.data.map((c) => ({ id: c.id, name: customerName(c), email: c.email, country: c.country, external_id: c.external_id })) };
    }
    const top = await http.post<Preview>('/api/v1/segments/preview', { rule: topCustomers });
    return { title: 'Top customers by revenue (a sample of the top 5 %)', rows: top.sample.map((c) => ({ ...c, name: c.name || c.email || `Customer #${c.id}` })), total: top.count };
  });
  const search = (event: FormEvent) => {
    event.preventDefault();
    setQueryParam('q', text.trim());
  };
  return (
    <div className="page">
      <PageHeader title="Customers" subtitle="Search by name, email or your shop's customer id (at least 2 characters); open a customer for their full history." />
      <Panel
        title={result.state === 'ok' ? result.data.title : 'Customers'}
        actions={
          <form role="search" onSubmit={search} className="row">
            <input type="search" name="q" aria-label="Search customers" placeholder="Name, email or id" value={text} onChange={(e) => setText(e.target.value)} minLength={2} />
            <button type="submit" className="secondary">Search</button>
          </form>
        }
      >
        <Async result={result} onRetry={reload} isEmpty={(d) => d.rows.length === 0} empty={searching ? `No customer matches “${q}”.` : 'No customers with orders yet. Import customers and orders on the Data page, or send them with the API.'}>
          {(answer) => (
            <>
              <DataTable
                caption="Customers"
                rows={answer.rows}
                rowKey={(c) => String(c.id)}
                onRowClick={(c) => navigate(`/customers/${c.id}`)}
                columns={[
                  { key: 'name', label: 'Customer', render: (c) => c.name },
                  { key: 'email', label: 'Email', render: (c) => c.email ?? '—' },
                  { key: 'country', label: 'Country', render: (c) => c.country ?? '—' },
                  { key: 'id', label: 'Shop id', render: (c) => c.external_id ?? '—' },
                ]}
              />
              {answer.rows.length === 50 && <p className="muted">Showing the first 50; narrow the search to find others.</p>}
            </>
          )}
        </Async>
      </Panel>
    </div>
  );
}
