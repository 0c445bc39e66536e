import type { Db, Tx } from '../../db/database.js';
import type { ImportRunTable } from '../../jobs/jobs.table.js';

export async function insertRun(db: Db, run: ImportRunTable): Promise<void> {
  await db.insertInto('import_runs').values(run).execute();
}

export async function finishRun(db: Db | Tx, id: string, changes: Pick<ImportRunTable, 'state' | 'file_sha256' | 'rows_read' | 'rows_rejected' | 'summary' | 'finished_at'>): Promise<void> {
  await db.updateTable('import_runs').set(changes).where('id', '=', id).execute();
}

export function listRuns(db: Db, storeId: string, limit: number): Promise<ImportRunTable[]> {
  return db.selectFrom('import_runs').selectAll().where('store_id', '=', storeId).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
