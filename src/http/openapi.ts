import { z } from 'zod';
import type { RouteSpec } from './route.js';

const security: Record<string, { type: string; [key: string]: string }> = {
  secretKey: { type: 'http', scheme: 'bearer', description: 'A secret API key (hk_secret_...)' },
  session: { type: 'apiKey', in: 'cookie', name: 'hearth_session' },
  writeKey: { type: 'http', scheme: 'basic', description: 'The public write key as user name (tracking only)' },
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): unknown {
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  } catch {
    return {};
  }
}

/** OpenAPI 3.1 from the route specs: paths, parameters, request bodies and permissions. */
export function openApiDocument(routes: readonly RouteSpec[], serverUrl: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const path = spec.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', spec.params], ['query', spec.query]] as const) {
      if (!schema) continue;
      const shape = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, property] of Object.entries(shape.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (shape.required ?? []).includes(name), schema: property });
      }
    }
    const operation: Record<string, unknown> = {
      summary: spec.summary,
      tags: [spec.tag],
      parameters,
      'x-permission': spec.permission,
      security: spec.permission === 'public' ? [] : spec.permission === 'track' ? [{ writeKey: [] }, { secretKey: [] }] : [{ secretKey: [] }, { session: [] }],
      responses: {
        [String(spec.status ?? 200)]: { description: 'Success' },
        '4XX': { description: 'Error: {error:{code,message,details:[{path,reason}]}}' },
      },
    };
    if (spec.body) operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } };
    paths[path] = { ...paths[path], [spec.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Hearth API', version: '1', description: 'Admin, tracking and widget API of Hearth.' },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: security },
    paths,
  };
}
