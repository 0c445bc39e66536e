import type { Db } from '../../db/database.js';
import { decodeCursor, toPage, type Page } from './page-cursor.js';
import { listCheckouts, type CheckoutRow, type CheckoutState } from './lifecycle.repository.js';

/** An open checkout with no change for this long counts as abandoned, unless a list says otherwise. */
export const DEFAULT_IDLE_MINUTES = 60;

export interface CheckoutListQuery {
  limit: number;
  cursor?: string | undefined;
  status?: CheckoutState | undefined;
  /** Minutes without a change after which an open checkout is abandoned. */
  idle_minutes?: number | undefined;
  customer_id?: number | undefined;
}

export interface CheckoutItemView {
  product_external_id: string | null;
  variant_external_id: string | null;
  sku: string | null;
  title: string | null;
  quantity: number;
  unit_price: number;
}

export type CheckoutView = Omit<CheckoutRow, 'items'> & { status: CheckoutState; items: CheckoutItemView[] };

/**
 * Reading checkouts: open ones, completed ones (an order named them), deleted ones, and abandoned
 * ones — open with no change for a while — which is what abandoned-cart flows start from.
 */
export class CheckoutsService {
  constructor(private readonly read: Db) {}

  async list(storeId: string, query: CheckoutListQuery, now = new Date()): Promise<Page<CheckoutView>> {
    const key = decodeCursor(query.cursor, ['string', 'number']);
    const idleSince = new Date(now.getTime() - (query.idle_minutes ?? DEFAULT_IDLE_MINUTES) * 60_000);
    const rows = await listCheckouts(this.read, storeId, {
      state: query.status, idleSince, customerId: query.customer_id,
      before: key ? { updatedAt: new Date(key[0] as string), id: key[1] as number } : undefined,
    }, query.limit + 1);
    const page = toPage(rows, query.limit, (row) => [row.updated_at.toISOString(), row.id]);
    return { data: page.data.map((row) => view(row, idleSince)), next_cursor: page.next_cursor };
  }

  /** Checkouts started before `before`, still open and idle since: the candidates for an abandoned-cart message. */
  async abandoned(storeId: string, before: Date, limit = 1000): Promise<CheckoutView[]> {
    const rows = await listCheckouts(this.read, storeId, { state: 'abandoned', idleSince: before }, limit);
    return rows.map((row) => view(row, before));
  }
}

function view(row: CheckoutRow, idleSince: Date): CheckoutView {
  const status: CheckoutState = row.completed_at ? 'completed' : row.deleted_at ? 'deleted' : row.updated_at < idleSince ? 'abandoned' : 'open';
  return { ...row, status, items: JSON.parse(row.items) as CheckoutItemView[] };
}
