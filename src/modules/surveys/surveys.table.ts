import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';

/** NPS: "How likely are you to recommend us?" 0–10. CSAT: "How satisfied were you?" 1–5. */
export const surveyKinds = ['nps', 'csat'] as const;
export type SurveyKind = (typeof surveyKinds)[number];

export interface SurveyAnswerTable {
  store_id: string;
  id: string;
  /** The survey link's key (one answer per link: answering again changes that answer). */
  link_key: string;
  kind: SurveyKind;
  customer_id: number;
  score: number;
  /** "What is the main reason for your score?" */
  comment: string | null;
  /** The follow-up question's answer. */
  follow_up: string | null;
  /** AFINN-165 comparative score (sum of word scores ÷ words) of comment and follow-up; null without text. */
  sentiment: number | null;
  answered_at: Date;
  updated_at: Date;
}

export type SurveyTables = { survey_answers: SurveyAnswerTable };
export type SurveysDb = Kysely<Database & SurveyTables>;

export function surveysDb(db: Kysely<Database>): SurveysDb {
  return db.withTables<SurveyTables>();
}
