/**
 * Shopify's customers export (Admin → Customers → Export), in both generations of its columns:
 * the current one (`Customer ID`, `Accepts Email Marketing`, `Default Address City`, `Default
 * Address Country Code`) and the older one (`Accepts Marketing`, `City`, `Country Code`).
 * Customers are keyed by their lower-cased email, as in the orders export (which has no customer
 * id); a customer without an email keeps Shopify's id. Shopify writes ids and phone numbers with a
 * leading apostrophe so that spreadsheets keep them as text; it is dropped.
 */
import { columnsOf, field, originOf, parseInteger, type FormatParser, type ImportFormat } from './format.js';

const optional = [
  'Customer ID', 'First Name', 'Last Name', 'Email', 'Accepts Email Marketing', 'Accepts Marketing', 'Default Address City', 'City',
  'Default Address Country Code', 'Country Code', 'Phone', 'Default Address Phone', 'Total Spent', 'Total Orders', 'Tags', 'Note',
] as const;
type Column = (typeof optional)[number];

const text = (value: string): string => value.replace(/^'/, '');

export const shopifyCustomers: ImportFormat = {
  name: 'shopify-customers',
  parser(): FormatParser {
    let at: Record<Column, number> | undefined;
    return {
      syntax: 'csv',
      header(fields) {
        at = columnsOf('shopify-customers', fields, ['Email'], optional);
      },
      row(record, out) {
        const get = (column: Column) => text(field(record.fields, at![column]));
        const either = (a: Column, b: Column) => get(a) || get(b);
        const email = get('Email').toLowerCase();
        const shopifyId = get('Customer ID');
        const id = email || shopifyId;
        if (!id) return out.reject(record.line, 'neither Email nor Customer ID is given', record.raw);
        const marketing = either('Accepts Email Marketing', 'Accepts Marketing').toLowerCase();
        const attributes: Record<string, unknown> = {};
        if (shopifyId) attributes.shopify_customer_id = shopifyId;
        if (get('Total Spent')) attributes.shopify_total_spent = get('Total Spent');
        const orders = parseInteger(get('Total Orders'));
        if (orders !== undefined) attributes.shopify_total_orders = orders;
        if (get('Note')) attributes.note = get('Note');
        out.customer({
          external_id: id,
          email: email || null,
          first_name: get('First Name') || null,
          last_name: get('Last Name') || null,
          phone: either('Phone', 'Default Address Phone') || null,
          city: either('Default Address City', 'City') || null,
          country: either('Default Address Country Code', 'Country Code') || null,
          accepts_marketing: marketing === 'yes' || marketing === 'true',
          tags: get('Tags') ? get('Tags').split(',').map((tag) => tag.trim()).filter(Boolean) : [],
          attributes,
        }, originOf(record));
      },
    };
  },
};
