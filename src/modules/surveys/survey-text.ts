/**
 * Free-text answers: a sentiment score from the `sentiment` package (AFINN-165 word list, English
 * only: other languages score near 0 and must not be read as neutral), and frequent themes: the
 * words and two-word phrases most answers use, without English stop words, each counted once per
 * answer.
 */
import Sentiment from 'sentiment';

const analyzer = new Sentiment();

/** AFINN comparative score: the sum of word scores (−5 … 5) ÷ the number of words; null for no text. */
export function sentimentOf(text: string | null): number | null {
  if (!text || !text.trim()) return null;
  return analyzer.analyze(text).comparative;
}

const STOP_WORDS = new Set(('a about above after again against all am an and any are as at be because been before being below between both but by can could did do does doing down during each '
  + 'few for from further had has have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or '
  + 'other our ours ourselves out over own same she should so some such than that the their theirs them themselves then there these they this those through to too under until up very was '
  + 'we were what when where which while who whom why will with would you your yours yourself yourselves also get got really im ive dont didnt wasnt its thats us one much even still').split(' '));

export function words(text: string): string[] {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/['’]/g, '').split(/[^a-z0-9]+/).filter((w) => w.length >= 2 && !STOP_WORDS.has(w) && !/^\d+$/.test(w));
}

export interface Theme { term: string; answers: number }

/** Terms (words and adjacent-word pairs after removing stop words) used by at least `minAnswers` answers, most used first. */
export function themesOf(texts: readonly string[], limit = 10, minAnswers = 2): Theme[] {
  const counts = new Map<string, number>();
  for (const text of texts) {
    const w = words(text);
    const terms = new Set<string>([...w, ...w.slice(1).map((x, i) => `${w[i]} ${x}`)]);
    for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n >= minAnswers).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, limit).map(([term, answers]) => ({ term, answers }));
}
