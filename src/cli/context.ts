/**
 * What CLI commands share: configuration from the environment plus the common flags, the opened
 * store, the services, and the store a command works on (`--store` id or slug; the only store
 * when there is one). When a running server holds the data directory, commands that can work
 * through it do so over its local admin socket (`server-client.ts`); the others say so.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { DATABASE_FILE, DataDirInUseError, Storage } from '../db/database.js';
import { localSocketPath } from '../http/local-admin.js';
import { AppError } from '../lib/errors.js';
import { silentLogger } from '../lib/logger.js';
import { createServices, type Services } from '../services.js';
import { ServerClient } from './server-client.js';

export interface CommonOptions {
  dataDir?: string;
  store?: string;
  json?: boolean;
}

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** Adds --data-dir (and --store) to a command. */
export function withDataDir(command: Command, options: { store?: boolean } = {}): Command {
  command.option('--data-dir <dir>', 'data directory (default: $HEARTH_DATA_DIR or ./data)');
  if (options.store !== false) command.option('--store <store>', 'store id or slug (default: the only store)');
  return command;
}

export interface CliContext {
  config: Config;
  storage: Storage;
  services: Services;
  close: () => Promise<void>;
}

/** Opens the store for a command. Commands other than `migrate`/`demo` need it migrated. */
export async function openContext(options: CommonOptions, { migrate = false } = {}): Promise<CliContext> {
  const config = loadConfig(undefined, { dataDir: options.dataDir });
  // A mistyped --data-dir must not leave an empty database behind.
  if (!migrate && !existsSync(join(config.dataDir, DATABASE_FILE))) {
    throw new CliError(`No Hearth data in ${config.dataDir}: run \`hearth migrate\`, \`hearth serve --migrate\` or \`hearth demo\` first, or point --data-dir (or HEARTH_DATA_DIR) at an existing data directory.`, 2);
  }
  const storage = await openOrFindServer(config);
  try {
    if (migrate) await storage.migrate();
    else {
      const pending = await storage.pendingMigrations();
      if (pending.length) throw new CliError(`The store has ${pending.length} pending migration(s); run \`hearth migrate\` first.`);
    }
  } catch (error) {
    await storage.close();
    throw error;
  }
  const services = createServices(config, storage, silentLogger);
  return { config, storage, services, close: () => storage.close() };
}

/** A running server holds the data directory; commands that can, work through it. */
export class ServerRunningError extends Error {
  constructor(readonly server: ServerClient, readonly config: Config, inUse: DataDirInUseError) {
    super(`The data directory ${config.dataDir} is in use by the Hearth server running on it (${inUse.detail}), and this command does not work through the server: stop the server to run it.`);
  }
}

async function openOrFindServer(config: Config): Promise<Storage> {
  try {
    return await Storage.open({ dataDir: config.dataDir, readers: config.db.readers, memoryLimit: config.db.memoryLimit, threads: config.db.threads });
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    const found = await ServerClient.find(config.dataDir);
    if ('client' in found) throw new ServerRunningError(found.client, config, error);
    throw new CliError(`The data directory ${config.dataDir} is locked by another process (${error.detail}), but no Hearth server answers on ${localSocketPath(config.dataDir)} (${found.reason}). `
      + 'Either a command is still working on it (wait for it), or the process holding the lock is not a Hearth server that can be talked to (stop it); or choose another --data-dir.', 2);
  }
}

/**
 * Runs a command body with the opened store (`direct`) or, when a running server holds the data
 * directory, through that server (`server`). Both return the same value, which the command prints.
 */
export async function withContextOrServer<T>(
  options: CommonOptions,
  direct: (context: CliContext) => Promise<T>,
  server: (client: ServerClient, config: Config) => Promise<T>,
  open: { migrate?: boolean } = {},
): Promise<T> {
  let context: CliContext;
  try {
    context = await openContext(options, open);
  } catch (error) {
    if (error instanceof ServerRunningError) return server(error.server, error.config);
    throw error;
  }
  try {
    return await direct(context);
  } finally {
    await context.close();
  }
}

