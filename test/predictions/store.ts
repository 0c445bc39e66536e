/**
 * A test store with only the schema the predictions module reads and writes (the foundation and
 * the predictions migrations, and the outbox its refits record band changes in), so these tests
 * depend on nothing else.
 */
import type { Kysely } from 'kysely';
import { Storage } from '../../src/db/database.js';
import * as foundation from '../../src/db/migrations/2026-11-23T000000-foundation.js';
import * as predictions from '../../src/db/migrations/2026-11-23T000300-predictions.js';
import * as domainEvents from '../../src/db/migrations/2026-12-01T000000-domain-events.js';
import { tempDir } from '../helpers/store.js';

export async function openPredictionsStore(): Promise<Storage & { dispose: () => Promise<void> }> {
  const dir = tempDir('hearth-predictions-');
  const storage = await Storage.open({ dataDir: dir.path, readers: 2, memoryLimit: '512MB', threads: 2 });
  await foundation.up(storage.write as unknown as Kysely<unknown>);
  await predictions.up(storage.write as unknown as Kysely<unknown>);
  await domainEvents.up(storage.write as unknown as Kysely<unknown>);
  return Object.assign(storage, {
    dispose: async () => {
      await storage.close();
      dir.remove();
    },
  });
}
