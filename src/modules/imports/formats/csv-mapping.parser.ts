/**
 * Any CSV, read through a column mapping (see column-mapping.ts): customers, products, or orders
 * with one row per line (rows of one order share its external id and are grouped; order-level
 * columns are read from its first row).
 */
import { AppError } from '../../../lib/errors.js';
import { isCurrency, toMinorUnits } from '../../../lib/money.js';
import { orderStatuses } from '../../orders/index.js';
import type { ConsentInput, OrderInput, OrderStatusInput, ReturnInput } from '../../commerce/index.js';
import type { ConsentStatus } from '../../customers/index.js';
import type { BatchBuilder } from '../batch-builder.js';
import { mappingFields } from '../column-mapping.js';
import { DateReader } from '../date-reader.js';
import type { TextRecord } from '../record-reader.js';
import { field, originOf, parseInteger, type FormatParser, type ImportFormat } from './format.js';

/** A consent column's words. */
const consentWords: Record<string, ConsentStatus> = {
  subscribed: 'subscribed', yes: 'subscribed', y: 'subscribed', true: 'subscribed', 1: 'subscribed',
  unsubscribed: 'unsubscribed', no: 'unsubscribed', n: 'unsubscribed', false: 'unsubscribed', 0: 'unsubscribed',
  never_asked: 'never_asked', 'never asked': 'never_asked', not_subscribed: 'never_asked',
};

const list = (text: string): string[] => text.split(',').map((item) => item.trim()).filter(Boolean);

