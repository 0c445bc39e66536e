/**
 * Applying ticket changes in one transaction: the ticket is found by its source and the source's
 * id, so a replayed webhook or a retried request changes nothing; a state older than the stored
 * one is ignored; `ticket.opened` is recorded when a ticket first becomes known and
 * `ticket.resolved` each time it goes from unresolved to resolved, in the same transaction.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/database.js';
import { newId } from '../../lib/ids.js';
import { recordEvents, type NewDomainEvent } from '../domain-events/index.js';
import type { RequesterInfo, TicketChange } from './helpdesk-webhooks.js';
import type { SupportTicketTable, SupportTx, TicketChannel, TicketSource } from './support.table.js';
import { topicOf, type TopicRule } from './ticket-topics.js';

export type ApplyOutcome = 'created' | 'updated' | 'unchanged' | 'stale';

export interface ApplyContext {
  storeId: string;
  rules: readonly TopicRule[];
  now: Date;
  /** Why a new ticket of this customer is escalated (detractor, high_value), or null. */
  escalation: (customerId: number) => Promise<string | null>;
}

const defaultChannel: Record<TicketSource, TicketChannel> = { api: 'api', zendesk: 'other', gorgias: 'other', contact_form: 'web' };

async function customerBy(tx: SupportTx, storeId: string, field: 'email' | 'external_id', value: string): Promise<number | null> {
  const row = await tx.selectFrom('customers').select('id').where('store_id', '=', storeId)
    .where(field === 'email' ? sql<string>`lower(email)` : sql<string>`external_id`, '=', value).orderBy('id').limit(1).executeTakeFirst();
  return row ? Number(row.id) : null;
}

/** The customer a requester is: by the store's external id, then email, then what the helpdesk said of the requester id. */
export async function matchCustomer(tx: SupportTx, storeId: string, source: TicketSource, requester: RequesterInfo | undefined): Promise<number | null> {
  if (!requester) return null;
  let { email, external_id: externalId } = requester;
  if (requester.ref && !email && !externalId) {
    const known = await tx.selectFrom('support_requesters').selectAll().where('store_id', '=', storeId).where('source', '=', source).where('requester_ref', '=', requester.ref).executeTakeFirst();
    email = known?.email ?? null;
    externalId = known?.external_id ?? null;
  }
  return (externalId ? await customerBy(tx, storeId, 'external_id', externalId) : null) ?? (email ? await customerBy(tx, storeId, 'email', email.toLowerCase()) : null);
}

