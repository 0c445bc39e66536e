/**
 * An offers test store: the real app over a real DuckDB file, orders written through the commerce
 * writer and matched to codes by the `offers` subscriber, fed by a dispatcher.
 */
import { silentLogger } from '../../src/lib/logger.js';
import type { CommerceBatch, OrderInput } from '../../src/modules/commerce/commerce.input.js';
import { Dispatcher } from '../../src/modules/domain-events/index.js';
import { offersSubscriber, type OfferInput } from '../../src/modules/offers/index.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';

export const DAY = 86_400_000;

export interface OffersHarness {
  t: TestApp;
  storeId: string;
  secretKey: string;
  /** Writes through the commerce writer, then waits until the offers subscriber has handled it. */
  write: (batch: CommerceBatch) => Promise<void>;
  /** Customers c1 … cN, created through the writer; returns their ids in order. */
  customers: (count: number, prefix?: string) => Promise<number[]>;
  createOffer: (input: Partial<OfferInput>) => Promise<{ id: string }>;
  close: () => Promise<void>;
}

export function anOrder(externalId: string, customer: string, options: { euros?: number; discount?: number; codes?: string[]; at?: Date; status?: OrderInput['status'] } = {}): OrderInput {
  const euros = options.euros ?? 50;
  return {
    external_id: externalId, customer_external_id: customer, placed_at: options.at ?? new Date(), currency: 'EUR',
    lines: [{ product_external_id: 'bowl', quantity: 1, unit_price: Math.round(euros * 100) }],
    ...(options.discount !== undefined && { discount: options.discount }), ...(options.codes && { discount_codes: options.codes }),
    ...(options.status && { status: options.status }),
  };
}

export async function offersHarness(): Promise<OffersHarness> {
  const t = await createTestApp();
  const store = await t.newStore('Wag & Bone', { currency: 'EUR' });
  const dispatcher = new Dispatcher(t.services.storage, silentLogger, { pollMs: 20 }).subscribe({ ...offersSubscriber(t.services.offers), from: 'start' });
  await dispatcher.start();
  const write = async (batch: CommerceBatch) => {
    await t.services.commerce.write(store.storeId, batch);
    await dispatcher.idle(60_000);
  };
  return {
    t, storeId: store.storeId, secretKey: store.secretKey, write,
    customers: async (count, prefix = 'c') => {
      const ids = Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
      await write({ customers: ids.map((external_id) => ({ external_id, email: `${external_id}@example.com` })) });
      const found = await Promise.all(ids.map((id) => t.services.customers.get(store.storeId, `ext:${id}`)));
      return found.map((c) => c.id);
    },
    createOffer: async (input) => {
      const response = await t.app.inject({
        method: 'POST', url: '/api/v1/offers', headers: bearer(store.secretKey),
        payload: { name: 'Ten off', value_kind: 'fixed', value: 1000, valid_days: 30, pattern: 'WB-????-????', ...input },
      });
      if (response.statusCode !== 201) throw new Error(`offer not created: ${response.statusCode} ${response.body}`);
      return response.json() as { id: string };
    },
    close: async () => {
      await dispatcher.stop();
      await t.close();
    },
  };
}
