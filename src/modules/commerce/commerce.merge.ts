/**
 * The set-based merge of staged rows into the store (DuckDB SQL; the staging tables come from
 * `data-staging.ts`). Each entity is matched by (store_id, external_id): new rows get ids from
 * the entity's sequence, existing rows are updated only when a value really differs, and the
 * rest are counted as unchanged — so applying the same batch twice changes nothing.
 *
 * Parameters are session variables set (bound) by the writer before the batch, so several
 * statements can go to DuckDB in one call: `hearth_store` (store id), `hearth_now` (the batch's
 * timestamp), `hearth_source` (where orders came from); `getvariable` folds to a constant when a
 * statement is planned, so filters on them still prune like bound parameters.
 * Table and column names below are constants of this file, never input.
 */
import { customerFields, productFields, variantFields } from './commerce.staging.js';

export const mergeVariables = { store: 'hearth_store', now: 'hearth_now', source: 'hearth_source', clock: 'hearth_clock' } as const;
const STORE = `getvariable('${mergeVariables.store}')`;
const NOW = `getvariable('${mergeVariables.now}')`;
const SOURCE = `getvariable('${mergeVariables.source}')`;

/**
 * A merge statement, optionally skipped when the resolved table it reads has no new or no changed
 * rows (most small writes change little, and every skipped statement saves a planning round).
 */
export interface Step {
  sql: string;
  needs?: { table: string; rows: 'new' | 'changed' | 'new_or_changed' };
  /** Cheaper text for when every row of the table is new or changed (a first import): no filter by row. */
  whenAll?: string;
}

const onNew = (table: string, sql: string): Step => ({ sql, needs: { table, rows: 'new' } });
const onChanged = (table: string, sql: string): Step => ({ sql, needs: { table, rows: 'changed' } });
const onNewOrChanged = (table: string, sql: string): Step => ({ sql, needs: { table, rows: 'new_or_changed' } });
const always = (sql: string): Step => ({ sql });

/** `n_<field>`: the staged value when the batch sets the field (or the row is new), else the stored one. */
function merged(fields: readonly string[], stored: string, bits: readonly string[] = fields): string {
  return fields
    .map((field) => `case when ${stored}.id is null or s.mask & ${1 << bits.indexOf(field)} <> 0 then s.${field} else ${stored}.${field} end as n_${field}`)
    .join(',\n    ');
}

function differs(fields: readonly string[], left: (f: string) => string, right: (f: string) => string): string {
  return fields.map((f) => `${left(f)} is distinct from ${right(f)}`).join(' or ');
}

/** Rows of `table` in this store whose external id the staging table names (one per id). */
function existing(table: string, stagedTable: string, stagedColumn = 'external_id'): string {
  return `(select * from ${table} where store_id = ${STORE} and external_id in (select ${stagedColumn} from ${stagedTable})
      qualify row_number() over (partition by external_id order by id) = 1)`;
}

/**
 * The merged customer fields. Consent per channel is three fields set together: the status as
 * given, and its time (default: now) and source (default: the write's) only when the status
 * changes — a source repeating a customer's consent does not move when it was given. A new
 * customer with no consent given was never asked.
 */
function mergedCustomer(): string {
  const bit = (field: string) => 1 << (customerFields as readonly string[]).indexOf(field);
  const consent = (channel: 'email' | 'sms') => {
    const status = `${channel}_consent`;
    const given = `s.mask & ${bit(status)} <> 0`;
    const moved = `${given} and (c.id is null or s.${status} is distinct from c.${status})`;
    return [
      `case when ${given} then s.${status} when c.id is null then 'never_asked' else c.${status} end as n_${status}`,
      `case when ${moved} then coalesce(s.${status}_at, ${NOW}) when c.id is null then null else c.${status}_at end as n_${status}_at`,
      `case when ${moved} then coalesce(s.${status}_source, ${SOURCE}) when c.id is null then null else c.${status}_source end as n_${status}_source`,
    ];
  };
  const special = ['email_consent', 'email_consent_at', 'email_consent_source', 'sms_consent', 'sms_consent_at', 'sms_consent_source'];
  return [merged(customerFields.filter((f) => !special.includes(f)), 'c', customerFields), ...consent('email'), ...consent('sms')].join(',\n    ');
}

