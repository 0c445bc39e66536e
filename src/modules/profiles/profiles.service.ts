/**
 * Customer 360: identity and consent, KPIs, predictions with a plain explanation, RFM, segments
 * and personas with entry dates, one timeline, and top categories and products. Segment and
 * persona memberships come through their services; the other reads are in profile.queries.ts.
 */
import { consentOf, customerView, type ChannelConsent, type CustomerView } from '../customers/index.js';
import { customerPrediction } from '../predictions/index.js';
import type { Storage } from '../../db/database.js';
import { AppError, notFound } from '../../lib/errors.js';
import { DAY_MS } from '../../lib/time.js';
import { customerMessages, customerTopicChanges, customerTopics } from '../messaging/index.js';
import type { PersonasService } from '../personas/index.js';
import type { OrderSummaries, SegmentsService } from '../segments/index.js';
import { customerReviews, type ReviewView } from '../reviews/index.js';
import { customerTickets, type TicketView } from '../support/index.js';
import { customerSurveyAnswers, type SurveyAnswerView } from '../surveys/index.js';
import * as list from './customer-list.query.js';
import * as q from './profile.queries.js';
import { buildTimeline, type TimelineItem } from './profile-timeline.js';

export interface CustomerKpis {
  orders: number;
  /** Net of returns, as everywhere in Hearth (`docs/metrics.md`): gross − returned. */
  revenue: number;
  /** The orders' totals before returns. */
  gross_revenue: number;
  average_order_value: number | null;
  first_order_at: Date | null;
  last_order_at: Date | null;
  /** (last − first order) / (orders − 1), in days; null with fewer than two orders. */
  average_days_between_orders: number | null;
  days_since_last_order: number | null;
  returns: number;
  returned_amount: number;
  currency: string | null;
}

export interface CustomerProfile {
  identity: {
    id: number; external_id: string | null; email: string | null; first_name: string | null; last_name: string | null; phone: string | null;
    country: string | null; city: string | null; tags: string[]; attributes: Record<string, unknown>; created_at: Date;
    birthday: string | null; language: string | null; timezone: string | null;
  };
  consent: {
    accepts_marketing: boolean; email: ChannelConsent; sms: ChannelConsent;
    /** The store's email topics with the customer's choice (kept unless they dropped it on the preference page). */
    topics: { id: string; name: string; subscribed: boolean }[];
  };
  kpis: CustomerKpis;
  predictions: (q.PredictionRow & { explanation: string }) | null;
  rfm: { r: number; f: number; m: number; segment: string } | null;
  segments: { id: string; name: string; builtin_key: string | null; entered_at: Date }[];
  personas: { id: string; name: string; motivators: string[]; assigned_at: Date }[];
  timeline: TimelineItem[];
  /** The customer's latest reviews, support tickets and survey answers (newest first). */
  reviews: ReviewView[];
  tickets: TicketView[];
  survey_answers: SurveyAnswerView[];
  top_categories: q.TopItem[];
  top_products: q.TopItem[];
}

/** Messages on the profile's timeline: the latest ones; the rest are at `GET /api/v1/messages?customer_id=` (paged). */
export const PROFILE_MESSAGES = 50;

/** A customer in the list: the customer as the API shows it, with their figures. */
export type CustomerListItem = CustomerView & list.CustomerFigures;

export interface CustomerListQuery {
  limit: number;
  cursor?: string | undefined;
  sort?: list.CustomerSort | undefined;
  email?: string | undefined;
  country?: string | undefined;
  created_after?: Date | undefined;
  created_before?: Date | undefined;
  updated_after?: Date | undefined;
  q?: string | undefined;
  churn_risk?: list.ChurnRiskBand | undefined;
  min_orders?: number | undefined;
  min_revenue?: number | undefined;
  last_order_after?: string | undefined;
  last_order_before?: string | undefined;
  segment_id?: string | undefined;
}

export class ProfilesService {
  constructor(
    private readonly storage: Storage,
    private readonly segments: SegmentsService,
    private readonly personas: PersonasService,
    /** The analytics summaries, brought up to date before a list reads them (looked up late). */
    private readonly summaries?: () => OrderSummaries | undefined,
    /** The server's public URL: the addresses of the customer's review photos. */
    private readonly publicUrl = '',
  ) {}

