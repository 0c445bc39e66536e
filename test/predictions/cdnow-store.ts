/**
 * Loads the raw CDNOW purchase lines into a test store's orders table the way the CDNOW import
 * does: one customer per CDNOW id, one order per purchase line, totals in cents — or, with
 * `money`, in another currency's minor units at a given number of minor units per dollar.
 */
import { sql } from 'kysely';
import type { Storage } from '../../src/db/database.js';
import { readCdnowPurchases } from './cdnow.js';

// DuckDB cannot bind an empty JS array (its element type is unknown), so the empty list is SQL.
const noCodes = sql<string[]>`[]::varchar[]`;

export async function loadCdnowOrders(storage: Storage, storeId: string, money: { currency: string; minorPerDollar: number } = { currency: 'USD', minorPerDollar: 100 }): Promise<number> {
  const purchases = readCdnowPurchases();
  const now = new Date('2026-01-01T00:00:00Z');
  const rows = purchases.map((p, i) => ({
    store_id: storeId, id: i + 1, external_id: `cdnow-${i + 1}`, customer_id: p.customer,
    placed_at: new Date(`${p.date}T00:00:00Z`), currency: money.currency, subtotal: Math.round(p.dollars * money.minorPerDollar),
    discount: 0, shipping: 0, tax: 0, total: Math.round(p.dollars * money.minorPerDollar), discount_codes: noCodes, channel: null, status: 'paid' as const, source: 'import:cdnow', created_at: now, updated_at: now,
  }));
  for (let i = 0; i < rows.length; i += 1000) await storage.write.insertInto('orders').values(rows.slice(i, i + 1000)).execute();
  return rows.length;
}
