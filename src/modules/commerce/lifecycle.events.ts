/**
 * The domain events of fulfilments and checkouts, recorded in the write's transaction from the
 * merge's tables (`lifecycle.merge.ts`), one per change: order.fulfilled / shipped / delivered once
 * a fulfilment and its order are both known (a fulfilment that came first records them when its
 * order arrives), checkout.started / updated / completed. Payloads: `docs/events.md`.
 */
import { insertDomainEvents, isoTime } from '../domain-events/index.js';
import { mergeVariables, type Step } from './commerce.merge.js';
import { row } from './commerce.events.js';

const STORE = `getvariable('${mergeVariables.store}')`;

export interface LifecycleParts {
  /** Orders were merged: attached fulfilments may record events. */
  orders: boolean;
  /** Orders named checkout ids: completed checkouts record events. */
  refs: boolean;
  fulfillments: boolean;
  checkouts: boolean;
}

const fulfillmentPayload = {
  external_id: 'order_external_id', fulfillment_id: 'fulfillment_id', status: 'status', shipment_status: 'shipment_status',
  carrier: 'carrier', tracking_number: 'tracking_number', tracking_url: 'tracking_url',
  shipped_at: isoTime('shipped_at'), delivered_at: isoTime('delivered_at'),
};

const checkoutPayload = {
  external_id: 'external_id', status: 'status', currency: 'currency', value: 'value', recovery_url: 'recovery_url',
  anonymous_id: 'anonymous_id', order_external_id: 'order_external_id',
};

/** The stored checkouts with these ids, as their events describe them. */
const checkoutsView = (ids: string) => `select c.id, c.customer_id, c.external_id, c.currency, c.value, c.recovery_url, c.anonymous_id,
    case when c.completed_at is not null then 'completed' when c.deleted_at is not null then 'deleted' else 'open' end as status,
    o.external_id as order_external_id
  from checkouts c left join orders o on o.store_id = ${STORE} and o.id = c.order_id
  where c.store_id = ${STORE} and c.id in (${ids})`;

export function lifecycleEventSteps(parts: LifecycleParts): Step[] {
  const steps: Step[] = [];
  // Which fulfilments became known with their order, shipped or delivered in this write.
  const sources: string[] = [];
  if (parts.orders) {
    sources.push(`select a.id, true as known, f.shipped_at is not null as shipped, f.delivered_at is not null as delivered
      from m_attached_fulfillments a join fulfillments f on f.store_id = ${STORE} and f.id = a.id`);
  }
  if (parts.fulfillments) {
    sources.push(`select id, existing_id is null or old_order_id is null as known,
        n_shipped_at is not null and (old_shipped_at is null or old_order_id is null) as shipped,
        n_delivered_at is not null and (old_delivered_at is null or old_order_id is null) as delivered
      from m_fulfillments where n_order_id is not null`);
  }
  if (sources.length > 0) {
    // One row per fulfilment: one attached and re-sent in the same write is named by both sources.
    steps.push({ sql: `create or replace temp table m_fulfillment_events as
      select id, bool_or(known) as known, bool_or(shipped) as shipped, bool_or(delivered) as delivered
      from (${sources.join(' union all ')}) group by id` });
    const view = (flag: string) => `select o.id as order_id, o.customer_id, o.external_id as order_external_id, f.external_id as fulfillment_id,
        f.status, f.shipment_status, f.carrier, f.tracking_number, f.tracking_url, f.shipped_at, f.delivered_at
      from m_fulfillment_events e join fulfillments f on f.store_id = ${STORE} and f.id = e.id
      join orders o on o.store_id = ${STORE} and o.id = f.order_id where e.${flag}`;
    for (const [type, flag] of [['order.fulfilled', 'known'], ['order.shipped', 'shipped'], ['order.delivered', 'delivered']] as const) {
      steps.push({ sql: insertDomainEvents(type, 'order', row('order_id', 'customer_id', fulfillmentPayload), view(flag)) });
    }
  }
  if (parts.refs) {
    steps.push({
      needs: { table: 'm_completed_checkouts', rows: 'new' },
      sql: insertDomainEvents('checkout.completed', 'checkout', row('id', 'customer_id', checkoutPayload),
        checkoutsView('select id from m_completed_checkouts where newly')),
    });
  }
  if (parts.checkouts) {
    steps.push(
      {
        needs: { table: 'm_checkouts', rows: 'new' },
        sql: insertDomainEvents('checkout.started', 'checkout', row('id', 'customer_id', checkoutPayload),
          checkoutsView('select id from m_checkouts where existing_id is null')),
      },
      {
        needs: { table: 'm_checkouts', rows: 'changed' },
        sql: insertDomainEvents('checkout.updated', 'checkout', row('id', 'customer_id', checkoutPayload),
          checkoutsView('select id from m_checkouts where changed and (n_completed_at is null or old_completed_at is not null)')),
      },
      {
        needs: { table: 'm_checkouts', rows: 'new_or_changed' },
        sql: insertDomainEvents('checkout.completed', 'checkout', row('id', 'customer_id', checkoutPayload),
          checkoutsView('select id from m_checkouts where n_completed_at is not null and old_completed_at is null')),
      },
    );
  }
  return steps;
}
