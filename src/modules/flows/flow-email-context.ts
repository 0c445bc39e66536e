/**
 * What a flow's email is about, from the run's trigger (docs/flows.md, "What an email knows"):
 * - an order placed or delivered: that order (with the signed link of its status page) and its
 *   fulfilment;
 * - a return: the returned order;
 * - a started checkout: the checkout, with its items and recovery link (no order yet);
 * - any other trigger: the customer's latest order, if they have one (a win-back or replenishment
 *   email speaks of it).
 * Loaded for a whole batch of emails, one query per kind.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { checkoutVariables, fulfillmentVariables, orderVariables, type MessageExtras } from '../messaging/index.js';

export interface EmailTrigger {
  kind: string;
  /** The trigger's row: an order for `order_placed` and `order_delivered`, a return, a checkout. */
  entityId: number | null;
}

export interface ContextRequest {
  sendKey: string;
  customerId: number;
  trigger?: EmailTrigger | undefined;
}

export type EmailContext = Pick<MessageExtras, 'order' | 'fulfillment' | 'checkout'>;

export async function emailContexts(
  db: Db, storeId: string, emails: readonly ContextRequest[], storeUrl: string | null,
  statusUrls: (orderIds: readonly number[]) => Promise<Map<number, string>>,
): Promise<Map<string, EmailContext>> {
  const orderOf = new Map<string, number>();
  const checkoutOf = new Map<string, number>();
  const returns: ContextRequest[] = [];
  const others: ContextRequest[] = [];
  for (const email of emails) {
    const { kind, entityId } = email.trigger ?? { kind: 'manual', entityId: null };
    if ((kind === 'order_placed' || kind === 'order_delivered') && entityId !== null) orderOf.set(email.sendKey, entityId);
    else if (kind === 'checkout_started' && entityId !== null) checkoutOf.set(email.sendKey, entityId);
    else if (kind === 'return_created' && entityId !== null) returns.push(email);
    else others.push(email);
  }
  if (returns.length > 0) {
    const rows = await db.selectFrom('returns').select(['id', 'order_id']).where('store_id', '=', storeId).where('id', 'in', returns.map((e) => e.trigger!.entityId!)).execute();
    const orders = new Map(rows.map((r) => [Number(r.id), r.order_id === null ? null : Number(r.order_id)]));
    for (const email of returns) {
      const order = orders.get(email.trigger!.entityId!);
      if (order != null) orderOf.set(email.sendKey, order);
    }
  }
  if (others.length > 0) {
    const { rows } = await sql<{ customer_id: number; order_id: number }>`select customer_id, arg_max(id, placed_at) as order_id from orders
      where store_id = ${storeId} and customer_id in (${sql.join([...new Set(others.map((e) => e.customerId))])}) and status <> 'cancelled' group by customer_id`.execute(db);
    const latest = new Map(rows.map((r) => [Number(r.customer_id), Number(r.order_id)]));
    for (const email of others) {
      const order = latest.get(email.customerId);
      if (order !== undefined) orderOf.set(email.sendKey, order);
    }
  }
  const orderIds = [...new Set(orderOf.values())];
  const [urls, fulfillments, checkouts] = await Promise.all([
    statusUrls(orderIds),
    fulfillmentVariables(db, storeId, orderIds, storeUrl),
    checkoutVariables(db, storeId, [...checkoutOf.values()], storeUrl),
  ]);
  const orders = await orderVariables(db, storeId, orderIds, storeUrl, urls);
  const contexts = new Map<string, EmailContext>();
  for (const email of emails) {
    const order = orderOf.get(email.sendKey);
    const checkout = checkoutOf.get(email.sendKey);
    contexts.set(email.sendKey, {
      order: order === undefined ? null : orders.get(order) ?? null,
      fulfillment: order === undefined ? null : fulfillments.get(order) ?? null,
      checkout: checkout === undefined ? null : checkouts.get(checkout) ?? null,
    });
  }
  return contexts;
}
