/** A customer's tickets, newest first, for the profile and its timeline. */
import type { Db } from '../../db/database.js';
import { supportDb } from './support.table.js';
import { ticketView, type TicketView } from './support.views.js';

export async function customerTickets(db: Db, storeId: string, customerId: number, limit = 50): Promise<TicketView[]> {
  const rows = await supportDb(db).selectFrom('support_tickets').selectAll().where('store_id', '=', storeId).where('customer_id', '=', customerId)
    .orderBy('opened_at', 'desc').orderBy('id').limit(limit).execute();
  return rows.map(ticketView);
}
