/**
 * Scores of survey answers. NPS (Reichheld, "The One Number You Need to Grow", HBR 2003): the
 * share of promoters (9–10) minus the share of detractors (0–6), in points from −100 to 100. Its
 * 95 % interval is the Wald interval of a mean of per-answer values +1 / 0 / −1, whose variance is
 * (p₊ + p₋ − (p₊ − p₋)²) / n; with fewer than 30 answers it is wide, and it is shown with n.
 * CSAT: the share of answers of 4–5 (satisfied), with Wilson's interval, and the mean.
 */
import { wilson, Z95 } from '../../lib/statistics/index.js';
import type { SurveyKind } from './surveys.table.js';

export type NpsCategory = 'promoter' | 'passive' | 'detractor';

export function npsCategory(score: number): NpsCategory {
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
}

/** A detractor: NPS 0–6, CSAT 1–2. */
export function isDetractor(kind: SurveyKind, score: number): boolean {
  return kind === 'nps' ? score <= 6 : score <= 2;
}

/** An answer's category on either scale: NPS 9–10 or CSAT 4–5 promoter, NPS 0–6 or CSAT 1–2 detractor, passive between. */
export function answerCategory(kind: SurveyKind, score: number): NpsCategory {
  if (isDetractor(kind, score)) return 'detractor';
  return (kind === 'nps' ? score >= 9 : score >= 4) ? 'promoter' : 'passive';
}

export interface NpsResult { answers: number; promoters: number; passives: number; detractors: number; nps: number | null; low: number | null; high: number | null }

export function npsOf(scores: readonly number[]): NpsResult {
  const n = scores.length;
  const promoters = scores.filter((s) => s >= 9).length;
  const detractors = scores.filter((s) => s <= 6).length;
  if (n === 0) return { answers: 0, promoters, passives: 0, detractors, nps: null, low: null, high: null };
  const pp = promoters / n;
  const pd = detractors / n;
  const nps = pp - pd;
  const se = Math.sqrt(Math.max(0, pp + pd - nps * nps) / n);
  const clamp = (x: number) => Math.max(-100, Math.min(100, x));
  return { answers: n, promoters, passives: n - promoters - detractors, detractors, nps: nps * 100, low: clamp((nps - Z95 * se) * 100), high: clamp((nps + Z95 * se) * 100) };
}

export interface CsatResult { answers: number; satisfied: number; share: number | null; low: number | null; high: number | null; mean: number | null }

export function csatOf(scores: readonly number[]): CsatResult {
  const n = scores.length;
  const satisfied = scores.filter((s) => s >= 4).length;
  if (n === 0) return { answers: 0, satisfied: 0, share: null, low: null, high: null, mean: null };
  const ci = wilson(satisfied, n);
  return { answers: n, satisfied, share: satisfied / n, low: ci.low, high: ci.high, mean: scores.reduce((a, b) => a + b, 0) / n };
}
