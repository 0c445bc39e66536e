export const jobStates = ['queued', 'running', 'done', 'failed', 'dead'] as const;
export type JobState = (typeof jobStates)[number];

export interface JobTable {
  id: number;
  store_id: string | null;
  kind: string;
  payload: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_at: Date;
  lease_until: Date | null;
  progress: number | null;
  result: string | null;
  last_error: string | null;
  dedupe_key: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export interface ImportRunTable {
  id: string;
  store_id: string;
  format: string;
  file_name: string;
  file_sha256: string;
  state: 'running' | 'done' | 'failed';
  rows_read: number;
  rows_rejected: number;
  summary: string | null;
  started_at: Date;
  finished_at: Date | null;
}
