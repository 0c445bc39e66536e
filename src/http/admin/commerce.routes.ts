/**
 * The admin commerce API: upsert and read customers, products, orders and returns. Upserts are
 * matched by the store's external ids and go through the commerce writer (one transaction per
 * request); lists are newest first with opaque cursors.
 */
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { productSchema } from '../../modules/catalog/index.js';
import { customerSchema } from '../../modules/customers/index.js';
import type { CommerceBatch, WriteSummary } from '../../modules/commerce/index.js';
import { externalId, fulfillmentSchema, isoInstant, orderSchema, returnSchema } from '../../modules/commerce/index.js';
import { orderStatuses } from '../../modules/orders/index.js';
import { churnRisks } from '../../modules/predictions/index.js';
import { customerSorts } from '../../modules/profiles/index.js';
import { day } from '../schemas/common.schemas.js';
import type { Services } from '../../services.js';
import { route, type RouteSpec } from '../route.js';
import {
  batchResultSchema, checkoutPage, checkoutStatus, customerListPage, fulfillmentSchema as fulfillmentView, customerSchema as customerView, orderPage, orderSchema as orderView, productPage, productSchema as productView,
  returnPage, returnSchema as returnView, upsertResult,
} from '../schemas/data.schemas.js';

/** Items per batch request; larger loads belong in the file importer. */
export const MAX_BATCH_ITEMS = 1000;

type Section = keyof CommerceBatch;

/** Refuses an oversized batch before its items are parsed, with 413 and the list's path. */
function batchBody<S extends z.ZodType>(section: Section, item: S) {
  return z.preprocess((value) => {
    const list = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[section] : undefined;
    if (Array.isArray(list) && list.length > MAX_BATCH_ITEMS) {
      throw new AppError('payload_too_large', `A batch holds at most ${MAX_BATCH_ITEMS} ${section}`, [
        { path: section, reason: `has ${list.length} items; at most ${MAX_BATCH_ITEMS} per request` },
      ]);
    }
    return value;
  }, z.object({ [section]: z.array(item) } as Record<Section, z.ZodArray<S>>).strict());
}

const limit = z.coerce.number().int().min(1).max(200).default(50);
const cursor = z.string().optional();
const internalId = z.coerce.number().int().min(1);
const refParams = z.object({ id: z.string().min(1) });
/** A PUT names the item by its external id, in the place where a GET takes `id` (one path, one parameter name). */
const extParams = z.object({ id: externalId.meta({ description: 'The external id of the item' }) });

interface EntitySpec<T> {
  section: Section;
  /** URL segment and OpenAPI tag. */
  path: string;
  tag: string;
  singular: string;
  /** The operationId noun: Customer → upsertCustomer, getCustomer, upsertCustomers. */
  noun: string;
  item: z.ZodObject;
  /** The item as the API answers with it. */
  view: z.ZodType<T, unknown>;
  read: (services: Services, storeId: string, ref: string) => Promise<T>;
}

const entity = <T>(spec: EntitySpec<T>) => spec;

const customers = entity({
  section: 'customers', path: 'customers', tag: 'Customers', singular: 'customer', noun: 'Customer', item: customerSchema, view: customerView,
  read: (s, store, ref) => s.customers.get(store, ref),
});
const products = entity({
  section: 'products', path: 'products', tag: 'Catalog', singular: 'product', noun: 'Product', item: productSchema, view: productView,
  read: (s, store, ref) => s.catalog.get(store, ref),
});
const orders = entity({
  section: 'orders', path: 'orders', tag: 'Orders', singular: 'order', noun: 'Order', item: orderSchema, view: orderView,
  read: (s, store, ref) => s.orders.get(store, ref),
});
const returns = entity({
  section: 'returns', path: 'returns', tag: 'Orders', singular: 'return', noun: 'Return', item: returnSchema, view: returnView,
  read: async (s, store, ref) => s.orders.getReturn(store, ref),
});

function batchResult(section: Section, summary: WriteSummary) {
  return { ...(summary[section] ?? { created: 0, updated: 0, unchanged: 0 }), summary };
}

function writeRoutes<T>(entity: EntitySpec<T>): RouteSpec[] {
  const { section, path, tag, singular, noun } = entity;
  return [
    route({
      method: 'PUT', url: `/api/v1/${path}/:id`, operationId: `upsert${noun}`, permission: 'write', tag,
      summary: `Create or update one ${singular} by its external id: 201 when it was created, 200 when it was updated or unchanged`,
      status: 201, alsoStatus: [200], response: upsertResult(entity.view),
      statusDescriptions: { 201: `The ${singular} was created`, 200: `The ${singular} was updated, or was already as sent (\`result\` says which)` },
      params: extParams,
      body: entity.item.extend({ external_id: externalId.optional() }),
      handler: async ({ services, storeId, params, body, reply }) => {
        const item = body as Record<string, unknown>;
        if (item.external_id !== undefined && item.external_id !== params.id) {
          throw new AppError('validation_failed', 'The body names another external id than the URL', [
            { path: 'external_id', reason: `is "${String(item.external_id)}" but the URL says "${params.id}"` },
          ]);
        }
        const outcome = await services.commerce.writeOne(storeId, section, { ...item, external_id: params.id } as never);
        const data = await entity.read(services, storeId, `ext:${params.id}`);
        if (outcome !== 'created') reply.status(200);
        return { result: outcome, data };
      },
    }),
    route({
      method: 'POST', url: `/api/v1/${path}/batch`, operationId: `upsert${noun}s`, permission: 'write', tag, response: batchResultSchema,
      summary: `Create or update up to ${MAX_BATCH_ITEMS} ${path} in one transaction; counts created, updated and unchanged`,
      body: batchBody(section, entity.item),
      handler: async ({ services, storeId, body }) => {
        const summary = await services.commerce.write(storeId, body as unknown as CommerceBatch);
        return batchResult(section, summary);
      },
    }),
    route({
      method: 'GET', url: `/api/v1/${path}/:id`, operationId: `get${noun}`, permission: 'read', tag, response: entity.view,
      summary: `One ${singular} by internal id or ext:<external id>`,
      params: refParams,
      handler: async ({ services, storeId, params }) => entity.read(services, storeId, params.id),
    }),
  ];
}

