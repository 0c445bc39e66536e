/**
 * The set-based merge of staged fulfilments and checkouts (`lifecycle.staging.ts`), and what an
 * arriving order does to them: it attaches the fulfilments that came before it and completes the
 * checkouts whose id or cart id it names. Runs after the orders' merge, in the same transaction, so
 * orders of the batch are in `orders` already. DuckDB SQL; parameters are the writer's session
 * variables (`commerce.merge.ts`), names are constants of this file.
 *
 * Rules, so replays and late deliveries change nothing: rows are matched by external id; a field
 * left out (null) keeps the stored value; a write older than the stored one (by the source's update
 * time) is skipped, except that a checkout's completion or deletion always applies; a fulfilment's
 * first shipped and delivered times are kept and a delivered shipment stays delivered; a completed
 * checkout stays completed.
 */
import { mergeVariables, type Step } from './commerce.merge.js';

const STORE = `getvariable('${mergeVariables.store}')`;
const NOW = `getvariable('${mergeVariables.now}')`;
const SOURCE = `getvariable('${mergeVariables.source}')`;

const onNew = (table: string, sql: string): Step => ({ sql, needs: { table, rows: 'new' } });
const onChanged = (table: string, sql: string): Step => ({ sql, needs: { table, rows: 'changed' } });
const always = (sql: string): Step => ({ sql });

/** Rows of `table` in this store whose external id the staged column names (one per id). */
function existing(table: string, staged: string, column = 'external_id'): string {
  return `(select * from ${table} where store_id = ${STORE} and external_id in (select ${column} from ${staged})
      qualify row_number() over (partition by external_id order by id) = 1)`;
}

/**
 * After the orders of the batch are merged (`f_orders`): fulfilments stored before their order are
 * attached; with `refs`, the checkout ids the orders name are remembered and their checkouts completed.
 */
export function orderArrivalStatements(refs: boolean): Step[] {
  const attach = [
    always(`create or replace temp table m_attached_fulfillments as
     select f.id, fo.id as order_id, null::bigint as existing_id, false as changed
     from fulfillments f join f_orders fo on fo.external_id = f.order_external_id
     where f.store_id = ${STORE} and f.order_id is null`),
    onNew('m_attached_fulfillments', `update fulfillments set order_id = a.order_id
     from m_attached_fulfillments a where fulfillments.store_id = ${STORE} and fulfillments.id = a.id`),
  ];
  if (!refs) return attach;
  return [
    ...attach,
    always(`create or replace temp table m_order_refs as
     select distinct r.ref, fo.id as order_id, fo.placed_at from s_order_refs r join f_orders fo on fo.ord = r.ord`),
    always(`insert into checkout_orders (store_id, ref, order_id, placed_at)
     select ${STORE}, ref, order_id, placed_at from m_order_refs m
     where not exists (select 1 from checkout_orders c where c.store_id = ${STORE} and c.ref = m.ref and c.order_id = m.order_id)`),
    // A checkout named by several orders is completed by the first placed.
    always(`create or replace temp table m_completed_checkouts as
     select c.id, arg_min(m.order_id, m.placed_at) as order_id, min(m.placed_at) as placed_at, c.completed_at is null as newly,
       null::bigint as existing_id, false as changed
     from checkouts c join m_order_refs m on m.ref = c.external_id or m.ref = c.cart_id
     where c.store_id = ${STORE} and (c.completed_at is null or c.order_id is null)
     group by c.id, c.completed_at`),
    onNew('m_completed_checkouts', `update checkouts set completed_at = coalesce(checkouts.completed_at, m.placed_at), order_id = m.order_id
     from m_completed_checkouts m where checkouts.store_id = ${STORE} and checkouts.id = m.id`),
  ];
}

const fulfillmentFields = ['order_id', 'status', 'shipment_status', 'carrier', 'tracking_number', 'tracking_url', 'shipped_at', 'delivered_at', 'lines'] as const;

