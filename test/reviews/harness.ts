/**
 * A reviews test store: the real engine under a movable clock (dispatcher with every module's
 * subscribers, worker, SMTP to an in-process server), with a small catalogue and customers written
 * through the commerce writer.
 */
import type { LightMyRequestResponse } from 'fastify';
import { flowHarness, type FlowHarness } from '../flows/flow-harness.js';
import { bearer } from '../helpers/app.js';

export { DAY, addressOf } from '../flows/flow-harness.js';

export interface ReviewsHarness extends FlowHarness {
  /** Tracks an event with the store's write key, as a browser or Segment would. */
  track: (userId: string, event: string, properties: Record<string, unknown>, messageId: string) => Promise<number>;
  /** POST/PUT/GET with the secret key. */
  api: (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => Promise<LightMyRequestResponse>;
}

export const PRODUCTS = [
  { external_id: 'mug', title: 'Stoneware <Mug> & Saucer', price: 2400 },
  { external_id: 'bowl', title: 'Ramen Bowl', price: 3200 },
  { external_id: 'teapot', title: 'Cast-iron Teapot', price: 5900 },
];

export async function reviewsHarness(name = 'Kiln & Co'): Promise<ReviewsHarness> {
  const h = await flowHarness(name);
  await h.services.commerce.write(h.storeId, {
    products: PRODUCTS.map((p) => ({ ...p, currency: 'EUR' })),
    customers: [
      { external_id: 'ada', email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace', email_consent: { status: 'subscribed' } },
      { external_id: 'bob', email: 'bob@example.com', first_name: 'Bob', last_name: 'Stone', email_consent: { status: 'subscribed' } },
      { external_id: 'cy', email: 'cy@example.com', first_name: 'Cy', last_name: null, email_consent: { status: 'subscribed' } },
    ],
  });
  return {
    ...h,
    track: async (userId, event, properties, messageId) => {
      const answer = await h.app.inject({
        method: 'POST', url: '/v1/track', headers: { authorization: `Basic ${Buffer.from(`${h.writeKey}:`).toString('base64')}` },
        payload: { userId, event, properties, messageId },
      });
      return answer.statusCode;
    },
    api: (method, url, payload) => h.app.inject({ method, url, headers: bearer(h.secretKey), ...(payload !== undefined && { payload: payload as Record<string, unknown> }) }),
  };
}

/** An order of a customer for the products named, written through the commerce writer. */
export async function placeOrder(h: FlowHarness, externalId: string, customer: string, products: readonly string[], options: { at?: Date; delivered?: Date | null; shipped?: Date } = {}): Promise<void> {
  const at = options.at ?? h.clock.now();
  await h.services.commerce.write(h.storeId, {
    orders: [{
      external_id: externalId, customer_external_id: customer, placed_at: at, currency: 'EUR', status: 'paid',
      lines: products.map((p) => ({ product_external_id: p, quantity: 1, unit_price: PRODUCTS.find((x) => x.external_id === p)?.price ?? 1000 })),
      ...((options.delivered !== undefined || options.shipped) && {
        fulfillments: [{
          external_id: `${externalId}-f1`, status: 'success', shipped_at: options.shipped ?? at,
          ...(options.delivered ? { shipment_status: 'delivered', delivered_at: options.delivered } : {}),
          lines: products.map((p) => ({ product_external_id: p, quantity: 1 })),
        }],
      }),
    }],
  });
}
