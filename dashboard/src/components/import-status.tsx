/**
 * What has arrived: counts per kind of record and recent imports, as the server reports them.
 * The report is read generically (numbers, texts, times, nested lists) so new fields show up
 * without a dashboard release.
 */
import { http } from '../api/client';
import { useApi } from '../api/use-api';
import { useApp } from './app-context';
import type { Formatter } from './format';
import { Async } from './states';
import { DataTable, Panel } from './ui';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function humanise(key: string): string {
  const text = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function show(value: Json, fmt: Formatter): string {
  if (value === null) return '—';
  if (typeof value === 'number') return fmt.number(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return /^\d{4}-\d{2}-\d{2}T/.test(value) ? fmt.dateTime(value) : value;
  if (Array.isArray(value)) return `${value.length} item${value.length === 1 ? '' : 's'}`;
  return Object.entries(value).map(([k, v]) => `${humanise(k)}: ${show(v, fmt)}`).join(', ');
}

/** Scalars and small objects become rows; arrays of objects become their own tables. */
function split(report: Record<string, Json>): { facts: [string, Json][]; lists: [string, Record<string, Json>[]][] } {
  const facts: [string, Json][] = [];
  const lists: [string, Record<string, Json>[]][] = [];
  for (const [key, value] of Object.entries(report)) {
    if (Array.isArray(value) && value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) lists.push([key, value as Record<string, Json>[]]);
    else if (value && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v !== 'object' || v === null)) {
      for (const [inner, v] of Object.entries(value)) facts.push([`${humanise(key)} · ${humanise(inner)}`, v]);
    } else facts.push([humanise(key), value]);
  }
  return { facts, lists };
}

export function ImportStatus() {
  const { fmt } = useApp();
  const { result, reload } = useApi('ingest-status', () => http.get<Record<string, Json>>('/api/v1/ingest/status'));
  return (
    <Panel title="Import status" definition="Records received per kind and the latest imports. Counts include every source: tracking, the API, webhooks and file imports." actions={<button type="button" className="secondary" onClick={reload}>Refresh</button>} testId="import-status">
      <Async result={result} onRetry={reload} isEmpty={(d) => Object.keys(d).length === 0} empty="Nothing imported yet. Create a key below, then send data with the tracking snippet, the API, or `hearth import`.">
        {(report) => {
          const { facts, lists } = split(report);
          return (
            <div className="stack">
              {facts.length > 0 && (
                <dl className="dl">
                  {facts.map(([label, value]) => (
                    <div key={label} style={{ display: 'contents' }}>
                      <dt>{label}</dt>
                      <dd>{show(value, fmt)}</dd>
                    </div>
                  ))}
                </dl>
              )}
              {lists.map(([key, rows]) => (
                <div key={key}>
                  <h3 className="field-label">{humanise(key)}</h3>
                  {rows.length === 0 ? <p className="muted">None.</p> : (
                    <DataTable
                      caption={humanise(key)}
                      rows={rows.slice(0, 20)}
                      rowKey={(_row, i) => String(i)}
                      columns={Object.keys(rows[0] ?? {}).map((column) => ({ key: column, label: humanise(column), render: (row: Record<string, Json>) => show(row[column] ?? null, fmt), numeric: typeof rows[0]?.[column] === 'number' }))}
                    />
                  )}
                </div>
              ))}
            </div>
          );
        }}
      </Async>
    </Panel>
  );
}
