/** Tickets as the API, the profile and the CLI show them. */
import type { SupportTicketTable } from './support.table.js';

export type TicketView = Omit<SupportTicketTable, 'store_id' | 'source_updated_at'> & {
  /** Minutes from opening to the store's first response; null before it. */
  first_response_minutes: number | null;
  /** Hours from opening to resolution; null while unresolved. */
  resolution_hours: number | null;
};

const round2 = (n: number) => Math.round(n * 100) / 100;

export function ticketView(row: SupportTicketTable): TicketView {
  const { store_id: _s, source_updated_at: _u, ...rest } = row;
  return {
    ...rest,
    customer_id: row.customer_id === null ? null : Number(row.customer_id),
    order_id: row.order_id === null ? null : Number(row.order_id),
    first_response_minutes: row.first_response_at ? round2((row.first_response_at.getTime() - row.opened_at.getTime()) / 60_000) : null,
    resolution_hours: row.resolved_at ? round2((row.resolved_at.getTime() - row.opened_at.getTime()) / 3_600_000) : null,
  };
}
