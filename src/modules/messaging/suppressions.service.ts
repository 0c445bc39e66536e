/** The store's suppression list as the API and the CLI use it. */
import type { Storage } from '../../db/database.js';
import { notFound } from '../../lib/errors.js';
import type { SuppressionReason } from './sends.table.js';
import { deleteSuppression, getSuppression, listSuppressions, upsertSuppression } from './suppressions.repository.js';

export class SuppressionsService {
  constructor(private readonly storage: Storage) {}

  list(storeId: string, filter: { reason?: SuppressionReason; address?: string; limit: number; offset: number }) {
    return listSuppressions(this.storage.read, storeId, filter);
  }

  async add(storeId: string, input: { address: string; reason: SuppressionReason; note?: string | null; source?: string; expiresAt?: Date | null }) {
    await upsertSuppression(this.storage.write, {
      store_id: storeId, address: input.address, reason: input.reason, source: input.source ?? 'api', note: input.note ?? null,
      expires_at: input.expiresAt ?? null, created_at: new Date(),
    });
    return (await getSuppression(this.storage.read, storeId, input.address))!;
  }

  async remove(storeId: string, address: string): Promise<void> {
    if (!(await deleteSuppression(this.storage.write, storeId, address))) throw notFound('Suppressed address');
  }
}
