import type { Migration, MigrationProvider } from 'kysely';
import * as foundation from './2026-11-23T000000-foundation.js';

/**
 * Every migration, in order. Names are timestamps; a released migration is never edited — a
 * change is a new file added at the end of this list.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-23T000000-foundation': foundation,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
