/**
 * Whether a domain event starts a flow: the trigger kinds over the catalogue's events. Order and
 * event triggers look at the order (its rank among the customer's orders, its products) or the
 * tracked event's properties in the store.
 */
import { sql } from 'kysely';
import type { DomainEvent } from '../domain-events/index.js';
import type { PropertyFilter, Trigger } from './flow.schema.js';
import type { FlowsDb } from './flows.table.js';

/** The domain event types some trigger listens to. */
export const triggerEventTypes = [
  'segment.entered', 'segment.exited', 'order.placed', 'event.received', 'checkout.started',
  'order.delivered', 'prediction.band_changed', 'loyalty.tier_changed', 'loyalty.points_expiring', 'loyalty.referral_ordered',
  'return.created', 'review.submitted', 'survey.answered',
] as const;

export async function triggerMatches(trigger: Trigger, event: DomainEvent, read: FlowsDb): Promise<boolean> {
  if (event.customerId === null) return false;
  switch (trigger.kind) {
    case 'segment_entered':
    case 'segment_exited': {
      const type = trigger.kind === 'segment_entered' ? 'segment.entered' : 'segment.exited';
      return event.type === type && (event.data as { segment_id: string }).segment_id === trigger.segment_id;
    }
    case 'order_placed':
      if (event.type !== 'order.placed' || event.entityId === null) return false;
      if (trigger.nth !== undefined && (await orderRank(read, event.storeId, event.customerId, event.entityId)) !== trigger.nth) return false;
      return trigger.product === undefined || (await orderContains(read, event.storeId, event.entityId, trigger.product));
    case 'event': {
      if (event.type !== 'event.received' || (event.data as { name: string | null }).name !== trigger.name) return false;
      if (!trigger.where?.length) return true;
      if (event.entityId === null) return false;
      const row = await read.selectFrom('events').select('properties').where('store_id', '=', event.storeId).where('id', '=', event.entityId).executeTakeFirst();
      if (!row) return false;
      const properties = JSON.parse(row.properties || '{}') as Record<string, unknown>;
      return trigger.where.every((filter) => propertyMatches(properties[filter.property], filter));
    }
    case 'checkout_started': {
      if (event.type !== 'checkout.started') return false;
      const checkout = event.data as { value: number | null; status: string };
      return checkout.status === 'open' && (trigger.min_value === undefined || (checkout.value ?? 0) >= trigger.min_value);
    }
    case 'order_delivered':
      if (event.type !== 'order.delivered' || event.entityId === null) return false;
      return trigger.nth === undefined || (await deliveryRank(read, event.storeId, event.customerId, event.entityId)) === trigger.nth;
    case 'churn_risk_rose': {
      if (event.type !== 'prediction.band_changed') return false;
      const change = event.data as { to: string; direction: string };
      return change.direction === 'rose' && (trigger.to === undefined || change.to === trigger.to);
    }
    case 'loyalty_tier_changed':
      return event.type === 'loyalty.tier_changed' && (trigger.direction === undefined || (event.data as { direction: string }).direction === trigger.direction);
    case 'points_expiring':
      return event.type === 'loyalty.points_expiring';
    case 'referral_ordered':
      return event.type === 'loyalty.referral_ordered';
    case 'return_created':
      return event.type === 'return.created' && (trigger.min_amount === undefined || (event.data as { amount: number }).amount >= trigger.min_amount);
    case 'review_submitted': {
      if (event.type !== 'review.submitted') return false;
      const { rating } = event.data as { rating: number };
      return (trigger.max_rating === undefined || rating <= trigger.max_rating) && (trigger.min_rating === undefined || rating >= trigger.min_rating);
    }
    case 'survey_answered': {
      if (event.type !== 'survey.answered') return false;
      const answer = event.data as { kind: string; category: string };
      return (trigger.survey === undefined || answer.kind === trigger.survey) && (trigger.category === undefined || answer.category === trigger.category);
    }
    case 'browse_abandoned':
    case 'date':
    case 'manual':
      // A browse is abandoned only once its wait has passed: `browseView` starts the wait. Days come with the `flows.dates` job.
      return false;
  }
}

/** The tracked event a browse-abandonment trigger starts from, and those that end it. */
export const VIEW_EVENT = 'Product Viewed';
export const BROWSE_PROGRESS_EVENTS = ['Product Added', 'Checkout Started', 'Order Completed'] as const;