export function customerStatements(): Step[] {
  const set = [...customerFields.map((f) => `${f} = m.n_${f}`), 'created_at = m.n_created_at', `updated_at = ${NOW}`].join(', ');
  return [
    always(`create or replace temp table m_customers as
     select s.ord, s.external_id, s.given, c.id as existing_id,
       case when c.id is null then nextval('customers_id_seq') else c.id end as id,
       ${mergedCustomer()},
       coalesce(least(s.created_at, c.created_at), ${NOW}) as n_created_at,
       ${customerFields.map((f) => `c.${f} as old_${f}`).join(', ')}, c.created_at as old_created_at,
       c.id is not null and (${differs(customerFields, (f) => `n_${f}`, (f) => `c.${f}`)}
         or coalesce(least(s.created_at, c.created_at), ${NOW}) is distinct from c.created_at) as changed
     from s_customers s left join ${existing('customers', 's_customers')} c on c.external_id = s.external_id`),
    onNew('m_customers', `insert into customers (store_id, id, external_id, ${customerFields.join(', ')}, created_at, updated_at)
     select ${STORE}, id, external_id, ${customerFields.map((f) => `n_${f}`).join(', ')}, n_created_at, ${NOW}
     from m_customers where existing_id is null order by ord`),
    onChanged('m_customers', `update customers set ${set} from m_customers m
     where customers.store_id = ${STORE} and customers.id = m.existing_id and m.changed`),
  ];
}

export function productStatements(hasVariants: boolean): Step[] {
  const setProduct = [...productFields.map((f) => `${f} = m.n_${f}`), `updated_at = ${NOW}`].join(', ');
  const setVariant = [...variantFields.map((f) => `${f} = m.n_${f}`), 'product_id = m.product_id'].join(', ');
  const products = [
    always(`create or replace temp table m_products as
     select s.ord, s.external_id, s.given, p.id as existing_id,
       case when p.id is null then nextval('products_id_seq') else p.id end as id,
       ${merged(productFields, 'p')},
       p.id is not null and (${differs(productFields, (f) => `n_${f}`, (f) => `p.${f}`)}) as changed
     from s_products s left join ${existing('products', 's_products')} p on p.external_id = s.external_id`),
    onNew('m_products', `insert into products (store_id, id, external_id, ${productFields.join(', ')}, created_at, updated_at)
     select ${STORE}, id, external_id, ${productFields.map((f) => `n_${f}`).join(', ')}, ${NOW}, ${NOW}
     from m_products where existing_id is null order by ord`),
    onChanged('m_products', `update products set ${setProduct} from m_products m
     where products.store_id = ${STORE} and products.id = m.existing_id and m.changed`),
  ];
  const variants = [
    always(`create or replace temp table m_variants as
     select s.ord, s.product_external_id, s.external_id, p.id as product_id, v.id as existing_id,
       case when v.id is null then nextval('variants_id_seq') else v.id end as id,
       ${merged(variantFields, 'v')},
       v.id is not null and (p.id is distinct from v.product_id or ${differs(variantFields, (f) => `n_${f}`, (f) => `v.${f}`)}) as changed
     from s_variants s join (select id, external_id from m_products) p on p.external_id = s.product_external_id
     left join ${existing('variants', 's_variants')} v on v.external_id = s.external_id`),
    // A product counts as updated when its own fields or any of its variants changed.
    always(`create or replace temp table m_variants_changed as
     select product_id, count(*) as n from m_variants
     where existing_id is null or changed group by product_id`),
    onNew('m_variants', `insert into variants (store_id, id, product_id, external_id, ${variantFields.join(', ')}, created_at)
     select ${STORE}, id, product_id, external_id, ${variantFields.map((f) => `n_${f}`).join(', ')}, ${NOW}
     from m_variants where existing_id is null order by ord`),
    onChanged('m_variants', `update variants set ${setVariant} from m_variants m
     where variants.store_id = ${STORE} and variants.id = m.existing_id and m.changed`),
  ];
  return hasVariants ? [...products, ...variants] : products;
}

