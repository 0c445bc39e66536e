/**
 * The domain events of a commerce write, recorded in its transaction from the merge's resolved
 * tables (`commerce.merge.ts`) — one event per committed change, none for what stayed the same:
 * customer.created / updated / consent_changed, order.placed / updated / cancelled / refunded,
 * return.created. Run after every merge statement; skipped when the tables they read have no new
 * or changed rows. Payloads are documented in `docs/events.md`.
 */
import { changedFields, insertDomainEvents, isoTime, jsonPayload } from '../domain-events/index.js';
import { mergeVariables, type Step } from './commerce.merge.js';
import { customerFields } from './commerce.staging.js';

const STORE = `getvariable('${mergeVariables.store}')`;
const CLOCK = `getvariable('${mergeVariables.clock}')`;
const SOURCE = `getvariable('${mergeVariables.source}')`;

export const row = (entityId: string, customerId: string, data: Record<string, string>) => ({
  storeId: STORE, entityId, customerId, data: jsonPayload(data), occurredAt: CLOCK,
});

export function customerEventSteps(): Step[] {
  return [
    {
      needs: { table: 'm_customers', rows: 'new' },
      sql: insertDomainEvents('customer.created', 'customer', row('id', 'id', {
        external_id: 'external_id', email: 'n_email', accepts_marketing: 'coalesce(n_accepts_marketing, false)',
      }), 'select * from m_customers where existing_id is null'),
    },
    {
      needs: { table: 'm_customers', rows: 'changed' },
      sql: insertDomainEvents('customer.updated', 'customer', row('id', 'id', {
        external_id: 'external_id', changed: changedFields([...customerFields, 'created_at']),
      }), 'select * from m_customers where changed'),
    },
    {
      needs: { table: 'm_customers', rows: 'changed' },
      sql: insertDomainEvents('customer.consent_changed', 'customer', row('id', 'id', {
        external_id: 'external_id', accepts_marketing: 'n_accepts_marketing', previous: 'old_accepts_marketing',
        email: 'n_email_consent', previous_email: 'old_email_consent', sms: 'n_sms_consent', previous_sms: 'old_sms_consent',
      }), `select * from m_customers where changed and (n_accepts_marketing is distinct from old_accepts_marketing
        or n_email_consent is distinct from old_email_consent or n_sms_consent is distinct from old_sms_consent)`),
    },
  ];
}

const cancelled = `n_status = 'cancelled' and old_status is distinct from 'cancelled'`;

export function orderEventSteps(hasReturns: boolean): Step[] {
  const steps: Step[] = [
    {
      needs: { table: 'f_orders', rows: 'new' },
      sql: insertDomainEvents('order.placed', 'order', row('id', 'customer_id', {
        external_id: 'external_id', placed_at: isoTime('placed_at'), status: 'n_status', currency: 'currency', total: 'total', source: SOURCE,
      }), 'select * from f_orders where existing_id is null'),
    },
    {
      needs: { table: 'f_orders', rows: 'changed' },
      sql: insertDomainEvents('order.cancelled', 'order', row('id', 'customer_id', { external_id: 'external_id', previous_status: 'old_status' }),
        `select * from f_orders where changed and ${cancelled}`),
    },
    {
      needs: { table: 'f_orders', rows: 'changed' },
      sql: insertDomainEvents('order.updated', 'order', row('id', 'customer_id', { external_id: 'external_id', status: 'n_status', previous_status: 'old_status' }),
        `select * from f_orders where changed and not (${cancelled})`),
    },
  ];
  // One order.refunded per order whose refunds moved: by a new or changed return of the batch, or by
  // a stored return that came before its order and is attached now. With the order as it now is.
  const refundedOrders = hasReturns
    ? 'select order_id from f_returns where existing_id is null or changed union select order_id from m_attached'
    : 'select order_id from m_attached';
  const refunded: Step = {
    ...(hasReturns ? {} : { needs: { table: 'm_attached', rows: 'new' as const } }),
    sql: insertDomainEvents('order.refunded', 'order', row('id', 'customer_id', {
      external_id: 'external_id', status: 'status', refunded: 'refunded', total: 'total', currency: 'currency',
    }), `select o.id, o.customer_id, o.external_id, o.status, o.total, o.currency, rf.refunded from m_refunds rf join orders o on o.store_id = ${STORE} and o.id = rf.order_id
         where rf.order_id in (${refundedOrders})`),
  };
  if (!hasReturns) return [...steps, refunded];
  return [
    ...steps,
    {
      needs: { table: 'f_returns', rows: 'new' },
      sql: insertDomainEvents('return.created', 'return', row('id', 'customer_id', {
        external_id: 'external_id', order_external_id: 'order_external_id', amount: 'amount', currency: 'currency', reason: 'reason',
      }), 'select * from f_returns where existing_id is null'),
    },
    refunded,
  ];
}

/**
 * The events of a write that took the short way (`commerce.direct.ts`): it only adds customers and
 * orders. Named parameters: $store, $clock, $source, $customers and $orders (lists of new row ids).
 */
export const directEventsSql = {
  customers: insertDomainEvents('customer.created', 'customer', {
    storeId: '$store', entityId: 'id', customerId: 'id', occurredAt: '$clock',
    data: jsonPayload({ external_id: 'external_id', email: 'email', accepts_marketing: 'coalesce(accepts_marketing, false)' }),
  }, 'select * from customers where store_id = $store and id in (select unnest($customers::bigint[]))'),
  orders: insertDomainEvents('order.placed', 'order', {
    storeId: '$store', entityId: 'id', customerId: 'customer_id', occurredAt: '$clock',
    data: jsonPayload({ external_id: 'external_id', placed_at: isoTime('placed_at'), status: 'status', currency: 'currency', total: 'total', source: '$source' }),
  }, 'select * from orders where store_id = $store and id in (select unnest($orders::bigint[]))'),
};
