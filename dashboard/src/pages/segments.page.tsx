import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { CustomerSort } from '../api/types';
import { ApiError, http } from '../api/client';
import type { Condition, FieldCatalog, Persona, Preview, Segment, SizePoint } from '../api/segment-types';
import { useAction, useApi } from '../api/use-api';
import { useApp } from '../components/app-context';
import { axis, Chart } from '../components/chart';
import { CustomerList } from '../components/customer-list';
import { defaultCondition, fieldOf, RuleBuilder, toRule } from '../components/rule-builder';
import { navigate, setQueryParam, useLocation } from '../components/router';
import { Async, ErrorState, Loading } from '../components/states';
import { DataTable, Field, PageHeader, Panel } from '../components/ui';

function useRule(catalog: FieldCatalog | undefined, match: 'all' | 'any', conditions: Condition[], currency: string) {
  return useMemo(() => {
    if (!catalog || conditions.length === 0) return undefined;
    return { kind: match, rules: conditions.map((c) => toRule(c, fieldOf(catalog, c), currency)) };
  }, [catalog, match, conditions, currency]);
}

function Builder({ catalog, onSaved }: { catalog: FieldCatalog; onSaved: () => void }) {
  const { fmt, canWrite, store } = useApp();
  const [match, setMatch] = useState<'all' | 'any'>('all');
  const [conditions, setConditions] = useState<Condition[]>(() => {
    const first = defaultCondition(catalog);
    return first ? [first] : [];
  });
  const [name, setName] = useState('');
  const [preview, setPreview] = useState<{ state: 'idle' | 'loading' } | { state: 'ok'; data: Preview } | { state: 'error'; error: ApiError }>({ state: 'idle' });
  const rule = useRule(catalog, match, conditions, store.currency);
  const ruleText = JSON.stringify(rule ?? null);
  useEffect(() => {
    if (!rule) {
      setPreview({ state: 'idle' });
      return;
    }
    let current = true;
    setPreview({ state: 'loading' });
    // Typing changes the rule on every key; count once the typing pauses.
    const timer = window.setTimeout(() => {
      http.post<Preview>('/api/v1/segments/preview', { rule }).then(
        (data) => current && setPreview({ state: 'ok', data }),
        (error: unknown) => current && setPreview({ state: 'error', error: error instanceof ApiError ? error : new ApiError(0, 'client', String(error)) }),
      );
    }, 300);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [ruleText]);
  const save = useAction((body: { name: string; rule: unknown }) => http.post<Segment>('/api/v1/segments', body));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await save.run({ name, rule })) {
      setName('');
      onSaved();
    }
  };
  return (
    <Panel title="Build a segment" definition="Combine conditions on the customer's profile, orders, predictions and RFM scores. The count updates as you edit.">
      <div className="grid grid-2">
        <RuleBuilder catalog={catalog} match={match} conditions={conditions} onChange={setConditions} onMatch={setMatch} />
        <div className="stack" style={{ gap: 8 }} aria-live="polite">
          {preview.state === 'idle' && <p className="muted">Add a condition to see how many customers match.</p>}
          {preview.state === 'loading' && <Loading label="Counting…" />}
          {preview.state === 'error' && <ErrorState error={preview.error} />}
          {preview.state === 'ok' && (
            <>
              <div>
                <span className="kpi-value" data-testid="segment-count">{fmt.number(preview.data.count)}</span> customers match
                <span className="muted"> (counted in {fmt.number(preview.data.took_ms, { digits: 0 })} ms)</span>
              </div>
              {preview.data.sample.length > 0 && (
                <DataTable
                  caption="Sample members"
                  rows={preview.data.sample}
                  rowKey={(c) => String(c.id)}
                  onRowClick={(c) => navigate(`/customers/${c.id}`)}
                  columns={[
                    { key: 'name', label: 'Sample member', render: (c) => c.name || c.email || `#${c.id}` },
                    { key: 'email', label: 'Email', render: (c) => c.email ?? '—' },
                    { key: 'country', label: 'Country', render: (c) => c.country ?? '—' },
                  ]}
                />
              )}
            </>
          )}
        </div>
      </div>
      {canWrite ? (
        <form className="row" onSubmit={submit} style={{ marginTop: 12 }} aria-label="Save segment">
          <Field label="Segment name"><input name="segment-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} /></Field>
          <button type="submit" className="primary" disabled={save.pending || !rule} style={{ alignSelf: 'flex-end' }}>Save segment</button>
          {save.error && <p className="form-error" role="alert">{save.error.describe()}</p>}
        </form>
      ) : <p className="muted">Analysts can explore segments; saving one takes an owner or admin.</p>}
    </Panel>
  );
}

function SizeHistory({ segment }: { segment: Segment }) {
  const { fmt } = useApp();
  const { result, reload } = useApi(`history:${segment.id}`, () => http.get<{ data: SizePoint[] }>(`/api/v1/segments/${encodeURIComponent(segment.id)}/sizes`));
  const option = useMemo(() => (result.state === 'ok' ? {
    tooltip: { trigger: 'axis', confine: true, valueFormatter: (v: number) => `${fmt.number(v)} customers` },
    grid: { left: 64, right: 16, top: 16, bottom: 48 },
    xAxis: { type: 'category', data: result.data.data.map((p) => fmt.date(p.day)), ...axis('Day') },
    yAxis: { type: 'value', ...axis('Members', { nameGap: 48 }) },
    series: [{ name: 'Members', type: 'line', data: result.data.data.map((p) => p.size), areaStyle: { opacity: 0.12 } }],
  } : undefined), [result, fmt]);
  return (
    <Panel title={`${segment.name}: size over time`}>
      <Async result={result} onRetry={reload} height={240} isEmpty={(d) => d.data.length < 2} empty={`No history yet: the size over time starts on the day the segment was created (${fmt.date(segment.created_at)}) and gains a point each day.`}>
        {() => option && <Chart option={option} label={`Members of ${segment.name} over time`} height={240} />}
      </Async>
    </Panel>
  );
}

