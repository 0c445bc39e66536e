/**
 * Shopify's orders export (Admin → Orders → Export): one row per line item; the order's own columns
 * (Email, Financial Status, Currency, Subtotal, Shipping, Taxes, Total, Discount Amount, Created at,
 * Billing …, Refunded Amount, Id) are filled on its first row only, and Name (`#1001`) on every row.
 *
 * With `Fulfilled at` (or a `Fulfillment Status` of fulfilled or partial) the order gets one fulfilment,
 * shipped at that time, with the carrier and tracking of the optional `Tracking Company`, `Tracking
 * Number` and `Tracking URL` columns (which apps that extend the export add).
 *
 * The export has no customer id, so customers are keyed by their lower-cased email (the customers
 * export does the same, so both imports meet on one customer). An order's id is Shopify's numeric
 * Id when the export has it (what webhooks carry), else its Name.
 */
import { toMinorUnits } from '../../../lib/money.js';
import type { OrderInput, OrderStatusInput } from '../../commerce/index.js';
import { DateReader } from '../date-reader.js';
import { columnsOf, field, originOf, parseInteger, type FormatParser, type ImportFormat } from './format.js';

const required = ['Name', 'Created at', 'Lineitem quantity', 'Lineitem price'] as const;
const optional = [
  'Id', 'Email', 'Financial Status', 'Fulfillment Status', 'Currency', 'Subtotal', 'Shipping', 'Taxes', 'Total', 'Discount Code',
  'Discount Amount', 'Lineitem name', 'Lineitem sku', 'Billing Name', 'Billing City', 'Billing Country', 'Phone', 'Accepts Marketing',
  'Refunded Amount', 'Cancelled at', 'Source', 'Fulfilled at', 'Tracking Company', 'Tracking Number', 'Tracking URL',
  'Payment Method',
] as const;
type Column = (typeof required)[number] | (typeof optional)[number];

function statusOf(financial: string, fulfillment: string, cancelled: boolean): OrderStatusInput {
  if (cancelled) return 'cancelled';
  switch (financial.toLowerCase()) {
    case 'refunded': return 'refunded';
    case 'partially_refunded': return 'partially_refunded';
    case 'voided': return 'cancelled';
    case 'pending': case 'authorized': case 'partially_paid': case 'expired': return 'pending';
    default: return fulfillment.toLowerCase() === 'fulfilled' ? 'fulfilled' : 'paid';
  }
}

