/**
 * Rewards handed to the shop on its webhook channel (`fulfilment.webhook`): each redemption, and
 * each reward cancelled, is one signed POST to a real local receiver, with the code and the
 * customer in its context; a retried redemption and a redelivered event post nothing more; the
 * setting is refused while the store has no webhook channel.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { Dispatcher } from '../../src/modules/domain-events/index.js';
import { fulfilmentSubscriber } from '../../src/modules/loyalty/index.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { signatureValid, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { settingsWith } from './harness.js';

let t: TestApp;
let receiver: WebhookReceiver;
beforeAll(async () => {
  t = await createTestApp();
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

const reward = { id: 'five-off', name: '€5 off', kind: 'amount_off' as const, points: 100, value: 500 };

/** Sends whatever the subscriber queued for the store (as the send job would) and returns the receiver's requests for its keys. */
async function sendQueued(storeId: string) {
  const { rows } = await sql<{ id: number }>`select id from message_sends where store_id = ${storeId} and send_key like 'loyalty:%' order by id`.execute(t.services.storage.read);
  if (rows.length) await t.services.messages.sendBatch(storeId, rows.map((r) => Number(r.id)));
  return rows.length;
}

describe('fulfilment by webhook', () => {
  it('posts each redemption and each cancelled reward once, signed, with the code and the customer', async () => {
    const store = await t.newStore('Fulfilling Store');
    const auth = { ...bearer(store.secretKey), 'content-type': 'application/json' };
    const settings = settingsWith({ rewards: [reward], pending: { days: 0, from: 'payment' }, fulfilment: { webhook: true } });

    // Without the webhook channel, asking for it is refused, naming the setting; nothing is saved.
    const refused = await t.app.inject({ method: 'PUT', url: '/api/v1/loyalty/settings', headers: auth, payload: settings });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.details).toEqual([expect.objectContaining({ path: 'fulfilment.webhook' })]);
    expect((await t.services.loyalty.settings(store.storeId)).version).toBe(0);

    const { cookie, csrf } = await t.signIn(store.ownerEmail, store.ownerPassword);
    const channel = await t.app.inject({ method: 'PATCH', url: '/api/v1/messaging/settings', headers: { cookie, 'x-csrf-token': csrf, 'x-hearth-store': store.storeId }, payload: { webhook_url: receiver.url } });
    expect(channel.statusCode).toBe(200);
    const secret = channel.json().webhook.secret as string;
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/loyalty/settings', headers: auth, payload: settings })).statusCode).toBe(200);

    await t.services.commerce.write(store.storeId, { customers: [{ external_id: 'ada', email: 'ada@example.com', first_name: 'Ada' }] });
    const customerId = (await t.services.customers.get(store.storeId, 'ext:ada')).id;
    await t.services.loyalty.adjust(store.storeId, customerId, { points: 250, reason: 'welcome', key: 'welcome', actor: 'test' });

    const dispatcher = new Dispatcher(t.services.storage, silentLogger, { pollMs: 20 }).subscribe({ ...fulfilmentSubscriber(t.services), from: 'start' });
    await dispatcher.start();
    try {
      const redeem = () => t.app.inject({ method: 'POST', url: `/api/v1/loyalty/customers/${customerId}/redemptions`, headers: { ...auth, 'idempotency-key': 'order-77' }, payload: { reward_id: reward.id } });
      const first = await redeem();
      expect(first.statusCode).toBe(201);
      expect((await redeem()).statusCode).toBe(200); // the retry
      const redemption = first.json() as { id: string; code: string };
      await dispatcher.idle(30_000);
      expect(await sendQueued(store.storeId)).toBe(1);

      const posted = receiver.requests.filter((r) => r.headers['idempotency-key'] === `loyalty:redeemed:${redemption.id}`);
      expect(posted).toHaveLength(1);
      expect(signatureValid(secret, posted[0]!)).toBe(true);
      const body = JSON.parse(posted[0]!.body);
      expect(body).toMatchObject({ channel: 'webhook', purpose: 'transactional', customer: null });
      expect(body.context).toMatchObject({
        source: 'loyalty', event: 'loyalty.reward_redeemed',
        customer: { id: customerId, external_id: 'ada', email: 'ada@example.com' },
        redemption: { redemption_id: redemption.id, reward_id: 'five-off', reward_name: '€5 off', kind: 'amount_off', value: 500, product_id: null, points: 100, code: redemption.code, balance_after: 150 },
      });

      // Cancelled unused: the shop hears the code is void.
      const cancelled = await t.app.inject({ method: 'POST', url: `/api/v1/loyalty/redemptions/${redemption.id}/cancel`, headers: bearer(store.secretKey) });
      expect(cancelled.statusCode).toBe(200);
      await dispatcher.idle(30_000);
      expect(await sendQueued(store.storeId)).toBe(2);
      const returned = receiver.requests.filter((r) => r.headers['idempotency-key'] === `loyalty:returned:${redemption.id}`);
      expect(returned).toHaveLength(1);
      expect(JSON.parse(returned[0]!.body).context.redemption).toEqual({ redemption_id: redemption.id, reward_id: 'five-off', code: redemption.code, status: 'cancelled', returned_points: 100 });
    } finally {
      await dispatcher.stop();
    }

    // The same events delivered again (a subscriber replaying from the start) queue nothing new.
    const again = new Dispatcher(t.services.storage, silentLogger, { pollMs: 20 }).subscribe({ ...fulfilmentSubscriber(t.services), name: 'fulfilment-replay', from: 'start' });
    await again.start();
    await again.idle(30_000);
    await again.stop();
    expect(await sendQueued(store.storeId)).toBe(2);
    expect(receiver.requests.filter((r) => String(r.headers['idempotency-key']).startsWith('loyalty:')).length).toBe(2);
  });

  it('records and queues nothing for a programme that does not ask for it', async () => {
    const store = await t.newStore('Quiet Store');
    await t.services.loyalty.saveSettings(store.storeId, settingsWith({ rewards: [reward], pending: { days: 0, from: 'payment' } }), 'test');
    await t.services.commerce.write(store.storeId, { customers: [{ external_id: 'bob', email: 'bob@example.com' }] });
    const customerId = (await t.services.customers.get(store.storeId, 'ext:bob')).id;
    await t.services.loyalty.adjust(store.storeId, customerId, { points: 100, reason: 'welcome', key: 'welcome', actor: 'test' });
    await t.services.loyalty.redeem(store.storeId, customerId, { reward_id: reward.id, key: 'r1' });
    const dispatcher = new Dispatcher(t.services.storage, silentLogger, { pollMs: 20 }).subscribe({ ...fulfilmentSubscriber(t.services), name: 'fulfilment-quiet', from: 'start' });
    await dispatcher.start();
    await dispatcher.idle(30_000);
    await dispatcher.stop();
    const { rows: [events] } = await sql<{ n: number }>`select count(*) as n from domain_events where store_id = ${store.storeId} and type = 'loyalty.reward_redeemed'`.execute(t.services.storage.read);
    expect(Number(events!.n)).toBe(0); // nor recorded: nobody would act on it
    expect(await sendQueued(store.storeId)).toBe(0);
  });
});
