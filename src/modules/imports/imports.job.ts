/**
 * Imports uploaded over HTTP run as jobs: the upload is saved under the data directory, checked,
 * and a job imports it (the job can be retried: the import is idempotent). The upload is removed
 * once imported.
 */
import { rmSync } from 'node:fs';
import { z } from 'zod';
import { checkMapping } from './column-mapping.js';
import type { ImportsService, ImportSummary } from './imports.service.js';

export const importJobKind = 'imports.run';

export const importJobPayload = z.object({
  storeId: z.string(),
  file: z.string(),
  name: z.string(),
  format: z.string(),
  currency: z.string().optional(),
  mapping: z.unknown().optional(),
  rejectsDir: z.string(),
});
export type ImportJobPayload = z.infer<typeof importJobPayload>;

export async function runImportJob(imports: ImportsService, payload: unknown, progress: (fraction: number) => Promise<void>): Promise<ImportSummary> {
  const job = importJobPayload.parse(payload);
  let reported = 0;
  const summary = await imports.run({
    files: [job.file], names: [job.name], format: job.format, store: job.storeId, currency: job.currency,
    mapping: job.mapping === undefined ? undefined : checkMapping(job.mapping), rejectsDir: job.rejectsDir,
  }, {
    onProgress: (done, total) => {
      // The lease is extended with each report: often enough to keep it, rarely enough to cost nothing.
      if (Date.now() - reported < 2000) return;
      reported = Date.now();
      void progress(total ? done / total : 0).catch(() => undefined);
    },
  });
  rmSync(job.file, { force: true });
  return summary;
}
