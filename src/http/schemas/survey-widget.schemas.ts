/** Answers of the storefront survey widget's routes (docs/listen.md, "The survey widget"). */
import { z } from 'zod';
import { component, count } from './common.schemas.js';

export const surveyWidgetStateSchema = component('SurveyWidgetState', z.strictObject({
  known: z.boolean().meta({ description: 'False for a customer Hearth has no record of yet: the widget asks nothing' }),
  question: z.string().meta({ description: 'The question for this store (the widget\'s data-question replaces it)' }),
  from: z.number().int().meta({ description: 'The lowest score: NPS 0, CSAT 1' }),
  to: z.number().int().meta({ description: 'The highest score: NPS 10, CSAT 5' }),
  ends: z.tuple([z.string(), z.string()]).meta({ description: 'What the lowest and the highest score mean' }),
  answered: z.boolean().meta({ description: 'Whether this customer answered this survey (kind and key) already' }),
  score: z.number().int().nullable(),
  follow_up_question: z.string().nullable().meta({ description: 'The follow-up question for the score given' }),
  followed_up: z.boolean().meta({ description: 'Whether the follow-up question has an answer' }),
  points: count.meta({ description: 'Loyalty points the answer earns (the programme\'s earning.survey_points); 0: none' }),
  points_awarded: z.boolean().meta({ description: 'True once the points are in the ledger; false while due and not written yet' }),
  points_message: z.string().nullable().meta({ description: 'The thank-you\'s line about the points, or null without points' }),
}));