export function fulfillmentStatements(): Step[] {
  const differs = fulfillmentFields.map((f) => `n_${f} is distinct from old_${f}`).join(' or ');
  return [
    always(`create or replace temp table m_fulfillments as
     select y.*, y.existing_id is not null and (${differs}) as changed
     from (
       -- Delivered implies shipped: a shipment first seen delivered was shipped no later.
       select x.*, coalesce(least(x.old_shipped_at, x.s_shipped_at), x.n_delivered_at) as n_shipped_at from (
       select s.ord, s.external_id, s.order_external_id, f.id as existing_id,
         case when f.id is null then nextval('fulfillments_id_seq') else f.id end as id,
         coalesce(o.id, f.order_id) as n_order_id,
         coalesce(s.status, f.status, 'success') as n_status,
         case when f.shipment_status = 'delivered' then 'delivered' else coalesce(s.shipment_status, f.shipment_status) end as n_shipment_status,
         coalesce(s.carrier, f.carrier) as n_carrier,
         coalesce(s.tracking_number, f.tracking_number) as n_tracking_number,
         coalesce(s.tracking_url, f.tracking_url) as n_tracking_url,
         s.shipped_at as s_shipped_at,
         coalesce(f.delivered_at, s.delivered_at,
           case when s.shipment_status = 'delivered' then coalesce(s.source_updated_at, ${NOW}) end) as n_delivered_at,
         coalesce(s.lines, f.lines, '[]') as n_lines,
         greatest(f.source_updated_at, s.source_updated_at) as n_source_updated_at,
         ${fulfillmentFields.map((f) => `f.${f} as old_${f}`).join(', ')}
       from s_fulfillments s
       left join ${existing('fulfillments', 's_fulfillments')} f on f.external_id = s.external_id
       left join ${existing('orders', 's_fulfillments', 'order_external_id')} o on o.external_id = s.order_external_id
       where f.id is null or s.source_updated_at is null or f.source_updated_at is null or s.source_updated_at >= f.source_updated_at
     ) x) y`),
    onNew('m_fulfillments', `insert into fulfillments (store_id, id, external_id, order_external_id, ${fulfillmentFields.join(', ')},
       source_updated_at, created_at, updated_at)
     select ${STORE}, id, external_id, order_external_id, ${fulfillmentFields.map((f) => `n_${f}`).join(', ')}, n_source_updated_at, ${NOW}, ${NOW}
     from m_fulfillments where existing_id is null order by ord`),
    onChanged('m_fulfillments', `update fulfillments set ${fulfillmentFields.map((f) => `${f} = m.n_${f}`).join(', ')},
       source_updated_at = m.n_source_updated_at, updated_at = ${NOW}
     from m_fulfillments m where fulfillments.store_id = ${STORE} and fulfillments.id = m.existing_id and m.changed`),
  ];
}

/** Checkout fields compared to decide whether a stored checkout changed (not its update time). */
const checkoutFields = ['cart_id', 'customer_id', 'anonymous_id', 'email', 'currency', 'value', 'items', 'recovery_url', 'started_at',
  'completed_at', 'order_id', 'deleted_at'] as const;

