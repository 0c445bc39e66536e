import type { Db } from '../../db/database.js';
import { notFound } from '../../lib/errors.js';
import { parseEntityRef } from '../orders/index.js';
import * as repo from './customers.repository.js';
import type { ConsentStatus } from './customers.table.js';

/** Marketing consent on one channel: its status, when it was given or withdrawn, and by which source. */
export interface ChannelConsent { status: ConsentStatus; at: Date | null; source: string | null }

type ConsentColumns = 'email_consent' | 'email_consent_at' | 'email_consent_source' | 'sms_consent' | 'sms_consent_at' | 'sms_consent_source';
export type CustomerView = Omit<repo.CustomerRow, 'store_id' | 'attributes' | ConsentColumns> & {
  attributes: Record<string, unknown>;
  consent: { email: ChannelConsent; sms: ChannelConsent };
};

/** A customer's consent per channel; rows from before consent per channel read from accepts_marketing. */
export function consentOf(row: repo.CustomerRow): { email: ChannelConsent; sms: ChannelConsent } {
  return {
    email: { status: (row.email_consent as ConsentStatus | null) ?? (row.accepts_marketing ? 'subscribed' : 'never_asked'), at: row.email_consent_at, source: row.email_consent_source },
    sms: { status: (row.sms_consent as ConsentStatus | null) ?? 'never_asked', at: row.sms_consent_at, source: row.sms_consent_source },
  };
}

/** A stored row as the API shows it: attributes parsed, consent per channel. */
export function customerView(row: repo.CustomerRow): CustomerView {
  const {
    store_id: _store, attributes, email_consent: _e, email_consent_at: _ea, email_consent_source: _es,
    sms_consent: _s, sms_consent_at: _sa, sms_consent_source: _ss, ...rest
  } = row;
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(attributes) as Record<string, unknown>;
  } catch {
    // attributes are written as JSON by the writer; anything else shows as empty
  }
  return {
    ...rest,
    attributes: parsed,
    consent: consentOf(row),
  };
}

/**
 * Reading one customer; writes go through the commerce writer (`services.commerce`). The list, with
 * each customer's figures, is the profiles module's (it joins the published summary tables).
 */
export class CustomersService {
  constructor(private readonly read: Db) {}

  /** By internal id or `ext:<external id>`. */
  async get(storeId: string, ref: string): Promise<CustomerView> {
    const parsed = parseEntityRef(ref);
    const row = parsed ? await repo.findCustomer(this.read, storeId, parsed) : undefined;
    if (!row) throw notFound(`Customer "${ref}"`);
    return customerView(row);
  }

  /** Customers by id (those that exist), one query per thousand: for work over many customers at once. */
  async getMany(storeId: string, ids: readonly number[]): Promise<Map<number, CustomerView>> {
    const rows = await repo.findCustomersByIds(this.read, storeId, ids);
    return new Map(rows.map((row) => [Number(row.id), customerView(row)]));
  }

  /** What a person reads for each of these customers: the name, else the email, else the external id. */
  async labels(storeId: string, ids: readonly number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.read.selectFrom('customers').select(['id', 'first_name', 'last_name', 'email', 'external_id'])
      .where('store_id', '=', storeId).where('id', 'in', [...new Set(ids)]).execute();
    return new Map(rows.map((r) => [r.id, [r.first_name, r.last_name].filter(Boolean).join(' ') || r.email || r.external_id || String(r.id)]));
  }
}
