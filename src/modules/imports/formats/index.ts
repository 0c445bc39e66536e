/** Every import format by name. */
import { cdnow } from './cdnow.parser.js';
import { csvMapped } from './csv-mapping.parser.js';
import type { ImportFormat } from './format.js';
import { jsonl } from './jsonl.parser.js';
import { onlineRetail } from './online-retail.parser.js';
import { shopifyCustomers } from './shopify-customers.parser.js';
import { shopifyOrders } from './shopify-orders.parser.js';

export const importFormats: ReadonlyMap<string, ImportFormat> = new Map(
  [onlineRetail, cdnow, shopifyOrders, shopifyCustomers, csvMapped, jsonl].map((format) => [format.name, format]),
);

export const formatNames = [...importFormats.keys()];
