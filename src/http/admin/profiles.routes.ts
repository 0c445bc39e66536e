import { z } from 'zod';
import { route } from '../route.js';
import { customerProfileSchema, customerSearchSchema } from '../schemas/segments.schemas.js';

const tag = 'Customers';

export const profileRoutes = [
  route({
    method: 'GET', url: '/api/v1/customers/search', operationId: 'searchCustomers', response: customerSearchSchema, permission: 'read', tag, summary: 'Customers whose email, name or external id contains the text',
    query: z.object({ q: z.string().max(200), limit: z.coerce.number().int().min(1).max(100).optional() }).strict(),
    handler: async ({ services, storeId, query }) => ({ data: await services.profiles.search(storeId, query.q, query.limit ?? 20) }),
  }),
  route({
    method: 'GET', url: '/api/v1/customers/lookup', operationId: 'lookupCustomer', response: z.object({ id: z.number().int() }), errors: [404],
    permission: 'read', tag, summary: 'The customer id for an id, email or external id (exact match)',
    query: z.object({ key: z.string() }).strict(),
    handler: async ({ services, storeId, query }) => ({ id: await services.profiles.resolve(storeId, query.key) }),
  }),
  route({
    method: 'GET', url: '/api/v1/customers/:id/profile', operationId: 'getCustomerProfile', response: customerProfileSchema, permission: 'read', tag,
    summary: 'Customer 360: identity, consent, KPIs, predictions with their explanation, RFM, segments, personas, timeline, top categories and products',
    params: z.object({ id: z.string().regex(/^\d+$/, 'must be a customer id (digits)').transform(Number) }),
    handler: async ({ services, storeId, params }) => services.profiles.profile(storeId, params.id),
  }),
];
