/**
 * Routes only the local admin socket serves (`local-admin.ts`); over TCP they answer 404 and they
 * are not in the OpenAPI document. They are what the `hearth` command needs beside the admin API
 * when a server owns the data directory: the stores (to resolve `--store` as the command does),
 * the status of every store, and an import of files on this machine by path, run by the same
 * import service as `hearth import` (the bulk path for large files included), with its progress
 * and summary streamed back as JSON lines.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, detailsFromZod } from '../lib/errors.js';
import { checkMapping } from '../modules/imports/index.js';
import { storeStatus } from '../modules/status/index.js';
import type { Services } from '../services.js';
import { isLocalRequest } from './local-admin.js';

/** An import as `hearth import` asks for it; paths are absolute, on the server's machine. */
const importBody = z.object({
  files: z.array(z.string().min(1)).min(1),
  names: z.array(z.string().min(1)).optional(),
  format: z.string(),
  store: z.string().optional(),
  currency: z.string().optional(),
  mapping: z.unknown().optional(),
  rejectsFile: z.string().optional(),
  rejectsDir: z.string().min(1),
  /** Send progress lines (at most five a second). */
  progress: z.boolean().optional(),
}).strict();

/** One line of the import's answer. */
export type LocalImportLine =
  | { progress: { done: number; total: number } }
  | { summary: unknown }
  | { error: { code: string; message: string; details: { path: string; reason: string }[] } };

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError('validation_failed', `Invalid ${where}`, detailsFromZod(result.error.issues));
  return result.data;
}

async function onlyLocal(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!isLocalRequest(request)) {
    await reply.status(404).send(new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]}`).toJSON());
  }
}

export function registerLocalRoutes(app: FastifyInstance, services: Services): void {
  app.get('/local/v1/stores', { preHandler: onlyLocal }, async () => ({
    stores: (await services.accounts.listStores()).map((s) => ({ id: s.id, slug: s.slug, name: s.name, timezone: s.timezone, currency: s.currency })),
  }));

  app.get('/local/v1/status', { preHandler: onlyLocal }, async (request) => {
    const { store } = parse(z.object({ store: z.string().optional() }).strict(), request.query, 'query');
    const storeId = store ? (await services.accounts.getStore(store)).id : undefined;
    const status = await storeStatus(services.storage.read, services.jobs, storeId);
    const ingest = await Promise.all(status.stores.map(async (s) => [s.id, await services.ingest.status(s.id)] as const));
    return { ...status, ingest: Object.fromEntries(ingest) };
  });

  app.post('/local/v1/imports', { preHandler: onlyLocal }, async (request, reply) => {
    const { progress, mapping: given, ...wanted } = parse(importBody, request.body, 'body');
    const mapping = given === undefined ? undefined : checkMapping(given, 'mapping');
    const out = new PassThrough();
    const line = (value: LocalImportLine) => `${JSON.stringify(value)}\n`;
    let last = 0;
    // The import goes on if the command goes away; it is idempotent, and its run is recorded.
    void services.imports.run({ ...wanted, mapping }, {
      onProgress: (done, total) => {
        if (!progress || (Date.now() - last < 200 && done < total)) return;
        last = Date.now();
        out.write(line({ progress: { done, total } }));
      },
    }).then((summary) => out.end(line({ summary })), (error: unknown) => {
      if (!(error instanceof AppError)) request.log.error({ err: error }, 'import through the local socket failed');
      const failure = error instanceof AppError ? error.toJSON().error : { code: 'internal', message: error instanceof Error ? error.message : String(error), details: [] };
      out.end(line({ error: failure }));
    });
    return reply.type('application/x-ndjson').send(out);
  });
}
