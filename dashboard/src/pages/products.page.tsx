import type { ProductsReport } from '../api/analytics-types';
import { http } from '../api/client';
import { useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { Async } from '../components/states';
import { DataTable, PageHeader, Panel } from '../components/ui';

export function ProductsPage() {
  const { fmt } = useApp();
  const { result, reload } = useApi('products', () => http.get<ProductsReport>('/api/v1/analytics/products'));
  return (
    <div className="page">
      <PageHeader title="Products" subtitle="Which first purchases bring customers back: the repeat rate of customers by the products in their first order." />
      <Panel title="Product retention" definition="For each product: customers whose first order contained it, and the share of them who ordered again. Products that start loyal customers are worth promoting to new ones.">
        <Async result={result} onRetry={reload} isEmpty={(d) => d.rows.length === 0} empty="No products in first orders yet. Import orders with their lines on the Data page.">
          {(answer) => (
            <DataTable
              caption="Product retention"
              rows={answer.rows}
              rowKey={(p) => p.key}
              columns={[
                { key: 'title', label: 'Product', render: (p) => p.title, sortValue: (p) => p.title },
                { key: 'first', label: 'First-order customers', numeric: true, render: (p) => fmt.number(p.customers), sortValue: (p) => p.customers },
                { key: 'repeat', label: 'Repeat rate', numeric: true, render: (p) => fmt.percent(p.repeat_rate, 1), title: 'Share who ordered again', sortValue: (p) => p.repeat_rate },
                { key: 'days', label: 'Median days to 2nd order', numeric: true, render: (p) => fmt.number(p.median_days_to_second_order, { digits: 0 }), sortValue: (p) => p.median_days_to_second_order },
                { key: 'ltv', label: '12-month revenue per customer', numeric: true, render: (p) => fmt.money(p.revenue_12m_per_customer === null ? null : Math.round(p.revenue_12m_per_customer)), sortValue: (p) => p.revenue_12m_per_customer },
              ]}
            />
          )}
        </Async>
      </Panel>
    </div>
  );
}
