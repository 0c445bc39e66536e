import type { Kysely } from 'kysely';
import type { CustomerPredictionTable } from '../predictions/index.js';
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

export type PersonaTables = {
  personas: PersonaTable;
  persona_members: PersonaMemberTable;
  /** Published by the predictions module; read for each persona's mean predicted CLV. */
  customer_predictions: CustomerPredictionTable;
};

export type PersonasDb = Kysely<Database & PersonaTables>;

/** This module's tables beside the shared map (created by the segments migration 000600). */
export function personasDb(db: Kysely<Database>): PersonasDb {
  return db.withTables<PersonaTables>();
}