export const csvMapped: ImportFormat = {
  name: 'csv',
  needsMapping: true,
  parser({ currency: defaultCurrency, timeZone, mapping }): FormatParser {
    if (!mapping) throw new AppError('bad_request', 'the csv format needs --mapping FILE', [{ path: 'mapping', reason: 'required' }]);
    const dates = new DateReader(timeZone, mapping.dateFormat ?? 'auto');
    const fallbackCurrency = (mapping.currency ?? defaultCurrency).toUpperCase();
    const at: Record<string, number> = {};
    // Value maps, keyed by lower-cased source value; a value the map does not name is read as written.
    const maps = new Map(Object.entries(mapping.values ?? {}).map(([name, table]) =>
      [name, new Map(Object.entries(table).map(([from, to]) => [from.trim().toLowerCase(), to]))]));
    const get = (record: TextRecord, name: string): string => {
      const text = field(record.fields, at[name] ?? -1);
      return maps.get(name)?.get(text.trim().toLowerCase()) ?? text;
    };

    const amount = (text: string, currency: string): number | undefined => {
      if (mapping.amounts === 'minor') {
        const value = parseInteger(text);
        return value;
      }
      return toMinorUnits(text, currency);
    };

    const yes = ['yes', 'true', '1', 'y'];
    const no = ['no', 'false', '0', 'n'];
    const rowParsers = {
      customers(record: TextRecord, out: BatchBuilder) {
        const id = get(record, 'external_id');
        if (!id) return out.reject(record.line, `${mapping.columns.external_id} is empty`, record.raw);
        const createdText = get(record, 'created_at');
        const createdAt = createdText ? dates.read(createdText) : undefined;
        if (createdText && !createdAt) return out.reject(record.line, `${mapping.columns.created_at} "${createdText}" is not a date`, record.raw);
        const marketing = get(record, 'accepts_marketing').toLowerCase();
        const optionalText = (name: string) => (name in mapping.columns ? { [name]: get(record, name) || null } : {});
        const consent: Partial<Record<'email_consent' | 'sms_consent', ConsentInput>> = {};
        for (const channel of ['email_consent', 'sms_consent'] as const) {
          const value = get(record, channel).toLowerCase();
          if (!value) continue;
          const status = consentWords[value];
          if (!status) return out.reject(record.line, `${mapping.columns[channel]} "${value}" is not a consent: subscribed, unsubscribed, never_asked (or yes / no)`, record.raw);
          consent[channel] = { status };
        }
        out.customer({
          external_id: id,
          ...optionalText('email'), ...optionalText('first_name'), ...optionalText('last_name'), ...optionalText('phone'),
          ...optionalText('country'), ...optionalText('city'), ...optionalText('birthday'), ...optionalText('language'), ...optionalText('timezone'),
          ...consent,
          ...('accepts_marketing' in mapping.columns && { accepts_marketing: ['yes', 'true', '1', 'y'].includes(marketing) }),
          ...('tags' in mapping.columns && { tags: list(get(record, 'tags')) }),
          ...(createdAt && { created_at: createdAt }),
        }, originOf(record));
      },
      products(record: TextRecord, out: BatchBuilder) {
        const id = get(record, 'external_id');
        const title = get(record, 'title');
        if (!id) return out.reject(record.line, `${mapping.columns.external_id} is empty`, record.raw);
        if (!title) return out.reject(record.line, `${mapping.columns.title} is empty`, record.raw);
        const currency = (get(record, 'currency') || fallbackCurrency).toUpperCase();
        if (!isCurrency(currency)) return out.reject(record.line, `currency "${currency}" is not an ISO 4217 code`, record.raw);
        const priceText = get(record, 'price');
        const price = priceText ? amount(priceText, currency) : null;
        if (price === undefined || (price !== null && price < 0)) return out.reject(record.line, `${mapping.columns.price} "${priceText}" is not an amount ≥ 0`, record.raw);
        const sku = get(record, 'sku');
        // Publication and stock: an empty cell is "not said" (null), so a file without them changes nothing when unmapped.
        const publishedText = get(record, 'published').trim().toLowerCase();
        const published = publishedText === '' ? null : yes.includes(publishedText) ? true : no.includes(publishedText) ? false : undefined;
        if (published === undefined) return out.reject(record.line, `${mapping.columns.published} "${publishedText}" is not yes or no`, record.raw);
        const publishedAtText = get(record, 'published_at');
        const publishedAt = publishedAtText ? dates.read(publishedAtText) : null;
        if (publishedAt === undefined) return out.reject(record.line, `${mapping.columns.published_at} "${publishedAtText}" is not a date`, record.raw);
        const stockText = get(record, 'inventory_quantity').trim();
        const stock = stockText === '' ? null : /^-?\d{1,15}$/.test(stockText) ? Number(stockText) : undefined;
        if (stock === undefined) return out.reject(record.line, `${mapping.columns.inventory_quantity} "${stockText}" is not a whole number of units`, record.raw);
        out.product({
          external_id: id, title, price, currency, category: get(record, 'category') || null, image_url: get(record, 'image_url') || null,
          ...('published' in mapping.columns && { published }), ...('published_at' in mapping.columns && { published_at: publishedAt }),
          ...('inventory_quantity' in mapping.columns && { inventory_quantity: stock }),
          ...(sku && { variants: [{ external_id: sku, sku, price }] }),
        }, originOf(record));
      },
      orders(record: TextRecord, out: BatchBuilder) {
        const reject = (reason: string) => out.reject(record.line, reason, record.raw);
        const id = get(record, 'external_id');
        if (!id) return reject(`${mapping.columns.external_id} is empty`);
        let problem: string | undefined;
        const origin = originOf(record);
        const order = out.order(id, origin, () => {
          const currency = (get(record, 'currency') || fallbackCurrency).toUpperCase();
          if (!isCurrency(currency)) return void (problem = `currency "${currency}" is not an ISO 4217 code`);
          const placedText = get(record, 'placed_at');
          const placedAt = dates.read(placedText);
          if (!placedAt) return void (problem = `${mapping.columns.placed_at} "${placedText}" is not a date${mapping.dateFormat ? ` in the format ${mapping.dateFormat}` : ''}`);
          const money: Record<string, number> = {};
          for (const name of ['discount', 'shipping', 'tax', 'total'] as const) {
            const text = get(record, name);
            if (!text) continue;
            const value = amount(text, currency);
            if (value === undefined || value < 0) return void (problem = `${mapping.columns[name]} "${text}" is not an amount ≥ 0`);
            money[name] = value;
          }
          const status = get(record, 'status').toLowerCase();
          if (status && !orderStatuses.includes(status as OrderStatusInput)) return void (problem = `status "${status}" is not one of ${orderStatuses.join(', ')}`);
          const customer = get(record, 'customer_external_id') || null;
          return {
            external_id: id, customer_external_id: customer, placed_at: placedAt, currency, ...money,
            ...(status && { status: status as OrderStatusInput }),
            ...('discount_codes' in mapping.columns && { discount_codes: list(get(record, 'discount_codes')) }),
            ...('channel' in mapping.columns && { channel: get(record, 'channel') || null }),
            ...('payment_method' in mapping.columns && { payment_method: get(record, 'payment_method') || null }),
            lines: [],
          };
        });
        if (problem) return reject(problem);
        if (!order) return reject(`order ${id} continues after its earlier rows were imported; keep an order's rows together`);
        if (order.lines.length === 0 && get(record, 'refund_amount')) {
          const refund = refundOf(record, order);
          if (typeof refund === 'string') return reject(refund);
          if (refund) out.return(refund.external_id, origin, () => refund);
        }
        const quantityText = get(record, 'quantity');
        const quantity = parseInteger(quantityText);
        if (quantity === undefined || quantity < 0) return reject(`${mapping.columns.quantity} "${quantityText}" is not a whole number ≥ 0`);
        const priceText = get(record, 'unit_price');
        const unitPrice = amount(priceText, order.currency);
        if (unitPrice === undefined || unitPrice < 0) return reject(`${mapping.columns.unit_price} "${priceText}" is not an amount ≥ 0`);
        const totalText = get(record, 'line_total');
        const total = totalText ? amount(totalText, order.currency) : quantity * unitPrice;
        if (total === undefined || total < 0) return reject(`${mapping.columns.line_total} "${totalText}" is not an amount ≥ 0`);
        const sku = get(record, 'sku') || null;
        const product = get(record, 'product_external_id') || null;
        order.lines.push({ sku, product_external_id: product, title: get(record, 'title') || null, quantity, unit_price: unitPrice, total });
        out.addedLine(order);
      },
    };

    /** The order's refund from its first row, as a return of the order (external id `<order>:refund`). */
    const refundOf = (record: TextRecord, order: OrderInput): ReturnInput | string | undefined => {
      const text = get(record, 'refund_amount');
      const value = amount(text.replace(/^-/, ''), order.currency);
      if (value === undefined) return `${mapping.columns.refund_amount} "${text}" is not an amount`;
      if (value === 0) return undefined;
      const whenText = get(record, 'refunded_at');
      const when = whenText ? dates.read(whenText) : order.placed_at;
      if (!when) return `${mapping.columns.refunded_at} "${whenText}" is not a date`;
      return {
        external_id: `${order.external_id}:refund`, order_external_id: order.external_id, customer_external_id: order.customer_external_id ?? null,
        returned_at: when, currency: order.currency, amount: value, reason: get(record, 'refund_reason') || null,
      };
    };

    return {
      syntax: 'csv',
      delimiter: mapping.delimiter ?? ',',
      header(fields) {
        const positions = new Map(fields.map((name, i) => [name.trim(), i] as const));
        const { required, optional } = mappingFields[mapping.entity];
        for (const name of [...required, ...optional] as string[]) {
          const column = mapping.columns[name];
          if (column === undefined) continue;
          const position = positions.get(column);
          if (position === undefined) throw new AppError('bad_request', `line 1: the file has no column "${column}" (mapped to ${name})`, [{ path: 'line 1', reason: `missing ${column}` }]);
          at[name] = position;
        }
      },
      row: rowParsers[mapping.entity],
    };
  },
};
