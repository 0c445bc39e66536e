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
  /** JSON lists of words; null only for personas found before they were kept. */
  needs: string | null;
  motivators: string | null;
  created_at: Date;
}

export interface PersonaRunTable {
  store_id: string;
  id: string;
  k: number;
  reason: string;
  /** JSON: the mean silhouette of every k tried. */
  silhouettes: string;
  buyers: number;
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
  persona_runs: PersonaRunTable;
  /** Published by the predictions module; read for each persona's mean predicted CLV. */
  customer_predictions: CustomerPredictionTable;
};

export type PersonasDb = Kysely<Database & PersonaTables>;

/** This module's tables beside the shared map (created by the segments migration 000600; runs by 2026-12-02T000510). */
export function personasDb(db: Kysely<Database>): PersonasDb {
  return db.withTables<PersonaTables>();
}
