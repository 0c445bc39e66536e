/**
 * The ingest status as the ingest module computes it. GET /api/v1/ingest/status sends it in
 * snake_case as `src/http/schemas/ingest.schemas.ts` publishes it; the dashboard reads that schema's type.
 */
export interface SourceStatus {
  source: string;
  received: number;
  stored: number;
  rejected: number;
  deduplicated: number;
  topRejections: { reason: string; count: number }[];
}

export interface IngestStatus {
  /** Start of the first hour counted (ISO 8601); the last 24 hours. */
  since: string;
  sources: SourceStatus[];
}
