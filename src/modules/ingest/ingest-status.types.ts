/**
 * The answer of GET /api/v1/ingest/status, as sent. No imports: the dashboard reads this file too,
 * so server and dashboard share one definition.
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
