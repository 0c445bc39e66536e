import { join } from 'node:path';
import { AccountsService } from '../../src/modules/accounts/accounts.service.js';
import { ImportsService, type ImportRequest, type ImportSummary } from '../../src/modules/imports/imports.service.js';
import { CommerceWriter } from '../../src/modules/commerce/commerce.writer.js';
import type { BatchLimits } from '../../src/modules/imports/batch-builder.js';
import { openTestStore } from './store.js';

/** The real data sets kept with the tests (`test/fixtures/data`, sources and licences in its README). */
export const realData = (path: string): string => join(process.cwd(), 'test', 'fixtures', 'data', path);
export const fixture = (path: string): string => join(process.cwd(), 'test', 'fixtures', path);

/** A migrated store with the import service over the real writer. */
export async function openImportStore() {
  const store = await openTestStore();
  const accounts = new AccountsService(store.write, store.read, 'UTC');
  const imports = new ImportsService(store.write, store.read, { accounts, writer: new CommerceWriter(store) }, 'UTC');
  const rejectsDir = join(store.file, '..', 'imports');
  const importFiles = (files: string[], format: string, extra: Partial<ImportRequest> = {}, limits?: BatchLimits): Promise<ImportSummary> =>
    imports.run({ files, format, rejectsDir, ...extra }, limits ? { limits } : {});
  const count = async (sql: string): Promise<number> => {
    const rows = await store.withWriter(async (c) => (await c.runAndReadAll(sql)).getRows());
    return Number(rows[0]![0]);
  };
  return { store, accounts, imports, importFiles, count, rejectsDir };
}
