/** The hosted survey page: a score, the reason, then a follow-up question; plain HTML, mobile-friendly, everything escaped. */
import { escapeHtml } from '../messaging/index.js';
import { npsCategory } from './survey-scores.js';
import type { SurveyAnswerTable, SurveyKind } from './surveys.table.js';

const style = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f6f5f2;color:#222;margin:0;padding:16px}
main{max-width:560px;margin:24px auto;background:#fff;border-radius:8px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.1)}
h1{font-size:1.25rem;margin:0 0 12px}fieldset{border:0;padding:0;margin:0}.scale{display:flex;flex-wrap:wrap;gap:6px}
.scale label{flex:1 0 40px;text-align:center;border:1px solid #999;border-radius:6px;padding:10px 0;cursor:pointer}.scale input{display:block;margin:0 auto 4px}
.ends{display:flex;justify-content:space-between;color:#666;font-size:.85rem;margin:4px 0 16px}
textarea{width:100%;box-sizing:border-box;min-height:100px;font:inherit;padding:8px;border-radius:6px;border:1px solid #999}
button{display:block;width:100%;margin:12px 0 0;padding:12px;font-size:1rem;border-radius:6px;border:1px solid #2f6f4e;background:#2f6f4e;color:#fff}
.note{background:#eef6ee;padding:10px 12px;border-radius:6px}`;

const questions: Record<SurveyKind, { ask: (store: string) => string; from: number; to: number; ends: [string, string] }> = {
  nps: { ask: (s) => `How likely are you to recommend ${s} to a friend or colleague?`, from: 0, to: 10, ends: ['Not at all likely', 'Extremely likely'] },
  csat: { ask: (s) => `How satisfied are you with ${s}?`, from: 1, to: 5, ends: ['Very unsatisfied', 'Very satisfied'] },
};

/** The question of a kind for a store, with its scale and the words at its ends (the page and the widget ask the same). */
export function surveyQuestion(kind: SurveyKind, storeName: string): { question: string; from: number; to: number; ends: [string, string] } {
  const q = questions[kind];
  return { question: q.ask(storeName), from: q.from, to: q.to, ends: q.ends };
}

/** The thank-you's line about loyalty points: earned once written to the ledger, on their way while due and not yet written. */
export function pointsLine(points: { points: number; awarded: boolean } | null | undefined): string | null {
  if (!points || points.points <= 0) return null;
  const n = `${points.points.toLocaleString('en-US')} ${points.points === 1 ? 'point' : 'points'}`;
  return points.awarded ? `You earned ${n}.` : `You will receive ${n} for your answer.`;
}

export function followUpQuestion(kind: SurveyKind, score: number): string {
  const category = kind === 'nps' ? npsCategory(score) : score >= 4 ? 'promoter' : score <= 2 ? 'detractor' : 'passive';
  return category === 'promoter' ? 'What do you like most about us?' : category === 'detractor' ? 'What is the one thing we should do better?' : 'What would make your experience excellent?';
}

function shell(store: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${store}: a quick question</title><style>${style}</style></head><body><main>${body}</main></body></html>`;
}

export function surveyPage(storeName: string, kind: SurveyKind, answer: SurveyAnswerTable | undefined, preset?: number, points?: { points: number; awarded: boolean } | null): string {
  const store = escapeHtml(storeName);
  if (answer) {
    const follow = escapeHtml(followUpQuestion(kind, answer.score));
    const earned = pointsLine(points);
    return shell(store, `<h1>Thank you!</h1><p class="note" role="status">Your answer (${answer.score}) is saved.${earned ? ` <span class="points">${escapeHtml(earned)}</span>` : ''}</p>
<form method="post"><input type="hidden" name="score" value="${answer.score}"><label for="follow_up">${follow}</label>
<textarea id="follow_up" name="follow_up" maxlength="4000">${escapeHtml(answer.follow_up ?? '')}</textarea><button type="submit">Send</button></form>`);
  }
  const q = questions[kind];
  const options = Array.from({ length: q.to - q.from + 1 }, (_, i) => q.from + i)
    .map((n) => `<label><input type="radio" name="score" value="${n}" required${preset === n ? ' checked' : ''}>${n}</label>`).join('');
  return shell(store, `<h1>${escapeHtml(q.ask(storeName))}</h1><form method="post"><fieldset><legend class="ends"><span>${q.ends[0]}</span><span>${q.ends[1]}</span></legend>
<div class="scale">${options}</div></fieldset><p><label for="comment">What is the main reason for your score?</label></p>
<textarea id="comment" name="comment" maxlength="4000"></textarea><button type="submit">Send</button></form>`);
}
