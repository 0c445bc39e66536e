/** Answers about background work: jobs, import runs, queued work. */
import { z } from 'zod';
import { jobStates } from '../../jobs/jobs.table.js';
import { component, count, ratio, timestamp } from './common.schemas.js';
import { writeSummarySchema } from './data.schemas.js';

export const jobState = z.enum(jobStates);

export const jobSchema = component('Job', z.strictObject({
  id: z.number().int(),
  store_id: z.string().nullable(),
  kind: z.string(),
  state: jobState,
  attempts: count,
  max_attempts: count,
  run_at: timestamp,
  progress: ratio.nullable(),
  result: z.unknown().meta({ description: 'What the job reported when it finished (by kind); null before' }),
  last_error: z.string().nullable(),
  created_at: timestamp,
  finished_at: timestamp.nullable(),
}));

export const jobListSchema = z.strictObject({
  data: z.array(jobSchema),
  counts: z.strictObject(Object.fromEntries(jobStates.map((state) => [state, count])) as Record<(typeof jobStates)[number], typeof count>),
});

/** A job was queued (202): follow it with GET /api/v1/jobs or the route named by the operation. */
export const queuedJobSchema = component('QueuedJob', z.strictObject({ job_id: z.number().int() }));

export const queuedImportSchema = z.strictObject({ job_id: z.number().int(), file: z.string(), format: z.string() });

export const importRunSchema = component('ImportRun', z.strictObject({
  id: z.string(),
  format: z.string(),
  file: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  rows_read: count,
  rows_rejected: count,
  file_sha256: z.string().nullable(),
  summary: writeSummarySchema.nullable(),
  started_at: timestamp,
  finished_at: timestamp.nullable(),
}));
export const importRunsSchema = z.strictObject({ data: z.array(importRunSchema) });

export type JobState = z.infer<typeof jobState>;
export type Job = z.input<typeof jobSchema>;
export type QueuedJob = z.input<typeof queuedJobSchema>;
export type JobList = z.input<typeof jobListSchema>;
export type ImportRun = z.input<typeof importRunSchema>;
