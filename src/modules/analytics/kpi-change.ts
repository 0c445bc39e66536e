/**
 * How a KPI's change against the comparison period is told — one rule for the dashboard and the
 * CLI (the dashboard imports this file). Rates change by percentage points (30.1 % → 32.3 % is
 * +2.2 points); counts, money and days by a relative change, except where a relative change
 * says nothing: against zero (no percentage exists) and against a small start such as a store's
 * ramp-up (a +10,542.9 % change is a number nobody can use), where the comparison figure is
 * given instead ("comparison period had 49").
 */

/** A rise of 200 % or more (three times the comparison figure) is told as that figure, not as a percentage. */
export const RAMP_UP = 2;

export type KpiChange =
  /** No comparison figure (or no current one). */
  | { kind: 'none' }
  /** A count or amount against zero: no percentage exists. */
  | { kind: 'from-zero'; unchanged: boolean }
  /** A rate: current − comparison, as a fraction (× 100 for points). */
  | { kind: 'points'; delta: number }
  /** Relative change: (current − comparison) ÷ |comparison|. */
  | { kind: 'relative'; delta: number }
  /** A relative rise of RAMP_UP or more: say what the comparison period had. */
  | { kind: 'ramp-up'; delta: number; previous: number };

export function kpiChange(value: number | null | undefined, previous: number | null | undefined, { rate }: { rate: boolean }): KpiChange {
  if (value === null || value === undefined || previous === null || previous === undefined) return { kind: 'none' };
  if (rate) return { kind: 'points', delta: value - previous };
  if (previous === 0) return { kind: 'from-zero', unchanged: value === 0 };
  const delta = (value - previous) / Math.abs(previous);
  return delta >= RAMP_UP ? { kind: 'ramp-up', delta, previous } : { kind: 'relative', delta };
}

/** The change as one signed number (points or relative), or undefined where there is none. */
export function changeDelta(change: KpiChange): number | undefined {
  return 'delta' in change ? change.delta : undefined;
}