  /**
   * Customers with their orders, net revenue, last order day and predictions, filtered and sorted
   * by those figures; `total` counts every customer the filters select.
   */
  async list(storeId: string, query: CustomerListQuery): Promise<{ data: CustomerListItem[]; next_cursor: string | null; total: number }> {
    const sort = query.sort ?? '-created_at';
    const key = list.decodeListCursor(query.cursor, sort);
    const members = query.segment_id === undefined ? undefined : await this.segments.memberIds(storeId, query.segment_id);
    await this.freshSummaries(storeId);
    const filter: list.CustomerListFilter = {
      email: query.email, country: query.country, createdAfter: query.created_after, createdBefore: query.created_before, updatedAfter: query.updated_after,
      q: query.q, churnRisk: query.churn_risk, minOrders: query.min_orders, minRevenue: query.min_revenue,
      lastOrderAfter: query.last_order_after, lastOrderBefore: query.last_order_before, members,
    };
    const db = this.storage.read;
    const [rows, total] = await Promise.all([list.listCustomerFigures(db, storeId, filter, sort, key, query.limit + 1), list.countCustomerFigures(db, storeId, filter)]);
    const data = rows.slice(0, query.limit);
    const last = data.at(-1);
    return {
      data: data.map(({ orders, revenue, last_order_on, predicted_clv, p_alive, churn_risk, ...customer }) => ({
        ...customerView(customer), orders, revenue, last_order_on, predicted_clv, p_alive, churn_risk,
      })),
      next_cursor: rows.length > query.limit && last ? list.encodeListCursor(sort, last) : null,
      total,
    };
  }

  /** Summaries that cannot be brought up to date are read as they are (a list still answers). */
  private async freshSummaries(storeId: string): Promise<void> {
    try {
      await this.summaries?.()?.ensureFresh(storeId);
    } catch {
      // the list shows the figures as last computed
    }
  }

  /** Finds a customer by id (digits), email (has @) or external id. */
  async resolve(storeId: string, key: string): Promise<number> {
    const text = key.trim();
    if (!text) throw new AppError('validation_failed', 'Give a customer id, email or external id', [{ path: 'customer', reason: 'empty' }]);
    if (/^\d+$/.test(text)) {
      const found = await q.findCustomer(this.storage.read, storeId, Number(text));
      if (found) return found.id;
    }
    const id = await q.findCustomerIdBy(this.storage.read, storeId, text.includes('@') ? 'email' : 'external_id', text);
    if (id === undefined) throw notFound(`Customer "${text}"`);
    return id;
  }

  async search(storeId: string, text: string, limit = 20): Promise<q.SearchHit[]> {
    if (text.trim().length < 2) throw new AppError('validation_failed', 'Search text is too short', [{ path: 'query.q', reason: 'give at least 2 characters' }]);
    return q.searchCustomers(this.storage.read, storeId, text, Math.min(Math.max(limit, 1), 100));
  }