/** A store as commands name it and show its figures: its name, time zone and currency. */
export interface StoreRef {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  currency: string;
}

/** What `--store` is resolved against: the services, or a running server. */
export interface StoreLookup {
  findStore(idOrSlug: string): Promise<StoreRef | undefined>;
  listStores(): Promise<StoreRef[]>;
}

/** The store a command works on. */
export async function resolveStore(services: Services | StoreLookup, wanted: string | undefined): Promise<StoreRef> {
  const lookup: StoreLookup = 'accounts' in services ? services.accounts : services;
  if (wanted) {
    const store = await lookup.findStore(wanted);
    if (!store) throw new CliError(`--store: no store "${wanted}"`, 2);
    return store;
  }
  const stores = await lookup.listStores();
  if (stores.length === 1) return stores[0]!;
  if (stores.length === 0) throw new CliError('There is no store yet: run `hearth stores create --name NAME` or `hearth demo`.');
  throw new CliError(`There are ${stores.length} stores; choose one with --store (${stores.map((s) => s.slug).join(', ')})`, 2);
}

/** The id of the store a command works on. */
export async function resolveStoreId(services: Services | StoreLookup, wanted: string | undefined): Promise<string> {
  return (await resolveStore(services, wanted)).id;
}

/** Where a store command's work goes: the opened services, or the server running on the data directory. */
export type StoreBackend = ({ services: Services } | { server: ServerClient }) & { storeId: string; store: StoreRef };

/** Runs a store command on the data directory, or through the server when one holds it, with `--store` resolved. */
export async function withStoreBackend<T>(options: CommonOptions, work: (backend: StoreBackend) => Promise<T>): Promise<T> {
  return withContextOrServer(options,
    async ({ services }) => {
      const store = await resolveStore(services, options.store);
      return work({ services, storeId: store.id, store });
    },
    async (server) => {
      const store = await resolveStore(server, options.store);
      return work({ server, storeId: store.id, store });
    });
}

/** The same answer either way: `direct` on the services in its wire form, or the API route through the server. */
export async function callBackend<T>(backend: StoreBackend, direct: (services: Services) => Promise<unknown>, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  if ('services' in backend) return toWire(await direct(backend.services)) as T;
  return backend.server.json<T>(method, path, { store: backend.storeId, ...(body !== undefined && { body }) });
}

/** Runs a command body with an opened context, closing the store afterwards. */
export async function withContext<T>(options: CommonOptions, work: (context: CliContext) => Promise<T>, open: { migrate?: boolean } = {}): Promise<T> {
  const context = await openContext(options, open);
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}

/** A value as JSON carries it (dates as ISO text): what the server answers, and what is printed. */
export type Wire<T> = T extends Date ? string : T extends (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

export function toWire<T>(value: T): Wire<T> {
  return JSON.parse(JSON.stringify(value)) as Wire<T>;
}

/** A day option (YYYY-MM-DD), or an error naming the option (exit code 2). */
export function dayOption(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{4}-\d\d-\d\d$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) throw new CliError(`${flag}: a day such as 2026-11-30, got "${text}"`, 2);
  return text;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Exit code for an error reaching the top of the CLI: 2 for wrong input, 1 otherwise. */
/** 2: the command cannot run as asked (bad input, a data directory held by another process); 1: it failed. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof DataDirInUseError || error instanceof ServerRunningError) return 2;
  if (error instanceof AppError) return error.code === 'validation_failed' || error.code === 'bad_request' || error.code === 'not_found' ? 2 : 1;
  return 1;
}

/** A cell right-aligned as a number: 1,234, -2.5%, +1.2 pts, $12.00, CA$12.00 — not a code like P1058. */
const numeric = /^[-+]?(?:[A-Za-z]{0,2}[^\d\sA-Za-z.,])?\d[\d.,]*%?( pts)?$/;

/** A plain-text table for terminals. */
export function formatTable(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '' : String(cell))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((cell, i) => (numeric.test(cell) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
