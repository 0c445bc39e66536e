/**
 * Reading helpdesks' webhook bodies into ticket changes: Zendesk's event webhooks
 * (`zen:event-type:ticket.*` and `zen:event-type:user.*`, developer.zendesk.com "Webhook event
 * types"), Zendesk trigger webhooks with the JSON body docs/listen.md gives, and Gorgias'
 * HTTP integration posting its Ticket object (developers.gorgias.com "The Ticket object").
 * Expected failures are values: a body that is not what the provider documents is refused with
 * the field and the reason, and nothing is applied.
 */
import type { ErrorDetail } from '../../lib/errors.js';
import type { TicketChannel, TicketSource, TicketStatus } from './support.table.js';

export interface RequesterInfo {
  ref: string | null;
  email: string | null;
  external_id: string | null;
}

/** One ticket's state as a source reports it; absent fields are left as stored. */
export interface TicketChange {
  source: TicketSource;
  source_ticket_id: string;
  status?: TicketStatus;
  channel?: TicketChannel;
  subject?: string | null;
  body?: string | null;
  requester?: RequesterInfo;
  opened_at?: Date;
  first_response_at?: Date | null;
  resolved_at?: Date | null;
  satisfaction_score?: number | null;
  satisfied?: boolean | null;
  topic?: string | null;
  order_ref?: string | null;
  /** The source's time of this state. */
  updated_at: Date | null;
}

export type WebhookRead =
  | { ok: true; tickets: TicketChange[]; requesters: RequesterInfo[]; ignored: string | null }
  | { ok: false; details: ErrorDetail[] };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helpdesk placeholders render as text: "" and "null" mean absent. */
function text(v: unknown, max = 2000): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t === '' || t === 'null' ? null : t.slice(0, max);
}

class Reader {
  readonly details: ErrorDetail[] = [];
  id(v: unknown, path: string): string {
    const t = text(v, 200);
    if (t === null || !/^[\w.:-]{1,200}$/.test(t)) this.details.push({ path, reason: 'required: the ticket\'s id (letters, digits, _ . : -)' });
    return t ?? '';
  }
  /** ISO 8601; a time without an offset (Gorgias writes them so) is UTC. */
  time(v: unknown, path: string): Date | null {
    const t = text(v, 60);
    if (t === null) return null;
    const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(t) ? t : `${t}Z`;
    const d = new Date(iso);
    if (!/^\d{4}-\d\d-\d\d/.test(t) || Number.isNaN(d.getTime())) {
      this.details.push({ path, reason: 'an ISO 8601 time, such as 2026-11-30T09:15:00Z' });
      return null;
    }
    return d;
  }
}

function zendeskStatus(v: unknown): TicketStatus | undefined {
  const s = text(v)?.toLowerCase();
  if (s === 'new' || s === 'open' || s === 'hold') return 'open';
  if (s === 'pending') return 'pending';
  if (s === 'solved' || s === 'closed') return 'resolved';
  return undefined;
}

/** A helpdesk's channel name in Hearth's short list. */
export function channelOf(v: unknown): TicketChannel {
  const s = (text(v) ?? '').toLowerCase().replace(/[\s_-]+/g, ' ');
  if (/mail/.test(s)) return 'email';
  if (/chat|messag|whatsapp/.test(s)) return 'chat';
  if (/voice|phone|call/.test(s)) return 'phone';
  if (/sms|text/.test(s)) return 'sms';
  if (/twitter|facebook|instagram|tiktok|social/.test(s)) return 'social';
  if (/web|form|help center|mobile/.test(s)) return 'web';
  if (/api|service/.test(s)) return 'api';
  return 'other';
}

function zendeskSatisfaction(v: unknown): boolean | null | undefined {
  const s = text(v)?.toLowerCase();
  if (s === undefined || s === null) return undefined;
  if (s.startsWith('good')) return true;
  if (s.startsWith('bad')) return false;
  return null;
}

