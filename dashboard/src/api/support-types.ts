/** Customer service and surveys, as the server's schemas define them (docs/listen.md). */
import type { z } from 'zod';
import type {
  deflectionSchema, retentionSchema, surveyAnswerListSchema, surveyResultsSchema, ticketListSchema,
} from '../../../src/http/schemas/support.schemas';

export type TicketList = z.input<typeof ticketListSchema>;
export type Ticket = TicketList['data'][number];
export type Deflection = z.input<typeof deflectionSchema>;
export type Retention = z.input<typeof retentionSchema>;
export type RetentionRow = Retention['nps_category'][number];
export type SurveyResults = z.input<typeof surveyResultsSchema>;
export type SurveyAnswerList = z.input<typeof surveyAnswerListSchema>;