  async profile(storeId: string, customerId: number, asOf = new Date()): Promise<CustomerProfile> {
    const db = this.storage.read;
    const customer = await q.findCustomer(db, storeId, customerId);
    if (!customer) throw notFound(`Customer ${customerId}`);
    const [orders, returns, events, prediction, rfm, memberships, personas, topCategories, topProducts] = await Promise.all([
      q.ordersOf(db, storeId, customerId), q.returnsOf(db, storeId, customerId), q.eventsOf(db, storeId, customerId, 2000),
      customerPrediction(this.storage, storeId, customerId), this.segments.rfmOf(storeId, customerId), this.segments.membershipsOf(storeId, customerId),
      this.personas.personasOf(storeId, customerId), q.topPurchases(db, storeId, customerId, 'category', 5), q.topPurchases(db, storeId, customerId, 'product', 5),
    ]);
    const [messages, topics, topicChanges, tickets, surveyAnswers, reviews] = await Promise.all([
      customerMessages(db, storeId, customerId, PROFILE_MESSAGES), customerTopics(db, storeId, customer.email), customerTopicChanges(db, storeId, customerId, PROFILE_MESSAGES),
      customerTickets(db, storeId, customerId, PROFILE_MESSAGES), customerSurveyAnswers(db, storeId, customerId, PROFILE_MESSAGES),
      customerReviews(db, storeId, customerId, PROFILE_MESSAGES, this.publicUrl),
    ]);
    const kpis = kpisOf(orders, returns, asOf);
    return {
      identity: {
        id: customer.id, external_id: customer.external_id, email: customer.email, first_name: customer.first_name, last_name: customer.last_name,
        phone: customer.phone, country: customer.country, city: customer.city, tags: customer.tags, attributes: parseAttributes(customer.attributes), created_at: customer.created_at,
        birthday: customer.birthday, language: customer.language, timezone: customer.timezone,
      },
      consent: { accepts_marketing: customer.accepts_marketing, ...consentOf(customer), topics },
      kpis,
      predictions: prediction ? { ...q.predictionFields(prediction), explanation: explainPrediction(prediction, kpis) } : null,
      rfm: rfm ?? null,
      segments: memberships.current.map((m) => ({ id: m.segment_id, name: m.name, builtin_key: m.builtin_key, entered_at: m.entered_at })),
      personas,
      timeline: buildTimeline({ orders, returns, events, segmentChanges: memberships.history, messages, topicChanges, tickets, surveyAnswers, reviews }),
      reviews,
      tickets,
      survey_answers: surveyAnswers,
      top_categories: topCategories,
      top_products: topProducts,
    };
  }
}

function parseAttributes(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * KPIs over orders that were not cancelled (the orders segments and predictions count). Revenue is
 * net of returns as the analytics define it: returns of those orders and returns without an order
 * reduce it; a return of a cancelled order does not.
 */
export function kpisOf(orders: q.OrderRow[], returns: q.ReturnRow[], asOf: Date): CustomerKpis {
  const counted = orders.filter((o) => o.status !== 'cancelled');
  const cancelled = new Set(orders.filter((o) => o.status === 'cancelled').map((o) => o.id));
  const gross = counted.reduce((sum, o) => sum + o.total, 0);
  const returned = returns.filter((r) => r.order_id === null || !cancelled.has(r.order_id)).reduce((sum, r) => sum + r.amount, 0);
  const revenue = gross - returned;
  const first = counted[0]?.placed_at ?? null;
  const last = counted.at(-1)?.placed_at ?? null;
  return {
    orders: counted.length,
    revenue,
    gross_revenue: gross,
    average_order_value: counted.length ? Math.round(revenue / counted.length) : null,
    first_order_at: first,
    last_order_at: last,
    average_days_between_orders: first && last && counted.length > 1 ? Math.round(((last.getTime() - first.getTime()) / DAY_MS / (counted.length - 1)) * 10) / 10 : null,
    days_since_last_order: last ? Math.floor((asOf.getTime() - last.getTime()) / DAY_MS) : null,
    returns: returns.length,
    returned_amount: returns.reduce((sum, r) => sum + r.amount, 0),
    currency: counted[0]?.currency ?? null,
  };
}

/**
 * Why the model says what it says, in the terms of the BG/NBD model: a customer's chance of
 * still being active falls as the silence since the last order grows beyond their usual gap.
 */
export function explainPrediction(p: q.PredictionRow, k: CustomerKpis): string {
  const alive = `${Math.round(p.p_alive * 100)} % likely still active`;
  if (k.orders <= 1 || k.average_days_between_orders === null) {
    return `${alive}: one order so far, ${k.days_since_last_order ?? '?'} days ago; with a single order the model leans on how long the store's one-time buyers usually stay quiet.`;
  }
  const gap = k.average_days_between_orders;
  const since = k.days_since_last_order ?? 0;
  const relation = since > gap * 1.5 ? 'well past' : since > gap ? 'past' : 'within';
  return `${alive}: ${k.orders} orders, about every ${Math.round(gap)} days; the last was ${since} days ago, ${relation} the usual gap. `
    + `Churn risk ${p.churn_risk}${p.next_order_on ? `; next order expected around ${p.next_order_on}` : ''}.`;
}