/** Zendesk: an event webhook (ticket or user event), or a trigger webhook with `{ "ticket": { … } }`. */
export function readZendesk(body: unknown): WebhookRead {
  if (!isObject(body)) return { ok: false, details: [{ path: 'body', reason: 'a JSON object' }] };
  const r = new Reader();
  const type = text(body.type, 200);
  if (type?.startsWith('zen:event-type:user.')) {
    const detail = isObject(body.detail) ? body.detail : {};
    const ref = text(detail.id, 100);
    if (!ref) return { ok: false, details: [{ path: 'detail.id', reason: 'required: the user\'s id' }] };
    return { ok: true, tickets: [], requesters: [{ ref, email: text(detail.email, 320)?.toLowerCase() ?? null, external_id: text(detail.external_id, 300) }], ignored: null };
  }
  if (type?.startsWith('zen:event-type:ticket.')) {
    if (!isObject(body.detail)) return { ok: false, details: [{ path: 'detail', reason: 'required: the ticket (Zendesk\'s detail object)' }] };
    const detail = body.detail;
    const event = isObject(body.event) ? body.event : {};
    const id = r.id(detail.id, 'detail.id');
    const time = r.time(body.time, 'time') ?? r.time(detail.updated_at, 'detail.updated_at');
    const opened = r.time(detail.created_at, 'detail.created_at');
    const status = zendeskStatus(detail.status);
    const via = isObject(detail.via) ? detail.via.channel : undefined;
    if (r.details.length) return { ok: false, details: r.details };
    const change: TicketChange = {
      source: 'zendesk', source_ticket_id: id, updated_at: time,
      ...(status && { status }), ...(via !== undefined && { channel: channelOf(via) }),
      ...(opened && { opened_at: opened }), ...(detail.subject !== undefined && { subject: text(detail.subject, 300) }),
      ...(detail.description !== undefined && { body: text(detail.description) }),
      ...(text(detail.requester_id, 100) && { requester: { ref: text(detail.requester_id, 100), email: null, external_id: null } }),
    };
    if (status === 'resolved') change.resolved_at = time;
    // A public comment by an agent is the store's response.
    const comment = isObject(event.comment) ? event.comment : undefined;
    const author = comment && isObject(comment.author) ? comment.author : undefined;
    if (type === 'zen:event-type:ticket.comment_added' && comment && comment.is_public !== false && author?.is_staff === true) change.first_response_at = time;
    return { ok: true, tickets: [change], requesters: [], ignored: null };
  }
  if (type) return { ok: true, tickets: [], requesters: [], ignored: `event type ${type} is not about tickets or users` };
  if (!isObject(body.ticket)) return { ok: false, details: [{ path: 'ticket', reason: 'required: a Zendesk event (type zen:event-type:…) or a trigger body { "ticket": { … } }' }] };
  const t = body.ticket;
  const id = r.id(t.id, 'ticket.id');
  const updated = r.time(t.updated_at, 'ticket.updated_at');
  const opened = r.time(t.created_at, 'ticket.created_at');
  const solvedAt = r.time(t.solved_at, 'ticket.solved_at');
  const firstResponse = r.time(t.first_response_at, 'ticket.first_response_at');
  const status = zendeskStatus(t.status);
  if (t.status !== undefined && !status) r.details.push({ path: 'ticket.status', reason: 'one of new, open, pending, hold, solved, closed' });
  const requester = isObject(t.requester) ? t.requester : {};
  if (r.details.length) return { ok: false, details: r.details };
  const satisfied = zendeskSatisfaction(t.satisfaction);
  const change: TicketChange = {
    source: 'zendesk', source_ticket_id: id, updated_at: updated,
    ...(status && { status }), ...(t.via !== undefined && { channel: channelOf(t.via) }), ...(opened && { opened_at: opened }),
    ...(t.subject !== undefined && { subject: text(t.subject, 300) }), ...(t.description !== undefined && { body: text(t.description) }),
    requester: { ref: text(requester.id, 100), email: text(requester.email, 320)?.toLowerCase() ?? null, external_id: text(requester.external_id, 300) },
    ...(firstResponse && { first_response_at: firstResponse }),
    ...(satisfied !== undefined && { satisfied }),
    ...(text(t.order_id, 200) && { order_ref: text(t.order_id, 200) }),
  };
  if (status === 'resolved') change.resolved_at = solvedAt ?? updated;
  return { ok: true, tickets: [change], requesters: [], ignored: null };
}

/** Gorgias: its Ticket object, as posted by an HTTP integration (`{{ticket}}` fields), bare or under `ticket`. */
export function readGorgias(body: unknown): WebhookRead {
  if (!isObject(body)) return { ok: false, details: [{ path: 'body', reason: 'a JSON object' }] };
  const under = isObject(body.ticket);
  const t = under ? (body.ticket as Json) : body;
  const at = under ? 'ticket.' : '';
  const r = new Reader();
  const id = r.id(t.id, `${at}id`);
  const opened = r.time(t.created_datetime, `${at}created_datetime`);
  const updated = r.time(t.updated_datetime, `${at}updated_datetime`);
  const closed = r.time(t.closed_datetime, `${at}closed_datetime`);
  const statusText = text(t.status)?.toLowerCase();
  if (statusText !== undefined && statusText !== null && statusText !== 'open' && statusText !== 'closed') r.details.push({ path: `${at}status`, reason: 'open or closed' });
  const survey = isObject(t.satisfaction_survey) ? t.satisfaction_survey : undefined;
  let score: number | null = null;
  if (survey && text(survey.score) !== null) {
    score = Number(text(survey.score));
    if (!Number.isInteger(score) || score < 1 || score > 5) r.details.push({ path: `${at}satisfaction_survey.score`, reason: 'an integer from 1 to 5' });
  }
  const customer = isObject(t.customer) ? t.customer : {};
  let firstResponse = null as Date | null;
  let firstCustomerText = null as string | null;
  if (Array.isArray(t.messages)) {
    for (const [i, m] of t.messages.entries()) {
      if (!isObject(m)) continue;
      const when = r.time(m.created_datetime, `${at}messages.${i}.created_datetime`);
      if (m.from_agent === true && m.public !== false && when && (!firstResponse || when < firstResponse)) firstResponse = when;
      if (m.from_agent === false && firstCustomerText === null) firstCustomerText = text(m.body_text);
    }
  }
  if (r.details.length) return { ok: false, details: r.details };
  const status: TicketStatus | undefined = statusText === 'closed' ? 'resolved' : statusText === 'open' ? 'open' : undefined;
  const change: TicketChange = {
    source: 'gorgias', source_ticket_id: id, updated_at: updated,
    ...(status && { status }), ...(t.channel !== undefined && { channel: channelOf(t.channel) }), ...(opened && { opened_at: opened }),
    ...(t.subject !== undefined && { subject: text(t.subject, 300) }),
    ...((firstCustomerText ?? text(t.excerpt)) !== null && { body: firstCustomerText ?? text(t.excerpt) }),
    requester: { ref: text(customer.id, 100), email: text(customer.email, 320)?.toLowerCase() ?? null, external_id: text(customer.external_id, 300) },
    ...(firstResponse && { first_response_at: firstResponse }),
    ...(score !== null && { satisfaction_score: score, satisfied: score >= 4 ? true : score <= 2 ? false : null }),
  };
  if (status === 'resolved') change.resolved_at = closed ?? updated;
  return { ok: true, tickets: [change], requesters: [], ignored: null };
}