function Members({ segment }: { segment: Segment }) {
  const { fmt, store } = useApp();
  const [sort, setSort] = useState<CustomerSort>('-revenue');
  const csv = `/api/v1/segments/${encodeURIComponent(segment.id)}/members.csv?store=${encodeURIComponent(store.id)}`;
  return (
    <Panel
      title={`${segment.name}: members`}
      testId="segment-members"
      definition="The customers in the segment now, with their orders, net revenue, predicted value and churn risk. The CSV has every member with these figures."
      actions={<a className="button-link" href={csv} download data-testid="segment-csv">Download CSV ({fmt.number(segment.member_count)})</a>}
    >
      <CustomerList key={segment.id} filters={{ segment_id: segment.id }} sort={sort} onSort={setSort} caption={`Members of ${segment.name}`} pageSize={10} />
    </Panel>
  );
}

function Personas() {
  const { fmt, canWrite } = useApp();
  const { result, reload } = useApi('personas', () => http.get<{ data: Persona[] }>('/api/v1/personas'));
  const find = useAction(() => http.post<unknown>('/api/v1/personas/run', {}).then(() => true));
  const run = async () => {
    if (await find.run()) reload();
  };
  return (
    <Panel title="Personas" definition="Groups of customers who buy alike, found by clustering their order behaviour, each described in words.">
      {canWrite && (
        <p>
          <button type="button" className="secondary" onClick={run} disabled={find.pending}>{find.pending ? 'Finding personas…' : 'Find personas again'}</button>
          {find.error && <ErrorState error={find.error} />}
        </p>
      )}
      <Async result={result} onRetry={reload} isEmpty={(d) => d.data.length === 0} empty={canWrite ? 'No personas yet: press "Find personas again" to cluster the customers who have ordered.' : 'No personas yet: an owner or admin can find them.'}>
        {(answer) => (
          <div className="grid grid-3">
            {answer.data.map((p) => (
              <div className="kpi" key={p.id}>
                <strong>{p.name}</strong>
                <span className="muted">{fmt.number(p.size)} customers · {fmt.percent(p.revenue_share, 0)} of revenue{p.predicted_clv !== null && ` · CLV ${fmt.money(p.predicted_clv)}`}</span>
                <span>{p.description}</span>
              </div>
            ))}
          </div>
        )}
      </Async>
    </Panel>
  );
}

export function SegmentsPage() {
  const { fmt } = useApp();
  const catalog = useApi('segment-fields', () => http.get<FieldCatalog>('/api/v1/segments/fields'));
  const segments = useApi('segments', () => http.get<{ data: Segment[] }>('/api/v1/segments'));
  // The chosen segment is in the URL, so it survives a reload and can be shared.
  const { params } = useLocation();
  const selectedId = params.get('segment');
  const choose = (segment: Segment) => {
    setQueryParam('segment', segment.id);
    // On a phone the members are below the list: bring them into view.
    window.requestAnimationFrame(() => document.getElementById('segment-detail')?.scrollIntoView({ block: 'start' }));
  };
  return (
    <div className="page">
      <PageHeader title="Segments" subtitle="Groups of customers to act on: build one from conditions, watch its size, and meet your personas." />
      <div className="stack">
        <Async result={catalog.result} onRetry={catalog.reload}>
          {(fields) => <Builder catalog={fields} onSaved={segments.reload} />}
        </Async>
        <Panel title="Saved segments" definition="Members are kept up to date: on new data for segments on profile and orders, daily for those that depend on time.">
          <Async result={segments.result} onRetry={segments.reload} isEmpty={(d) => d.data.length === 0} empty="No saved segments yet. Build one above and save it.">
            {(answer) => (
              <DataTable
                caption="Saved segments"
                rows={answer.data}
                rowKey={(s) => s.id}
                onRowClick={choose}
                isSelected={(s) => s.id === selectedId}
                columns={[
                  { key: 'name', label: 'Segment', render: (s) => <>{s.name}{s.builtin_key && <span className="badge" style={{ marginLeft: 6 }}>built in</span>}</>, sortValue: (s) => s.name },
                  { key: 'description', label: 'Description', render: (s) => <span className="muted wrap">{s.description ?? ''}</span> },
                  { key: 'members', label: 'Members', numeric: true, render: (s) => fmt.number(s.member_count), sortValue: (s) => s.member_count },
                  { key: 'refreshed', label: 'Refreshed', render: (s) => fmt.dateTime(s.refreshed_at) },
                ]}
              />
            )}
          </Async>
        </Panel>
        <Async result={segments.result} onRetry={segments.reload}>
          {(answer) => {
            const selected = answer.data.find((s) => s.id === selectedId);
            return selected ? (
              <div id="segment-detail" className="stack">
                <Members segment={selected} />
                <SizeHistory segment={selected} />
              </div>
            ) : <p className="muted">{selectedId ? 'That segment no longer exists. ' : ''}Choose a saved segment to see its members and its size over time.</p>;
          }}
        </Async>
        <Personas />
      </div>
    </div>
  );
}
