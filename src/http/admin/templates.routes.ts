import { z } from 'zod';
import { route } from '../route.js';
import {
  messagePurpose, starterListSchema, templateListSchema, templatePreviewSchema, templateSchema, templateTestSendSchema, templateVersionSchema,
} from '../schemas/templates.schemas.js';

const tag = 'Templates';
const idParams = z.object({ id: z.string().min(1).max(100) });
/** Sizes: a subject is one line; an MJML body of a large newsletter is well under 200 KB. */
const subject = z.string().max(500);
const preheader = z.string().max(500);
const mjml = z.string().min(1).max(200_000);
const customerRef = z.string().min(1).max(320).meta({ description: 'A customer id, ext:<external id> or email; the sample customer when absent' });

export const templateRoutes = [
  route({
    method: 'GET', url: '/api/v1/templates', operationId: 'listTemplates', response: templateListSchema, permission: 'read', tag,
    summary: 'Message templates (a store that has none gets editable copies of the starters)',
    query: z.object({ archived: z.enum(['true', 'false']).optional().meta({ description: 'Include archived templates' }) }).strict(),
    handler: async ({ services, storeId, query }) => ({ data: await services.templates.list(storeId, { archived: query.archived === 'true' }) }),
  }),
  route({
    method: 'GET', url: '/api/v1/templates/starters', operationId: 'listStarterTemplates', response: starterListSchema, permission: 'read', tag,
    summary: 'Starter templates a store can add an editable copy of',
    handler: async ({ services }) => ({ data: services.templates.starters().map(({ key, name, description, purpose, subject: s }) => ({ key, name, description, purpose, subject: s })) }),
  }),
  route({
    method: 'POST', url: '/api/v1/templates', operationId: 'createTemplate', response: templateSchema, permission: 'write', tag, status: 201,
    summary: 'Save a new template (validated: Liquid and MJML errors with line and column, unknown variables, the legal footer of marketing mail)',
    body: z.object({ name: z.string().min(1).max(200), purpose: messagePurpose, subject, preheader: preheader.optional(), body: mjml }).strict(),
    handler: async ({ services, storeId, body, principal }) => services.templates.create(storeId, body, { actor: principal.id }),
  }),
  route({
    method: 'POST', url: '/api/v1/templates/from-starter', operationId: 'createTemplateFromStarter', response: templateSchema, permission: 'write', tag, status: 201,
    summary: 'Add an editable copy of a starter template',
    body: z.object({ starter: z.string().min(1).max(100), name: z.string().min(1).max(200).optional() }).strict(),
    handler: async ({ services, storeId, body, principal }) => services.templates.createFromStarter(storeId, body.starter, { ...(body.name && { name: body.name }), actor: principal.id }),
  }),
  route({
    method: 'POST', url: '/api/v1/templates/preview', operationId: 'previewTemplateDraft', response: templatePreviewSchema, errors: [404], permission: 'read', tag,
    summary: 'Validate and render unsaved content (the editor live preview)',
    body: z.object({ purpose: messagePurpose, subject, preheader: preheader.optional(), body: mjml, customer: customerRef.optional() }).strict(),
    handler: async ({ services, storeId, body }) => services.templates.preview(storeId, { source: { purpose: body.purpose, subject: body.subject, preheader: body.preheader ?? '', body: body.body } }, { ...(body.customer && { customer: body.customer }) }),
  }),
  route({
    method: 'GET', url: '/api/v1/templates/:id', operationId: 'getTemplate', response: templateSchema, permission: 'read', tag, params: idParams,
    summary: 'A template with its current content and every version',
    handler: async ({ services, storeId, params }) => services.templates.get(storeId, params.id),
  }),
  route({
    method: 'GET', url: '/api/v1/templates/:id/versions/:version', operationId: 'getTemplateVersion', response: templateVersionSchema, permission: 'read', tag,
    params: z.object({ id: z.string().min(1).max(100), version: z.coerce.number().int().min(1) }),
    summary: 'One saved version of a template',
    handler: async ({ services, storeId, params }) => services.templates.version(storeId, params.id, params.version),
  }),
  route({
    method: 'PATCH', url: '/api/v1/templates/:id', operationId: 'updateTemplate', response: templateSchema, errors: [409], permission: 'write', tag, params: idParams,
    summary: 'Change a template: changed content is saved as a new version (validated like a new template)',
    body: z.object({ name: z.string().min(1).max(200).optional(), purpose: messagePurpose.optional(), subject: subject.optional(), preheader: preheader.optional(), body: mjml.optional() }).strict(),
    handler: async ({ services, storeId, params, body, principal }) => services.templates.update(storeId, params.id, body, { actor: principal.id }),
  }),
  route({
    method: 'DELETE', url: '/api/v1/templates/:id', operationId: 'archiveTemplate', permission: 'write', tag, status: 204, params: idParams,
    summary: 'Archive a template (its versions stay for the messages that used them)',
    handler: async ({ services, storeId, params, reply }) => {
      await services.templates.archive(storeId, params.id);
      return reply.status(204).send();
    },
  }),
  route({
    method: 'POST', url: '/api/v1/templates/:id/test', operationId: 'sendTemplateTest', response: templateTestSendSchema, permission: 'write', tag, params: idParams,
    errors: [404, 429, 503],
    summary: 'Send a test: the template rendered for a chosen or the sample customer, to an address, as a transactional message through the ledger (at most 20 a minute per store)',
    body: z.object({
      to: z.string().trim().max(320).email('must be an email address'),
      customer_id: z.union([z.number().int().min(1), customerRef]).optional().meta({ description: 'Render for this customer (id, ext:<external id> or email); the sample customer when absent' }),
      version: z.number().int().min(1).optional(),
    }).strict(),
    handler: ({ services, storeId, params, body }) => services.templates.sendTest(storeId, params.id, body.to, {
      ...(body.customer_id !== undefined && { customer: String(body.customer_id) }), ...(body.version && { version: body.version }),
    }),
  }),
  route({
    method: 'POST', url: '/api/v1/templates/:id/preview', operationId: 'previewTemplate', response: templatePreviewSchema, permission: 'read', tag, params: idParams,
    summary: 'Render a saved template (current or given version) for a chosen customer or the sample customer',
    body: z.object({ customer: customerRef.optional(), version: z.number().int().min(1).optional() }).strict(),
    handler: async ({ services, storeId, params, body }) => services.templates.preview(storeId, { templateId: params.id, ...(body.version && { version: body.version }) }, { ...(body.customer && { customer: body.customer }) }),
  }),
];
