/**
 * Reviews: the moderation queue (publish or reject what waits, with why it was held, its photos as
 * thumbnails read through the admin API, so a waiting review's photos show too), the store's
 * replies (emailed to the reviewer), the review rate of delivered orders and each product's ratings
 * with their monthly trend, and what ratings say about returns and repeat purchases (docs/listen.md,
 * "Reviews").
 */
import { useState, type FormEvent } from 'react';
import { http } from '../api/client';
import type { OutcomeRate, Review, ReviewAnalytics, ReviewOutcomes, ReviewStatus } from '../api/review-types';
import { useAction, useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { Async, Empty } from '../components/states';
import { DataTable, PageHeader, Panel, Segmented, Sparkline } from '../components/ui';

const stars = (n: number) => '★'.repeat(n) + '☆'.repeat(5 - n);
const flagWords: Record<Review['flags'][number], string> = { profanity: 'profanity', link: 'a link' };
const rateDefinition = 'Of the orders delivered in the last 365 days, the share with at least one review naming the order (rejected reviews excepted).';

/** Thumbnails of a review's photos, each a link to the full photo. An <img> sends no headers: the store goes in the query. */
function ReviewPhotos({ review }: { review: Review }) {
  const { store } = useApp();
  if (review.photos.length === 0) return null;
  return (
    <div className="row review-photos" data-testid="review-photos">
      {review.photos.map((photo, i) => {
        const src = `/api/v1/reviews/photos/${encodeURIComponent(photo.id)}?store=${encodeURIComponent(store.id)}`;
        return (
          <a key={photo.id} href={src} target="_blank" rel="noopener noreferrer">
            <img src={src} alt={`Photo ${i + 1} from ${review.author_name}`} width={72} height={72} loading="lazy"
              style={{ objectFit: 'cover', borderRadius: 4, border: '1px solid var(--border, #ddd)' }} />
          </a>
        );
      })}
    </div>
  );
}

function ReplyForm({ review, onDone }: { review: Review; onDone: (reply: string) => void }) {
  const [text, setText] = useState(review.reply ?? '');
  const send = useAction((body: string) => http.post<{ emailed: boolean }>(`/api/v1/reviews/${encodeURIComponent(review.id)}/reply`, { body }));
  const [sent, setSent] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await send.run(text);
    if (answer) {
      setSent(answer.emailed ? `Reply saved and emailed to ${review.author_email ?? 'the reviewer'}.` : 'Reply saved (no address to email it to).');
      onDone(text);
    }
  };
  return (
    <form className="stack" onSubmit={submit}>
      <label>Public reply to {review.author_name}
        <textarea value={text} onChange={(e) => setText(e.target.value)} required maxLength={5000} rows={3} />
      </label>
      <div><button type="submit" className="primary" disabled={send.pending}>Send reply</button></div>
      {sent && <p className="muted" role="status">{sent}</p>}
      {send.error && <p className="form-error" role="alert">{send.error.describe()}</p>}
    </form>
  );
}

function ReviewCard({ review, onChanged }: { review: Review; onChanged: () => void }) {
  const { fmt, canWrite } = useApp();
  const act = useAction((action: 'publish' | 'reject') => http.post<Review>(`/api/v1/reviews/${encodeURIComponent(review.id)}/${action}`, {}));
  const [replying, setReplying] = useState(false);
  // The reply is shown at once; the list is not reloaded under the form (its notice stays).
  const [reply, setReply] = useState(review.reply);
  const run = async (action: 'publish' | 'reject') => {
    if (await act.run(action)) onChanged();
  };
  return (
    <article className="stack review-card" data-testid="review">
      <div className="row">
        <strong aria-label={`${review.rating} out of 5 stars`}>{stars(review.rating)}</strong>
        <span>{review.product_title ?? review.product_id}</span>
        <span className="badge">{review.status}</span>
        {review.verified && <span className="badge">verified buyer</span>}
        {review.flags.length > 0 && <span className="badge">held for {review.flags.map((f) => flagWords[f]).join(' and ')}</span>}
      </div>
      {review.title && <h4>{review.title}</h4>}
      <p style={{ whiteSpace: 'pre-line', overflowWrap: 'anywhere' }}>{review.body}</p>
      <ReviewPhotos review={review} />
      <p className="muted">{review.author_name} · {fmt.dateTime(review.reviewed_at)} · {review.source}</p>
      {reply && <blockquote className="muted">Your reply: {reply}</blockquote>}
      {act.error && <p className="form-error" role="alert">{act.error.describe()}</p>}
      {canWrite && (
        <div className="row">
          {review.status !== 'published' && <button type="button" className="primary" onClick={() => run('publish')} disabled={act.pending}>Publish</button>}
          {review.status !== 'rejected' && <button type="button" className="secondary" onClick={() => run('reject')} disabled={act.pending}>Reject</button>}
          {review.status !== 'rejected' && <button type="button" className="secondary" onClick={() => setReplying(!replying)}>{reply ? 'Edit reply' : 'Reply'}</button>}
        </div>
      )}
      {replying && <ReplyForm review={review} onDone={setReply} />}
    </article>
  );
}

