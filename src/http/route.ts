/**
 * A route is data: method, URL, permission, schemas and a handler. Every route of the server is
 * listed in `routes.ts`, so permissions can be read in one place, and the OpenAPI document is
 * generated from the same specs.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Principal, SessionInfo } from '../modules/accounts/accounts.service.js';
import type { Services } from '../services.js';

/**
 * public: anyone. track: a write key or better (tracking data only). read: any member or secret
 * key. write: owner/admin or a secret key. owner: the store's owners.
 */
export type Permission = 'public' | 'track' | 'read' | 'write' | 'owner';

export interface RouteContext<B, Q, P> {
  services: Services;
  body: B;
  query: Q;
  params: P;
  /** Set for every permission but `public`. */
  principal: Principal;
  storeId: string;
  session: SessionInfo | undefined;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec<B = unknown, Q = unknown, P = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  permission: Permission;
  summary: string;
  tag: string;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  /** Status on success (default 200). */
  status?: number;
  /** Largest accepted body in bytes (default: the server's). */
  bodyLimit?: number;
  /** The handler returns the JSON body, or sends the reply itself and returns the reply. */
  handler: (ctx: RouteContext<B, Q, P>) => Promise<unknown>;
}

/** Keeps the body/query/params types tied to their schemas. */
export function route<B = undefined, Q = undefined, P = undefined>(spec: RouteSpec<B, Q, P>): RouteSpec {
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
