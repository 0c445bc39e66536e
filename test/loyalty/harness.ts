/**
 * A loyalty test store: the real app over a real DuckDB file, with the loyalty subscriber fed by a
 * dispatcher, orders written through the commerce writer, and the programme's settings saved
 * through the API's service.
 */
import { silentLogger } from '../../src/lib/logger.js';
import type { CommerceBatch } from '../../src/modules/commerce/commerce.input.js';
import { Dispatcher } from '../../src/modules/domain-events/index.js';
import { defaultLoyaltySettings, loyaltySubscriber, type LoyaltySettings } from '../../src/modules/loyalty/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

export const DAY = 86_400_000;

export interface LoyaltyHarness {
  t: TestApp;
  storeId: string;
  secretKey: string;
  /** The store's public (browser) write key. */
  writeKey: string;
  /** Writes through the commerce writer, then waits until the loyalty subscriber has handled it. */
  write: (batch: CommerceBatch) => Promise<void>;
  customerId: (externalId: string) => Promise<number>;
  /** Waits until the loyalty subscriber has handled every event recorded so far (by any writer). */
  idle: () => Promise<void>;
  close: () => Promise<void>;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** The defaults with the programme on and the given changes (one level deep per section). */
export function settingsWith(changes: DeepPartial<LoyaltySettings> = {}): LoyaltySettings {
  const base = structuredClone(defaultLoyaltySettings);
  const merged = { ...base, enabled: true } as Record<string, unknown>;
  for (const [key, value] of Object.entries(changes)) {
    const current = (base as Record<string, unknown>)[key];
    merged[key] = value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' ? { ...current, ...value } : value;
  }
  return merged as LoyaltySettings;
}

export async function loyaltyHarness(settings: LoyaltySettings, options: { currency?: string; timezone?: string } = {}): Promise<LoyaltyHarness> {
  const t = await createTestApp();
  const store = await t.newStore('Loyal Pets', { currency: options.currency ?? 'EUR', ...(options.timezone && { timezone: options.timezone }) });
  await t.services.loyalty.saveSettings(store.storeId, settings, 'test');
  const dispatcher = new Dispatcher(t.services.storage, silentLogger, { pollMs: 20 }).subscribe({ ...loyaltySubscriber(t.services.loyalty), from: 'start' });
  await dispatcher.start();
  return {
    t,
    storeId: store.storeId,
    secretKey: store.secretKey,
    writeKey: store.writeKey,
    write: async (batch) => {
      await t.services.commerce.write(store.storeId, batch);
      await dispatcher.idle(60_000);
    },
    customerId: async (externalId) => (await t.services.customers.get(store.storeId, `ext:${externalId}`)).id,
    idle: () => dispatcher.idle(60_000),
    close: async () => {
      await dispatcher.stop();
      await t.close();
    },
  };
}
