/**
 * SQL fragments shared by the analytics queries: customer-attribute filters and breakdown
 * columns. Column names come only from the allow-list below; values are always parameters.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Breakdown, Filters } from './analytics.query.js';

/** The columns customer_summary and customer_periods share, by breakdown name. */
const breakdownColumns: Record<Breakdown, string> = {
  channel: 'channel',
  country: 'country',
  first_product: 'first_product_id',
  first_category: 'first_category',
  first_discount: 'first_discount',
  payment_method: 'payment_method',
};

export function breakdownColumn(breakdown: Breakdown, alias: string): RawBuilder<unknown> {
  return sql.ref(`${alias}.${breakdownColumns[breakdown]}`);
}

/** The breakdown value as text, with the product's external id in place of the internal id. */
export function breakdownLabel(breakdown: Breakdown, alias: string, storeId: string): RawBuilder<string | null> {
  if (breakdown === 'first_product') {
    return sql<string | null>`(select p.external_id from products p where p.store_id = ${storeId} and p.id = ${sql.ref(`${alias}.first_product_id`)})`;
  }
  return sql<string | null>`cast(${breakdownColumn(breakdown, alias)} as varchar)`;
}

export function hasFilters(filters: Filters): boolean {
  return Object.keys(filters).length > 0;
}

/** `and …` conditions on a table with customer attributes (customer_summary, customer_periods). */
export function attributeFilters(filters: Filters, alias: string, storeId: string): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  if (filters.channel !== undefined) parts.push(sql`${col('channel')} = ${filters.channel}`);
  if (filters.country !== undefined) parts.push(sql`${col('country')} = ${filters.country}`);
  if (filters.firstCategory !== undefined) parts.push(sql`${col('first_category')} = ${filters.firstCategory}`);
  if (filters.firstDiscount !== undefined) parts.push(sql`${col('first_discount')} = ${filters.firstDiscount}`);
  if (filters.paymentMethod !== undefined) parts.push(sql`${col('payment_method')} = ${filters.paymentMethod}`);
  if (filters.firstProduct !== undefined) {
    parts.push(sql`${col('first_product_id')} in (select id from products where store_id = ${storeId} and external_id = ${filters.firstProduct})`);
  }
  return parts.length ? sql`and ${sql.join(parts, sql` and `)}` : sql``;
}

/**
 * `and …` restricting order_facts rows (alias f) to customers matching the filters. Guest orders
 * have no first-order attributes, so a filtered report leaves them out.
 */
export function factFilters(filters: Filters, alias: string, storeId: string): RawBuilder<unknown> {
  if (!hasFilters(filters)) return sql``;
  return sql`and ${sql.ref(`${alias}.customer_id`)} in (select c.customer_id from customer_summary c where c.store_id = ${storeId} ${attributeFilters(filters, 'c', storeId)})`;
}
