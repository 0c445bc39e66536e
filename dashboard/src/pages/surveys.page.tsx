/**
 * Surveys, NPS or CSAT (`?kind=`): the NPS (promoters − detractors) or the CSAT (the share of
 * satisfied answers, 4–5) with its 95 % interval and monthly trend, the frequent themes of the
 * answers, the latest answers, and for NPS the repeat rate by category (docs/listen.md). Answers
 * came from outside: React renders them as text.
 */
import { http } from '../api/client';
import type { Retention, SurveyAnswerList, SurveyResults } from '../api/support-types';
import { useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { Link, setQueryParam, useLocation } from '../components/router';
import { Async, Empty } from '../components/states';
import { DataTable, Field, PageHeader, Panel } from '../components/ui';
import { RetentionTable } from './support.page';

const npsDefinition = 'Net Promoter Score: % of answers 9–10 minus % of answers 0–6, from −100 to 100, over the last 90 days. The interval is the 95 % interval; with few answers it is wide.';
const csatDefinition = 'Customer satisfaction: % of answers 4 or 5 on the 1–5 scale, over the last 90 days, with its 95 % (Wilson) interval; the mean score beside it.';
const themeDefinition = 'Words and two-word phrases most answers use (English stop words removed, each answer counted once). Sentiment uses the AFINN word list: English only.';

type Kind = 'nps' | 'csat';
/** An answer's category in CSAT's own words (the API names both scales' categories alike). */
const csatWords: Record<string, string> = { promoter: 'satisfied', passive: 'neutral', detractor: 'dissatisfied' };

function Score({ r }: { r: SurveyResults }) {
  const { fmt } = useApp();
  const one = (v: number | null) => (v === null ? '—' : v.toFixed(1));
  const sentiment = <><dt>Sentiment</dt><dd>{r.sentiment.mean === null ? '—' : r.sentiment.mean.toFixed(3)} <span className="muted">({fmt.number(r.sentiment.with_text)} with text)</span></dd></>;
  if (r.kind === 'csat') {
    const c = r.csat;
    const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
    return (
      <Panel title="CSAT" testId="csat-score" definition={csatDefinition}>
        {!c || c.answers === 0 ? <Empty>No answers in the last 90 days.</Empty> : (
          <dl className="dl">
            <dt>Satisfied</dt><dd data-testid="csat-value">{pct(c.share)} <span className="muted">({pct(c.low)} to {pct(c.high)})</span></dd>
            <dt>Answers</dt><dd data-testid="csat-answers">{fmt.number(c.answers)}</dd>
            <dt>Satisfied (4–5)</dt><dd>{fmt.number(c.satisfied)}</dd>
            <dt>Mean score</dt><dd data-testid="csat-mean">{c.mean === null ? '—' : c.mean.toFixed(2)} <span className="muted">of 5</span></dd>
            {sentiment}
          </dl>
        )}
      </Panel>
    );
  }
  return (
    <Panel title="NPS" testId="nps-score" definition={npsDefinition}>
      {!r.nps || r.nps.answers === 0 ? <Empty>No answers in the last 90 days.</Empty> : (
        <dl className="dl">
          <dt>NPS</dt><dd data-testid="nps-value">{one(r.nps.nps)} <span className="muted">({one(r.nps.low)} to {one(r.nps.high)})</span></dd>
          <dt>Answers</dt><dd data-testid="nps-answers">{fmt.number(r.nps.answers)}</dd>
          <dt>Promoters · passives · detractors</dt><dd>{fmt.number(r.nps.promoters)} · {fmt.number(r.nps.passives)} · {fmt.number(r.nps.detractors)}</dd>
          {sentiment}
        </dl>
      )}
    </Panel>
  );
}

export function SurveysPage() {
  const { fmt } = useApp();
  const { params } = useLocation();
  const kind: Kind = params.get('kind') === 'csat' ? 'csat' : 'nps';
  const name = kind === 'nps' ? 'NPS' : 'CSAT';
  const results = useApi(`surveys:results:${kind}`, () => http.get<SurveyResults>('/api/v1/surveys/results', { kind }));
  const answers = useApi(`surveys:answers:${kind}`, () => http.get<SurveyAnswerList>('/api/v1/surveys/answers', { kind, limit: 50 }));
  const retention = useApi(kind === 'nps' ? 'surveys:retention' : null, () => http.get<Retention>('/api/v1/support/retention'));
  const one = (v: number | null) => (v === null ? '—' : v.toFixed(1));
  const trendValue = (v: number | null) => (v === null ? '—' : kind === 'nps' ? one(v) : `${one(v)} %`);
  return (
    <div className="page">
      <PageHeader
        title="Surveys"
        subtitle="Answers by signed email link, hosted page and storefront widget"
        actions={
          <Field label="Survey">
            <select name="survey-kind" value={kind} onChange={(e) => setQueryParam('kind', e.target.value === 'nps' ? undefined : e.target.value)}>
              <option value="nps">NPS (0–10)</option>
              <option value="csat">CSAT (1–5)</option>
            </select>
          </Field>
        }
      />
      <Async result={results.result} onRetry={results.reload}>
        {(r) => (
          <div className="grid grid-2">
            <Score r={r} />
            <Panel title="Themes" testId="survey-themes" definition={themeDefinition}>
              {r.themes.length === 0 ? <Empty>Not enough text yet.</Empty> : (
                <ul className="plain-list">{r.themes.map((t) => <li key={t.term}>{t.term} <span className="muted">({fmt.number(t.answers)})</span></li>)}</ul>
              )}
              {r.detractor_themes.length > 0 && <p className="muted">{kind === 'nps' ? 'Detractors' : 'Dissatisfied (1–2)'}: {r.detractor_themes.map((t) => t.term).join(', ')}</p>}
            </Panel>
            <Panel title="Trend" testId="survey-trend" definition={`${name} by month of the answer, with its 95 % interval.`}>
              {r.trend.length === 0 ? <Empty>No answers in the last 90 days.</Empty> : (
                <DataTable
                  rows={r.trend}
                  rowKey={(t) => t.month}
                  columns={[
                    { key: 'month', label: 'Month', render: (t) => t.month },
                    { key: 'answers', label: 'Answers', numeric: true, render: (t) => fmt.number(t.answers) },
                    { key: 'score', label: `${kind === 'nps' ? 'NPS' : 'Satisfied'} (95 %)`, numeric: true, render: (t) => `${trendValue(t.score)} (${trendValue(t.low)} to ${trendValue(t.high)})` },
                  ]}
                />
              )}
            </Panel>
          </div>
        )}
      </Async>
      {kind === 'nps' && (
        <Panel title="Repeat rate by NPS category" testId="nps-retention" definition="Share of customers who ordered again within 90 days after their first NPS answer; only customers whose 90 days are over count.">
          <Async result={retention.result} onRetry={retention.reload}>
            {(r) => <RetentionTable rows={r.nps_category} label="By the category of the first answer" testId="retention-nps" />}
          </Async>
        </Panel>
      )}
      <Panel title="Latest answers" testId="survey-answers-list">
        <Async result={answers.result} onRetry={answers.reload}>
          {({ data }) => (data.length === 0 ? <Empty>No answers yet.</Empty> : (
            <DataTable
              rows={data}
              rowKey={(a) => a.id}
              columns={[
                { key: 'at', label: 'Answered', render: (a) => fmt.date(a.answered_at) },
                { key: 'customer', label: 'Customer', render: (a) => <Link to={`/customers/${a.customer_id}`}>#{a.customer_id}</Link> },
                { key: 'score', label: 'Score', numeric: true, render: (a) => `${a.score} (${kind === 'csat' ? csatWords[a.category] ?? a.category : a.category})` },
                { key: 'comment', label: 'Comment', render: (a) => a.comment ?? '—' },
              ]}
            />
          ))}
        </Async>
      </Panel>
    </div>
  );
}