const outcomesDefinition = 'Repeat rate: customers who ordered again within 90 days after their first review, by its rating (only reviews 90 days old count). Returns: of the reviews naming their order, the share whose product was sent back. Per product: orders with it that sent it back, and buyers who ordered again within 90 days of their first purchase of it, with 95 % intervals; flagged when the interval lies beyond the rest of the store. Associations, not effects.';

function RateCell({ rate }: { rate: OutcomeRate }) {
  const { fmt } = useApp();
  if (rate.rate === null) return <span className="muted">—</span>;
  return <span title={`${fmt.number(rate.count)} of ${fmt.number(rate.of)}; 95 % interval ${fmt.percent(rate.low)} to ${fmt.percent(rate.high)}`}>{fmt.percent(rate.rate)} <span className="muted">of {fmt.number(rate.of)}</span></span>;
}

function Correlation({ label, c }: { label: string; c: ReviewOutcomes['rating_vs_returns'] }) {
  const { fmt } = useApp();
  if (!c) return <li>{label}: too few products with enough reviews.</li>;
  return <li>{label}: Spearman's ρ = {fmt.number(c.rho, { digits: 2 })} (95 % interval {fmt.number(c.low, { digits: 2 })} to {fmt.number(c.high, { digits: 2 })}), over {fmt.number(c.n)} products.</li>;
}

function RatingOutcomes({ o }: { o: ReviewOutcomes }) {
  const { fmt } = useApp();
  return (
    <div className="stack">
      <div data-testid="rating-outcomes">
        <DataTable
          caption="By the rating given"
          rows={o.repeat_by_rating.map((r, i) => ({ rating: Number(r.group), repeat: { count: r.repeaters, of: r.customers, rate: r.rate, low: r.low, high: r.high }, returns: o.returns_by_rating[i]! }))}
          rowKey={(r) => String(r.rating)}
          columns={[
            { key: 'rating', label: 'Rating', render: (r) => stars(r.rating) },
            { key: 'repeat', label: 'Ordered again within 90 days of a first review', numeric: true, render: (r) => <RateCell rate={r.repeat} /> },
            { key: 'returned', label: 'Reviewed product sent back', numeric: true, render: (r) => <RateCell rate={r.returns} /> },
          ]}
        />
      </div>
      <ul className="muted">
        <li>Store: {o.store.returns.rate === null ? '—' : fmt.percent(o.store.returns.rate)} of orders sent a product back; {o.store.repeat.rate === null ? '—' : fmt.percent(o.store.repeat.rate)} of buyers ordered again within 90 days.</li>
        <Correlation label={`Mean rating against return rate (products with ${o.min_reviews}+ reviews)`} c={o.rating_vs_returns} />
        <Correlation label="Mean rating against repeat rate" c={o.rating_vs_repeat} />
      </ul>
      {o.products.length === 0 ? <Empty>No reviewed products yet.</Empty> : (
        <div data-testid="product-outcomes">
          <DataTable
            caption="Products: flagged first, then the lowest rated"
            rows={o.products}
            rowKey={(p) => p.product_id}
            columns={[
              { key: 'product', label: 'Product', render: (p) => p.product_title ?? p.product_id },
              { key: 'average', label: 'Average', numeric: true, render: (p) => `${fmt.number(p.average, { digits: 2 })} (${fmt.number(p.reviews)})` },
              { key: 'returns', label: 'Sent back', numeric: true, render: (p) => <RateCell rate={p.returns} /> },
              { key: 'repeat', label: 'Ordered again', numeric: true, render: (p) => <RateCell rate={p.repeat} /> },
              { key: 'flags', label: 'Flag', render: (p) => <>{p.more_returns && <span className="badge bad">more returns</span>} {p.less_repeat && <span className="badge warn">less repeat</span>}</> },
            ]}
          />
        </div>
      )}
    </div>
  );
}