export function checkoutStatements(): Step[] {
  // A stale write (older than the stored one) keeps every stored field but completion and deletion.
  const stale = '(c.id is not null and not s.add_items and s.updated_at is not null and s.updated_at < c.updated_at)';
  const pick = (field: string) => `case when ${stale} then c.${field} else coalesce(s.${field}, c.${field}) end`;
  const adds = 's.add_items and s.items is not null';
  return [
    // The checkout orders named before it arrived: by its id or its cart id, the first placed.
    always(`create or replace temp table m_checkout_refs as
     select ref, arg_min(order_id, placed_at) as order_id, min(placed_at) as placed_at from checkout_orders
     where store_id = ${STORE} and ref in (select external_id from s_checkouts union select cart_id from s_checkouts where cart_id is not null)
     group by ref`),
    always(`create or replace temp table m_checkouts as
     select x.*, x.existing_id is not null and (${checkoutFields.map((f) => `n_${f} is distinct from old_${f}`).join(' or ')}) as changed
     from (
       select s.ord, s.external_id, c.id as existing_id,
         case when c.id is null then nextval('checkouts_id_seq') else c.id end as id,
         ${pick('cart_id')} as n_cart_id,
         coalesce(case when ${stale} then null else cu.id end, c.customer_id, i.customer_id) as n_customer_id,
         ${pick('anonymous_id')} as n_anonymous_id,
         ${pick('email')} as n_email,
         ${pick('currency')} as n_currency,
         case when ${adds} then coalesce(c.value, 0) + coalesce(s.value, 0) else ${pick('value')} end as n_value,
         case when ${adds} and c.items is not null and c.items <> '[]'
           then list_concat(json_extract(c.items::json, '$[*]'), json_extract(s.items::json, '$[*]'))::json::varchar
           else coalesce(case when ${stale} then null else s.items end, c.items, '[]') end as n_items,
         ${pick('recovery_url')} as n_recovery_url,
         coalesce(least(c.started_at, s.started_at), s.updated_at, ${NOW}) as n_started_at,
         coalesce(greatest(c.updated_at, s.updated_at), ${NOW}) as n_updated_at,
         coalesce(c.completed_at, s.completed_at, r1.placed_at, r2.placed_at) as n_completed_at,
         coalesce(c.order_id, r1.order_id, r2.order_id) as n_order_id,
         coalesce(c.deleted_at, s.deleted_at) as n_deleted_at,
         ${checkoutFields.map((f) => `c.${f} as old_${f}`).join(', ')}
       from s_checkouts s
       left join ${existing('checkouts', 's_checkouts')} c on c.external_id = s.external_id
       left join (
         select external_id, id from ${existing('customers', 's_checkouts', 'customer_external_id')}
         union all
         -- A customer id the store knows as an alias (docs/identity.md), unless it is also a customer's own id.
         select alias, customer_id from customer_aliases where store_id = ${STORE}
           and alias in (select customer_external_id from s_checkouts)
           and alias not in (select external_id from customers where store_id = ${STORE} and external_id in (select customer_external_id from s_checkouts))
       ) cu on cu.external_id = s.customer_external_id
       left join identities i on i.store_id = ${STORE} and i.anonymous_id = s.anonymous_id
       left join m_checkout_refs r1 on r1.ref = s.external_id
       left join m_checkout_refs r2 on r2.ref = coalesce(s.cart_id, c.cart_id)
     ) x`),
    onNew('m_checkouts', `insert into checkouts (store_id, id, external_id, ${checkoutFields.join(', ')}, source, updated_at, created_at)
     select ${STORE}, id, external_id, ${checkoutFields.map((f) => `n_${f}`).join(', ')}, ${SOURCE}, n_updated_at, ${NOW}
     from m_checkouts where existing_id is null order by ord`),
    onChanged('m_checkouts', `update checkouts set ${checkoutFields.map((f) => `${f} = m.n_${f}`).join(', ')}, updated_at = m.n_updated_at
     from m_checkouts m where checkouts.store_id = ${STORE} and checkouts.id = m.existing_id and m.changed`),
  ];
}

export const lifecycleSummarySql = {
  fulfillments: `select count(*) filter (where existing_id is null) as created, count(*) filter (where changed) as updated,
      count(*) filter (where existing_id is not null and not changed) as unchanged from m_fulfillments`,
  checkouts: `select count(*) filter (where existing_id is null) as created, count(*) filter (where changed) as updated,
      count(*) filter (where existing_id is not null and not changed) as unchanged from m_checkouts`,
} as const;

export const lifecycleMergeTables = ['m_attached_fulfillments', 'm_order_refs', 'm_completed_checkouts', 'm_fulfillments', 'm_checkout_refs',
  'm_checkouts', 'm_fulfillment_events'] as const;
