/**
 * UCI "Online Retail": one row per invoice line,
 * `InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country`.
 * One order per invoice; invoices starting with C are cancellations and become returns (their
 * original invoice is not in the data); rows without CustomerID are guest orders. Rows that are
 * stock adjustments rather than sales (a negative quantity outside a cancellation, a negative
 * "bad debt" price) are rejected with that reason.
 */
import { DateReader } from '../date-reader.js';
import { columnsOf, field, moneyReader, originOf, parseInteger, type FormatParser, type ImportFormat } from './format.js';

const columns = ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'] as const;

/** `17850.0` (pandas exports) and `17850` (UCI's own file) are the same customer. */
export function customerIdOf(text: string): string {
  const match = /^(\d+)\.0+$/.exec(text);
  return match ? match[1]! : text;
}

export const onlineRetail: ImportFormat = {
  name: 'online-retail',
  currency: 'GBP',
  timeZone: 'Europe/London',
  parser({ currency, timeZone }): FormatParser {
    const dates = new DateReader(timeZone);
    let at: Record<(typeof columns)[number], number> | undefined;
    const money = moneyReader(currency);
    // Customers and products are sent once per file (first row wins), so each is looked up once here.
    const customers = new Set<string>();
    const products = new Set<string>();
    // Products first seen without a description get it from a later row.
    const untitled = new Set<string>();
    return {
      syntax: 'csv',
      header(fields) {
        at = columnsOf('online-retail', fields, columns);
      },
      row(record, out) {
        const f = record.fields;
        const invoice = field(f, at!.InvoiceNo);
        const stockCode = field(f, at!.StockCode);
        const description = field(f, at!.Description);
        const quantityText = field(f, at!.Quantity);
        const dateText = field(f, at!.InvoiceDate);
        const priceText = field(f, at!.UnitPrice);
        const reject = (reason: string) => out.reject(record.line, reason, record.raw);
        if (!invoice) return reject('InvoiceNo is empty');
        if (!stockCode) return reject('StockCode is empty');
        const quantity = parseInteger(quantityText);
        if (quantity === undefined) return reject(`Quantity "${quantityText}" is not a whole number`);
        const when = dates.read(dateText);
        if (!when) return reject(`InvoiceDate "${dateText}" is not a date (expected 2010-12-01 08:26:00 or 12/1/2010 8:26)`);
        const price = money(priceText);
        if (price === undefined) return reject(`UnitPrice "${priceText}" is not a number`);
        if (price < 0) return reject(`UnitPrice ${priceText} is negative (a bad-debt adjustment, not a sale)`);
        const cancellation = invoice.startsWith('C');
        if (quantity === 0) return reject('Quantity is 0');
        if (!cancellation && quantity < 0) return reject(`Quantity ${quantity} on invoice ${invoice}, which is not a cancellation (a stock adjustment, not a sale)`);
        const customerText = field(f, at!.CustomerID);
        const customerId = customerText ? customerIdOf(customerText) : null;
        const origin = originOf(record);

        if (customerId !== null && !customers.has(customerId)) {
          customers.add(customerId);
          const country = field(f, at!.Country);
          out.customer({ external_id: customerId, country: country || null }, origin);
        }
        const title = description || stockCode;
        if (!products.has(stockCode)) {
          products.add(stockCode);
          out.product({ external_id: stockCode, title, price, currency }, origin);
          if (!description) untitled.add(stockCode);
        } else if (description && untitled.delete(stockCode)) {
          out.product({ external_id: stockCode, title, price, currency }, origin);
        }

        if (cancellation) {
          const units = -quantity;
          const ret = out.return(invoice, origin, () => ({
            external_id: invoice, order_external_id: null, customer_external_id: customerId, returned_at: when,
            currency, amount: 0, reason: 'cancelled invoice', lines: [],
          }));
          if (!ret) return reject(`invoice ${invoice} continues after its earlier rows were imported; sort the file by InvoiceNo`);
          const amount = units * price;
          ret.lines!.push({ product_external_id: stockCode, sku: stockCode, quantity: units, amount });
          ret.amount += amount;
          out.addedLine(ret);
          return;
        }
        const order = out.order(invoice, origin, () => ({
          external_id: invoice, customer_external_id: customerId, placed_at: when, currency, status: 'paid', lines: [],
        }));
        if (!order) return reject(`invoice ${invoice} continues after its earlier rows were imported; sort the file by InvoiceNo`);
        if (when < order.placed_at) order.placed_at = when;
        order.lines.push({ product_external_id: stockCode, sku: stockCode, title, quantity, unit_price: price, total: quantity * price });
        out.addedLine(order);
      },
    };
  },
};
