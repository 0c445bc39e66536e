/**
 * Identity resolution across sources (docs/identity.md): a customer id the store does not know yet
 * may name a customer it knows under another id — a CSV import keyed by email, Shopify's numeric id,
 * a Segment userId. Before the merge, each staged customer id that is no customer's external id is
 * resolved, in this order:
 *   1. an alias recorded earlier (`customer_aliases`);
 *   2. the email: exactly one stored customer has it (emails are stored lower-cased);
 *   3. the phone (its digits, at least 7), for a record without an email (an email that matched no
 *      one says it is someone else): exactly one stored customer has it.
 * A match rewrites the staged customer, orders and returns to the stored customer's external id and
 * records the new id as an alias, so the next write under it is a plain lookup. Two stored customers
 * are never merged: an ambiguous email or phone creates a new customer, as before.
 */
import type { Step } from './commerce.merge.js';
import { mergeVariables } from './commerce.merge.js';

const STORE = `getvariable('${mergeVariables.store}')`;
const NOW = `getvariable('${mergeVariables.now}')`;
const digits = (column: string) => `regexp_replace(coalesce(${column}, ''), '[^0-9]', '', 'g')`;

export function identitySteps(has: { orders: boolean; returns: boolean }): Step[] {
  const resolve: Step = {
    sql: `create or replace temp table m_keys as
      with unknown as (
        select s.external_id, nullif(lower(trim(s.email)), '') as email,
          case when length(${digits('s.phone')}) >= 7 then ${digits('s.phone')} end as phone
        from s_customers s
        where s.external_id not in (select external_id from customers where store_id = ${STORE}
          and external_id in (select external_id from s_customers))),
      aliased as (
        select u.external_id as original, a.customer_id as id, 'alias' as matched_by
        from unknown u join customer_aliases a on a.store_id = ${STORE} and a.alias = u.external_id),
      by_email as (
        select u.external_id as original, min(c.id) as id, 'email' as matched_by
        from unknown u join customers c on c.store_id = ${STORE} and lower(c.email) = u.email
        where u.email is not null and u.external_id not in (select original from aliased)
        group by u.external_id having count(distinct c.id) = 1),
      by_phone as (
        select u.external_id as original, min(c.id) as id, 'phone' as matched_by
        from unknown u join customers c on c.store_id = ${STORE} and ${digits('c.phone')} = u.phone
        where u.phone is not null and u.external_id not in (select original from aliased union all select original from by_email)
          and u.email is null
        group by u.external_id having count(distinct c.id) = 1)
      select k.original, c.external_id as canonical, k.id, k.matched_by, null::bigint as existing_id, false as changed
      from (select * from aliased union all select * from by_email union all select * from by_phone) k
      join customers c on c.store_id = ${STORE} and c.id = k.id
      where c.external_id is not null`,
  };
  const rewrite: Step = {
    needs: { table: 'm_keys', rows: 'new' },
    sql: [
      // When the batch also carries the stored customer under its own id, or two of its ids resolve to
      // one customer, the first of them is kept.
      `delete from s_customers where external_id in (
         select original from (select original, canonical, row_number() over (partition by canonical order by original) as n from m_keys)
         where n > 1 or canonical in (select external_id from s_customers))`,
      `update s_customers set external_id = k.canonical from m_keys k where s_customers.external_id = k.original`,
      ...(has.orders ? [`update s_orders set customer_external_id = k.canonical from m_keys k where s_orders.customer_external_id = k.original`] : []),
      ...(has.returns ? [`update s_returns set customer_external_id = k.canonical from m_keys k where s_returns.customer_external_id = k.original`] : []),
      `insert into customer_aliases (store_id, alias, customer_id, matched_by, created_at)
       select ${STORE}, original, id, matched_by, ${NOW} from m_keys where matched_by <> 'alias'
       on conflict do nothing`,
    ].join(';\n'),
  };
  return [resolve, rewrite];
}
