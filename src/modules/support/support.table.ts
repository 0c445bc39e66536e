import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.js';

/** Where a ticket came from: the admin API, a helpdesk's webhook, or the order-status page's contact form. */
export const ticketSources = ['api', 'zendesk', 'gorgias', 'contact_form'] as const;
export type TicketSource = (typeof ticketSources)[number];

/** open: waiting on the store; pending: waiting on the customer; resolved: solved or closed. */
export const ticketStatuses = ['open', 'pending', 'resolved'] as const;
export type TicketStatus = (typeof ticketStatuses)[number];

export const ticketChannels = ['email', 'chat', 'phone', 'sms', 'social', 'web', 'api', 'other'] as const;
export type TicketChannel = (typeof ticketChannels)[number];

export interface SupportTicketTable {
  store_id: string;
  /** Hearth's id (`tkt_…`). */
  id: string;
  source: TicketSource;
  /** The source's id of the ticket (a helpdesk's ticket id, the API's external id). */
  source_ticket_id: string;
  customer_id: number | null;
  /** The helpdesk's id of the requester (Zendesk's requester_id, Gorgias' customer id). */
  requester_ref: string | null;
  requester_email: string | null;
  status: TicketStatus;
  channel: TicketChannel;
  /** From the store's keyword rules over subject and text (where_is_my_order, returns, …), or as given. */
  topic: string | null;
  subject: string | null;
  /** The customer's first message, cut to 2,000 characters. */
  body: string | null;
  order_id: number | null;
  opened_at: Date;
  first_response_at: Date | null;
  resolved_at: Date | null;
  /** 1–5 (Gorgias' satisfaction survey, the API). */
  satisfaction_score: number | null;
  /** Zendesk's good / bad rating, or a score of 4–5 (true) / 1–2 (false). */
  satisfied: boolean | null;
  /** Why the ticket was escalated by the rules (detractor, high_value), or null. */
  escalated: string | null;
  /** The source's last change time: an older state arriving late is ignored. */
  source_updated_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface SupportRequesterTable {
  store_id: string;
  source: TicketSource;
  requester_ref: string;
  email: string | null;
  external_id: string | null;
  updated_at: Date;
}

export interface SupportSettingsTable {
  store_id: string;
  /** Zendesk's webhook signing secret: when set, every Zendesk post must carry a valid X-Zendesk-Webhook-Signature. */
  zendesk_signing_secret: string | null;
  /** JSON list of { topic, keywords }: the store's rules, tried before the built-in ones. */
  topic_rules: string | null;
  /** Predicted 12-month CLV (minor units) from which a ticket is escalated; null: the built-in rule (top decile is not known here, so none). */
  high_value_clv: number | null;
  updated_at: Date;
}

export interface OrderStatusViewTable {
  store_id: string;
  order_id: number;
  /** UTC day: one row per order and day, however often the page is reloaded. */
  day: string;
  customer_id: number | null;
  viewed_at: Date;
}

export type SupportTables = {
  support_tickets: SupportTicketTable;
  support_requesters: SupportRequesterTable;
  support_settings: SupportSettingsTable;
  order_status_views: OrderStatusViewTable;
};

export type SupportDb = Kysely<Database & SupportTables>;
export type SupportTx = Transaction<Database & SupportTables>;

/** This module's tables added to its own view of the connection. */
export function supportDb(db: Kysely<Database>): SupportDb {
  return db.withTables<SupportTables>();
}