/** Remembers who a helpdesk's requester is, and attaches that requester's unmatched tickets. */
export async function applyRequester(tx: SupportTx, ctx: ApplyContext, source: TicketSource, requester: RequesterInfo): Promise<number> {
  if (!requester.ref) return 0;
  await tx.insertInto('support_requesters').values({ store_id: ctx.storeId, source, requester_ref: requester.ref, email: requester.email, external_id: requester.external_id, updated_at: ctx.now })
    .onConflict((oc) => oc.columns(['store_id', 'source', 'requester_ref']).doUpdateSet({ email: requester.email, external_id: requester.external_id, updated_at: ctx.now })).execute();
  const customerId = await matchCustomer(tx, ctx.storeId, source, requester);
  if (customerId === null) return 0;
  const result = await tx.updateTable('support_tickets').set({ customer_id: customerId, updated_at: ctx.now })
    .where('store_id', '=', ctx.storeId).where('source', '=', source).where('requester_ref', '=', requester.ref).where('customer_id', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

const iso = (d: Date) => d.toISOString();
const hours = (from: Date, to: Date) => Math.round(((to.getTime() - from.getTime()) / 3_600_000) * 100) / 100;

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  return a === b;
}

/** Applies one change; answers what became of it and the ticket as stored. */
export async function applyTicket(tx: SupportTx, ctx: ApplyContext, change: TicketChange, orderId: number | null = null): Promise<{ outcome: ApplyOutcome; ticket: SupportTicketTable }> {
  const { storeId, now } = ctx;
  const existing = await tx.selectFrom('support_tickets').selectAll().where('store_id', '=', storeId)
    .where('source', '=', change.source).where('source_ticket_id', '=', change.source_ticket_id).executeTakeFirst();
  if (existing && change.updated_at && existing.source_updated_at && change.updated_at < existing.source_updated_at) return { outcome: 'stale', ticket: existing };
  const status = change.status ?? existing?.status ?? 'open';
  const subject = change.subject !== undefined ? change.subject : existing?.subject ?? null;
  const body = change.body !== undefined ? change.body : existing?.body ?? null;
  const firstResponse = [existing?.first_response_at, change.first_response_at].filter((d): d is Date => d instanceof Date).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
  const resolvedAt = status === 'resolved' ? (existing?.status === 'resolved' ? existing.resolved_at : change.resolved_at ?? change.updated_at ?? now) : null;
  const customerId = existing?.customer_id ?? await matchCustomer(tx, storeId, change.source, change.requester);
  const next: SupportTicketTable = {
    store_id: storeId,
    id: existing?.id ?? newId('tkt'),
    source: change.source,
    source_ticket_id: change.source_ticket_id,
    customer_id: customerId,
    requester_ref: change.requester?.ref ?? existing?.requester_ref ?? null,
    requester_email: change.requester?.email ?? existing?.requester_email ?? null,
    status,
    channel: change.channel ?? existing?.channel ?? defaultChannel[change.source],
    topic: change.topic ?? existing?.topic ?? topicOf(`${subject ?? ''}\n${body ?? ''}`, ctx.rules),
    subject,
    body,
    order_id: existing?.order_id ?? orderId,
    opened_at: existing?.opened_at ?? change.opened_at ?? change.updated_at ?? now,
    first_response_at: firstResponse,
    resolved_at: resolvedAt,
    satisfaction_score: change.satisfaction_score !== undefined ? change.satisfaction_score : existing?.satisfaction_score ?? null,
    satisfied: change.satisfied !== undefined ? change.satisfied : existing?.satisfied ?? null,
    escalated: existing ? existing.escalated : customerId === null ? null : await ctx.escalation(customerId),
    source_updated_at: change.updated_at ?? existing?.source_updated_at ?? null,
    created_at: existing?.created_at ?? now,
    updated_at: now,
  };
  const events: NewDomainEvent[] = [];
  const ref = { ticket_id: next.id, source: next.source, source_ticket_id: next.source_ticket_id };
  if (!existing) {
    await tx.insertInto('support_tickets').values(next).execute();
    events.push({ storeId, type: 'ticket.opened', entityId: null, customerId: next.customer_id, data: { ...ref, channel: next.channel, topic: next.topic, opened_at: iso(next.opened_at) } });
  } else {
    const changed = (Object.keys(next) as (keyof SupportTicketTable)[]).filter((k) => k !== 'updated_at' && k !== 'source_updated_at' && !same(next[k], existing[k]));
    if (changed.length === 0) return { outcome: 'unchanged', ticket: existing };
    const { store_id: _s, source: _o, source_ticket_id: _t, id: _i, created_at: _c, ...fields } = next;
    await tx.updateTable('support_tickets').set(fields).where('store_id', '=', storeId).where('source', '=', next.source).where('source_ticket_id', '=', next.source_ticket_id).execute();
  }
  if (next.status === 'resolved' && existing?.status !== 'resolved' && next.resolved_at) {
    events.push({ storeId, type: 'ticket.resolved', entityId: null, customerId: next.customer_id, data: { ...ref, resolved_at: iso(next.resolved_at), hours_to_resolve: hours(next.opened_at, next.resolved_at) } });
  }
  await recordEvents(tx as unknown as Tx, events, now);
  return { outcome: existing ? 'updated' : 'created', ticket: next };
}
