/**
 * The catalogue of domain events: the one list of their types and payloads (documented in
 * `docs/events.md`). A payload names the changed entity by its store's external id where it has
 * one; the row ids are on the event itself (`entity_id`, `customer_id`).
 */

export const domainEventTypes = [
  'customer.created', 'customer.updated', 'customer.consent_changed', 'customer.topics_changed',
  'order.placed', 'order.updated', 'order.cancelled', 'order.refunded',
  'order.fulfilled', 'order.shipped', 'order.delivered',
  'return.created',
  'checkout.started', 'checkout.updated', 'checkout.completed',
  'event.received',
  'segment.entered', 'segment.exited',
  'prediction.band_changed',
  'import.finished',
  'loyalty.tier_changed', 'loyalty.points_expiring', 'loyalty.referral_ordered', 'loyalty.reward_redeemed', 'loyalty.reward_returned',
  'ticket.opened', 'ticket.resolved',
  'survey.detractor', 'survey.answered',
  'review.submitted',
] as const;
export type DomainEventType = (typeof domainEventTypes)[number];

/** `external_id` is the order's; times ISO 8601 UTC or null. */
export interface FulfillmentPayload {
  external_id: string;
  fulfillment_id: string;
  status: string;
  shipment_status: string | null;
  carrier: string | null;
  tracking_number: string | null;
  tracking_url: string | null;
  shipped_at: string | null;
  delivered_at: string | null;
}

/** `status`: open, completed or deleted; `value` in minor units of `currency`; `order_external_id` once completed by a known order. */
export interface CheckoutPayload {
  external_id: string;
  status: 'open' | 'completed' | 'deleted';
  currency: string | null;
  value: number | null;
  recovery_url: string | null;
  anonymous_id: string | null;
  order_external_id: string | null;
}

