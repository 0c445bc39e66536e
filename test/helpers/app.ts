import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createServices, type Services } from '../../src/services.js';
import { openTestStore } from './store.js';

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  /** Creates a store with an owner and a secret key; returns what a test needs to call the API. */
  newStore: (name?: string, options?: { currency?: string; timezone?: string }) => Promise<{ storeId: string; secretKey: string; writeKey: string; serverKey: string; ownerEmail: string; ownerPassword: string }>;
  /** Signs in; returns the session cookie and CSRF token to send. */
  signIn: (email: string, password: string) => Promise<{ cookie: string; csrf: string }>;
  close: () => Promise<void>;
}

let counter = 0;

/** The real app over a real migrated DuckDB store in a temp dir, called in-process with inject(); `env`: settings as the environment gives them. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const store = await openTestStore();
  // No test reaches Shopify: its Admin API is a closed local port unless a test gives its stand-in.
  const config = loadConfig({
    HEARTH_DATA_DIR: store.file.replace(/\/hearth\.duckdb$/, ''), HEARTH_LOG_LEVEL: 'silent', HEARTH_SHOPIFY_ADMIN_URL: 'http://127.0.0.1:1/{shop}/graphql.json', ...env,
  });
  const services = createServices(config, store, silentLogger);
  const app = await buildApp(services, { logger: false });
  return {
    app,
    services,
    newStore: async (name = 'Test Store', options = {}) => {
      counter += 1;
      const created = await services.accounts.createStore({ name, slug: `test-${counter}-${Date.now().toString(36)}`, ...options });
      const ownerEmail = `owner${counter}@example.com`;
      const ownerPassword = 'correct horse battery';
      await services.accounts.addUser(created.id, { email: ownerEmail, password: ownerPassword, role: 'owner' });
      const secret = await services.accounts.createApiKey(created.id, 'secret', 'tests');
      const write = await services.accounts.createApiKey(created.id, 'write', 'tests');
      const server = await services.accounts.createApiKey(created.id, 'server', 'tests');
      return { storeId: created.id, secretKey: secret.key, writeKey: write.key, serverKey: server.key, ownerEmail, ownerPassword };
    },
    signIn: async (email, password) => {
      const response = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password } });
      if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
      const cookie = response.cookies.find((c) => c.name === 'hearth_session');
      return { cookie: `hearth_session=${cookie?.value}`, csrf: response.json().csrf_token as string };
    },
    close: async () => {
      await app.close();
      await services.shutdown();
      await store.dispose();
    },
  };
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

export function errorOf(response: LightMyRequestResponse): { code: string; message: string; details: { path: string; reason: string }[] } {
  return response.json().error;
}