export const shopifyOrders: ImportFormat = {
  name: 'shopify-orders',
  parser({ currency: defaultCurrency, timeZone }): FormatParser {
    const dates = new DateReader(timeZone);
    let at: Record<Column, number> | undefined;
    /** Order-level amounts, checked once the order's last row has been read. */
    const pendingTotals = new Map<OrderInput, { tax: number }>();
    return {
      syntax: 'csv',
      header(fields) {
        at = columnsOf('shopify-orders', fields, required, optional);
      },
      row(record, out) {
        const f = record.fields;
        const get = (column: Column) => field(f, at![column]);
        const reject = (reason: string) => out.reject(record.line, reason, record.raw);
        const name = get('Name');
        if (!name) return reject('Name is empty');
        const origin = originOf(record);
        let problem: string | undefined;
        const order = out.order(name, origin, () => {
          const currency = (get('Currency') || defaultCurrency).toUpperCase();
          const placedAt = dates.read(get('Created at'));
          if (!placedAt) {
            problem = `Created at "${get('Created at')}" is not a date`;
            return undefined;
          }
          const money = (column: Column): number | undefined => {
            const text = get(column);
            if (!text) return undefined;
            const value = toMinorUnits(text, currency);
            if (value === undefined) problem ??= `${column} "${text}" is not an amount`;
            return value;
          };
          const email = get('Email').toLowerCase() || null;
          const id = get('Id') || name;
          const discount = money('Discount Amount') ?? 0;
          const shipping = money('Shipping') ?? 0;
          const tax = money('Taxes') ?? 0;
          const total = money('Total');
          const refunded = money('Refunded Amount') ?? 0;
          if (problem) return undefined;
          const [first, ...rest] = get('Billing Name').split(/\s+/);
          if (email) {
            out.customer({
              external_id: email, email, first_name: first || null, last_name: rest.join(' ') || null,
              city: get('Billing City') || null, country: get('Billing Country') || null, phone: get('Phone').replace(/^'/, '') || null,
              ...(get('Accepts Marketing') && { accepts_marketing: get('Accepts Marketing').toLowerCase() === 'yes' }),
            }, origin, true);
          }
          const fulfilledAt = get('Fulfilled at') ? dates.read(get('Fulfilled at')) : undefined;
          if (get('Fulfilled at') && !fulfilledAt) {
            problem = `Fulfilled at "${get('Fulfilled at')}" is not a date`;
            return undefined;
          }
          const fulfilled = fulfilledAt !== undefined || ['fulfilled', 'partial'].includes(get('Fulfillment Status').toLowerCase());
          const trackingUrl = get('Tracking URL');
          const created: OrderInput = {
            external_id: id, customer_external_id: email, placed_at: placedAt, currency, discount, shipping,
            ...(total !== undefined && { total }),
            discount_codes: get('Discount Code') ? get('Discount Code').split(',').map((code) => code.trim()).filter(Boolean) : [],
            channel: get('Source') || null,
            payment_method: get('Payment Method') || null,
            status: statusOf(get('Financial Status'), get('Fulfillment Status'), get('Cancelled at') !== ''),
            lines: [],
            ...(fulfilled && {
              fulfillments: [{
                external_id: `${id}-fulfillment`, shipped_at: fulfilledAt ?? null, carrier: get('Tracking Company') || null,
                tracking_number: get('Tracking Number') || null, tracking_url: /^https?:\/\/\S+$/i.test(trackingUrl) ? trackingUrl : null,
              }],
            }),
          };
          pendingTotals.set(created, { tax });
          if (refunded > 0) {
            out.return(`${name}#refund`, origin, () => ({
              external_id: `${id}-refund`, order_external_id: id, customer_external_id: email, returned_at: placedAt,
              currency, amount: refunded, reason: 'refund',
            }));
          }
          return created;
        });
        if (problem) return reject(problem);
        if (!order) return reject(`order ${name} continues after its earlier rows were imported; keep an order's rows together`);
        const quantity = parseInteger(get('Lineitem quantity'));
        if (quantity === undefined || quantity < 0) return reject(`Lineitem quantity "${get('Lineitem quantity')}" is not a whole number ≥ 0`);
        const price = toMinorUnits(get('Lineitem price'), order.currency);
        if (price === undefined || price < 0) return reject(`Lineitem price "${get('Lineitem price')}" is not an amount ≥ 0`);
        const sku = get('Lineitem sku') || null;
        order.lines.push({ sku, product_external_id: sku, title: get('Lineitem name') || null, quantity, unit_price: price, total: quantity * price });
        out.addedLine(order);
        settleTax(order, pendingTotals);
      },
    };
  },
};

/**
 * Shopify's Total is lines − discount + shipping + taxes, except in stores whose prices include
 * tax, where the taxes are already in the lines. The tax is kept only where it adds up, so an order
 * from a tax-inclusive store is not refused for a mismatch the export itself contains.
 */
function settleTax(order: OrderInput, pending: Map<OrderInput, { tax: number }>): void {
  const entry = pending.get(order);
  if (!entry) return;
  const lines = order.lines.reduce((sum, line) => sum + (line.total ?? 0), 0);
  const exclusive = lines - (order.discount ?? 0) + (order.shipping ?? 0) + entry.tax;
  if (order.total === undefined || order.total === exclusive) order.tax = entry.tax;
  else delete order.tax;
  // Keep a bounded map: only the order still being read can take more rows.
  if (pending.size > 1) for (const key of pending.keys()) if (key !== order) pending.delete(key);
}
