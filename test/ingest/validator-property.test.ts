/**
 * Property tests of the ingest validator: random and malformed payloads never crash the server,
 * never store a half event, and what the server says it stored is exactly what is in the store.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTypes, validateMessage } from '../../src/modules/ingest/segment.validator.js';
import { basic, ingestApp, rows } from '../helpers/ingest.js';

type App = Awaited<ReturnType<typeof ingestApp>>;
let t: App;
beforeAll(async () => {
  t = await ingestApp();
});
afterAll(async () => {
  await t.close();
});

/** Segment-like messages with every field sometimes missing, mistyped or hostile. */
const field = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue(), fc.string({ unit: 'binary', maxLength: 20 }));
const message = fc.record({
  type: fc.oneof(fc.constantFrom(...eventTypes), field),
  userId: fc.oneof(fc.string({ maxLength: 30 }), field),
  anonymousId: fc.oneof(fc.uuid(), field),
  messageId: fc.oneof(fc.uuid(), field),
  event: fc.oneof(fc.constantFrom('Order Completed', 'Product Viewed', 'Order Refunded', 'Signed Up'), field),
  name: field,
  previousId: field,
  groupId: field,
  timestamp: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), field),
  properties: fc.oneof(
    fc.record({ order_id: field, total: field, currency: fc.oneof(fc.constantFrom('USD', 'EUR', 'XXX'), field), products: fc.oneof(fc.array(fc.record({ price: field, quantity: field, product_id: field }, { requiredKeys: [] }), { maxLength: 3 }), field) }, { requiredKeys: [] }),
    field,
  ),
  traits: fc.oneof(fc.record({ email: field, name: field, created_at: field }, { requiredKeys: [] }), field),
  context: field,
}, { requiredKeys: [] });

describe('ingest validator properties', () => {
  it('never throws, and what it accepts is complete', () => {
    fc.assert(fc.property(fc.oneof(message, fc.jsonValue()), (raw) => {
      const result = validateMessage(raw, { receivedAt: new Date() });
      if (!result.ok) {
        expect(typeof result.reason).toBe('string');
        return;
      }
      const m = result.message;
      expect(eventTypes).toContain(m.type);
      expect(m.userId !== null || m.anonymousId !== null).toBe(true);
      expect(Number.isNaN(m.occurredAt.getTime())).toBe(false);
      expect(typeof m.properties).toBe('object');
      if (m.type === 'track') expect(m.name?.trim()).toBeTruthy();
      expect(() => JSON.stringify(m.properties)).not.toThrow();
    }), { numRuns: 2000 });
  });

  it('random batches never crash the server; stored events are whole and counted exactly', async () => {
    let reported = 0;
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(message, fc.jsonValue()), { minLength: 1, maxLength: 12 }), async (batch) => {
      const response = await t.app.inject({ method: 'POST', url: '/v1/batch', headers: basic(t.writeKey), payload: { batch } });
      expect([200, 413, 422]).toContain(response.statusCode);
      if (response.statusCode === 200) {
        const body = response.json();
        reported += body.stored;
        expect(body.stored + body.duplicates + body.rejected.length).toBe(batch.length);
      }
    }), { numRuns: 150 });
    const raw = await fc.sample(fc.uint8Array({ maxLength: 200 }), 20);
    for (const bytes of raw) {
      const response = await t.app.inject({ method: 'POST', url: '/v1/batch', headers: { ...basic(t.writeKey), 'content-type': 'application/json' }, payload: Buffer.from(bytes) });
      expect(response.statusCode).toBeLessThan(500);
    }
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    const stored = await rows<{ type: string; name: string | null; properties: string; occurred_at: Date; anonymous_id: string | null; customer_id: number | null }>(t.services,
      'select type, name, properties, occurred_at, anonymous_id, customer_id from events where store_id = ?', t.storeId);
    expect(stored.length).toBe(reported);
    for (const event of stored) {
      expect(eventTypes).toContain(event.type);
      expect(event.occurred_at).toBeInstanceOf(Date);
      expect(typeof JSON.parse(event.properties)).toBe('object');
      expect(event.anonymous_id !== null || event.customer_id !== null).toBe(true);
      if (event.type === 'track') expect(event.name).toBeTruthy();
    }
    // Every stored order event wrote its order, and no order exists without its event.
    const orderEvents = stored.filter((e) => e.type === 'track' && e.name === 'Order Completed').map((e) => String(JSON.parse(e.properties).order_id));
    const orders = await rows<{ external_id: string }>(t.services, 'select external_id from orders where store_id = ?', t.storeId);
    expect(new Set(orders.map((o) => o.external_id))).toEqual(new Set(orderEvents.map((id) => id.trim())));
  }, 120_000);
});
