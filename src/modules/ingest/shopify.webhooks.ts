/**
 * Shopify webhooks (https://shopify.dev/docs/apps/build/webhooks): the body is verified against
 * `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the raw body with the store's shared secret,
 * compared in constant time), deliveries are deduplicated on `X-Shopify-Webhook-Id`, and the
 * payload is written through the shared commerce writer.
 */
import { mayHoldSurrogate, repairSurrogates } from '../../lib/unicode.js';
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import { safeEqual } from '../../lib/ids.js';
import type { StoreTable } from '../accounts/index.js';
import type { IngestDeps } from './ingest.service.js';
import { reasonKey, type IngestStats } from './ingest.stats.js';
import { mapShopify, shopifyTopics, type ShopifyTopic } from './shopify.mapper.js';

export interface ShopifyDelivery {
  topic: string | undefined;
  webhookId: string | undefined;
  hmac: string | undefined;
  rawBody: Buffer;
}

export type ShopifyOutcome =
  | { status: 'stored' | 'duplicate' | 'ignored'; topic: string }
  /** A payload Hearth can never store: acknowledged so Shopify stops retrying (and keeps the webhook), counted as rejected. */
  | { status: 'rejected'; topic: string; error: { path: string; reason: string } };

const SOURCE = 'shopify';

export function shopifyHmac(secret: string, rawBody: Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

export class ShopifyWebhooks {
  constructor(
    private readonly storage: Storage,
    private readonly deps: () => IngestDeps,
    private readonly stats: IngestStats,
    private readonly storeOf: (idOrSlug: string) => Promise<StoreTable | undefined>,
    private readonly flushStats: () => void,
  ) {}

  private async orderCurrency(storeId: string, payload: unknown): Promise<string | undefined> {
    const orderId = typeof payload === 'object' && payload !== null ? (payload as { order_id?: unknown }).order_id : undefined;
    if (typeof orderId !== 'string' && typeof orderId !== 'number') return undefined;
    const row = await this.storage.read.selectFrom('orders').select('currency')
      .where('store_id', '=', storeId).where('external_id', '=', String(orderId)).executeTakeFirst();
    return row?.currency;
  }

  async receive(storeRef: string, delivery: ShopifyDelivery): Promise<ShopifyOutcome> {
    const store = await this.storeOf(storeRef);
    // The same answer for an unknown store and a wrong signature, so stores cannot be probed.
    const secret = store?.shopify_secret;
    if (!store || !secret || !delivery.hmac || !safeEqual(shopifyHmac(secret, delivery.rawBody), delivery.hmac.trim())) {
      throw new AppError('unauthorized', 'The X-Shopify-Hmac-Sha256 signature does not match this store\'s Shopify secret');
    }
    const topic = delivery.topic ?? '';
    // Unsupported topics are acknowledged so Shopify does not retry and then disable the webhook.
    if (!(shopifyTopics as readonly string[]).includes(topic)) return { status: 'ignored', topic };
    this.stats.count(store.id, SOURCE, 'received');
    try {
      if (delivery.webhookId && (await this.seen(store.id, delivery.webhookId))) {
        this.stats.count(store.id, SOURCE, 'deduplicated');
        return { status: 'duplicate', topic };
      }
      let payload: unknown;
      try {
        const text = delivery.rawBody.toString('utf8');
        payload = parseKeepingIds(text);
        if (mayHoldSurrogate(text)) payload = repairSurrogates(payload);
      } catch {
        throw this.reject(store.id, '(body)', 'is not valid JSON');
      }
      // A refund's transactions may carry no currency: then it is its order's, when the order is known.
      const fallbackCurrency = topic === 'refunds/create' ? (await this.orderCurrency(store.id, payload)) ?? store.currency : store.currency;
      const mapped = mapShopify(topic as ShopifyTopic, payload, fallbackCurrency);
      // Shopify retries every answer but a 2xx for hours and then deletes the webhook: a payload that
      // can never be stored (the same bytes would fail every time) is acknowledged, remembered and
      // counted as rejected with its reason, which the Data page and `hearth status` show.
      if (!mapped.ok) return await this.rejected(store.id, delivery.webhookId, topic, mapped.path, mapped.reason);
      try {
        await this.deps().commerce.write(store.id, mapped.batch, { source: SOURCE });
      } catch (error) {
        if (error instanceof AppError && error.code === 'validation_failed') {
          const detail = error.details[0];
          return await this.rejected(store.id, delivery.webhookId, topic, detail?.path ?? '(body)', detail?.reason ?? error.message);
        }
        throw error;
      }
      if (delivery.webhookId) await this.remember(store.id, delivery.webhookId, topic);
      this.stats.count(store.id, SOURCE, 'stored');
      return { status: 'stored', topic };
    } finally {
      this.flushStats();
    }
  }

  private async rejected(storeId: string, webhookId: string | undefined, topic: string, path: string, reason: string): Promise<ShopifyOutcome> {
    this.stats.reject(storeId, SOURCE, reasonKey(path, reason));
    if (webhookId) await this.remember(storeId, webhookId, topic);
    return { status: 'rejected', topic, error: { path, reason } };
  }

  private reject(storeId: string, path: string, reason: string): AppError {
    this.stats.reject(storeId, SOURCE, reasonKey(path, reason));
    return new AppError('validation_failed', `Invalid Shopify payload: ${path} ${reason}`, [{ path, reason }]);
  }

  private async seen(storeId: string, webhookId: string): Promise<boolean> {
    const { rows } = await sql<{ n: number }>`select count(*) as n from webhook_deliveries where store_id = ${storeId} and webhook_id = ${webhookId}`.execute(this.storage.read);
    return Number(rows[0]?.n ?? 0) > 0;
  }

  /** Recorded after the data is written: a crash in between makes Shopify retry, and the write is idempotent. */
  private async remember(storeId: string, webhookId: string, topic: string): Promise<void> {
    await sql`insert into webhook_deliveries (store_id, webhook_id, topic, received_at) values (${storeId}, ${webhookId}, ${topic}, ${new Date()})
      on conflict do nothing`.execute(this.storage.write);
  }
}

/**
 * Shopify ids are 64-bit integers and may exceed 2^53, where JSON numbers lose digits; id fields
 * (`id`, `*_id`) with 16+ digits are read as strings so they survive exactly.
 */
export function parseKeepingIds(text: string): unknown {
  return JSON.parse(text.replace(/("(?:id|[A-Za-z_]+_id)"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"'));
}
