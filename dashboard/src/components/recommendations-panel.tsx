import { http } from '../api/client';
import type { RecommendationList } from '../api/recommendation-types';
import { useApi } from '../api/use-api';
import { useApp } from './app-context';
import { Async } from './states';
import { Panel } from './ui';

/** The customer's "for you" products, each with the reason in words (docs/recommendations.md). */
export function RecommendationsPanel({ customerId }: { customerId: string }) {
  const { fmt } = useApp();
  const { result, reload } = useApi(`recommendations:${customerId}`,
    () => http.get<RecommendationList>(`/api/v1/customers/${encodeURIComponent(customerId)}/recommendations?k=5`));
  return (
    <Panel title="Recommended for them" testId="profile-recommendations" className="recommendations-panel"
      definition="The 'for you' model: their likely reorders, products bought by customers with the same products, and what is popular, combined; products they already have and do not reorder, unpublished or sold-out products and those outside the store's price band are left out. Evaluated against simple baselines with `hearth recommendations evaluate`.">
      <Async result={result} onRetry={reload}>
        {(list) => list.items.length ? (
          <ol className="plain-list">
            {list.items.map((item) => (
              <li key={item.product_id}>
                {item.title}{item.price !== null && <span className="muted"> · {fmt.money(item.price)}</span>}
                <br /><span className="muted">{item.explanation}</span>
              </li>
            ))}
          </ol>
        ) : (
          <p className="muted">{list.fit_id === null ? 'No recommendations yet: the models are fitted daily from the orders.' : 'Nothing to recommend yet.'}</p>
        )}
      </Async>
    </Panel>
  );
}