export function ReviewsPage() {
  const { fmt } = useApp();
  const [status, setStatus] = useState<ReviewStatus>('pending');
  const reviews = useApi(`reviews:${status}`, () => http.get<{ data: Review[] }>(`/api/v1/reviews?status=${status}&limit=100`).then((r) => r.data));
  const analytics = useApi('reviews:analytics', () => http.get<ReviewAnalytics>('/api/v1/reviews/analytics'));
  const outcomes = useApi('reviews:outcomes', () => http.get<ReviewOutcomes>('/api/v1/reviews/outcomes'));
  const changed = () => {
    reviews.reload();
    analytics.reload();
  };
  return (
    <div className="stack">
      <PageHeader title="Reviews" subtitle="Moderate, reply, and see how each product is rated" />
      <Async result={analytics.result} onRetry={analytics.reload}>
        {(a) => (
          <Panel title="Review rate" definition={rateDefinition} testId="review-rate">
            <div className="kpis">
              <div className="kpi"><div className="kpi-label">Review rate</div><div className="kpi-value">{a.review_rate === null ? '—' : fmt.percent(a.review_rate, 1)}</div><div className="muted">{fmt.number(a.reviewed_orders)} of {fmt.number(a.delivered_orders)} delivered orders</div></div>
            </div>
            {a.products.length === 0 ? <Empty>No reviews in the last 365 days.</Empty> : (
              <DataTable
                caption="Ratings per product, last 365 days"
                rows={a.products}
                rowKey={(p) => p.product_id}
                columns={[
                  { key: 'product', label: 'Product', render: (p) => p.product_title ?? p.product_id },
                  { key: 'reviews', label: 'Reviews', numeric: true, render: (p) => fmt.number(p.reviews) },
                  { key: 'average', label: 'Average', numeric: true, render: (p) => fmt.number(p.average, { digits: 2 }) },
                  { key: 'trend', label: 'Monthly average', render: (p) => (p.months.length > 1 ? <Sparkline values={p.months.map((m) => m.average)} labels={p.months.map((m) => m.month)} format={(v) => fmt.number(v, { digits: 2 })} /> : <span className="muted">one month</span>) },
                ]}
              />
            )}
          </Panel>
        )}
      </Async>
      <Panel title="Reviews" testId="review-list">
        <div className="stack">
          <Segmented label="Show" value={status} onChange={setStatus} options={[{ value: 'pending', label: 'Waiting' }, { value: 'published', label: 'Published' }, { value: 'rejected', label: 'Rejected' }]} />
          <Async result={reviews.result} onRetry={reviews.reload}>
            {(list) => (list.length === 0 ? <Empty>{status === 'pending' ? 'Nothing waits for moderation.' : 'No reviews here.'}</Empty>
              : <div className="stack">{list.map((r) => <ReviewCard key={r.id} review={r} onChanged={changed} />)}</div>)}
          </Async>
        </div>
      </Panel>
      <Panel title="Ratings, returns and repeat purchases" definition={outcomesDefinition} testId="review-outcomes">
        <Async result={outcomes.result} onRetry={outcomes.reload}>{(o) => <RatingOutcomes o={o} />}</Async>
      </Panel>
    </div>
  );
}
