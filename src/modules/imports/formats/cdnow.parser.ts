/**
 * The CDNOW purchase files (`CDNOW_sample.txt`, `CDNOW_master.txt`): no header, blank-separated,
 * `customer_id [sample_id] date(YYYYMMDD) number_of_cds dollar_value`; the sample file carries the
 * extra sample id column. One customer per id (the first column, as written; the writer creates it
 * from its first order), one order per row.
 * Orders have no id in the file, so theirs is customer + date + line number: stable for the same
 * file, which is what makes a re-import add nothing.
 */
import { toMinorUnits } from '../../../lib/money.js';
import { DateReader } from '../date-reader.js';
import { originOf, parseInteger, type FormatParser, type ImportFormat } from './format.js';

export const cdnow: ImportFormat = {
  name: 'cdnow',
  currency: 'USD',
  timeZone: 'UTC',
  parser({ currency, timeZone }): FormatParser {
    const dates = new DateReader(timeZone, 'YYYYMMDD');
    return {
      syntax: 'whitespace',
      row(record, out) {
        const f = record.fields;
        const reject = (reason: string) => out.reject(record.line, reason, record.raw);
        if (f.length !== 4 && f.length !== 5) return reject(`expected 4 or 5 columns (customer id, [sample id,] date, CDs, dollars), found ${f.length}`);
        const [customerId, dateText, cdsText, dollarsText] = f.length === 5 ? [f[0]!, f[2]!, f[3]!, f[4]!] : [f[0]!, f[1]!, f[2]!, f[3]!];
        const when = dates.read(dateText);
        if (!when) return reject(`date "${dateText}" is not a YYYYMMDD date`);
        const cds = parseInteger(cdsText);
        if (cds === undefined || cds < 0) return reject(`number of CDs "${cdsText}" is not a whole number ≥ 0`);
        const total = toMinorUnits(dollarsText, currency);
        if (total === undefined || total < 0) return reject(`dollar value "${dollarsText}" is not an amount ≥ 0`);
        const origin = originOf(record);
        const id = `${customerId}-${dateText}-${record.line}`;
        const order = out.order(id, origin, () => ({
          external_id: id, customer_external_id: customerId, placed_at: when, currency, status: 'paid',
          lines: [{ title: 'CDs', quantity: cds, unit_price: cds > 0 ? Math.round(total / cds) : total, total }],
        }));
        if (!order) return reject(`line ${record.line} was already imported in this run`);
        out.addedLine(order);
        out.close();
      },
    };
  },
};