const orderFields = ['customer_id', 'placed_at', 'currency', 'subtotal', 'discount', 'shipping', 'tax', 'total', 'discount_codes', 'channel', 'payment_method'] as const;
const lineFields = ['product_id', 'variant_id', 'sku', 'title', 'quantity', 'unit_price', 'total'] as const;
const returnFields = ['order_id', 'order_external_id', 'customer_id', 'returned_at', 'currency', 'amount', 'reason'] as const;
const returnLineFields = ['product_id', 'sku', 'quantity', 'amount'] as const;

/** Orders and returns are resolved together: a return's refund sets its order's status. */
export function orderAndReturnStatements(has: { customers: boolean; products: boolean; returns: boolean; lineVariants: boolean }): Step[] {
  const customerJoin = has.customers ? 'left join m_customers mc on mc.external_id = s.customer_external_id' : '';
  const customerId = has.customers ? 'mc.id' : 'null::bigint';
  const productJoin = (alias: string) => (has.products ? `left join m_products mp on mp.external_id = ${alias}.product_external_id` : '');
  const productId = has.products ? 'mp.id' : 'null::bigint';
  const orders = [
    // A staged order older than the stored one (by the source's own update time) is skipped with its
    // lines: a late webhook cannot revert a newer state.
    always(`create or replace temp table m_stale as
     select s.ord from (select * from s_orders where source_updated_at is not null) s
       join ${existing('orders', '(select external_id from s_orders where source_updated_at is not null)')} o on o.external_id = s.external_id
     where s.source_updated_at < o.source_updated_at`),
    always(`delete from s_lines where ord in (select ord from m_stale);
     delete from s_orders where ord in (select ord from m_stale)`),
    always(`create or replace temp table m_orders as
     select s.*, ${customerId} as customer_id, o.id as existing_id,
       case when o.id is null then nextval('orders_id_seq') else o.id end as id,
       ${orderFields.map((f) => `o.${f} as old_${f}`).join(', ')}, o.status as old_status
     from s_orders s left join ${existing('orders', 's_orders')} o on o.external_id = s.external_id ${customerJoin}`),
    always(`create or replace temp table m_lines as
     select mo.id as order_id, mo.existing_id, l.line_no, ${has.lineVariants ? `coalesce(${productId}, vv.product_id)` : productId} as product_id,
       ${has.lineVariants ? 'vv.id' : 'null::bigint'} as variant_id, l.sku, l.title, l.quantity, l.unit_price, l.total
     from s_lines l join m_orders mo on mo.ord = l.ord ${productJoin('l')}
     ${has.lineVariants ? `left join ${existing('variants', 's_lines', 'variant_external_id')} vv on vv.external_id = l.variant_external_id` : ''}`),
    // Stored returns that came before their order (order_id still null) and name one of these
    // orders: attached now, so the order's refunds and status count them.
    always(`create or replace temp table m_attached as
     select r.id as return_id, mo.id as order_id, mo.customer_id, null::bigint as existing_id, false as changed
     from returns r join m_orders mo on mo.external_id = r.order_external_id
     where r.store_id = ${STORE} and r.order_id is null and r.order_external_id is not null`),
    onNew('m_attached', `update returns set order_id = a.order_id, customer_id = coalesce(returns.customer_id, a.customer_id)
     from m_attached a where returns.store_id = ${STORE} and returns.id = a.return_id`),
  ];
  const returns = [
    always(`create or replace temp table m_returns as
     select s.*, r.id as existing_id,
       case when r.id is null then nextval('returns_id_seq') else r.id end as id,
       coalesce(mo.id, oo.id) as order_id,
       coalesce(${customerId}, mo.customer_id, oo.customer_id) as customer_id,
       ${returnFields.map((f) => `r.${f} as old_${f}`).join(', ')}
     from s_returns s left join ${existing('returns', 's_returns')} r on r.external_id = s.external_id
     left join m_orders mo on mo.external_id = s.order_external_id
     left join ${existing('orders', 's_returns', 'order_external_id')} oo on oo.external_id = s.order_external_id
     ${customerJoin}`),
    always(`create or replace temp table m_return_lines as
     select mr.id as return_id, mr.existing_id, l.line_no, ${productId} as product_id, l.sku, l.quantity, l.amount
     from s_return_lines l join m_returns mr on mr.ord = l.ord ${productJoin('l')}`),
  ];
  // Refunded amount per touched order: stored returns not restaged plus the staged ones.
  const refunds = always(has.returns
    ? `create or replace temp table m_refunds as
       with touched as (
         select id as order_id from m_orders
         union select order_id from m_returns where order_id is not null
         union select old_order_id from m_returns where old_order_id is not null)
       select t.order_id, coalesce(sum(x.amount), 0) as refunded from touched t left join (
         select order_id, amount from m_returns
         union all
         select order_id, amount from returns
         where store_id = ${STORE} and order_id in (select order_id from touched) and external_id not in (select external_id from s_returns)
       ) x on x.order_id = t.order_id group by t.order_id`
    : `create or replace temp table m_refunds as
       select order_id, sum(amount) as refunded from returns
       where store_id = ${STORE} and order_id in (select id from m_orders) group by order_id`);
  const applyOrders = [
    refunds,
    always(changedLines('m_lines', 'order_lines', 'order_id', 'm_orders', lineFields, 'm_changed_order_lines')),
    always(`create or replace temp table f_orders as
     select x.*, x.existing_id is not null and (${differs(orderFields, (f) => `x.${f}`, (f) => `x.old_${f}`)}
       or x.n_status is distinct from x.old_status or cl.order_id is not null) as changed
     from (
       select m.*, case
           when coalesce(rf.refunded, 0) > 0 and coalesce(m.status, m.old_status, 'paid') <> 'cancelled'
             then case when rf.refunded >= m.total then 'refunded' else 'partially_refunded' end
           else coalesce(m.status, m.old_status, 'paid') end as n_status
       from m_orders m left join m_refunds rf on rf.order_id = m.id
     ) x left join m_changed_order_lines cl on cl.order_id = x.id`),
    onChanged('f_orders', `delete from order_lines where store_id = ${STORE} and order_id in (select id from f_orders where changed)`),
    onChanged('f_orders', `update orders set ${orderFields.map((f) => `${f} = f.${f}`).join(', ')}, status = f.n_status, updated_at = ${NOW},
       source_updated_at = coalesce(f.source_updated_at, orders.source_updated_at)
     from f_orders f where orders.store_id = ${STORE} and orders.id = f.existing_id and f.changed`),
    onNew('f_orders', `insert into orders (store_id, id, external_id, ${orderFields.join(', ')}, status, source, created_at, updated_at, source_updated_at)
     select ${STORE}, id, external_id, ${orderFields.join(', ')}, n_status, ${SOURCE}, ${NOW}, ${NOW}, source_updated_at
     from f_orders where existing_id is null order by ord`),
    {
      ...onNewOrChanged('f_orders', `insert into order_lines (store_id, order_id, line_no, ${lineFields.join(', ')})
     select ${STORE}, order_id, line_no, ${lineFields.join(', ')} from m_lines
     where order_id in (select id from f_orders where existing_id is null or changed) order by order_id, line_no`),
      whenAll: `insert into order_lines (store_id, order_id, line_no, ${lineFields.join(', ')})
     select ${STORE}, order_id, line_no, ${lineFields.join(', ')} from m_lines order by order_id, line_no`,
    },
  ];
  const applyReturns = [
    // Orders outside the batch that a staged return refunds.
    always(`update orders set status = case when rf.refunded >= orders.total then 'refunded' else 'partially_refunded' end, updated_at = ${NOW}
     from m_refunds rf
     where orders.store_id = ${STORE} and orders.id = rf.order_id and rf.refunded > 0 and orders.status <> 'cancelled'
       and orders.id not in (select id from f_orders)
       and orders.status <> case when rf.refunded >= orders.total then 'refunded' else 'partially_refunded' end`),
    always(changedLines('m_return_lines', 'return_lines', 'return_id', 'm_returns', returnLineFields, 'm_changed_return_lines')),
    always(`create or replace temp table f_returns as
     select m.*, m.existing_id is not null and (${differs(returnFields, (f) => `m.${f}`, (f) => `m.old_${f}`)}
       or cl.return_id is not null) as changed
     from m_returns m left join m_changed_return_lines cl on cl.return_id = m.id`),
    onChanged('f_returns', `delete from return_lines where store_id = ${STORE} and return_id in (select id from f_returns where changed)`),
    onChanged('f_returns', `update returns set ${returnFields.map((f) => `${f} = m.${f}`).join(', ')}
     from f_returns m where returns.store_id = ${STORE} and returns.id = m.existing_id and m.changed`),
    onNew('f_returns', `insert into returns (store_id, id, external_id, ${returnFields.join(', ')}, created_at)
     select ${STORE}, id, external_id, ${returnFields.join(', ')}, ${NOW} from f_returns where existing_id is null order by ord`),
    onNewOrChanged('f_returns', `insert into return_lines (store_id, return_id, line_no, ${returnLineFields.join(', ')})
     select ${STORE}, return_id, line_no, ${returnLineFields.join(', ')} from m_return_lines
     where return_id in (select id from f_returns where existing_id is null or changed) order by return_id, line_no`),
  ];
  return [...orders, ...(has.returns ? returns : []), ...applyOrders, ...(has.returns ? applyReturns : [])];
}

