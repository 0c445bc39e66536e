import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '../../src/db/database.js';

export function tempDir(prefix = 'hearth-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A migrated store in a fresh temporary data directory; `close()` removes it. */
export async function openTestStore(): Promise<Storage & { dispose: () => Promise<void> }> {
  const dir = tempDir();
  const storage = await Storage.open({ dataDir: dir.path, readers: 2, memoryLimit: '512MB', threads: 2 });
  await storage.migrate();
  return Object.assign(storage, {
    dispose: async () => {
      await storage.close();
      dir.remove();
    },
  });
}
