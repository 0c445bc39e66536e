/** The surveys module's public door: NPS and CSAT by signed link and storefront widget, answers, results, themes (docs/listen.md). */
import type { HearthModule } from '../../module.js';

export { answerView, customerSurveyAnswers, SurveysService, surveyFormSchema, surveyLinkSchema, surveySendSchema, surveyWidgetAnswerSchema, type SurveyAnswerView, type SurveyDependencies, type SurveyPoints, type SurveyResults, type SurveyWidgetState } from './surveys.service.js';
export { csatOf, isDetractor, npsCategory, npsOf, type CsatResult, type NpsCategory, type NpsResult } from './survey-scores.js';
export { SURVEY_WIDGET_SOURCE } from './survey-widget.js';
export { sentimentOf, themesOf, words, type Theme } from './survey-text.js';
export { SURVEY_LINK_DAYS } from './survey.token.js';
export { NPS_REPEAT_WINDOW_DAYS, type NpsRetentionRow } from './survey-retention.js';
export { surveyKinds, type SurveyAnswerTable, type SurveyKind } from './surveys.table.js';

export const surveysModule: HearthModule = { name: 'surveys' };
