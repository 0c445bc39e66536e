/**
 * Rewards handed to the shop to fulfil (docs/loyalty.md, "Fulfilment by webhook"): with
 * `fulfilment.webhook` on, each `loyalty.reward_redeemed` and `loyalty.reward_returned` event
 * becomes one signed POST on the store's webhook channel — the messaging module's durable,
 * retried delivery, keyed by the redemption so a redelivered event queues nothing twice. The
 * message is addressed to the shop, not to the customer (no consent or suppression applies); the
 * customer and the redemption are in its `context`.
 */
import { AppError } from '../../lib/errors.js';
import type { DomainEvent, DomainEventPayloads, DomainEventType } from '../domain-events/index.js';
import type { MessageToQueue } from '../messaging/index.js';
import type { LoyaltySettings } from './loyalty.settings.js';

export const FULFILMENT_EVENTS: readonly DomainEventType[] = ['loyalty.reward_redeemed', 'loyalty.reward_returned'];

export interface FulfilmentCustomer { id: number; external_id: string | null; email: string | null }

export interface FulfilmentDeps {
  settings: (storeId: string) => Promise<LoyaltySettings>;
  customers: (storeId: string, ids: readonly number[]) => Promise<Map<number, FulfilmentCustomer>>;
  queue: (storeId: string, messages: readonly MessageToQueue[]) => Promise<unknown>;
  /** Told when a store asks for the webhook but its channel is not set up (nothing is queued). */
  warn: (storeId: string, reason: string) => void;
}

type Redeemed = DomainEventPayloads['loyalty.reward_redeemed'];
type Returned = DomainEventPayloads['loyalty.reward_returned'];

/** Queues the fulfilment webhooks of a batch of events, per store. */
export async function queueFulfilment(deps: FulfilmentDeps, events: readonly DomainEvent[]): Promise<void> {
  for (const storeId of new Set(events.map((e) => e.storeId))) {
    const mine = events.filter((e) => e.storeId === storeId && FULFILMENT_EVENTS.includes(e.type) && e.customerId !== null);
    if (mine.length === 0 || (await deps.settings(storeId)).fulfilment?.webhook !== true) continue;
    const customers = await deps.customers(storeId, [...new Set(mine.map((e) => e.customerId!))]);
    const messages = mine.map((event): MessageToQueue => {
      const data = event.data as Redeemed | Returned;
      const customer = customers.get(event.customerId!) ?? { id: event.customerId!, external_id: null, email: null };
      const redeemed = event.type === 'loyalty.reward_redeemed';
      return {
        channel: 'webhook', purpose: 'transactional', customerId: null,
        sendKey: `loyalty:${redeemed ? 'redeemed' : 'returned'}:${data.redemption_id}`,
        context: { source: 'loyalty', event: event.type, occurred_at: event.occurredAt.toISOString(), customer, redemption: data },
        build: () => {
          const text = redeemed
            ? `Reward redeemed: ${(data as Redeemed).reward_name}, code ${data.code}, for customer ${customer.external_id ?? customer.id}`
            : `Reward ${(data as Returned).status}: code ${data.code} should no longer be honoured`;
          return { subject: text, preheader: '', text, html: '' };
        },
      };
    });
    try {
      await deps.queue(storeId, messages);
    } catch (error) {
      // The channel was switched off after the programme asked for it: the shop is told in the log, the events are not retried forever.
      if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error;
      deps.warn(storeId, error.message);
    }
  }
}
