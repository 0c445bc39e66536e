/**
 * What an Online Retail import must produce, computed from the raw CSV with plain JS (its own
 * small CSV reader), independently of the importer. The importer's rules, restated: an invoice
 * starting with C is a return; a row of another invoice with quantity ≤ 0 (a stock adjustment) or
 * a row with a negative price is rejected; a row without CustomerID belongs to a guest order.
 */
import { readFileSync } from 'node:fs';

function fieldsOf(line: string): string[] {
  const out: string[] = [];
  const re = /(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    out.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!);
    if (m.index + m[0].length >= line.length) break;
  }
  return out;
}

export function onlineRetailExpectations(file: string) {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const header = fieldsOf(lines[0]!);
  const col = (name: string) => header.indexOf(name);
  const [inv, stock, qty, price, cust] = ['InvoiceNo', 'StockCode', 'Quantity', 'UnitPrice', 'CustomerID'].map(col) as number[];
  const customers = new Set<string>();
  const orders = new Map<string, boolean>();
  const returns = new Map<string, boolean>();
  const products = new Set<string>();
  const rejectedLines: number[] = [];
  let rows = 0;
  let orderLines = 0;
  let returnLines = 0;
  let orderPence = 0;
  let returnPence = 0;
  lines.slice(1).forEach((text, i) => {
    if (!text.trim()) return;
    rows += 1;
    const f = fieldsOf(text);
    const invoice = f[inv!]!;
    const quantity = Number(f[qty!]);
    const pence = Math.round(Number(f[price!]) * 100);
    const customer = f[cust!] ? String(Math.trunc(Number(f[cust!]))) : '';
    const isReturn = invoice.startsWith('C');
    if ((!isReturn && quantity <= 0) || pence < 0) {
      rejectedLines.push(i + 2);
      return;
    }
    if (customer) customers.add(customer);
    products.add(f[stock!]!);
    if (isReturn) {
      returns.set(invoice, customer !== '');
      returnLines += 1;
      returnPence += -quantity * pence;
    } else {
      orders.set(invoice, customer !== '');
      orderLines += 1;
      orderPence += quantity * pence;
    }
  });
  return {
    rows, rejected: rejectedLines.length, rejectedLines, customers: customers.size, products: products.size,
    orders: orders.size, guestOrders: [...orders.values()].filter((has) => !has).length, orderLines, orderPence,
    returns: returns.size, returnsWithCustomer: [...returns.values()].filter(Boolean).length, returnLines, returnPence,
  };
}
