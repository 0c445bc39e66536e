/** Shapes of the admin API's answers that the dashboard reads. */

export type Role = 'owner' | 'admin' | 'analyst';

export interface Session {
  userId: string;
  email: string;
  csrfToken: string;
  mustChangePassword: boolean;
  stores: { id: string; slug: string; name: string; role: Role }[];
}

export interface StoreSettings {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  currency: string;
  inactivity_days: number | null;
  shopify_secret_set: boolean;
  /** Web origins allowed to send tracked events; null: any. */
  tracking_origins: string[] | null;
  created_at: string;
}

export interface Member {
  user_id: string;
  email: string;
  name: string | null;
  role: Role;
  created_at: string;
}

export interface ApiKey {
  id: string;
  kind: 'write' | 'secret';
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface CreatedKey {
  key: string;
  id: string;
  prefix: string;
}

export interface Job {
  id: number;
  kind: string;
  state: 'queued' | 'running' | 'done' | 'failed' | 'dead';
  attempts: number;
  maxAttempts: number;
  runAt: string;
  progress: number | null;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** GET /api/v1/ingest/status: the last 24 hours per source (shared with the server). */
export type { IngestStatus } from '../../../src/modules/ingest/ingest-status.types';

type EntityCounts = { created: number; updated: number; unchanged: number };

/** GET /api/v1/imports: import runs, newest first. */
export interface ImportRun {
  id: string;
  format: string;
  file: string;
  state: string;
  rowsRead: number;
  rowsRejected: number;
  fileSha256: string | null;
  summary: { customers?: EntityCounts; products?: EntityCounts; orders?: EntityCounts; returns?: EntityCounts } | null;
  startedAt: string;
  finishedAt: string | null;
}
