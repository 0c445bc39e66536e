/**
 * A backfill across a crash: `hearth loyalty backfill` runs on a store of 400 past orders in
 * chunks of 5 and is killed with SIGKILL once its first chunk has committed. Run again, it
 * finishes; the ledger (rows, allocations, tiers) is then exactly the one an uninterrupted run
 * wrote on an identical copy of the store, and a third run writes nothing.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Storage } from '../../src/db/database.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { CommerceBatch } from '../../src/modules/commerce/commerce.input.js';
import { createServices } from '../../src/services.js';
import { runHearth, startHearth, waitForExit } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';
import { DAY, settingsWith } from './harness.js';

const dir = tempDir('hearth-sigkill-backfill-');
const killed = join(dir.path, 'killed');
const straight = join(dir.path, 'straight');
afterAll(() => dir.remove());

const ORDERS = 400;
const CHUNK = 5;
const settings = settingsWith({
  earning: { points_per_currency_unit: 1, points_per_order: 10 }, pending: { days: 14, from: 'delivery' },
  tiers: { basis: 'points_earned', levels: [{ name: 'Silver', threshold: 400, multiplier: 1.5 }, { name: 'Gold', threshold: 1200, multiplier: 2 }] },
});

/** Forty customers' orders over two years: every third delivered, every seventh refunded in part, every eleventh cancelled. */
function pastOrders(): CommerceBatch {
  const now = Date.now();
  const orders = Array.from({ length: ORDERS }, (_, i) => ({
    external_id: `o${i}`, customer_external_id: `c${i % 40}`, placed_at: new Date(now - (730 - i * 1.8) * DAY), currency: 'EUR',
    status: i % 11 === 0 ? 'cancelled' as const : 'paid' as const, lines: [{ product_external_id: 'p', quantity: 1, unit_price: 1000 + ((i * 379) % 9000) }],
  }));
  return {
    customers: Array.from({ length: 40 }, (_, i) => ({ external_id: `c${i}`, email: `c${i}@example.com` })),
    orders,
    fulfillments: orders.filter((_, i) => i % 3 === 0).map((o) => ({ external_id: `f-${o.external_id}`, order_external_id: o.external_id, delivered_at: new Date(o.placed_at.getTime() + 3 * DAY) })),
    returns: orders.filter((_, i) => i % 7 === 0).map((o) => ({ external_id: `r-${o.external_id}`, order_external_id: o.external_id, returned_at: new Date(o.placed_at.getTime() + 5 * DAY), currency: 'EUR', amount: 700 })),
  };
}

beforeAll(async () => {
  const storage = await Storage.open({ dataDir: killed, readers: 1, memoryLimit: '512MB', threads: 2 });
  await storage.migrate();
  const services = createServices(loadConfig({ HEARTH_DATA_DIR: killed, HEARTH_LOG_LEVEL: 'silent' }), storage, silentLogger);
  const { id } = await services.accounts.createStore({ name: 'Pets', slug: 'pets', currency: 'EUR' });
  await services.commerce.write(id, pastOrders());
  await services.loyalty.saveSettings(id, settings, 'test');
  await services.shutdown();
  await storage.close();
  cpSync(killed, straight, { recursive: true });
}, 120_000);

/** The store's ledger by key (ids left out: a killed transaction may have used sequence numbers), its allocations by key, its tier changes. */
async function ledgerOf(dataDir: string): Promise<{ entries: unknown[]; allocations: string[]; tiers: string[] }> {
  const storage = await Storage.open({ dataDir, readers: 1, memoryLimit: '512MB', threads: 2 });
  try {
    const { rows: entries } = await sql<{ id: number; idempotency_key: string }>`select id, customer_id, kind, points, state, available_at, expires_at, source, order_id, reason, idempotency_key, created_at
      from loyalty_entries order by idempotency_key`.execute(storage.read);
    const keyOf = new Map(entries.map((e) => [Number(e.id), e.idempotency_key]));
    const { rows: allocations } = await sql<{ entry_id: number; award_id: number; points: number }>`select entry_id, award_id, points from loyalty_allocations`.execute(storage.read);
    const { rows: tiers } = await sql<{ customer_id: number; tier: string | null; previous_tier: string | null; figure: number }>`select customer_id, tier, previous_tier, figure from loyalty_tier_changes order by customer_id, changed_at`.execute(storage.read);
    return {
      entries: entries.map(({ id: _id, ...rest }) => ({ ...rest })),
      allocations: allocations.map((a) => `${keyOf.get(Number(a.entry_id))} ← ${keyOf.get(Number(a.award_id))}: ${Number(a.points)}`).sort(),
      tiers: tiers.map((t) => `${Number(t.customer_id)}: ${t.previous_tier} → ${t.tier} at ${Number(t.figure)}`),
    };
  } finally {
    await storage.close();
  }
}

describe('a backfill across SIGKILL', () => {
  it('resumes after the kill and ends with the ledger of an uninterrupted run', async () => {
    const first = await startHearth(['loyalty', 'backfill', '--data-dir', killed, '--chunk-size', String(CHUNK)], /chunk 1 of (\d+) committed/, {}, 120_000);
    first.child.kill('SIGKILL');
    await waitForExit(first.child);
    const chunks = Number(first.match[1]);
    expect(chunks).toBe(Math.ceil(ORDERS / CHUNK));
    const atKill = await ledgerOf(killed);
    // Killed midway: the first chunk's awards are there, most are not.
    expect(atKill.entries.length).toBeGreaterThanOrEqual(CHUNK - 1);
    expect(atKill.entries.length).toBeLessThan(ORDERS / 2);

    const rest = await runHearth(['loyalty', 'backfill', '--data-dir', killed, '--chunk-size', String(CHUNK), '--json'], {}, 120_000);
    expect(rest.stderr).toBe('');
    expect(rest.code).toBe(0);
    const whole = await runHearth(['loyalty', 'backfill', '--data-dir', straight, '--chunk-size', String(CHUNK), '--json'], {}, 120_000);
    expect(whole.code).toBe(0);
    const resumed = JSON.parse(rest.stdout) as { orders: number; voided: number };
    const uninterrupted = JSON.parse(whole.stdout) as { orders: number; voided: number; refunds: number; tier_changes: number };
    // Every paid order was awarded once, across the two runs.
    expect(uninterrupted.orders + uninterrupted.voided).toBe(ORDERS);
    expect(resumed.orders + resumed.voided).toBe(ORDERS - atKill.entries.filter((e) => (e as { kind: string }).kind === 'earn').length);
    expect(uninterrupted.refunds).toBeGreaterThan(0);
    expect(uninterrupted.tier_changes).toBeGreaterThan(0);

    const after = await ledgerOf(killed);
    expect(after).toEqual(await ledgerOf(straight));

    const again = await runHearth(['loyalty', 'backfill', '--data-dir', killed, '--chunk-size', String(CHUNK)], {}, 120_000);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Awarded 0 past orders: 0 points.');
    expect(await ledgerOf(killed)).toEqual(after);
  }, 300_000);

  it('exits 2 naming a bad argument', async () => {
    const since = await runHearth(['loyalty', 'backfill', '--data-dir', straight, '--since', '2024-13-01']);
    expect(since).toMatchObject({ code: 2, stderr: expect.stringContaining('--since') as unknown });
    const chunk = await runHearth(['loyalty', 'backfill', '--data-dir', straight, '--chunk-size', 'many']);
    expect(chunk).toMatchObject({ code: 2, stderr: expect.stringContaining('--chunk-size') as unknown });
  }, 60_000);
});