export interface DomainEventPayloads {
  'customer.created': { external_id: string; email: string | null; accepts_marketing: boolean };
  /** `changed`: the names of the fields whose value changed. */
  'customer.updated': { external_id: string; changed: string[] };
  /** Consent per channel after (`email`, `sms`) and before (`previous_…`) the change. */
  'customer.consent_changed': {
    external_id: string; accepts_marketing: boolean; previous: boolean | null;
    email: string; previous_email: string | null; sms: string; previous_sms: string | null;
  };
  /** Email topics the customer kept or dropped on the preference page (`subscribed` after the change), at `address`. */
  'customer.topics_changed': {
    external_id: string | null; address: string; source: string;
    topics: { topic: string; name: string; subscribed: boolean }[];
  };
  'order.placed': { external_id: string; placed_at: string; status: string; currency: string; total: number; source: string };
  /** `status` after the change, `previous_status` before it. */
  'order.updated': { external_id: string; status: string; previous_status: string | null };
  'order.cancelled': { external_id: string; previous_status: string | null };
  /** `refunded`: the order's refunded amount after the change, in minor units of `currency`. */
  'order.refunded': { external_id: string; status: string; refunded: number; total: number; currency: string };
  /** A fulfilment of the order became known (with its order), was shipped, was delivered: the fulfilment as it now is. */
  'order.fulfilled': FulfillmentPayload;
  'order.shipped': FulfillmentPayload;
  'order.delivered': FulfillmentPayload;
  'return.created': { external_id: string; order_external_id: string | null; amount: number; currency: string; reason: string | null };
  /** A checkout (or cart) was stored for the first time, changed, or was completed by an order or its source: as it now is. */
  'checkout.started': CheckoutPayload;
  'checkout.updated': CheckoutPayload;
  'checkout.completed': CheckoutPayload;
  /** A tracked event (Segment spec) was stored: its type and name; `entity_id` is its row in `events`. */
  'event.received': { type: string; name: string | null; anonymous_id: string | null; source: string };
  'segment.entered': { segment_id: string; segment_name: string };
  'segment.exited': { segment_id: string; segment_name: string };
  /** The churn-risk band moved (`direction`: rose or fell) at a refit. */
  'prediction.band_changed': { from: string; to: string; p_alive: number; direction: 'rose' | 'fell' };
  'import.finished': { import_id: string; format: string; rows_read: number; rows_rejected: number; orders_created: number; customers_created: number };
  /** A customer's loyalty tier changed: up at once when the 12-month figure reaches a threshold, down at the review. */
  'loyalty.tier_changed': { tier: string | null; previous_tier: string | null; direction: 'up' | 'down'; basis: 'points_earned' | 'amount_spent'; figure: number };
  /** Points will lapse at `expires_at` unless spent: recorded once per lapse date and lead time (`lead_days`). */
  'loyalty.points_expiring': { points: number; expires_at: string; lead_days: number };
  /** A referred friend's first order passed the fraud checks: the referrer (the event's customer) is awarded `points`, spendable from `points_available_at` (null: when the order is delivered or paid). Once per referral. */
  'loyalty.referral_ordered': { referral_id: string; friend_customer_id: number; order_id: number; points: number; points_available_at: string | null };
  /**
   * A reward was redeemed for points and its code issued (once per redemption: a retry records
   * nothing), while the programme hands rewards to the shop (`fulfilment.webhook`): what the shop must honour. `value`: minor units off (`amount_off`), percent
   * (`percent_off`), 0 otherwise; `product_id`: the product a `free_product` reward gives.
   */
  'loyalty.reward_redeemed': { redemption_id: string; reward_id: string; reward_name: string; kind: string; value: number; product_id: string | null; points: number; code: string; balance_after: number };
  /** A redeemed reward's points went back, cancelled unused or void (every order that used its code was refunded or cancelled), while the programme hands rewards to the shop: it should stop honouring the code. */
  'loyalty.reward_returned': { redemption_id: string; reward_id: string; code: string; status: 'cancelled' | 'void'; returned_points: number };
  /** A support ticket became known (API, helpdesk webhook or contact form); `ticket_id` is Hearth's id. */
  'ticket.opened': { ticket_id: string; source: string; source_ticket_id: string; channel: string; topic: string | null; opened_at: string };
  /** A ticket was solved (or closed) for the first time since it was last open; `hours_to_resolve` from opening. */
  'ticket.resolved': { ticket_id: string; source: string; source_ticket_id: string; resolved_at: string; hours_to_resolve: number };
  /** An NPS answer of 0–6 (or a CSAT answer of 1–2): flows can alert the store and follow up. */
  'survey.detractor': { answer_id: string; kind: 'nps' | 'csat'; score: number; comment: string | null };
  /**
   * A survey answer was given (once per answer: changing it later records nothing). `category`:
   * NPS 9–10 / CSAT 4–5 promoter, NPS 0–6 / CSAT 1–2 detractor, passive between. `key`: what the
   * survey asked about (absent from answers recorded before it was added).
   */
  'survey.answered': { answer_id: string; kind: 'nps' | 'csat'; key?: string; score: number; category: 'promoter' | 'passive' | 'detractor'; comment: string | null };
  /**
   * A customer's review was stored for the first time (API, tracked event or the review form; imported reviews are history and record nothing).
   * `photos`: how many photos it was stored with (absent from events recorded before reviews had photos: read it as 0).
   */
  'review.submitted': { review_id: string; product_id: string; rating: number; source: string; status: string; verified: boolean; order_external_id: string | null; photos: number };
}

/** What entity each type is about. */
export const entityOf = (type: DomainEventType): string => type.slice(0, type.indexOf('.'));

export interface DomainEvent<T extends DomainEventType = DomainEventType> {
  id: number;
  storeId: string;
  type: T;
  entity: string;
  entityId: number | null;
  customerId: number | null;
  data: DomainEventPayloads[T];
  occurredAt: Date;
}

/** A change to record (the writer assigns id and time). */
export interface NewDomainEvent<T extends DomainEventType = DomainEventType> {
  storeId: string;
  type: T;
  entityId: number | null;
  customerId: number | null;
  data: DomainEventPayloads[T];
}
