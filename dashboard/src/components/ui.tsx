import { useState, type MouseEvent, type ReactNode } from 'react';
import { navigate } from './router';

/** The "Refresh" action of a panel whose data can change while the page is open. */
export function RefreshButton({ onClick }: { onClick: () => void }) {
  return <button type="button" className="secondary" onClick={onClick}>Refresh</button>;
}

/** A titled card. `definition` is the metric's definition, shown on hover and focus. */
export function Panel({ title, definition, actions, children, className = '', testId }: { title: string; definition?: string; actions?: ReactNode; children: ReactNode; className?: string; testId?: string }) {
  return (
    <section className={`panel ${className}`} aria-label={title} data-testid={testId}>
      <header className="panel-head">
        <h2>
          {title}
          {definition && <InfoTip text={definition} />}
        </h2>
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function InfoTip({ text }: { text: string }) {
  return (
    <span className="info" tabIndex={0} role="note" aria-label={text} title={text}>
      ?<span className="info-text">{text}</span>
    </span>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}

/** A tiny line of a KPI's recent values; each point's exact value is its tooltip. */
export function Sparkline({ values, labels, format, width = 120, height = 32 }: { values: number[]; labels?: string[]; format: (v: number) => string; width?: number; height?: number }) {
  const points = values.filter((v) => Number.isFinite(v));
  if (points.length < 2) return <span className="spark-empty">not enough history</span>;
  const min = Math.min(...points);
  const max = Math.max(...points);
  const span = max - min || 1;
  const x = (i: number) => 2 + (i * (width - 4)) / (values.length - 1);
  const y = (v: number) => height - 3 - ((v - min) / span) * (height - 6);
  const path = values.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const description = values.map((v, i) => `${labels?.[i] ?? i + 1}: ${format(v)}`).join(', ');
  return (
    <svg className="spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Trend: ${description}`}>
      <path d={path} fill="none" stroke="currentColor" strokeWidth="1.6" />
      {values.map((v, i) => (
        <circle key={i} cx={x(i)} cy={y(v)} r={i === values.length - 1 ? 2.6 : 5} fill={i === values.length - 1 ? 'currentColor' : 'transparent'}>
          <title>{`${labels?.[i] ?? ''} ${format(v)}`.trim()}</title>
        </circle>
      ))}
    </svg>
  );
}

export interface Column<T> {
  key: string;
  label: string;
  render: (row: T) => ReactNode;
  numeric?: boolean;
  title?: string;
  /** Makes the column sortable by this value (numbers sort largest first on the first click). */
  sortValue?: (row: T) => number | string | null;
  /** With a table sorted by its owner (`sort` and `onSort`): this column can be sorted. */
  sortable?: boolean;
  /** A class for the column's cells (`sticky` keeps it in view while the table scrolls sideways). */
  className?: string;
}

export type Sort = { key: string; direction: 'ascending' | 'descending' };

/** A click anywhere on a row follows its link, unless it was on a link or button of its own. */
function followRow(event: MouseEvent<HTMLTableRowElement>, href: string): void {
  if ((event.target as HTMLElement).closest('a, button, input, select') || event.metaKey || event.ctrlKey || event.shiftKey) return;
  navigate(href);
  window.scrollTo(0, 0);
}

function compareValues(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}

function sortedRows<T>(rows: T[], columns: Column<T>[], sort: Sort | undefined): T[] {
  const column = sort && columns.find((c) => c.key === sort.key);
  if (!sort || !column?.sortValue) return rows;
  const value = column.sortValue;
  const sign = sort.direction === 'ascending' ? 1 : -1;
  // Empty values stay last either way.
  return [...rows].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (x === null || y === null) return compareValues(x, y);
    return sign * compareValues(x, y);
  });
}

/**
 * A table. Sorted in place by columns with `sortValue`, or by its owner when it passes `sort` and
 * `onSort` (a list sorted by the server). With `rowHref`, a row is a link: its cells should hold a
 * real link (for the keyboard and a new tab), and a click elsewhere on the row follows it too.
 */
export function DataTable<T>({ columns, rows, rowKey, caption, onRowClick, rowHref, sort: sortedBy, onSort, isSelected }: {
  columns: Column<T>[]; rows: T[]; rowKey: (row: T, index: number) => string; caption?: string; onRowClick?: (row: T) => void;
  rowHref?: (row: T) => string; sort?: Sort | undefined; onSort?: (key: string) => void;
  /** The row whose details the page shows beside the table, marked as the current one. */
  isSelected?: (row: T) => boolean;
}) {
  const [localSort, setSort] = useState<Sort | undefined>();
  const sort = onSort ? sortedBy : localSort;
  const toggle = (column: Column<T>) => (onSort ? onSort(column.key) : setSort((current) => current?.key === column.key
    ? { key: column.key, direction: current.direction === 'descending' ? 'ascending' : 'descending' }
    : { key: column.key, direction: column.numeric ? 'descending' : 'ascending' }));
  const sortable = (c: Column<T>) => (onSort ? c.sortable : c.sortValue !== undefined);
  const cellClass = (c: Column<T>) => [c.numeric ? 'num' : '', c.className ?? ''].join(' ').trim() || undefined;
  // On a phone a table becomes one card per row, each value under its column's name, unless it keeps
  // a sticky first column (a long list compared column by column), which scrolls sideways instead.
  const stacked = !columns.some((c) => c.className?.includes('sticky'));
  return (
    <div className="table-wrap">
      {/* Explicit roles: a table shown as cards on a phone keeps its meaning for screen readers. */}
      <table className={stacked ? 'table stack-on-phone' : 'table'} role="table">
        {caption && <caption className="sr-only">{caption}</caption>}
        <thead>
          <tr role="row">
            {columns.map((c) => (
              <th key={c.key} role="columnheader" scope="col" className={cellClass(c)} title={c.title} aria-sort={sortable(c) ? (sort?.key === c.key ? sort.direction : 'none') : undefined}>
                {sortable(c)
                  ? <button type="button" className="sort" onClick={() => toggle(c)}>{c.label}<span aria-hidden="true" className="sort-mark">{sort?.key === c.key ? (sort.direction === 'descending' ? ' ▼' : ' ▲') : ' ↕'}</span></button>
                  : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(onSort ? rows : sortedRows(rows, columns, sort)).map((row, index) => (
            <tr
              role="row"
              key={rowKey(row, index)}
              className={[onRowClick || rowHref ? 'clickable' : '', isSelected?.(row) ? 'selected' : ''].join(' ').trim() || undefined}
              aria-current={isSelected?.(row) ? 'true' : undefined}
              onClick={rowHref ? (event) => followRow(event, rowHref(row)) : onRowClick ? () => onRowClick(row) : undefined}
              onKeyDown={onRowClick && !rowHref ? (event) => event.key === 'Enter' && onRowClick(row) : undefined}
              tabIndex={onRowClick && !rowHref ? 0 : undefined}
            >
              {columns.map((c) => (
                <td key={c.key} role="cell" className={cellClass(c)} data-label={c.label}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Segmented<V extends string>({ label, value, options, onChange }: { label: string; value: V; options: { value: V; label: string }[]; onChange: (value: V) => void }) {
  return (
    <div className="segmented" role="radiogroup" aria-label={label}>
      {options.map((option) => (
        <button key={option.value} type="button" role="radio" aria-checked={option.value === value} className={option.value === value ? 'on' : ''} onClick={() => onChange(option.value)}>
          {option.label}
        </button>
      ))}
    </div>
  );
}

export function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      {children}
      {hint && <span className="field-hint">{hint}</span>}
    </label>
  );
}
