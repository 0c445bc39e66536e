/**
 * NPS and CSAT surveys (docs/listen.md): signed links sent by email, a hosted page that
 * takes one answer per link (answering again changes it), a follow-up question, sentiment and
 * themes of the text, results with intervals, and a `survey.detractor` domain event recorded with
 * the answer that first makes it a detractor one.
 */

import { z } from 'zod';
import type { Db, Storage, Tx } from '../../db/database.js';
import { invalid, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { StoreTable } from '../accounts/index.js';
import { recordEvents } from '../domain-events/index.js';
import type { EmailToQueue, QueueResult } from '../messaging/index.js';
import { answerCategory, csatOf, isDetractor, npsCategory, npsOf, type CsatResult, type NpsResult } from './survey-scores.js';
import { sentimentOf, themesOf, type Theme } from './survey-text.js';
import { readSurveyToken, signSurveyToken, SURVEY_LINK_DAYS, surveyTokenKey, verifySurveyToken, type SurveyClaims } from './survey.token.js';
import { followUpQuestion, pointsLine, surveyPage, surveyQuestion } from './survey.page.js';
import { npsRetention, type NpsRetentionRow } from './survey-retention.js';
import { surveyKinds, surveysDb, type SurveyAnswerTable, type SurveyKind, type SurveysDb } from './surveys.table.js';

export interface SurveyDependencies {
  linkKey: (storeId: string) => Promise<Buffer>;
  findStore: (storeId: string) => Promise<StoreTable | undefined>;
  queueEmails: (storeId: string, emails: readonly EmailToQueue[]) => Promise<QueueResult>;
  /** The loyalty points an answer earns, if any (the programme's `survey_points`). */
  surveyPoints: (storeId: string, customerId: number, answerId: string) => Promise<SurveyPoints | null>;
}

/** Points for an answer: written to the ledger (`awarded`), or due by the settings and not written yet. */
export interface SurveyPoints { points: number; awarded: boolean }

const linkKeyPart = z.string().trim().min(1).max(200).regex(/^[\w.:-]+$/, 'letters, digits, _ . : -');

export const surveyLinkSchema = z.strictObject({
  customer_id: z.number().int().min(1),
  kind: z.enum(surveyKinds),
  key: linkKeyPart.meta({ description: 'What the survey asks about (an order, a quarter): one answer per customer, kind and key' }),
});

export const surveySendSchema = surveyLinkSchema;

const text = z.string().max(4000, 'at most 4,000 characters').transform((s) => s.trim() || null);
export const surveyFormSchema = z.object({
  score: z.coerce.number({ error: 'a whole number' }).int('a whole number'),
  comment: text.optional(),
  follow_up: text.optional(),
});

/** An answer from the storefront widget, for the customer the shop's server signed (one per customer, kind and key, as by link). */
export const surveyWidgetAnswerSchema = z.strictObject({
  kind: z.enum(surveyKinds),
  survey_key: linkKeyPart.meta({ description: 'What the survey asks about (an order number): one answer per customer, kind and key' }),
  score: z.number({ error: 'a whole number' }).int('a whole number').meta({ description: 'NPS 0–10, CSAT 1–5' }),
  comment: text.optional(),
  follow_up: text.optional(),
});

export type SurveyWidgetAnswer = z.output<typeof surveyWidgetAnswerSchema>;

/** One survey asked of one customer: the key of its single answer. */
interface Asked { storeId: string; customerId: number; kind: SurveyKind; key: string }

export type SurveyAnswerView = Omit<SurveyAnswerTable, 'store_id' | 'link_key'> & { category: string };

export function answerView(row: SurveyAnswerTable): SurveyAnswerView {
  const { store_id: _s, link_key: _l, ...rest } = row;
  const category = row.kind === 'nps' ? npsCategory(row.score) : row.score >= 4 ? 'satisfied' : row.score <= 2 ? 'dissatisfied' : 'neutral';
  return { ...rest, customer_id: Number(row.customer_id), category };
}

export interface SurveyResults {
  kind: SurveyKind;
  from: Date;
  to: Date;
  nps: NpsResult | null;
  csat: CsatResult | null;
  /** Per calendar month (UTC) of the answer. */
  trend: { month: string; answers: number; score: number | null; low: number | null; high: number | null }[];
  sentiment: { with_text: number; mean: number | null; language_note: string };
  themes: Theme[];
  detractor_themes: Theme[];
}

export class SurveysService {
  private readonly write: SurveysDb;
  private readonly read: SurveysDb;

  constructor(private readonly storage: Storage, private readonly deps: () => SurveyDependencies, private readonly publicUrl: string) {
    this.write = surveysDb(storage.write);
    this.read = surveysDb(storage.read);
  }

  async link(storeId: string, input: unknown, now = new Date()): Promise<{ url: string; expires_at: Date }> {
    const parsed = surveyLinkSchema.safeParse(input);
    if (!parsed.success) throw invalid('Invalid survey link', parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', reason: i.message })));
    const { customer_id: customerId, kind, key } = parsed.data;
    const found = await this.read.selectFrom('customers').select('id').where('store_id', '=', storeId).where('id', '=', customerId).executeTakeFirst();
    if (!found) throw invalid('Unknown customer', [{ path: 'customer_id', reason: `no customer ${customerId} in this store` }]);
    const expiresAt = new Date(now.getTime() + SURVEY_LINK_DAYS * 86_400_000);
    const token = signSurveyToken(surveyTokenKey(await this.deps().linkKey(storeId)), { storeId, customerId, kind, key, expiresAt });
    return { url: `${this.publicUrl}/s/${token}`, expires_at: expiresAt };
  }

  /** Emails the survey (send key survey:<kind>:<key>:<customer>: asked once however often this is called). */
  async send(storeId: string, input: unknown, now = new Date()): Promise<{ send_key: string; message_id: number; created: boolean }> {
    const { url } = await this.link(storeId, input, now);
    const { customer_id: customerId, kind, key } = surveySendSchema.parse(input);
    const store = await this.deps().findStore(storeId);
    const name = store?.name ?? 'our shop';
    const sendKey = `survey:${kind}:${key}:${customerId}`;
    const scale = kind === 'nps' ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] : [1, 2, 3, 4, 5];
    const question = kind === 'nps' ? `How likely are you to recommend ${name} to a friend?` : `How satisfied are you with ${name}?`;
    const result = await this.deps().queueEmails(storeId, [{
      sendKey, purpose: 'transactional', customerId,
      build: () => ({
        subject: `A quick question from ${name}`, preheader: question,
        text: `${question}\nAnswer here: ${url}\n`,
        html: `<p>${escape(question)}</p><p>${scale.map((n) => `<a href="${escape(`${url}?score=${n}`)}">${n}</a>`).join(' ')}</p>`,
      }),
    }]);
    const send = result.sends[0]!;
    return { send_key: sendKey, message_id: send.id, created: send.created };
  }

  private async claimsOf(token: string, now: Date): Promise<{ claims: SurveyClaims; store: StoreTable }> {
    const claims = readSurveyToken(token);
    const store = claims && await this.deps().findStore(claims.storeId);
    if (!claims || !store || !verifySurveyToken(surveyTokenKey(await this.deps().linkKey(store.id)), token)) throw notFound('This survey link is not valid');
    if (claims.expiresAt <= now) throw notFound('This survey has closed');
    return { claims, store };
  }

  private asked(claims: SurveyClaims): Asked {
    return { storeId: claims.storeId, customerId: claims.customerId, kind: claims.kind, key: claims.key };
  }

  /** The page: the question, or the thank-you with the follow-up once answered. A score in the link (from the email) is only preselected: mail scanners follow links. */
  async page(token: string, preset: number | undefined, now = new Date()): Promise<string> {
    const { claims, store } = await this.claimsOf(token, now);
    const answer = await this.answerOf(this.asked(claims));
    return surveyPage(store.name, claims.kind, answer, preset, answer && await this.pointsOf(answer));
  }

  async answer(token: string, form: unknown, now = new Date()): Promise<{ html: string; answer: SurveyAnswerView; created: boolean }> {
    const { claims, store } = await this.claimsOf(token, now);
    const parsed = surveyFormSchema.safeParse(form);
    if (!parsed.success) throw invalid('Invalid answer', parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'score', reason: i.message })));
    const result = await this.record(this.asked(claims), parsed.data, now);
    return { html: surveyPage(store.name, claims.kind, result.row, undefined, await this.pointsOf(result.row)), answer: answerView(result.row), created: result.created };
  }

  /** What the widget shows a signed-in customer: the question for this store, or their answer and its points. */
  async widgetState(storeId: string, customerId: number | undefined, kind: SurveyKind, key: string): Promise<SurveyWidgetState> {
    const store = await this.deps().findStore(storeId);
    const answer = customerId === undefined ? undefined : await this.answerOf({ storeId, customerId, kind, key });
    return { ...await this.widgetView(store?.name ?? 'our shop', kind, answer), known: customerId !== undefined };
  }

  /** An answer from the storefront widget: the same path, events and one-answer rule as the hosted page. */
  async answerFromWidget(storeId: string, customerId: number, input: SurveyWidgetAnswer, now = new Date()): Promise<{ state: SurveyWidgetState; created: boolean }> {
    const { kind, survey_key: key, ...form } = input;
    const { row, created } = await this.record({ storeId, customerId, kind, key }, form, now);
    const store = await this.deps().findStore(storeId);
    return { state: { ...await this.widgetView(store?.name ?? 'our shop', kind, row), known: true }, created };
  }

  private async widgetView(storeName: string, kind: SurveyKind, answer: SurveyAnswerTable | undefined): Promise<Omit<SurveyWidgetState, 'known'>> {
    const q = surveyQuestion(kind, storeName);
    const points = answer ? await this.pointsOf(answer) : null;
    return {
      question: q.question, from: q.from, to: q.to, ends: q.ends, answered: answer !== undefined, score: answer?.score ?? null,
      follow_up_question: answer ? followUpQuestion(kind, answer.score) : null, followed_up: Boolean(answer?.follow_up),
      points: points?.points ?? 0, points_awarded: points?.awarded ?? false, points_message: pointsLine(points),
    };
  }

  private answerOf(asked: Asked): Promise<SurveyAnswerTable | undefined> {
    return this.read.selectFrom('survey_answers').selectAll().where('store_id', '=', asked.storeId).where('link_key', '=', linkKeyOf(asked)).executeTakeFirst();
  }

  private async pointsOf(answer: SurveyAnswerTable): Promise<SurveyPoints | null> {
    return this.deps().surveyPoints(answer.store_id, Number(answer.customer_id), answer.id);
  }

  /**
   * The one answer path of every channel: one answer per customer, kind and key (answering again
   * changes it), `survey.answered` with the first answer, `survey.detractor` with the answer that
   * first makes it a detractor one, in the answer's transaction.
   */
  private async record(asked: Asked, form: z.output<typeof surveyFormSchema>, now: Date): Promise<{ row: SurveyAnswerTable; created: boolean }> {
    const { storeId, customerId, kind } = asked;
    const [from, to] = kind === 'nps' ? [0, 10] : [1, 5];
    const { score, comment, follow_up: followUp } = form;
    if (score < from || score > to) throw invalid('Invalid answer', [{ path: 'score', reason: `from ${from} to ${to}` }]);
    const key = linkKeyOf(asked);
    return this.write.transaction().execute(async (tx) => {
      const existing = await tx.selectFrom('survey_answers').selectAll().where('store_id', '=', storeId).where('link_key', '=', key).executeTakeFirst();
      const nextComment = comment !== undefined ? comment : existing?.comment ?? null;
      const nextFollow = followUp !== undefined ? followUp : existing?.follow_up ?? null;
      const row: SurveyAnswerTable = {
        store_id: storeId, id: existing?.id ?? newId('ans'), link_key: key, kind, customer_id: customerId, score,
        comment: nextComment, follow_up: nextFollow, sentiment: sentimentOf([nextComment, nextFollow].filter(Boolean).join('\n')),
        answered_at: existing?.answered_at ?? now, updated_at: now,
      };
      if (existing) {
        await tx.updateTable('survey_answers').set({ score, comment: row.comment, follow_up: row.follow_up, sentiment: row.sentiment, updated_at: now })
          .where('store_id', '=', storeId).where('link_key', '=', key).execute();
      } else {
        await tx.insertInto('survey_answers').values(row).execute();
        await recordEvents(tx as unknown as Tx, [{
          storeId, type: 'survey.answered', entityId: null, customerId,
          data: { answer_id: row.id, kind, key: asked.key, score, category: answerCategory(kind, score), comment: row.comment },
        }], now);
      }
      if (isDetractor(kind, score) && !(existing && isDetractor(existing.kind, existing.score))) {
        await recordEvents(tx as unknown as Tx, [{ storeId, type: 'survey.detractor', entityId: null, customerId, data: { answer_id: row.id, kind, score, comment: row.comment } }], now);
      }
      return { row, created: !existing };
    });
  }

  async answers(storeId: string, query: { kind?: SurveyKind | undefined; customer_id?: number | undefined; limit?: number | undefined } = {}): Promise<SurveyAnswerView[]> {
    let q = this.read.selectFrom('survey_answers').selectAll().where('store_id', '=', storeId);
    if (query.kind) q = q.where('kind', '=', query.kind);
    if (query.customer_id !== undefined) q = q.where('customer_id', '=', query.customer_id);
    return (await q.orderBy('answered_at', 'desc').orderBy('id').limit(Math.min(query.limit ?? 100, 1000)).execute()).map(answerView);
  }

  /** Results of the answers given in [from, to). */
  async results(storeId: string, kind: SurveyKind, from: Date, to: Date): Promise<SurveyResults> {
    const rows = await this.read.selectFrom('survey_answers').selectAll().where('store_id', '=', storeId).where('kind', '=', kind)
      .where('answered_at', '>=', from).where('answered_at', '<', to).orderBy('answered_at').execute();
    const scores = rows.map((r) => r.score);
    const months = new Map<string, number[]>();
    for (const r of rows) {
      const m = r.answered_at.toISOString().slice(0, 7);
      months.set(m, [...(months.get(m) ?? []), r.score]);
    }
    const trend = [...months].map(([month, s]) => {
      if (kind === 'nps') { const n = npsOf(s); return { month, answers: s.length, score: n.nps, low: n.low, high: n.high }; }
      const c = csatOf(s);
      return { month, answers: s.length, score: c.share === null ? null : c.share * 100, low: c.low === null ? null : c.low * 100, high: c.high === null ? null : c.high * 100 };
    });
    const texts = (r: SurveyAnswerTable) => [r.comment, r.follow_up].filter(Boolean).join('\n');
    const withText = rows.filter((r) => r.sentiment !== null);
    return {
      kind, from, to,
      nps: kind === 'nps' ? npsOf(scores) : null,
      csat: kind === 'csat' ? csatOf(scores) : null,
      trend,
      sentiment: {
        with_text: withText.length, mean: withText.length ? withText.reduce((a, r) => a + r.sentiment!, 0) / withText.length : null,
        language_note: 'AFINN-165 word list: English only; answers in other languages score near 0',
      },
      themes: themesOf(rows.map(texts).filter(Boolean)),
      detractor_themes: themesOf(rows.filter((r) => isDetractor(r.kind, r.score)).map(texts).filter(Boolean)),
    };
  }

  /** Repeat rate within 90 days by NPS category (survey-retention.ts). */
  npsRetention(storeId: string, asOf = new Date()): Promise<NpsRetentionRow[]> {
    return npsRetention(this.storage.read, storeId, asOf);
  }

  async recentDetractor(storeId: string, customerId: number, since: Date): Promise<boolean> {
    const rows = await this.read.selectFrom('survey_answers').select(['kind', 'score']).where('store_id', '=', storeId).where('customer_id', '=', customerId)
      .where('updated_at', '>=', since).execute();
    return rows.some((r) => isDetractor(r.kind, r.score));
  }
}

/** The key of the one answer a customer gives to a survey: kind, customer and what it asks about (the hosted page's link and the widget share it). */
const linkKeyOf = (asked: Asked): string => `${asked.kind}:${asked.customerId}:${asked.key}`;

export interface SurveyWidgetState {
  /** Whether Hearth knows the signed customer (an answer needs a customer). */
  known: boolean;
  question: string;
  from: number;
  to: number;
  ends: [string, string];
  answered: boolean;
  score: number | null;
  follow_up_question: string | null;
  followed_up: boolean;
  points: number;
  points_awarded: boolean;
  /** "You earned 20 points." once written; "You will receive 20 points for your answer." while due; null without points. */
  points_message: string | null;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A customer's answers, newest first, for the profile and its timeline. */
export async function customerSurveyAnswers(db: Db, storeId: string, customerId: number, limit = 50): Promise<SurveyAnswerView[]> {
  const rows = await surveysDb(db).selectFrom('survey_answers').selectAll().where('store_id', '=', storeId).where('customer_id', '=', customerId)
    .orderBy('answered_at', 'desc').orderBy('id').limit(limit).execute();
  return rows.map(answerView);
}

