/**
 * One timeline of what happened with a customer, newest first. Browsing is collapsed into
 * sessions: events sharing a session id, or (without one) following each other within 30
 * minutes, the usual web-analytics session timeout. The latest messages sent to the customer and
 * their email topic changes are on it too, and their support tickets, survey answers and reviews.
 */
import type { CustomerMessage } from '../messaging/index.js';
import type { TicketView } from '../support/index.js';
import type { ReviewView } from '../reviews/index.js';
import type { SurveyAnswerView } from '../surveys/index.js';
import type { EventRow, OrderRow, ReturnRow } from './profile.queries.js';

const SESSION_GAP_MS = 30 * 60_000;

export type TimelineItem =
  | { type: 'order'; at: Date; id: number; external_id: string; total: number; currency: string; status: string; items: number; discount_codes: string[] }
  | { type: 'return'; at: Date; id: number; order_id: number | null; amount: number; currency: string; reason: string | null }
  | { type: 'browsing_session'; at: Date; ended_at: Date; events: number; pages: number; names: Record<string, number> }
  | { type: 'segment'; at: Date; segment_id: string; name: string; change: string }
  | ({ type: 'message'; at: Date } & CustomerMessage)
  | { type: 'topic'; at: Date; topic: string; name: string; subscribed: boolean; source: string }
  | { type: 'ticket'; at: Date; id: string; source: string; status: string; channel: string; topic: string | null; subject: string | null; first_response_minutes: number | null; resolution_hours: number | null }
  | { type: 'survey_answer'; at: Date; id: string; kind: string; score: number; category: string; comment: string | null }
  | { type: 'review'; at: Date; id: string; product_id: string; product_title: string | null; rating: number; title: string | null; status: string; verified: boolean; photos: number };

export function buildTimeline(input: {
  orders: OrderRow[];
  returns: ReturnRow[];
  events: EventRow[];
  segmentChanges: { segment_id: string; name: string; change: string; changed_at: Date }[];
  messages?: CustomerMessage[];
  topicChanges?: { topic: string; name: string; subscribed: boolean; source: string; at: Date }[];
  tickets?: TicketView[];
  surveyAnswers?: SurveyAnswerView[];
  reviews?: ReviewView[];
}): TimelineItem[] {
  const items: TimelineItem[] = [
    ...input.orders.map((o): TimelineItem => ({
      type: 'order', at: o.placed_at, id: o.id, external_id: o.external_id, total: o.total, currency: o.currency, status: o.status, items: o.items, discount_codes: o.discount_codes,
    })),
    ...input.returns.map((r): TimelineItem => ({ type: 'return', at: r.returned_at, id: r.id, order_id: r.order_id, amount: r.amount, currency: r.currency, reason: r.reason })),
    ...collapseSessions(input.events),
    ...input.segmentChanges.map((h): TimelineItem => ({ type: 'segment', at: h.changed_at, segment_id: h.segment_id, name: h.name, change: h.change })),
    ...(input.messages ?? []).map((m): TimelineItem => ({ type: 'message', at: m.created_at, ...m })),
    ...(input.topicChanges ?? []).map((c): TimelineItem => ({ type: 'topic', ...c })),
    ...(input.tickets ?? []).map((t): TimelineItem => ({
      type: 'ticket', at: t.opened_at, id: t.id, source: t.source, status: t.status, channel: t.channel, topic: t.topic, subject: t.subject,
      first_response_minutes: t.first_response_minutes, resolution_hours: t.resolution_hours,
    })),
    ...(input.surveyAnswers ?? []).map((a): TimelineItem => ({ type: 'survey_answer', at: a.answered_at, id: a.id, kind: a.kind, score: a.score, category: a.category, comment: a.comment })),
    ...(input.reviews ?? []).map((r): TimelineItem => ({
      type: 'review', at: r.reviewed_at, id: r.id, product_id: r.product_id, product_title: r.product_title, rating: r.rating, title: r.title, status: r.status, verified: r.verified, photos: r.photos.length,
    })),
  ];
  return items.sort((a, b) => b.at.getTime() - a.at.getTime());
}

export function collapseSessions(events: EventRow[]): TimelineItem[] {
  const sorted = [...events].sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime());
  const sessions: Extract<TimelineItem, { type: 'browsing_session' }>[] = [];
  let current: (typeof sessions)[number] | undefined;
  let currentKey: string | null = null;
  for (const event of sorted) {
    const sameSession = current && (event.session_id !== null && currentKey !== null
      ? event.session_id === currentKey
      : event.occurred_at.getTime() - current.ended_at.getTime() <= SESSION_GAP_MS);
    if (!current || !sameSession) {
      current = { type: 'browsing_session', at: event.occurred_at, ended_at: event.occurred_at, events: 0, pages: 0, names: {} };
      currentKey = event.session_id;
      sessions.push(current);
    }
    current.events += 1;
    current.ended_at = event.occurred_at;
    if (event.type === 'page' || event.type === 'screen') current.pages += 1;
    const name = event.name ?? event.type;
    current.names[name] = (current.names[name] ?? 0) + 1;
  }
  return sessions;
}