const listRoutes: RouteSpec[] = [
  route({
    method: 'GET', url: '/api/v1/customers', operationId: 'listCustomers', response: customerListPage, errors: [404], permission: 'read', tag: 'Customers',
    summary: 'Customers with their orders, net revenue, last order and predictions; sorted by any of those (newest first by default) and filtered by them, by email, country, time, a search text or a segment',
    query: z.object({
      limit, cursor,
      sort: z.enum(customerSorts).optional().meta({ description: 'A field to sort by; a leading - sorts largest (or latest) first. Customers without the value come last either way.' }),
      email: z.string().optional(), country: z.string().optional(),
      created_after: isoInstant.optional(), created_before: isoInstant.optional(), updated_after: isoInstant.optional(),
      q: z.string().min(1).max(200).optional(),
      churn_risk: z.enum(churnRisks).optional(),
      min_orders: z.coerce.number().int().min(0).optional(),
      min_revenue: z.coerce.number().int().min(0).optional().meta({ description: 'Net revenue at least this, in minor units' }),
      last_order_after: day.optional().meta({ description: 'Last order on or after this day' }),
      last_order_before: day.optional().meta({ description: 'Last order before this day' }),
      segment_id: z.string().min(1).max(100).optional().meta({ description: 'Only the members of this segment' }),
    }).strict(),
    handler: async ({ services, storeId, query }) => services.profiles.list(storeId, query),
  }),
  route({
    method: 'GET', url: '/api/v1/products', operationId: 'listProducts', response: productPage, permission: 'read', tag: 'Catalog',
    summary: 'Products with their variants, newest first; filter by category, update time or a search text',
    query: z.object({
      limit, cursor, category: z.string().optional(), updated_after: isoInstant.optional(), q: z.string().min(1).max(200).optional(),
    }).strict(),
    handler: async ({ services, storeId, query }) => services.catalog.list(storeId, query),
  }),
  route({
    method: 'GET', url: '/api/v1/orders', operationId: 'listOrders', response: orderPage, permission: 'read', tag: 'Orders',
    summary: 'Orders, most recently placed first; filter by customer, status or placement time',
    query: z.object({
      limit, cursor, customer_id: internalId.optional(),
      status: z.enum(orderStatuses).optional(),
      placed_after: isoInstant.optional(), placed_before: isoInstant.optional(),
    }).strict(),
    handler: async ({ services, storeId, query }) => services.orders.list(storeId, query),
  }),
  route({
    method: 'GET', url: '/api/v1/returns', operationId: 'listReturns', response: returnPage, permission: 'read', tag: 'Orders',
    summary: 'Returns with their lines, most recent first; filter by order, customer or return time',
    query: z.object({
      limit, cursor, order_id: internalId.optional(), customer_id: internalId.optional(),
      returned_after: isoInstant.optional(), returned_before: isoInstant.optional(),
    }).strict(),
    handler: async ({ services, storeId, query }) => services.orders.listReturns(storeId, query),
  }),
];

/** An order's fulfilments are written one by one under the order; checkouts are read (they come from tracking and Shopify). */
const lifecycleRoutes: RouteSpec[] = [
  route({
    method: 'PUT', url: '/api/v1/orders/:id/fulfillments/:fulfillment_id', operationId: 'upsertFulfillment', permission: 'write', tag: 'Orders',
    summary: 'Create or update one fulfilment of an order (by the order\'s and the fulfilment\'s external ids): carrier, tracking, shipped and delivered times; the order may arrive later',
    status: 201, alsoStatus: [200], response: upsertResult(fulfillmentView),
    statusDescriptions: { 201: 'The fulfilment was created', 200: 'The fulfilment was updated, or was already as sent (`result` says which)' },
    params: z.object({
      id: externalId.meta({ description: 'The external id of the order' }),
      fulfillment_id: externalId.meta({ description: 'The external id of the fulfilment' }),
    }),
    body: fulfillmentSchema,
    handler: async ({ services, storeId, params, body, reply }) => {
      const outcome = await services.commerce.writeOne(storeId, 'fulfillments', { ...body, external_id: params.fulfillment_id, order_external_id: params.id });
      const data = await services.orders.getFulfillment(storeId, params.fulfillment_id);
      if (outcome !== 'created') reply.status(200);
      return { result: outcome, data };
    },
  }),
  route({
    method: 'GET', url: '/api/v1/checkouts', operationId: 'listCheckouts', response: checkoutPage, permission: 'read', tag: 'Orders',
    summary: 'Checkouts and carts, most recently changed first; status open, completed (an order named them), deleted, or abandoned (open with no change for idle_minutes, default 60)',
    query: z.object({
      limit, cursor, status: checkoutStatus.optional(), customer_id: internalId.optional(),
      idle_minutes: z.coerce.number().int().min(1).max(525_600).optional(),
    }).strict(),
    handler: async ({ services, storeId, query }) => services.checkouts.list(storeId, query),
  }),
];

export const commerceRoutes: RouteSpec[] = [
  ...listRoutes, ...writeRoutes(customers), ...writeRoutes(products), ...writeRoutes(orders), ...writeRoutes(returns), ...lifecycleRoutes,
];
