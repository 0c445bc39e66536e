import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';

export interface PersonaTable {
  store_id: string;
  id: string;
  run_id: string;
  position: number;
  name: string;
  description: string;
  size: number;
  revenue_share: number;
  predicted_clv: number | null;
  /** JSON: the persona's feature means beside the store's. */
  profile: string;
  /** JSON: retention curve points. */
  retention: string;
  created_at: Date;
}

export interface PersonaMemberTable {
  store_id: string;
  persona_id: string;
  customer_id: number;
  assigned_at: Date;
}

/** The predictions module's per-customer table (migration 000300), read for each persona's mean predicted CLV. */
interface PredictedClvView {
  store_id: string;
  customer_id: number;
  clv_12m: number | null;
}

export type PersonaTables = {
  personas: PersonaTable;
  persona_members: PersonaMemberTable;
  customer_predictions: PredictedClvView;
};

export type PersonasDb = Kysely<Database & PersonaTables>;

/** This module's tables beside the shared map (created by the segments migration 000600). */
export function personasDb(db: Kysely<Database>): PersonasDb {
  return db.withTables<PersonaTables>();
}
