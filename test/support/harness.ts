/** A support test store: the real app over a real DuckDB file, customers written through the commerce writer. */
import type { LightMyRequestResponse } from 'fastify';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';

export interface SupportHarness {
  t: TestApp;
  storeId: string;
  secretKey: string;
  request: (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => Promise<LightMyRequestResponse>;
  /** The store's helpdesk webhook path (token included). */
  webhookPath: (provider: 'zendesk' | 'gorgias') => Promise<string>;
  post: (path: string, body: string, headers?: Record<string, string>) => Promise<LightMyRequestResponse>;
  domainEvents: (type: string) => Promise<{ customer_id: number | null; data: Record<string, unknown> }[]>;
}

export async function supportHarness(name = 'Wag & Bone'): Promise<SupportHarness> {
  const t = await createTestApp();
  const store = await t.newStore(name, { currency: 'EUR' });
  const request: SupportHarness['request'] = (method, url, payload) => t.app.inject({ method, url, headers: bearer(store.secretKey), ...(payload !== undefined && { payload: payload as object }) });
  return {
    t, storeId: store.storeId, secretKey: store.secretKey, request,
    webhookPath: async (provider) => {
      const settings = (await request('GET', '/api/v1/support/settings')).json() as { webhook_urls: Record<string, string> };
      return new URL(settings.webhook_urls[provider]!).pathname;
    },
    post: (path, body, headers = {}) => t.app.inject({ method: 'POST', url: path, payload: body, headers: { 'content-type': 'application/json', ...headers } }),
    domainEvents: async (type) => {
      const rows = await t.services.storage.read.selectFrom('domain_events').select(['customer_id', 'data']).where('store_id', '=', store.storeId).where('type', '=', type).orderBy('id').execute();
      return rows.map((r) => ({ customer_id: r.customer_id === null ? null : Number(r.customer_id), data: JSON.parse(r.data) as Record<string, unknown> }));
    },
  };
}
