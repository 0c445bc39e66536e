/**
 * Valuable customers at risk: customers whose churn risk is high, most valuable by predicted
 * 12-month CLV first, each linking to the profile.
 */
import { http } from '../api/client';
import type { AtRiskAnswer } from '../api/prediction-types';
import { useApi } from '../api/use-api';
import { useApp } from './app-context';
import { Link } from './router';
import { Async } from './states';
import { DataTable, Panel } from './ui';

export const atRiskDefinition = 'Customers in the model\'s high churn-risk band (under a 20 % chance of ordering in the next 365 days; the built-in segment “High churn risk”), most valuable by predicted 12-month CLV first: the first to win back. Not RFM\'s “At risk”.';

export function AtRiskPanel({ limit = 10, reloadKey = 0 }: { limit?: number; reloadKey?: number }) {
  const { fmt } = useApp();
  const { result, reload } = useApi(`at-risk:${limit}:${reloadKey}`, () => http.get<AtRiskAnswer>('/api/v1/predictions/at-risk', { limit }));
  return (
    <Panel title="Valuable customers at high churn risk" definition={atRiskDefinition} testId="at-risk">
      <Async
        result={result} onRetry={reload} isEmpty={(d) => d.rows.length === 0}
        empty="No customer is at high churn risk — or the models have not been fitted yet: they fit daily, and “Refit now” on the Predictions page fits them at once."
      >
        {(answer) => (
          <>
            <p className="muted" data-testid="at-risk-count">
              {fmt.number(answer.customers)} customers at high churn risk, with {fmt.money(answer.clv_total)} of predicted 12-month value between them. The {fmt.number(answer.rows.length)} most valuable:
            </p>
            <DataTable
              caption="Valuable customers at high churn risk"
              rows={answer.rows}
              rowKey={(c) => String(c.id)}
              columns={[
                { key: 'who', label: 'Customer', render: (c) => <Link to={`/customers/${c.id}`}>{c.name || c.email || `#${c.id}`}</Link> },
                { key: 'clv', label: 'Predicted CLV (12 mo)', numeric: true, title: 'Discounted value of the orders expected in the next 12 months', render: (c) => fmt.money(c.clv_12m) },
                { key: 'p365', label: 'P(order, 365 d)', numeric: true, title: 'Probability of at least one order in the next 365 days', render: (c) => fmt.percent(c.p_order_365d, 0) },
                { key: 'alive', label: 'P(alive)', numeric: true, title: 'Probability the customer is still a customer', render: (c) => fmt.percent(c.p_alive, 0) },
                { key: 'orders', label: 'Orders', numeric: true, render: (c) => fmt.number(c.orders) },
                { key: 'spent', label: 'Spent so far', numeric: true, render: (c) => fmt.money(c.spent) },
                { key: 'last', label: 'Last order', render: (c) => fmt.date(c.last_order_at) },
              ]}
            />
          </>
        )}
      </Async>
    </Panel>
  );
}