/**
 * Ids of existing parents whose staged lines differ from the stored ones in any value or in
 * number (a full join on line number finds added, removed and altered lines alike).
 */
function changedLines(staged: string, stored: string, key: string, parents: string, fields: readonly string[], into: string): string {
  return `create or replace temp table ${into} as
    select distinct coalesce(n.${key}, o.${key}) as ${key}
    from (select * from ${staged} where existing_id is not null) n
    full join (select * from ${stored} where store_id = ${STORE} and ${key} in (select existing_id from ${parents} where existing_id is not null)) o
      on n.${key} = o.${key} and n.line_no = o.line_no
    where n.${key} is null or o.${key} is null or ${differs(fields, (f) => `n.${f}`, (f) => `o.${f}`)}`;
}

export const summarySql = {
  customers: `select count(*) filter (where existing_id is null) as created,
      count(*) filter (where given and changed) as updated,
      count(*) filter (where given and existing_id is not null and not changed) as unchanged from m_customers`,
  products: (hasVariants: boolean) => `select count(*) filter (where existing_id is null) as created,
      count(*) filter (where given and existing_id is not null and (changed or coalesce(vc.n, 0) > 0)) as updated,
      count(*) filter (where given and existing_id is not null and not changed and coalesce(vc.n, 0) = 0) as unchanged
    from m_products left join ${hasVariants ? 'm_variants_changed' : '(select null::bigint as product_id, 0 as n)'} vc on vc.product_id = m_products.id`,
  orders: `select count(*) filter (where existing_id is null) as created, count(*) filter (where changed) as updated,
      count(*) filter (where existing_id is not null and not changed) as unchanged from f_orders`,
  returns: `select count(*) filter (where existing_id is null) as created, count(*) filter (where changed) as updated,
      count(*) filter (where existing_id is not null and not changed) as unchanged from f_returns`,
} as const;

export const mergeTables = ['m_keys', 'm_customers', 'm_products', 'm_variants', 'm_variants_changed', 'm_stale', 'm_orders', 'm_lines', 'm_attached', 'm_returns',
  'm_return_lines', 'm_refunds', 'm_changed_order_lines', 'f_orders', 'm_changed_return_lines', 'f_returns'] as const;
