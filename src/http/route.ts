/**
 * A route is data: method, URL, permission, schemas and a handler. Every route of the server is
 * listed in `routes.ts`, so permissions can be read in one place, and the OpenAPI document is
 * generated from the same specs.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Principal, SessionInfo } from '../modules/accounts/index.js';
import type { Services } from '../services.js';

/**
 * public: anyone. track: a write key or better (tracking data only). read: any member or secret
 * key. write: owner/admin or a secret key. owner: the store's owners.
 */
export const permissions = ['public', 'track', 'read', 'write', 'owner'] as const;
export type Permission = (typeof permissions)[number];

export interface RouteContext<B, Q, P, H = undefined> {
  services: Services;
  body: B;
  query: Q;
  params: P;
  /** The request headers the spec's `headers` schema names, parsed (lower-case names). */
  headers: H;
  /** Set for every permission but `public`. */
  principal: Principal;
  storeId: string;
  session: SessionInfo | undefined;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec<B = unknown, Q = unknown, P = unknown, R = unknown, H = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  /** camelCase verb + noun (listCustomers, getCustomerProfile): unique, stable, what generated clients call the method. */
  operationId: string;
  permission: Permission;
  summary: string;
  tag: string;
  body?: z.ZodType<B>;
  /** A hosted page's form body (multipart/form-data or url-encoded, read by the handler): what its fields are, in words. */
  form?: string;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  /** Request headers the operation reads (lower-case names, e.g. `idempotency-key`), published as header parameters. */
  headers?: z.ZodType<H>;
  /**
   * The JSON body on success. Its output type (`z.output`) is what the handler returns; its input
   * type (`z.input`) is the JSON a client reads, published in the OpenAPI document. None for 204
   * and for answers that are not JSON (`produces`).
   */
  response?: z.ZodType<R, unknown>;
  /** Content types of a success answer that is not (only) JSON: text/csv, application/javascript. */
  produces?: readonly string[];
  /** A hosted page for people (the unsubscribe page): its error answers are HTML pages too. */
  htmlErrors?: boolean;
  /** Status on success (default 200). */
  status?: number;
  /** Other success statuses with the same body (a PUT answers 201 when it created, 200 otherwise). */
  alsoStatus?: readonly number[];
  /** What a success status means for this operation, where the general wording does not say it. */
  statusDescriptions?: Readonly<Record<number, string>>;
  /** Whether a parameter can name something the store does not have (404); default: with params, except for a PUT. */
  answersNotFound?: boolean;
  /** Error statuses beyond those every route answers for its permission and inputs (see `openapi.ts`). */
  errors?: readonly number[];
  /** Requests allowed per address and time window (@fastify/rate-limit); beyond them a 429 with Retry-After. */
  rateLimit?: { max: number; timeWindow: string };
  /** Largest accepted body in bytes (default: the server's). */
  bodyLimit?: number;
  /** The handler returns the JSON body, or sends the reply itself and returns the reply. */
  handler: (ctx: RouteContext<B, Q, P, H>) => Promise<NoInfer<R> | FastifyReply>;
}

/** Keeps the body/query/params/headers types tied to their schemas, and the handler's result to the response schema. */
export function route<B = undefined, Q = undefined, P = undefined, R = unknown, H = undefined>(spec: RouteSpec<B, Q, P, R, H>): RouteSpec {
  return spec as unknown as RouteSpec;
}

/**
 * Routes that need their own HTTP setup (content-type parsers, hooks, CORS). They are registered
 * in an encapsulated Fastify scope after `setup` runs, so that setup touches only these routes.
 */
export interface RouteScope {
  setup: (scope: FastifyInstance, services: Services) => void | Promise<void>;
  routes: readonly RouteSpec[];
}
