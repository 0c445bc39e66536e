/**
 * File import over HTTP: `POST /api/v1/imports?format=…` takes the file as the raw body (CSV,
 * JSONL or CDNOW text, any content type but JSON) and queues the import as a job; `GET
 * /api/v1/imports` lists the store's import runs. Uploads stream to disk, so their size is not
 * bounded by memory.
 */
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { checkMapping } from '../../modules/imports/index.js';
import { formatNames } from '../../modules/imports/index.js';
import { importJobKind, type ImportJobPayload } from '../../modules/imports/index.js';
import type { WriteSummary } from '../../modules/commerce/index.js';
import { checkImportRequest } from '../../modules/imports/index.js';
import { route, type RouteScope } from '../route.js';
import { importRunsSchema, queuedImportSchema } from '../schemas/jobs.schemas.js';

const tag = 'Import';
/** Uploads above this are refused; larger files are imported with the CLI. */
const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;
const uploadTypes = ['text/csv', 'text/plain', 'application/octet-stream', 'application/x-ndjson', 'application/jsonl', 'application/x-jsonlines'];

const uploadQuery = z.object({
  format: z.string().refine((name) => formatNames.includes(name), `must be one of ${formatNames.join(', ')}`),
  name: z.string().min(1).max(255).optional(),
  currency: z.string().length(3).optional(),
  /** The column mapping of the csv format, as JSON text. */
  mapping: z.string().optional(),
});

function limited(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > max) done(new AppError('payload_too_large', `The upload exceeds ${max} bytes; import larger files with \`hearth import\``));
      else done(null, chunk);
    },
  });
}

const importRoutes = [
  route({
    method: 'POST', url: '/api/v1/imports', operationId: 'uploadImport', permission: 'write', tag, status: 202, query: uploadQuery,
    response: queuedImportSchema, errors: [413, 415],
    summary: 'Upload a file (raw body) and import it in the background; returns the job to follow',
    handler: async ({ services, storeId, query, request }) => {
      // Only the upload types are parsed into a stream: no body, no Content-Type, or JSON leave something else.
      if (!(request.body instanceof Readable)) {
        throw new AppError('unsupported_media_type', `Send the file as the raw request body, with a Content-Type of ${uploadTypes.join(', ')}`,
          [{ path: '(body)', reason: request.body === undefined ? 'missing: send the file as the body' : 'must be the raw file (CSV, JSONL or CDNOW text), not JSON' }]);
      }
      let mapping;
      if (query.mapping !== undefined) {
        let value: unknown;
        try {
          value = JSON.parse(query.mapping);
        } catch {
          throw new AppError('validation_failed', 'Invalid query', [{ path: 'query.mapping', reason: 'must be JSON' }]);
        }
        mapping = checkMapping(value, 'query.mapping');
      }
      const id = newId('upl');
      const name = basename(query.name ?? `${id}.${query.format}`);
      const dir = join(services.config.dataDir, 'imports', 'uploads');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${id}-${name.replace(/[^\w.-]+/g, '_')}`);
      try {
        await pipeline(request.body as NodeJS.ReadableStream, limited(MAX_UPLOAD_BYTES), createWriteStream(file));
        await checkImportRequest({ files: [file], format: query.format, currency: query.currency, mapping });
      } catch (error) {
        rmSync(file, { force: true });
        if (error instanceof AppError) throw new AppError(error.code, error.message.replace(file, name), error.details.map((d) => ({ ...d, reason: d.reason.replace(file, name) })));
        throw error;
      }
      const payload: ImportJobPayload = {
        storeId, file, name, format: query.format, rejectsDir: join(services.config.dataDir, 'imports'),
        ...(query.currency && { currency: query.currency.toUpperCase() }), ...(mapping && { mapping }),
      };
      const job = await services.jobs.enqueue(importJobKind, payload, { storeId, maxAttempts: 3 });
      return { job_id: job, file: name, format: query.format };
    },
  }),
  route({
    method: 'GET', url: '/api/v1/imports', operationId: 'listImports', response: importRunsSchema, permission: 'read', tag, query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
    summary: 'Import runs of this store, newest first, with rows read and rejected and what was created',
    handler: async ({ services, storeId, query }) => {
      const runs = await services.imports.listRuns(storeId, query.limit);
      return {
        data: runs.map((run) => ({
          id: run.id, format: run.format, file: run.file_name, state: run.state, rows_read: run.rows_read, rows_rejected: run.rows_rejected,
          file_sha256: run.file_sha256 || null, summary: run.summary ? (JSON.parse(run.summary) as WriteSummary) : null, started_at: run.started_at, finished_at: run.finished_at,
        })),
      };
    },
  }),
];

/** The upload route takes the raw body as a stream, so it gets its own content-type parsers. */
export const importsScope: RouteScope = {
  setup: (scope) => {
    scope.removeContentTypeParser(['text/plain']);
    scope.addContentTypeParser(uploadTypes, (_request, payload, done) => done(null, payload));
  },
  routes: importRoutes,
};
