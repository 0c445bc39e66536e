import type { Kysely } from 'kysely';
import type { Database } from '../../../db/database.js';

/** Which ready flow a store installed as which flow (migration 2026-12-03T001150). */
export interface FlowLibraryInstallTable {
  store_id: string;
  library_key: string;
  flow_id: string;
  installed_at: Date;
}

export type LibraryDb = Kysely<Database & { flow_library_installs: FlowLibraryInstallTable }>;

export function libraryDb(db: Kysely<Database>): LibraryDb {
  return db.withTables<{ flow_library_installs: FlowLibraryInstallTable }>();
}
