import type { CustomerPredictionTable } from '../predictions/index.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';

export type RefreshMode = 'on_change' | 'scheduled';

export interface SegmentTable {
  store_id: string;
  id: string;
  name: string;
  description: string | null;
  /** The rule tree as JSON text (see segment-rule.schema.ts). */
  rule: string;
  /** Set for the starting segments every store gets (new_customers, vip, ...). */
  builtin_key: string | null;
  refresh_mode: RefreshMode;
  member_count: number;
  refreshed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface SegmentMemberTable {
  store_id: string;
  segment_id: string;
  customer_id: number;
  entered_at: Date;
}

export type SegmentChange = 'entered' | 'exited';

export interface SegmentHistoryTable {
  id: number;
  store_id: string;
  segment_id: string;
  customer_id: number;
  change: SegmentChange;
  changed_at: Date;
}

export type SegmentTables = {
  segments: SegmentTable;
  segment_members: SegmentMemberTable;
  segment_history: SegmentHistoryTable;
  /** Published by the predictions module; read by rules. */
  customer_predictions: CustomerPredictionTable;
};

export type SegmentsDb = Kysely<Database & SegmentTables>;

/**
 * The shared Database map lists the foundation tables; this module's tables are added to its own
 * view of the connection, so the shared map needs no edit.
 */
export function segmentsDb(db: Kysely<Database>): SegmentsDb {
  return db.withTables<SegmentTables>();
}
