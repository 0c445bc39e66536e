import { Storage } from '../../src/db/database.js';
import { tempDir } from './store.js';

/**
 * A store in a fresh temporary directory, migrated up to the last migration analytics needs (the
 * summaries, the payment method they break down by, and the lifecycle marks kept with them), so
 * these tests do not depend on later, unrelated migrations.
 */
export async function openAnalyticsStore(): Promise<Storage & { dir: string; dispose: () => Promise<void> }> {
  const dir = tempDir('hearth-analytics-');
  const storage = await Storage.open({ dataDir: dir.path, readers: 2, memoryLimit: '512MB', threads: 2 });
  const { error } = await storage.migrator().migrateTo('2026-12-11T000100-journey-sessions');
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return Object.assign(storage, {
    dir: dir.path,
    dispose: async () => {
      await storage.close();
      dir.remove();
    },
  });
}