/** The view (its row in `events` and when it happened) when the event is a qualifying product view of an identified customer. */
export async function browseView(trigger: Extract<Trigger, { kind: 'browse_abandoned' }>, event: DomainEvent, read: FlowsDb): Promise<{ id: number; at: Date } | undefined> {
  const data = event.data as { type: string; name: string | null };
  if (event.type !== 'event.received' || data.type !== 'track' || data.name !== VIEW_EVENT || event.entityId === null || event.customerId === null) return undefined;
  const row = await read.selectFrom('events').select(['id', 'properties', 'occurred_at']).where('store_id', '=', event.storeId).where('id', '=', event.entityId).executeTakeFirst();
  if (!row) return undefined;
  if (trigger.product !== undefined) {
    const productId = (JSON.parse(row.properties || '{}') as Record<string, unknown>).product_id;
    if (productId === undefined || productId === null || String(productId) !== trigger.product) return undefined;
  }
  return { id: Number(row.id), at: row.occurred_at };
}

/** Whether the customer moved towards buying after `since`: a product added to a cart, a checkout or an order. */
export async function browsedOn(read: FlowsDb, storeId: string, customerId: number, since: Date): Promise<boolean> {
  const result = await sql`
    select 1 from events where store_id = ${storeId} and customer_id = ${customerId} and occurred_at > ${since}
      and name in (${sql.join([...BROWSE_PROGRESS_EVENTS])})
    union all select 1 from checkouts where store_id = ${storeId} and customer_id = ${customerId} and started_at > ${since}
    union all select 1 from orders where store_id = ${storeId} and customer_id = ${customerId} and placed_at > ${since}
    limit 1`.execute(read);
  return result.rows.length > 0;
}

/** 1 for the customer's first (not cancelled) order, n for the n-th. */
async function orderRank(read: FlowsDb, storeId: string, customerId: number, orderId: number): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(*) as n from orders o, (select placed_at, id from orders where store_id = ${storeId} and id = ${orderId}) t
    where o.store_id = ${storeId} and o.customer_id = ${customerId} and o.status <> 'cancelled'
      and (o.placed_at < t.placed_at or (o.placed_at = t.placed_at and o.id <= t.id))`.execute(read);
  return Number(result.rows[0]?.n ?? 0);
}

/** 1 for the customer's first order to be delivered, n for the n-th (orders ranked by their first delivery). */
async function deliveryRank(read: FlowsDb, storeId: string, customerId: number, orderId: number): Promise<number> {
  const result = await sql<{ n: number }>`
    with delivered as (
      select f.order_id, min(f.delivered_at) as first_delivered from fulfillments f join orders o on o.store_id = f.store_id and o.id = f.order_id
      where f.store_id = ${storeId} and o.customer_id = ${customerId} and f.delivered_at is not null group by f.order_id)
    select count(*) as n from delivered d, (select first_delivered from delivered where order_id = ${orderId}) t
    where d.first_delivered < t.first_delivered or (d.first_delivered = t.first_delivered and d.order_id <= ${orderId})`.execute(read);
  return Number(result.rows[0]?.n ?? 0);
}

async function orderContains(read: FlowsDb, storeId: string, orderId: number, productExternalId: string): Promise<boolean> {
  const result = await sql`
    select 1 from order_lines l join products p on p.store_id = l.store_id and p.id = l.product_id
    where l.store_id = ${storeId} and l.order_id = ${orderId} and p.external_id = ${productExternalId} limit 1`.execute(read);
  return result.rows.length > 0;
}

export function propertyMatches(actual: unknown, filter: PropertyFilter): boolean {
  const { op, value } = filter;
  if (op === 'eq') return actual === value || (typeof actual === 'number' && typeof value === 'string' && String(actual) === value);
  if (op === 'neq') return actual !== value;
  if (op === 'contains') return typeof actual === 'string' && actual.toLowerCase().includes(String(value).toLowerCase());
  const a = typeof actual === 'string' ? Number(actual) : actual;
  if (typeof a !== 'number' || Number.isNaN(a) || typeof value !== 'number') return false;
  return op === 'gt' ? a > value : op === 'gte' ? a >= value : op === 'lt' ? a < value : a <= value;
}
