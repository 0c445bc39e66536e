/**
 * A customer's predictions from the current model, with a plain-words reading of them: what the
 * numbers say about this customer and why the churn band is what it is.
 */
import type { CustomerPrediction } from '../api/prediction-types';
import type { Loadable } from '../api/use-api';
import { useApp } from './app-context';
import type { Formatter } from './format';
import { article } from './wording';
import { Link } from './router';
import { Async, Empty } from './states';
import { InfoTip, Panel } from './ui';

const bands: Record<CustomerPrediction['churn_risk'], { badge: string; rule: (fmt: Formatter) => string }> = {
  low: { badge: 'good', rule: (fmt) => `${withArticle(fmt.percent(0.5, 0))} or better chance of ordering in the next 365 days` },
  medium: { badge: 'warn', rule: (fmt) => `${withArticle(fmt.percent(0.2, 0))}–${fmt.percent(0.5, 0)} chance of ordering in the next 365 days` },
  high: { badge: 'bad', rule: (fmt) => `under ${withArticle(fmt.percent(0.2, 0))} chance of ordering in the next 365 days` },
};

/** "an 18%", "a 20%". */
const withArticle = (formatted: string) => `${article(formatted)} ${formatted}`;

export function explainPrediction(p: CustomerPrediction, fmt: Formatter, history: { orders?: number | undefined; lastOrderAt?: string | null | undefined }): string {
  const past = history.orders !== undefined
    ? `From ${fmt.number(history.orders)} order${history.orders === 1 ? '' : 's'}${history.lastOrderAt ? `, the last on ${fmt.date(history.lastOrderAt)}` : ''}, and how customers like this one behave in this store: `
    : 'From this customer\'s order history and how customers like them behave in this store: ';
  // BG/NBD learns that a customer has left only from the gaps after repeat orders, so a one-time
  // buyer is "alive" by construction: say so rather than print a bare 100 %.
  const alive = history.orders === 1 && p.p_alive >= 0.995
    ? 'as a one-time buyer they still count as a customer (the model learns that someone has left only from the gaps after repeat orders)'
    : `${withArticle(fmt.percent(p.p_alive, 0))} chance they are still a customer`;
  const orders = `${fmt.number(p.expected_orders_365d, { digits: 1 })} orders expected in the next 365 days (${withArticle(fmt.percent(p.p_order_365d, 0))} chance of at least one)`;
  const value = p.clv_12m === null ? '' : `, worth about ${fmt.money(p.clv_12m)} over 12 months`;
  const next = p.next_order_on ? ` The next order is as likely as not by ${fmt.date(p.next_order_on)}.` : ' An order within a year is less likely than not.';
  return `${past}${alive}; ${orders}${value}.${next} Churn risk is ${p.churn_risk}: ${bands[p.churn_risk].rule(fmt)}.`;
}

export function PredictionPanel({ prediction, history }: { prediction: Loadable<CustomerPrediction>; history: { orders?: number | undefined; lastOrderAt?: string | null | undefined } }) {
  const { fmt } = useApp();
  return (
    <Panel title="Predictions" definition="From the current model (BG/NBD or Pareto/NBD with Gamma-Gamma), refitted daily. See the Predictions page for how accurate it has been." testId="customer-predictions">
      {prediction.state === 'error' && prediction.error.status === 404 && !prediction.error.isMissingRoute ? (
        <Empty>No prediction: the customer has no order yet, or the models have not been fitted (see <Link to="/predictions">Predictions</Link>).</Empty>
      ) : <Async result={prediction}>
        {(p) => (
          <>
            <dl className="dl dl-narrow">
              <dt>P(alive) <InfoTip text="Probability the customer would still order at their usual pace. Under BG/NBD a one-time buyer counts as alive: read it with the order probabilities." /></dt>
              <dd data-testid="prediction-p-alive">{fmt.percent(p.p_alive, 0)}</dd>
              <dt>Churn risk <InfoTip text={`From P(order in 365 days): low ≥ ${fmt.percent(0.5, 0)}, medium ${fmt.percent(0.2, 0)}–${fmt.percent(0.5, 0)}, high < ${fmt.percent(0.2, 0)}.`} /></dt>
              <dd><span className={`badge ${bands[p.churn_risk].badge}`}>{p.churn_risk}</span></dd>
              <dt className="dl-head">Next</dt><dd className="dl-head">30 d · 90 d · 365 d</dd>
              <dt>Orders <InfoTip text="Expected number of order days in the next 30, 90 and 365 days." /></dt>
              <dd data-testid="prediction-expected">{fmt.number(p.expected_orders_30d, { digits: 2 })} · {fmt.number(p.expected_orders_90d, { digits: 2 })} · {fmt.number(p.expected_orders_365d, { digits: 2 })}</dd>
              <dt>P(order) <InfoTip text="Probability of at least one order in the next 30, 90 and 365 days." /></dt>
              <dd>{fmt.percent(p.p_order_30d, 0)} · {fmt.percent(p.p_order_90d, 0)} · {fmt.percent(p.p_order_365d, 0)}</dd>
              <dt>CLV, 12 mo <InfoTip text="Predicted 12-month customer lifetime value: the discounted value of the orders expected in the next 12 months. What the customer already spent is not included." /></dt>
              <dd data-testid="prediction-clv">{p.clv_12m === null ? 'no spend model yet' : fmt.money(p.clv_12m)}</dd>
              <dt>Order value <InfoTip text="Expected value of a future order (Gamma-Gamma): the customer's own average blended with the store's." /></dt>
              <dd>{fmt.money(p.expected_order_value)}</dd>
              <dt>Next order by <InfoTip text="The date by which the customer has a 50 % chance of having ordered; none when that is not reached within a year." /></dt>
              <dd>{p.next_order_on ? fmt.date(p.next_order_on) : 'not within a year'}</dd>
            </dl>
            <p className="muted explain" data-testid="prediction-explanation">{explainPrediction(p, fmt, history)}</p>
          </>
        )}
      </Async>}
    </Panel>
  );
}
