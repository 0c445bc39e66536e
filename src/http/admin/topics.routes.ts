/**
 * The store's email topics (/api/v1/messaging/topics): what its marketing email is about, listed
 * with a checkbox each on the preference page. A store gets starters the first time it reads them.
 */
import { z } from 'zod';
import { TOPIC_ID } from '../../modules/messaging/index.js';
import { route } from '../route.js';
import { topicListSchema, topicSchema } from '../schemas/topics.schemas.js';

const tag = 'Messages';
const idParams = z.object({ id: z.string().min(1).max(40) }).strict();
const name = z.string().trim().min(1, 'must not be empty').max(100);
const description = z.string().trim().max(300).nullable();
const position = z.number().int().min(0).max(1000);

export const topicRoutes = [
  route({
    method: 'GET', url: '/api/v1/messaging/topics', operationId: 'listEmailTopics', response: topicListSchema, permission: 'read', tag,
    summary: "The store's email topics, in the order of the preference page (a store that has none gets Newsletter, Offers, New products and Reviews)",
    query: z.object({ archived: z.enum(['true', 'false']).optional().meta({ description: 'Include archived topics' }) }).strict(),
    handler: async ({ services, storeId, query }) => ({ data: await services.topics.list(storeId, { archived: query.archived === 'true' }) }),
  }),
  route({
    method: 'POST', url: '/api/v1/messaging/topics', operationId: 'createEmailTopic', response: topicSchema, permission: 'write', tag, status: 201, errors: [409],
    summary: 'Add an email topic (its id is made from the name unless given)',
    body: z.object({
      id: z.string().regex(TOPIC_ID, 'use 1–40 lower-case letters, digits, _ or -, starting with a letter or digit').optional(),
      name, description: description.optional(), position: position.optional(),
    }).strict(),
    handler: ({ services, storeId, body }) => services.topics.create(storeId, body),
  }),
  route({
    method: 'PATCH', url: '/api/v1/messaging/topics/:id', operationId: 'updateEmailTopic', response: topicSchema, permission: 'write', tag, params: idParams, errors: [409],
    summary: "Rename an email topic, change its description or its place on the preference page (its id stays: campaigns and recipients' choices name it)",
    body: z.object({ name: name.optional(), description: description.optional(), position: position.optional() }).strict(),
    handler: ({ services, storeId, params, body }) => services.topics.update(storeId, params.id, body),
  }),
  route({
    method: 'DELETE', url: '/api/v1/messaging/topics/:id', operationId: 'archiveEmailTopic', permission: 'write', tag, status: 204, params: idParams,
    summary: 'Archive an email topic: it leaves the preference page and new campaigns; the choices made stay',
    handler: async ({ services, storeId, params, reply }) => {
      await services.topics.archive(storeId, params.id);
      return reply.status(204).send();
    },
  }),
];
