import { setQueryParam, useLocation } from './router';
import { Field } from './ui';

/** Inclusive local dates; absent means the server's default (12 months up to the latest data). */
export interface Range {
  from: string | undefined;
  to: string | undefined;
  /** What the range is compared with: the period just before it (default) or the same dates a year earlier. */
  compare: 'previous' | 'year';
}

const DAY = 86_400_000;
const isDay = (text: string | null): text is string => text !== null && /^\d{4}-\d{2}-\d{2}$/.test(text);
const minus = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) - days * DAY).toISOString().slice(0, 10);

export function useDateRange(): Range {
  const { params } = useLocation();
  const from = params.get('from');
  const to = params.get('to');
  return { from: isDay(from) ? from : undefined, to: isDay(to) ? to : undefined, compare: params.get('compare') === 'year' ? 'year' : 'previous' };
}

/**
 * Presets count back from the last day shown (the store's latest data by default), so a store
 * whose data ends in the past still sees full periods.
 */
export function DateRange({ range, shown, comparable = false }: { range: Range; shown: { from: string; to: string } | undefined; comparable?: boolean }) {
  const end = range.to ?? shown?.to;
  const presets = [
    { value: 'default', label: 'Last 12 months', days: 365 },
    { value: '90', label: 'Last 90 days', days: 90 },
    { value: '30', label: 'Last 30 days', days: 30 },
  ];
  const span = shown ? Math.round((Date.parse(shown.to) - Date.parse(shown.from)) / DAY) + 1 : undefined;
  const current = range.from === undefined && range.to === undefined ? 'default' : presets.find((p) => p.value !== 'default' && p.days === span)?.value ?? 'custom';
  const set = (from: string | undefined, to: string | undefined) => {
    setQueryParam('from', from);
    setQueryParam('to', to);
  };
  return (
    <div className="row" role="group" aria-label="Date range">
      <Field label="Period">
        <select
          name="range"
          value={current}
          onChange={(e) => {
            const preset = presets.find((p) => p.value === e.target.value);
            if (e.target.value === 'default') set(undefined, undefined);
            else if (preset && end) set(minus(end, preset.days - 1), end);
            else if (shown) set(shown.from, shown.to);
          }}
        >
          {presets.map((p) => <option key={p.value} value={p.value}>{p.label}</option>)}
          <option value="custom">Custom</option>
        </select>
      </Field>
      {current === 'custom' && shown && (
        <>
          <Field label="From"><input type="date" name="from" value={range.from ?? shown.from} max={range.to ?? shown.to} onChange={(e) => e.target.value && set(e.target.value, range.to ?? shown.to)} /></Field>
          <Field label="To"><input type="date" name="to" value={range.to ?? shown.to} min={range.from ?? shown.from} onChange={(e) => e.target.value && set(range.from ?? shown.from, e.target.value)} /></Field>
        </>
      )}
      {comparable && (
        <Field label="Compared with">
          <select name="compare" value={range.compare} onChange={(e) => setQueryParam('compare', e.target.value === 'year' ? 'year' : undefined)}>
            <option value="previous">Previous period</option>
            <option value="year">Same period last year</option>
          </select>
        </Field>
      )}
    </div>
  );
}
