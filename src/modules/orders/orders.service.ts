import type { Db } from '../../db/database.js';
import { notFound } from '../../lib/errors.js';
import { decodeCursor, parseEntityRef, toPage, type Page } from './page-cursor.js';
import * as repo from './orders.repository.js';
import { findFulfillment, fulfillmentsOf } from './lifecycle.repository.js';
import type { OrderStatus } from './orders.table.js';

export interface OrderListQuery {
  limit: number;
  cursor?: string | undefined;
  customer_id?: number | undefined;
  status?: OrderStatus | undefined;
  placed_after?: Date | undefined;
  placed_before?: Date | undefined;
}

export interface ReturnListQuery {
  limit: number;
  cursor?: string | undefined;
  order_id?: number | undefined;
  customer_id?: number | undefined;
  returned_after?: Date | undefined;
  returned_before?: Date | undefined;
}

type LineView = Omit<Awaited<ReturnType<typeof repo.linesOf>>[number], 'order_id'>;
type FulfillmentRow = Awaited<ReturnType<typeof fulfillmentsOf>>[number];
export interface FulfillmentLineView { product_external_id: string | null; variant_external_id: string | null; sku: string | null; quantity: number }
export type FulfillmentView = Omit<FulfillmentRow, 'lines'> & { lines: FulfillmentLineView[] };
export type OrderView = repo.OrderRow & { lines?: LineView[]; fulfillments?: FulfillmentView[] };

const fulfillmentView = (row: FulfillmentRow): FulfillmentView => ({ ...row, lines: JSON.parse(row.lines) as FulfillmentLineView[] });
/** An order as stored, with its lines and what has been refunded of it: what a partial change starts from. */
export type StoredOrder = repo.OrderRow & { lines: LineView[]; refunds: Map<string, number> };

/** Reading orders and returns; writes go through the commerce writer (`services.commerce`). */
export class OrdersService {
  constructor(private readonly read: Db) {}

  async list(storeId: string, query: OrderListQuery): Promise<Page<OrderView>> {
    const key = decodeCursor(query.cursor, ['string', 'number']);
    const rows = await repo.listOrders(this.read, storeId, {
      customerId: query.customer_id, status: query.status, placedAfter: query.placed_after, placedBefore: query.placed_before,
      before: key ? { placedAt: new Date(key[0] as string), id: key[1] as number } : undefined,
    }, query.limit + 1);
    return toPage(rows, query.limit, (row) => [row.placed_at.toISOString(), row.id]);
  }

  /** One order with its lines, by internal id or `ext:<external id>`. */
  async get(storeId: string, ref: string): Promise<OrderView> {
    const parsed = parseEntityRef(ref);
    const order = parsed ? await repo.findOrder(this.read, storeId, parsed) : undefined;
    if (!order) throw notFound(`Order "${ref}"`);
    const lines = (await repo.linesOf(this.read, storeId, [order.id])).map(({ order_id: _o, ...line }) => line);
    const fulfillments = (await fulfillmentsOf(this.read, storeId, [order.id])).map(fulfillmentView);
    return { ...order, lines, fulfillments };
  }

  /** One fulfilment by its external id. */
  async getFulfillment(storeId: string, externalId: string): Promise<FulfillmentView> {
    const row = await findFulfillment(this.read, storeId, externalId);
    if (!row) throw notFound(`Fulfillment "${externalId}"`);
    return fulfillmentView(row);
  }

  /** Stored orders by external id, with lines and refunds (those that exist). */
  async stored(storeId: string, externalIds: string[]): Promise<Map<string, StoredOrder>> {
    if (externalIds.length === 0) return new Map();
    const orders = await repo.findOrders(this.read, storeId, [...new Set(externalIds)]);
    if (orders.length === 0) return new Map();
    const ids = orders.map((order) => order.id);
    const [lines, refunds] = await Promise.all([repo.linesOf(this.read, storeId, ids), repo.refundsOf(this.read, storeId, ids)]);
    return new Map(orders.map((order) => [order.external_id, {
      ...order,
      lines: lines.filter((line) => line.order_id === order.id).map(({ order_id: _o, ...line }) => line),
      refunds: refunds.get(order.id) ?? new Map<string, number>(),
    }]));
  }

  async listReturns(storeId: string, query: ReturnListQuery) {
    const key = decodeCursor(query.cursor, ['string', 'number']);
    const rows = await repo.listReturns(this.read, storeId, {
      orderId: query.order_id, customerId: query.customer_id, returnedAfter: query.returned_after, returnedBefore: query.returned_before,
      before: key ? { returnedAt: new Date(key[0] as string), id: key[1] as number } : undefined,
    }, query.limit + 1);
    const page = toPage(rows, query.limit, (row) => [row.returned_at.toISOString(), row.id]);
    return { data: await this.withReturnLines(storeId, page.data), next_cursor: page.next_cursor };
  }

  /** One return with its lines, by internal id or `ext:<external id>`. */
  async getReturn(storeId: string, ref: string) {
    const parsed = parseEntityRef(ref);
    const row = parsed ? await repo.findReturn(this.read, storeId, parsed) : undefined;
    if (!row) throw notFound(`Return "${ref}"`);
    const [withLines] = await this.withReturnLines(storeId, [row]);
    return withLines!;
  }

  private async withReturnLines(storeId: string, returns: repo.ReturnRow[]) {
    const lines = returns.length ? await repo.returnLinesOf(this.read, storeId, returns.map((r) => r.id)) : [];
    return returns.map((r) => ({ ...r, lines: lines.filter((l) => l.return_id === r.id).map(({ return_id: _r, ...l }) => l) }));
  }
}
