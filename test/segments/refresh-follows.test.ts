/**
 * Segments follow only the changes their rules can read. An unsubscribe reaches a segment of
 * subscribed customers (consent keeps `accepts_marketing` in step) but not a segment by country,
 * nor the built-in order segments: with only those, it queues no refresh. An order still refreshes
 * every data-driven segment. Through the real writer, dispatcher (every module's subscribers) and
 * job worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerJobs } from '../../src/jobs/handlers.js';
import { Worker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/lib/logger.js';
import { modules } from '../../src/modules.js';
import { Dispatcher } from '../../src/modules/domain-events/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let dispatcher: Dispatcher;
let storeId: string;

beforeAll(async () => {
  t = await createTestApp();
  storeId = (await t.newStore('Follows')).storeId;
  dispatcher = new Dispatcher(t.services.storage, silentLogger, { pollMs: 20 });
  for (const module of modules) for (const subscriber of module.subscribers?.(t.services) ?? []) dispatcher.subscribe(subscriber);
  await dispatcher.start();
});
afterAll(async () => {
  await dispatcher.stop();
  await t.close();
});

/** Lets every subscriber see what was written, then runs the jobs that queued. */
async function settle(): Promise<void> {
  await dispatcher.idle();
  const worker = new Worker(t.services.jobs, silentLogger);
  registerJobs(worker, t.services);
  while (await worker.tick()) { /* run every due job */ }
}

/** The store's refreshes after changes (not the scheduled refresh of the clock-driven built-ins). */
const refreshesAfterChanges = async () => (await t.services.storage.read.selectFrom('jobs').select('id').where('store_id', '=', storeId)
  .where('kind', '=', 'segments.refresh').where('payload', 'like', '%on_change%').execute()).length;

const customer = (externalId: string, fields: Record<string, unknown>) => t.services.commerce.writeOne(storeId, 'customers', { external_id: externalId, ...fields } as never);

describe('segment refreshes follow the changes their rules read', () => {
  it('an unsubscribe queues no refresh when no segment reads consent, and refreshes the one that does', async () => {
    await customer('ann', { email: 'ann@example.com', country: 'GB', accepts_marketing: true });
    await customer('bob', { email: 'bob@example.com', country: 'FR', accepts_marketing: true });
    const uk = await t.services.segments.create(storeId, { name: 'UK', rule: { kind: 'profile', field: 'country', op: 'eq', value: 'GB' } });
    await settle();
    const before = await refreshesAfterChanges();
    expect(before).toBeGreaterThan(0);
    const ukRefreshed = (await t.services.segments.get(storeId, uk.id)).refreshed_at;

    await customer('ann', { email_consent: { status: 'unsubscribed', source: 'unsubscribe' } });
    await settle();
    expect(await refreshesAfterChanges()).toBe(before);
    expect((await t.services.segments.get(storeId, uk.id)).refreshed_at).toEqual(ukRefreshed);

    const subscribed = await t.services.segments.create(storeId, { name: 'Subscribed', rule: { kind: 'profile', field: 'accepts_marketing', op: 'eq', value: true } });
    expect(subscribed.member_count).toBe(1);
    await customer('bob', { email_consent: { status: 'unsubscribed', source: 'unsubscribe' } });
    await settle();
    expect(await refreshesAfterChanges()).toBe(before + 1);
    const after = await t.services.segments.get(storeId, subscribed.id);
    expect(after.member_count).toBe(0);
    expect((await t.services.segments.changes(storeId, subscribed.id)).data.map((row) => row.change)).toEqual(['entered', 'exited']);
  });

  it('a profile edit refreshes when a rule reads the field it changed', async () => {
    let before = await refreshesAfterChanges();
    await customer('bob', { city: 'Lyon' });
    await settle();
    expect(await refreshesAfterChanges()).toBe(before);
    before = await refreshesAfterChanges();
    await customer('bob', { country: 'GB' });
    await settle();
    expect(await refreshesAfterChanges()).toBe(before + 1);
    const uk = (await t.services.segments.list(storeId)).find((segment) => segment.name === 'UK')!;
    expect(uk.member_count).toBe(2);
  });

  it('an order refreshes every data-driven segment', async () => {
    const before = await refreshesAfterChanges();
    await t.services.commerce.writeOne(storeId, 'orders', {
      external_id: 'o-1', customer_external_id: 'bob', placed_at: new Date(), currency: 'GBP', total: 2_500, lines: [],
    } as never);
    await settle();
    expect(await refreshesAfterChanges()).toBe(before + 1);
  });
});
