/** Customer service and surveys: tickets, settings, order-status links, deflection, survey links and results (docs/listen.md). */
import { z } from 'zod';
import { supportSettingsSchema, ticketInputSchema, ticketStatuses } from '../../modules/support/index.js';
import { surveyKinds, surveyLinkSchema } from '../../modules/surveys/index.js';
import { route } from '../route.js';
import {
  deflectionSchema, retentionSchema, signedLinkSchema, supportSettingsViewSchema, surveyAnswerListSchema, surveyResultsSchema, surveySendResultSchema, ticketListSchema, ticketSchema,
} from '../schemas/support.schemas.js';

const tag = 'Support';
const period = z.strictObject({
  from: z.iso.date({ error: 'a day, such as 2026-11-01' }).optional().meta({ description: 'First day (UTC); default 90 days ago' }),
  to: z.iso.date({ error: 'a day, such as 2026-11-30' }).optional().meta({ description: 'Last day (UTC), included; default today' }),
});
function range(q: { from?: string | undefined; to?: string | undefined }): { from: Date; to: Date } {
  const to = q.to ? new Date(Date.parse(`${q.to}T00:00:00Z`) + 86_400_000) : new Date();
  return { from: q.from ? new Date(`${q.from}T00:00:00Z`) : new Date(to.getTime() - 90 * 86_400_000), to };
}

export const supportRoutes = [
  route({
    method: 'POST', url: '/api/v1/tickets', operationId: 'recordTicket', response: ticketSchema, permission: 'write', tag, status: 201, alsoStatus: [200],
    statusDescriptions: { 201: 'A new ticket', 200: 'The ticket with this external_id, updated (or unchanged)' },
    summary: 'Record a support ticket from your helpdesk or app; posting the same external_id again updates it (status, first response, resolution, satisfaction)',
    body: ticketInputSchema,
    handler: async ({ services, storeId, body, reply }) => {
      const { ticket, outcome } = await services.support.createTicket(storeId, body);
      reply.status(outcome === 'created' ? 201 : 200);
      return ticket;
    },
  }),
  route({
    method: 'GET', url: '/api/v1/tickets', operationId: 'listTickets', response: ticketListSchema, permission: 'read', tag,
    summary: 'Tickets, newest first, by status, customer or topic',
    query: z.strictObject({
      status: z.enum(ticketStatuses).optional(), customer_id: z.coerce.number().int().min(1).optional(),
      topic: z.string().max(60).optional(), limit: z.coerce.number().int().min(1).max(1000).optional(),
    }),
    handler: async ({ services, storeId, query }) => ({ data: await services.support.list(storeId, query) }),
  }),
  route({
    method: 'GET', url: '/api/v1/tickets/:id', operationId: 'getTicket', response: ticketSchema, permission: 'read', tag,
    params: z.object({ id: z.string().min(1).max(100) }), summary: 'One ticket',
    handler: async ({ services, storeId, params }) => services.support.get(storeId, params.id),
  }),
  route({
    method: 'GET', url: '/api/v1/support/settings', operationId: 'getSupportSettings', response: supportSettingsViewSchema, permission: 'read', tag,
    summary: 'The helpdesk webhook URLs, whether Zendesk\'s signing secret is saved, the topic rules and the escalation threshold',
    handler: async ({ services, storeId }) => services.support.settingsView(storeId),
  }),
  route({
    method: 'PUT', url: '/api/v1/support/settings', operationId: 'updateSupportSettings', response: supportSettingsViewSchema, permission: 'write', tag,
    summary: 'Save Zendesk\'s signing secret, the topic keyword rules, the CLV from which tickets are escalated', body: supportSettingsSchema,
    handler: async ({ services, storeId, body }) => services.support.updateSettings(storeId, body),
  }),
  route({
    method: 'POST', url: '/api/v1/orders/:id/status-link', operationId: 'createOrderStatusLink', response: signedLinkSchema, permission: 'write', tag,
    params: z.object({ id: z.string().min(1).max(300).meta({ description: 'Order id, or ext:<external id>' }) }),
    summary: 'The signed link of the order\'s status page (what order emails carry as order_status_url)',
    handler: async ({ services, storeId, params }) => services.support.orderStatusUrl(storeId, params.id),
  }),
  route({
    method: 'GET', url: '/api/v1/support/deflection', operationId: 'getWismoDeflection', response: deflectionSchema, permission: 'read', tag, query: period,
    summary: 'Order-status page views and how many were not followed by a ticket (deflected "where is my order?" contacts)',
    handler: async ({ services, storeId, query }) => { const r = range(query); return services.support.deflection(storeId, r.from, r.to); },
  }),
  route({
    method: 'GET', url: '/api/v1/support/retention', operationId: 'getSupportRetention', response: retentionSchema, permission: 'read', tag,
    query: z.strictObject({ as_of: z.iso.date({ error: 'a day, such as 2026-11-30' }).optional().meta({ description: 'Default today; only customers whose 90 days ended by then count' }) }),
    summary: 'Repeat rate within 90 days by NPS category, by the first review\'s rating, by resolution within 24 hours and by first-response time, with sample sizes and 95 % intervals',
    handler: async ({ services, storeId, query }) => {
      const asOf = query.as_of ? new Date(`${query.as_of}T23:59:59.999Z`) : new Date();
      const [tickets, nps, reviews] = await Promise.all([services.support.retention(storeId, asOf), services.surveys.npsRetention(storeId, asOf), services.reviews.ratingRetention(storeId, asOf)]);
      return { ...tickets, nps_category: nps, review_rating: reviews, note: 'Associations in this store\'s data, not effects: the groups may differ in other ways.' };
    },
  }),
  route({
    method: 'POST', url: '/api/v1/surveys/links', operationId: 'createSurveyLink', response: signedLinkSchema, permission: 'write', tag: 'Surveys', body: surveyLinkSchema,
    summary: 'A signed link to an NPS or CSAT survey for a customer (one answer per customer, kind and key)',
    handler: async ({ services, storeId, body }) => services.surveys.link(storeId, body),
  }),
  route({
    method: 'POST', url: '/api/v1/surveys/send', operationId: 'sendSurvey', response: surveySendResultSchema, permission: 'write', tag: 'Surveys', body: surveyLinkSchema,
    summary: 'Email a customer the survey (send key survey:<kind>:<key>:<customer>: sent once however often called)',
    handler: async ({ services, storeId, body }) => services.surveys.send(storeId, body),
  }),
  route({
    method: 'GET', url: '/api/v1/surveys/answers', operationId: 'listSurveyAnswers', response: surveyAnswerListSchema, permission: 'read', tag: 'Surveys',
    query: z.strictObject({ kind: z.enum(surveyKinds).optional(), customer_id: z.coerce.number().int().min(1).optional(), limit: z.coerce.number().int().min(1).max(1000).optional() }),
    summary: 'Survey answers, newest first',
    handler: async ({ services, storeId, query }) => ({ data: await services.surveys.answers(storeId, query) }),
  }),
  route({
    method: 'GET', url: '/api/v1/surveys/results', operationId: 'getSurveyResults', response: surveyResultsSchema, permission: 'read', tag: 'Surveys',
    query: period.extend({ kind: z.enum(surveyKinds).default('nps') }),
    summary: 'NPS (promoters − detractors, with its 95 % interval) or CSAT, the monthly trend, sentiment and frequent themes',
    handler: async ({ services, storeId, query }) => { const r = range(query); return services.surveys.results(storeId, query.kind, r.from, r.to); },
  }),
];
