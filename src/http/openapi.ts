import { z } from 'zod';
import type { RouteSpec } from './route.js';
import { components } from './schemas/common.schemas.js';

const security: Record<string, { type: string; [key: string]: string }> = {
  secretKey: { type: 'http', scheme: 'bearer', description: 'A secret API key (hk_secret_...)' },
  session: { type: 'apiKey', in: 'cookie', name: 'hearth_session' },
  writeKey: { type: 'http', scheme: 'basic', description: 'The public write key as user name (tracking only)' },
};

const successDescriptions: Record<number, string> = {
  200: 'Success',
  201: 'Created',
  202: 'Accepted: the work is queued as a job',
  204: 'Done; no body',
  304: 'Not modified',
};

const errorDescriptions: Record<number, string> = {
  400: 'Malformed request: a body that is not JSON, or empty',
  401: 'No valid session or API key (or wrong credentials)',
  403: 'The role or key may not do this',
  404: 'No such resource in this store',
  409: 'The change conflicts with the current state',
  413: 'The body or the batch is larger than allowed',
  415: 'Unsupported content type or content encoding',
  422: 'Invalid input: the details name each bad field and the reason',
  503: 'Temporarily unavailable; retry after Retry-After seconds',
};

/** Statuses every route answers from its permission and inputs, plus the ones its spec names. */
function errorStatuses(spec: RouteSpec): number[] {
  const statuses = new Set<number>(spec.errors ?? []);
  if (spec.permission !== 'public') [401, 403].forEach((s) => statuses.add(s));
  if (spec.body) [400, 413].forEach((s) => statuses.add(s));
  if (spec.body || spec.query || spec.params || spec.headers) statuses.add(422);
  if (spec.answersNotFound ?? (spec.params !== undefined && spec.method !== 'PUT')) statuses.add(404);
  return [...statuses].sort((a, b) => a - b);
}

function jsonSchema(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  } catch {
    return {};
  }
}

type JsonSchema = Record<string, unknown>;

/**
 * The named shapes (`component(...)` in `schemas/`) and every route's response, converted in one
 * pass so that named shapes are referenced (`#/components/schemas/<name>`), never repeated.
 * Responses are converted as input (`io: 'input'`): the JSON as a client reads it.
 */
function responseSchemas(routes: readonly RouteSpec[]): { named: Record<string, JsonSchema>; responses: Map<z.ZodType, JsonSchema> } {
  const registry = z.registry<{ id: string }>();
  const ids = new Map<z.ZodType, string>();
  for (const [name, schema] of components) {
    registry.add(schema, { id: name });
    ids.set(schema, name);
  }
  for (const spec of routes) {
    if (spec.response && !ids.has(spec.response)) {
      const id = `${spec.operationId}Response`;
      registry.add(spec.response, { id });
      ids.set(spec.response, id);
    }
  }
  const { schemas } = z.toJSONSchema(registry, { io: 'input', unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` });
  const cleaned: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _dialect, $id: _id, ...rest } = schema as JsonSchema;
    cleaned[id] = rest;
  }
  const responses = new Map<z.ZodType, JsonSchema>();
  for (const [schema, id] of ids) {
    responses.set(schema, components.has(id) ? { $ref: `#/components/schemas/${id}` } : cleaned[id]!);
  }
  const named = Object.fromEntries(Object.entries(cleaned).filter(([id]) => components.has(id)));
  return { named, responses };
}

/** OpenAPI 3.1 from the route specs: paths, parameters, request bodies, responses and permissions. */
export function openApiDocument(routes: readonly RouteSpec[], serverUrl: string): unknown {
  const { named, responses } = responseSchemas(routes);
  const paths: Record<string, Record<string, unknown>> = {};
  const operationIds = new Set<string>();
  const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
  for (const spec of routes) {
    if (operationIds.has(spec.operationId)) throw new Error(`Two routes have the operationId ${spec.operationId}`);
    operationIds.add(spec.operationId);
    const path = spec.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', spec.params], ['query', spec.query], ['header', spec.headers]] as const) {
      if (!schema) continue;
      const shape = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, property] of Object.entries(shape.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (shape.required ?? []).includes(name), schema: property });
      }
    }
    const content: Record<string, unknown> = {};
    if (spec.response) content['application/json'] = { schema: responses.get(spec.response) };
    for (const type of spec.produces ?? []) content[type] = { schema: { type: 'string' } };
    const success = [spec.status ?? 200, ...(spec.alsoStatus ?? [])].map((status) => [String(status), {
      description: spec.statusDescriptions?.[status] ?? successDescriptions[status] ?? 'Success',
      ...(status !== 204 && status !== 304 && Object.keys(content).length > 0 && { content }),
    }]);
    const errorTypes = spec.htmlErrors ? { ...errorContent, 'text/html': { schema: { type: 'string' } } } : errorContent;
    const errors = errorStatuses(spec).map((status) => [String(status), { description: errorDescriptions[status] ?? 'Error', content: errorTypes }]);
    const operation: Record<string, unknown> = {
      operationId: spec.operationId,
      summary: spec.summary,
      tags: [spec.tag],
      parameters,
      'x-permission': spec.permission,
      security: spec.permission === 'public' ? [] : spec.permission === 'track' ? [{ writeKey: [] }, { secretKey: [] }] : [{ secretKey: [] }, { session: [] }],
      responses: Object.fromEntries([...success, ...errors]),
    };
    if (spec.body) operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } };
    if (spec.form) {
      const schema = { type: 'object', description: spec.form, additionalProperties: true };
      operation.requestBody = { required: true, content: { 'multipart/form-data': { schema }, 'application/x-www-form-urlencoded': { schema } } };
    }
    paths[path] = { ...paths[path], [spec.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Hearth API', version: '1', description: 'Admin, tracking and widget API of Hearth. Money is in integer minor units with its currency; times are ISO 8601 UTC.' },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: security, schemas: named },
    paths,
  };
}
