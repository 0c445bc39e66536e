/**
 * The winner of an A/B test at the end of its test window, by the campaign's rule:
 * - `revenue`: the most revenue per person in the window; ties go to the higher share who bought;
 * - `clicks`: the highest share of the variant's people who clicked a link in its message (unique
 *   clickers / people, first clicks within the window); ties go to revenue per person.
 * Remaining ties go to the earlier variant. Every person drawn into a variant counts, delivered or
 * not, as in the results (intent to treat).
 */
import type { GroupResult } from './campaign-results.js';

export type WinnerMetric = 'revenue' | 'clicks';

export interface VariantFigures extends GroupResult {
  /** People of the variant who clicked in the window. */
  clickers: number;
}

const pct = (value: number) => `${(value * 100).toFixed(1)} %`;

export function chooseWinner(metric: WinnerMetric, variants: readonly VariantFigures[], testHours: number): { winner: number; reason: string } {
  if (variants.length === 0) return { winner: 0, reason: 'no variant had recipients' };
  const clickRate = (v: VariantFigures) => (v.people ? v.clickers / v.people : 0);
  const byRevenue = (a: VariantFigures, b: VariantFigures) => b.revenue_per_person - a.revenue_per_person || b.conversion - a.conversion;
  const byClicks = (a: VariantFigures, b: VariantFigures) => clickRate(b) - clickRate(a) || byRevenue(a, b);
  const best = [...variants].sort((a, b) => (metric === 'clicks' ? byClicks(a, b) : byRevenue(a, b)) || a.group.localeCompare(b.group))[0]!;
  const figures = metric === 'clicks'
    ? variants.map((v) => `${v.group}: ${v.clickers} of ${v.people} clicked (${pct(clickRate(v))}), ${v.revenue_per_person} per person`).join('; ')
    : variants.map((v) => `${v.group}: ${v.revenue_per_person} per person, ${pct(v.conversion)} bought`).join('; ');
  return { winner: best.group.charCodeAt(0) - 65, reason: `${figures} (${metric === 'clicks' ? 'unique clickers' : 'minor units'}, first ${testHours} h)` };
}
