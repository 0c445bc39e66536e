/**
 * The signed order-status page: status, carrier, tracking and expected delivery from the
 * fulfilment data (checked against a median computed here), escaping, forged and expired links,
 * views counted once per order and day, the contact form opening a ticket and answering a "where
 * is my order?" question by email over real SMTP, and the deflection count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderInput } from '../../src/modules/commerce/commerce.input.js';
import { startSmtpSink, type SmtpSink } from '../messaging/smtp-sink.js';
import { supportHarness, type SupportHarness } from './harness.js';

const DAY = 86_400_000;
let h: SupportHarness;
let sink: SmtpSink;
let ada: number;
const transitDays = [2, 3, 3, 4, 5, 6, 2.5];
const shippedAt = new Date('2026-11-28T10:00:00Z');

function order(externalId: string, customer: string, fulfillments: OrderInput['fulfillments'] = []): OrderInput {
  return { external_id: externalId, customer_external_id: customer, placed_at: new Date('2026-11-27T10:00:00Z'), currency: 'EUR', lines: [{ product_external_id: 'mug', quantity: 1, unit_price: 1500 }], fulfillments };
}

beforeAll(async () => {
  h = await supportHarness('Mugs <&> Co');
  sink = await startSmtpSink();
  await h.t.services.messages.updateSettings(h.storeId, { smtp_url: sink.url, from_address: 'help@mugs.test', frequency_cap_hours: 0 });
  const past = transitDays.map((days, i) => {
    const shipped = new Date(Date.parse('2026-10-01T08:00:00Z') + i * DAY);
    return order(`P-${i}`, 'bo', [{ external_id: `PF-${i}`, carrier: 'DHL', tracking_number: `P${i}`, shipped_at: shipped, delivered_at: new Date(shipped.getTime() + days * DAY), shipment_status: 'delivered' }]);
  });
  await h.t.services.commerce.write(h.storeId, {
    customers: [{ external_id: 'ada', email: 'ada@example.com', first_name: 'Ada' }, { external_id: 'bo', email: 'bo@example.com' }],
    orders: [
      ...past,
      order('O-100', 'ada', [{ external_id: 'F-100', carrier: 'DHL', tracking_number: 'JD<b>014</b>', tracking_url: 'https://dhl.example/track?id=JD014&x=1', shipped_at: shippedAt, shipment_status: 'in_transit' }]),
      order('O-200', 'ada', [{ external_id: 'F-200', carrier: 'Tiny<script>alert(1)</script>Post', tracking_number: 'T1', shipped_at: shippedAt }]),
      order('O-300', 'ada'),
      order('O-400', 'bo'),
    ],
  });
  ada = (await h.t.services.customers.get(h.storeId, 'ext:ada')).id;
});
afterAll(async () => {
  await h.t.close();
  await sink.close();
});

async function linkOf(ref: string): Promise<string> {
  const response = await h.request('POST', `/api/v1/orders/${ref}/status-link`);
  expect(response.statusCode).toBe(200);
  return new URL(response.json().url as string).pathname;
}

/** The median of the store's transit times, computed here from the data written above. */
function expectedDay(): string {
  const sorted = [...transitDays].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return new Date(shippedAt.getTime() + median * DAY).toISOString().slice(0, 10);
}

