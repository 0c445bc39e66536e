import type { ColumnType } from 'kysely';

export type EventType = 'track' | 'page' | 'screen' | 'identify' | 'group' | 'alias';

export interface EventTable {
  store_id: string;
  id: number;
  message_id: string | null;
  type: EventType;
  name: string | null;
  customer_id: number | null;
  anonymous_id: string | null;
  session_id: string | null;
  url: string | null;
  /** JSON text. */
  properties: string;
  source: string;
  occurred_at: Date;
  received_at: Date;
  /** The message's context as JSON text (page, campaign, user agent, library); optional on insert. */
  context: ColumnType<string | null, string | null | undefined, string | null>;
  /** 53-bit fingerprint of (store_id, message_id) for tracked events' dedupe; optional on insert. */
  message_fp: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface IdentityTable {
  store_id: string;
  anonymous_id: string;
  customer_id: number;
  created_at: Date;
}

/**
 * Ingestion bookkeeping (migration 2026-11-23T000500). These tables are written by the ingest
 * writer with raw SQL on the writer connection, so they are not part of the Kysely `Database` map.
 */
export interface WebhookDeliveryTable {
  store_id: string;
  webhook_id: string;
  topic: string;
  received_at: Date;
}

export interface IngestStatsTable {
  store_id: string;
  source: string;
  /** Start of the UTC hour the counts belong to. */
  hour: Date;
  received: number;
  stored: number;
  rejected: number;
  deduplicated: number;
}

export interface IngestRejectionTable {
  store_id: string;
  source: string;
  hour: Date;
  reason: string;
  n: number;
}
