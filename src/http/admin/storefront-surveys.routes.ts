/**
 * The storefront survey widget's routes (docs/listen.md): the script, whether a signed-in customer
 * answered a survey, and their answer. The store is named by its public write key, the customer by
 * their external id and the signature only the shop's server can make, so a page cannot answer for
 * another customer. Origins and rate limits as for every storefront route; the answer takes the
 * hosted page's path (one answer per customer, kind and key; a later post changes it).
 */
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { SURVEY_WIDGET_SOURCE, surveyKinds, surveyWidgetAnswerSchema } from '../../modules/surveys/index.js';
import { route } from '../route.js';
import { surveyWidgetStateSchema } from '../schemas/survey-widget.schemas.js';
import { checkStorefrontOrigin, signedCustomer, signedCustomerParams, storefrontKeyParam, storefrontStore } from '../storefront.js';

const tag = 'Storefront';
/**
 * Per address, as for the loyalty routes: a page loads the state once and posts a score and the
 * follow-up, but several customers may share an address; a script trying signatures is slowed.
 */
const storefrontLimit = { max: 60, timeWindow: '1 minute' };

export const storefrontSurveyRoutes = [
  route({
    method: 'GET', url: '/v1/surveys/state', operationId: 'getStorefrontSurveyState', response: surveyWidgetStateSchema, permission: 'public', tag,
    rateLimit: storefrontLimit, errors: [401, 403],
    summary: 'Storefront (key: the store\'s write key): the survey question for a signed-in customer, or their answer and its loyalty points when they answered',
    query: z.strictObject({
      key: storefrontKeyParam, ...signedCustomerParams, kind: z.enum(surveyKinds),
      survey_key: surveyWidgetAnswerSchema.shape.survey_key,
    }),
    handler: async ({ services, query, request }) => {
      const storeId = await storefrontStore(services, query.key, request.headers.origin, 'show surveys');
      const customerId = await signedCustomer(services, storeId, query.customer, query.signature);
      return services.surveys.widgetState(storeId, customerId, query.kind, query.survey_key);
    },
  }),
  route({
    method: 'POST', url: '/v1/surveys/answers', operationId: 'answerStorefrontSurvey', response: surveyWidgetStateSchema, permission: 'track', tag,
    rateLimit: storefrontLimit, bodyLimit: 16 * 1024, status: 201, alsoStatus: [200], errors: [403, 404],
    statusDescriptions: { 201: 'The customer\'s first answer to this survey', 200: 'The answer changed (or the same answer sent again): still one answer' },
    summary: 'Storefront (write key): a signed-in customer answers an NPS or CSAT survey (score, then the follow-up): one answer per customer, kind and key',
    body: surveyWidgetAnswerSchema.extend(signedCustomerParams),
    handler: async ({ services, storeId, body, request, reply }) => {
      await checkStorefrontOrigin(services, storeId, request.headers.origin, 'answer surveys');
      const { customer, signature, ...answer } = body;
      const customerId = await signedCustomer(services, storeId, customer, signature);
      if (customerId === undefined) throw new AppError('not_found', `Customer "${customer}" is not known to this store yet`);
      const { state, created } = await services.surveys.answerFromWidget(storeId, customerId, answer);
      reply.status(created ? 201 : 200);
      return state;
    },
  }),
  route({
    method: 'GET', url: '/v1/surveys/widget.js', operationId: 'getSurveyWidget', permission: 'public', tag, produces: ['application/javascript'],
    summary: 'The storefront survey widget: an NPS or CSAT question with its scale, the follow-up and the thank-you, for the signed-in customer (see docs/listen.md)',
    handler: async ({ reply }) => reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(SURVEY_WIDGET_SOURCE),
  }),
];