describe('the order-status page', () => {
  it('shows the stage, carrier, tracking and the expected day from the store\'s delivered shipments, escaped', async () => {
    const page = await h.t.app.inject({ method: 'GET', url: await linkOf('ext:O-100') });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('name="viewport"');
    expect(page.body).toContain('data-status="shipped"');
    expect(page.body).toContain('<dd>DHL</dd>');
    expect(page.body).toContain('JD&lt;b&gt;014&lt;/b&gt;');
    expect(page.body).toContain('href="https://dhl.example/track?id=JD014&amp;x=1"');
    expect(page.body).toContain(`around ${expectedDay()}`);
    expect(page.body).toContain('Mugs &lt;&amp;&gt; Co');

    // An unknown carrier falls back to all carriers' median.
    const other = await h.t.app.inject({ method: 'GET', url: await linkOf('ext:O-200') });
    expect(other.body).not.toContain('<script>alert(1)');
    expect(other.body).toContain('Tiny&lt;script&gt;alert(1)&lt;/script&gt;Post');
    expect(other.body).toContain(`around ${expectedDay()}`);

    const unshipped = await h.t.app.inject({ method: 'GET', url: await linkOf('ext:O-300') });
    expect(unshipped.body).toContain('data-status="received"');
  });

  it('refuses a forged or altered link and an expired one with a page', async () => {
    const path = await linkOf('ext:O-100');
    const token = path.slice(3);
    const [body, signature] = token.split('.') as [string, string];
    const flipped = `${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect((await h.t.app.inject({ method: 'GET', url: `/o/${flipped}` })).statusCode).toBe(404);
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as unknown[];
    const other = Buffer.from(JSON.stringify([claims[0], claims[1], (claims[2] as number) + 1, claims[3]])).toString('base64url');
    const altered = await h.t.app.inject({ method: 'GET', url: `/o/${other}.${signature}` });
    expect(altered.statusCode).toBe(404);
    expect(altered.body).toContain('Link not valid');

    const old = await h.t.services.support.orderStatusUrl(h.storeId, 'ext:O-100', new Date(Date.now() - 200 * DAY));
    const expired = await h.t.app.inject({ method: 'GET', url: new URL(old.url).pathname });
    expect(expired.statusCode).toBe(404);
    expect(expired.body).toContain('expired');
  });

  it('counts one view per order and day', async () => {
    const path = await linkOf('ext:O-400');
    for (let i = 0; i < 3; i += 1) expect((await h.t.app.inject({ method: 'GET', url: path })).statusCode).toBe(200);
    const rows = await h.t.services.storage.read.selectFrom('order_status_views' as never).selectAll().where('store_id' as never, '=', h.storeId as never).execute() as { order_id: number }[];
    const orderId = (await h.t.services.orders.get(h.storeId, 'ext:O-400')).id;
    expect(rows.filter((r) => Number(r.order_id) === orderId)).toHaveLength(1);
  });
});

describe('the contact form', () => {
  it('opens a ticket and answers "where is my order?" by email with the status, once', async () => {
    const path = await linkOf('ext:O-100');
    const post = (message: string, origin?: string) => h.t.app.inject({
      method: 'POST', url: path, payload: `message=${encodeURIComponent(message)}`, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...(origin && { origin }) },
    });
    const first = await post('Hi, where is my order? It still has not arrived.');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('We have emailed you');
    expect((await post('Hi, where is my order? It still has not arrived.')).statusCode).toBe(200);

    const tickets = (await h.request('GET', `/api/v1/tickets?customer_id=${ada}`)).json().data;
    expect(tickets).toHaveLength(1);
    const orderId = (await h.t.services.orders.get(h.storeId, 'ext:O-100')).id;
    expect(tickets[0]).toMatchObject({ source: 'contact_form', channel: 'web', topic: 'where_is_my_order', status: 'pending', order_id: orderId, customer_id: ada });
    expect(tickets[0].first_response_at).not.toBeNull();

    const queued = await h.t.services.storage.read.selectFrom('message_sends').select(['id', 'send_key']).where('store_id', '=', h.storeId).where('send_key', 'like', 'wismo:%').execute();
    expect(queued.map((q) => q.send_key)).toEqual([`wismo:${tickets[0].id}`]);
    await h.t.services.messages.sendBatch(h.storeId, queued.map((q) => Number(q.id)));
    const mails = await sink.parsed();
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect((Array.isArray(mail.to) ? mail.to[0] : mail.to)!.value[0]!.address).toBe('ada@example.com');
    expect(mail.subject).toBe('Where your order O-100 is');
    expect(mail.text).toContain('Your order is on its way.');
    expect(mail.text).toContain('with DHL, tracking JD<b>014</b>');
    expect(mail.text).toContain(`expected around ${expectedDay()}`);
    expect(mail.html).toContain('JD&lt;b&gt;014&lt;/b&gt;');
  });

  it('opens a plain ticket for another question, refuses a short message naming the field and a foreign origin', async () => {
    const path = await linkOf('ext:O-300');
    const form = (message: string, headers: Record<string, string> = {}) => h.t.app.inject({ method: 'POST', url: path, payload: `message=${encodeURIComponent(message)}`, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...headers } });
    expect((await form('Can I have it gift wrapped in blue?')).body).toContain('we will answer by email');
    const short = await form('hi');
    expect(short.statusCode).toBe(422);
    expect(short.body).toContain('message: at least 5 characters');
    // A script (no Accept: text/html) gets the API's error shape.
    const script = await h.t.app.inject({ method: 'POST', url: path, payload: 'message=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(script.statusCode).toBe(422);
    expect(script.json().error.details).toEqual([{ path: 'message', reason: 'at least 5 characters' }]);
    expect((await form('Is this from another site?', { origin: 'https://evil.example' })).statusCode).toBe(403);
    const tickets = (await h.request('GET', `/api/v1/tickets?customer_id=${ada}`)).json().data as { body: string; topic: string | null; status: string }[];
    expect(tickets.map((t) => t.body).sort()).toEqual(['Can I have it gift wrapped in blue?', 'Hi, where is my order? It still has not arrived.']);
    expect(tickets.find((t) => t.body.startsWith('Can I'))).toMatchObject({ topic: null, status: 'open' });
  });

  it('counts the views not followed by a ticket as deflected', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const d = (await h.request('GET', `/api/v1/support/deflection?from=${today}&to=${today}`)).json();
    // Viewed today: O-100, O-200, O-300 (Ada, who then wrote twice) and O-400 (Bo, who did not write).
    expect(d).toMatchObject({ views: 4, deflected: 1, tickets_after_view: 3, wismo_tickets: 1, window_days: 7 });
  });
});
