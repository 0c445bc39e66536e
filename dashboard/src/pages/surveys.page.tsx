/**
 * Surveys: the NPS (promoters − detractors) with its 95 % interval and monthly trend, the frequent
 * themes of the answers, the latest answers, and the repeat rate by NPS category
 * (docs/listen.md). Answers came from outside: React renders them as text.
 */
import { http } from '../api/client';
import type { Retention, SurveyAnswerList, SurveyResults } from '../api/support-types';
import { useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { Link } from '../components/router';
import { Async, Empty } from '../components/states';
import { DataTable, PageHeader, Panel } from '../components/ui';
import { RetentionTable } from './support.page';

const npsDefinition = 'Net Promoter Score: % of answers 9–10 minus % of answers 0–6, from −100 to 100, over the last 90 days. The interval is the 95 % interval; with few answers it is wide.';
const themeDefinition = 'Words and two-word phrases most answers use (English stop words removed, each answer counted once). Sentiment uses the AFINN word list: English only.';

export function SurveysPage() {
  const { fmt } = useApp();
  const results = useApi('surveys:nps', () => http.get<SurveyResults>('/api/v1/surveys/results?kind=nps'));
  const answers = useApi('surveys:answers', () => http.get<SurveyAnswerList>('/api/v1/surveys/answers?kind=nps&limit=50'));
  const retention = useApi('surveys:retention', () => http.get<Retention>('/api/v1/support/retention'));
  const one = (v: number | null) => (v === null ? '—' : v.toFixed(1));
  return (
    <div className="page">
      <PageHeader title="Surveys" subtitle="NPS answers by signed email link" />
      <Async result={results.result} onRetry={results.reload}>
        {(r) => (
          <div className="grid grid-2">
            <Panel title="NPS" testId="nps-score" definition={npsDefinition}>
              {!r.nps || r.nps.answers === 0 ? <Empty>No answers in the last 90 days.</Empty> : (
                <dl className="dl">
                  <dt>NPS</dt><dd data-testid="nps-value">{one(r.nps.nps)} <span className="muted">({one(r.nps.low)} to {one(r.nps.high)})</span></dd>
                  <dt>Answers</dt><dd data-testid="nps-answers">{fmt.number(r.nps.answers)}</dd>
                  <dt>Promoters · passives · detractors</dt><dd>{fmt.number(r.nps.promoters)} · {fmt.number(r.nps.passives)} · {fmt.number(r.nps.detractors)}</dd>
                  <dt>Sentiment</dt><dd>{r.sentiment.mean === null ? '—' : r.sentiment.mean.toFixed(3)} <span className="muted">({fmt.number(r.sentiment.with_text)} with text)</span></dd>
                </dl>
              )}
            </Panel>
            <Panel title="Themes" testId="nps-themes" definition={themeDefinition}>
              {r.themes.length === 0 ? <Empty>Not enough text yet.</Empty> : (
                <ul className="plain-list">{r.themes.map((t) => <li key={t.term}>{t.term} <span className="muted">({fmt.number(t.answers)})</span></li>)}</ul>
              )}
              {r.detractor_themes.length > 0 && <p className="muted">Detractors: {r.detractor_themes.map((t) => t.term).join(', ')}</p>}
            </Panel>
            <Panel title="Trend" testId="nps-trend" definition="NPS by month of the answer, with its 95 % interval.">
              <DataTable
                rows={r.trend}
                rowKey={(t) => t.month}
                columns={[
                  { key: 'month', label: 'Month', render: (t) => t.month },
                  { key: 'answers', label: 'Answers', numeric: true, render: (t) => fmt.number(t.answers) },
                  { key: 'score', label: 'NPS (95 %)', numeric: true, render: (t) => `${one(t.score)} (${one(t.low)} to ${one(t.high)})` },
                ]}
              />
            </Panel>
          </div>
        )}
      </Async>
      <Panel title="Repeat rate by NPS category" testId="nps-retention" definition="Share of customers who ordered again within 90 days after their first NPS answer; only customers whose 90 days are over count.">
        <Async result={retention.result} onRetry={retention.reload}>
          {(r) => <RetentionTable rows={r.nps_category} label="By the category of the first answer" testId="retention-nps" />}
        </Async>
      </Panel>
      <Panel title="Latest answers" testId="nps-answers-list">
        <Async result={answers.result} onRetry={answers.reload}>
          {({ data }) => (data.length === 0 ? <Empty>No answers yet.</Empty> : (
            <DataTable
              rows={data}
              rowKey={(a) => a.id}
              columns={[
                { key: 'at', label: 'Answered', render: (a) => fmt.date(a.answered_at) },
                { key: 'customer', label: 'Customer', render: (a) => <Link to={`/customers/${a.customer_id}`}>#{a.customer_id}</Link> },
                { key: 'score', label: 'Score', numeric: true, render: (a) => `${a.score} (${a.category})` },
                { key: 'comment', label: 'Comment', render: (a) => a.comment ?? '—' },
              ]}
            />
          ))}
        </Async>
      </Panel>
    </div>
  );
}
