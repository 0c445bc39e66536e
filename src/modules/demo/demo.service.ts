/**
 * The demo store: created once per data directory, then reused. Its owner's password is hashed
 * in the database like any other, so the demo keeps the login (and its API keys) in
 * `demo-login.json` beside the database, readable only by the operator, to print it on every run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Storage } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import { randomToken } from '../../lib/ids.js';
import { DAY_MS } from '../../lib/time.js';
import { fitAndScore } from '../predictions/index.js';
import { addDemoCampaign, addDemoNewsletter } from './demo-campaign.js';
import { replayDemoHistory } from './demo-history.js';
import { addDemoListening } from './demo-listen.js';
import { sendDemoMessages } from './demo-messages.js';
import type { Services } from '../../services.js';
import type { StoreTable } from '../accounts/index.js';
import { storeStatus } from '../status/index.js';
import { DEMO_STORE } from './calendar.js';
import { planDemo, writeDemoData, type DemoCounts, type DemoOptions, type DemoPlan } from './demo.generator.js';

/** How far back the demo's segments are replayed. */
const SEGMENT_HISTORY_DAYS = 182;

export const DEMO_LOGIN_FILE = 'demo-login.json';
export const DEMO_OWNER_EMAIL = 'owner@demo-outfitters.example';

export interface DemoLogin {
  storeId: string;
  storeSlug: string;
  email: string;
  password: string;
  writeKey: string;
  /** Server-side tracking (orders, consent, identity): older demo stores have none. */
  serverKey?: string;
  secretKey: string;
  createdAt: string;
}

export interface DemoResult {
  /** False when an existing demo store was reused. */
  created: boolean;
  store: StoreTable;
  login: DemoLogin;
  /** How the data was generated (only when created now). */
  plan: DemoPlan | undefined;
  counts: DemoCounts;
  seconds: number;
}

export function readDemoLogin(dataDir: string): DemoLogin | undefined {
  const file = join(dataDir, DEMO_LOGIN_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoLogin>;
    return typeof value.storeId === 'string' && typeof value.email === 'string' && typeof value.password === 'string' ? (value as DemoLogin) : undefined;
  } catch {
    return undefined;
  }
}

async function countsOf(services: Services, storeId: string): Promise<DemoCounts> {
  const status = await storeStatus(services.storage.read, services.jobs, storeId);
  return status.stores[0]!.counts;
}

/** Removes a demo store that never finished (its data was rolled back; the store row remains). */
async function removeUnfinished(storage: Storage, storeId: string): Promise<void> {
  await storage.write.transaction().execute(async (tx) => {
    await tx.deleteFrom('api_keys').where('store_id', '=', storeId).execute();
    await tx.deleteFrom('memberships').where('store_id', '=', storeId).execute();
    await tx.deleteFrom('stores').where('id', '=', storeId).execute();
  });
}

/**
 * Returns the demo store of this data directory, creating it (store, data, owner, keys) when
 * there is none. Re-running reuses it and never generates twice.
 */
export async function ensureDemoStore(services: Services, dataDir: string, options: DemoOptions = {}, onProgress?: (done: number, total: number) => void | Promise<void>): Promise<DemoResult> {
  const started = Date.now();
  const saved = readDemoLogin(dataDir);
  const existing = await services.accounts.findStore(DEMO_STORE.slug);
  if (existing && saved?.storeId === existing.id) {
    return { created: false, store: existing, login: saved, plan: undefined, counts: await countsOf(services, existing.id), seconds: (Date.now() - started) / 1000 };
  }
  if (existing) {
    const counts = await countsOf(services, existing.id);
    if (counts.customers > 0 || counts.orders > 0 || counts.events > 0) {
      throw new Error(`A store with the slug "${DEMO_STORE.slug}" already exists and is not the demo store; use another --data-dir for the demo`);
    }
    await removeUnfinished(services.storage, existing.id);
  }

  const plan = planDemo(options);
  const store = await services.accounts.createStore({ name: DEMO_STORE.name, slug: DEMO_STORE.slug, timezone: DEMO_STORE.timezone, currency: DEMO_STORE.currency });
  try {
    await writeDemoData(services.commerce, store.id, plan, onProgress);
  } catch (error) {
    await removeUnfinished(services.storage, store.id).catch(() => undefined);
    throw error;
  }
  const password = randomToken(12);
  const { created } = await services.accounts.addUser(store.id, { email: DEMO_OWNER_EMAIL, name: 'Demo Owner', password, role: 'owner' });
  // A user left from an earlier demo store keeps its account; give it the password we print.
  if (!created) await services.accounts.resetPassword(DEMO_OWNER_EMAIL, password);
  const write = await services.accounts.createApiKey(store.id, 'write', 'Demo tracking snippet');
  const server = await services.accounts.createApiKey(store.id, 'server', 'Demo server-side tracking');
  const secret = await services.accounts.createApiKey(store.id, 'secret', 'Demo admin API');
  const login: DemoLogin = {
    storeId: store.id, storeSlug: store.slug, email: DEMO_OWNER_EMAIL, password,
    writeKey: write.key, serverKey: server.key, secretKey: secret.key, createdAt: new Date().toISOString(),
  };
  writeFileSync(join(dataDir, DEMO_LOGIN_FILE), `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  // Build the report summaries, fit the models and find the personas now, so every page of the
  // dashboard has its figures on first sign-in.
  await services.analytics.refreshSummaries(store.id);
  // The lifecycle report keeps the journey rows and the lifecycle marks ready as it runs.
  await services.analytics.journey.lifecycle(store.id, {});
  await fitAndScore(services.storage, store.id);
  // The demo's data arrives at once; its segments are given the history they would have had if
  // they had existed for the last six months, so entries and exits carry the day they happened.
  await services.segments.ensureBuiltins(store.id);
  await services.segments.replayHistory(store.id, new Date(plan.end.getTime() - SEGMENT_HISTORY_DAYS * DAY_MS), 7, plan.end);
  // A very small demo may have too few buyers for personas; the store is still usable without them.
  await services.personas.run(store.id).catch((error: unknown) => {
    if (!(error instanceof AppError && error.code === 'validation_failed')) throw error;
  });
  // A few emails in the Outbox, caught on this machine.
  await sendDemoMessages(services, store.id, store.name, store.currency);
  // A win-back campaign three weeks old, with its holdout and the orders it brought back.
  await addDemoCampaign(services, store.id, plan.end, store.currency);
  // A spring newsletter with a 10 % holdout that, by design, changed nothing.
  await addDemoNewsletter(services, store.id, plan.end);
  // The flows and the loyalty programme switched on three months ago, with the history since.
  if (options.history !== false) await replayDemoHistory(services, store.id, plan.end, store.currency);
  // Support tickets (some as Zendesk delivers them), NPS answers and order-status views.
  await addDemoListening(services, store.id, plan.end);
  await services.analytics.refreshSummaries(store.id);
  await services.storage.checkpoint();
  // As `hearth status` counts them: the campaign's orders and the messages came after the generated data.
  return { created: true, store, login, plan, counts: await countsOf(services, store.id), seconds: (Date.now() - started) / 1000 };
}
