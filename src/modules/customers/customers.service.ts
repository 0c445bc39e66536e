import type { Db } from '../../db/database.js';
import { notFound } from '../../lib/errors.js';
import { decodeCursor, parseEntityRef, toPage, type Page } from '../orders/index.js';
import * as repo from './customers.repository.js';
import type { CustomerTable } from './customers.table.js';

export type CustomerView = Omit<CustomerTable, 'store_id' | 'attributes'> & { attributes: Record<string, unknown> };

export interface CustomerListQuery {
  limit: number;
  cursor?: string | undefined;
  email?: string | undefined;
  country?: string | undefined;
  created_after?: Date | undefined;
  created_before?: Date | undefined;
  updated_after?: Date | undefined;
  q?: string | undefined;
}

function view(row: CustomerTable): CustomerView {
  const { store_id: _store, attributes, ...rest } = row;
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(attributes) as Record<string, unknown>;
  } catch {
    // attributes are written as JSON by the writer; anything else shows as empty
  }
  return { ...rest, attributes: parsed };
}

/** Reading customers; writes go through the commerce writer (`services.commerce`). */
export class CustomersService {
  constructor(private readonly read: Db) {}

  async list(storeId: string, query: CustomerListQuery): Promise<Page<CustomerView>> {
    const key = decodeCursor(query.cursor, ['number']);
    const rows = await repo.listCustomers(this.read, storeId, {
      email: query.email, country: query.country, createdAfter: query.created_after, createdBefore: query.created_before,
      updatedAfter: query.updated_after, q: query.q, beforeId: key?.[0] as number | undefined,
    }, query.limit + 1);
    return toPage(rows.map(view), query.limit, (row) => [row.id]);
  }

  /** By internal id or `ext:<external id>`. */
  async get(storeId: string, ref: string): Promise<CustomerView> {
    const parsed = parseEntityRef(ref);
    const row = parsed ? await repo.findCustomer(this.read, storeId, parsed) : undefined;
    if (!row) throw notFound(`Customer "${ref}"`);
    return view(row);
  }
}
