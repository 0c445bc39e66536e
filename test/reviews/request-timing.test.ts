/**
 * Review requests for orders sent abroad and one request per product: an international order (its
 * customer's country is known and not one of the store's home countries) is asked about after the
 * international delays; `per_product` gives each product of the order its own request and email,
 * which count as one order against the 30-day cap, and reviewing one product leaves the other's
 * reminder to come. The settings refuse a bad value naming it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressOf, DAY, placeOrder, reviewsHarness, type ReviewsHarness } from './harness.js';

let h: ReviewsHarness;

beforeAll(async () => {
  h = await reviewsHarness();
  await h.services.commerce.write(h.storeId, {
    customers: [
      { external_id: 'ivy', email: 'ivy@example.com', first_name: 'Ivy', country: 'GB', email_consent: { status: 'subscribed' } },
      { external_id: 'jo', email: 'jo@example.com', first_name: 'Jo', country: 'fr', email_consent: { status: 'subscribed' } },
      { external_id: 'kit', email: 'kit@example.com', first_name: 'Kit', email_consent: { status: 'subscribed' } },
      { external_id: 'lee', email: 'lee@example.com', first_name: 'Lee', country: 'DE', email_consent: { status: 'subscribed' } },
    ],
  });
  // An order never shipped comes first, so order and fulfilment row ids differ.
  await placeOrder(h, 'z-0', 'kit', ['bowl']);
}, 60_000);
afterAll(async () => h.close());

type Request = { id: string; order_id: string; status: string; reason: string | null; reminders: number; products: { id: string; title: string }[]; due_at: string };
const customerId = async (name: string) => (await h.services.customers.get(h.storeId, `ext:${name}`)).id;
const requestsOf = async (name: string) => (await h.services.reviews.requests.list(h.storeId, { customer_id: await customerId(name) })).data as unknown as Request[];
const mailsTo = async (name: string) => (await h.sink.parsed()).filter((m) => addressOf(m) === `${name}@example.com`);
const orderOf = async (order: string) => Number((await h.services.storage.read.selectFrom('orders').select('id').where('store_id', '=', h.storeId).where('external_id', '=', order).executeTakeFirstOrThrow()).id);
const schedule = async (name: string, order: string) => h.services.reviews.requests.schedule(h.storeId, await customerId(name), await orderOf(order));
const runJob = async () => {
  const result = await h.services.reviews.requests.runDue(h.storeId);
  await h.settle();
  return result;
};

describe('review request timing and per-product requests', () => {
  it('refuses bad settings naming the field, and keeps the home countries as given', async () => {
    for (const [body, path] of [
      [{ home_countries: [''] }, 'home_countries.0'],
      [{ home_countries: 'GB' }, 'home_countries'],
      [{ international_delay_days: -1 }, 'international_delay_days'],
      [{ international_fulfilled_delay_days: 2.5 }, 'international_fulfilled_delay_days'],
      [{ request_mode: 'per_line' }, 'request_mode'],
    ] as const) {
      const answer = await h.api('PUT', '/api/v1/reviews/settings', body);
      expect(answer.statusCode, JSON.stringify(body)).toBe(422);
      expect((answer.json() as { error: { details: { path: string }[] } }).error.details.map((d) => d.path)).toContain(path);
    }
    const saved = await h.api('PUT', '/api/v1/reviews/settings', { home_countries: ['GB', ' United Kingdom ', 'GB'], international_delay_days: 14, international_fulfilled_delay_days: 21, delivery_delay_days: 7, fulfilled_delay_days: 10, max_requests_per_30_days: 1, reminder_days: 5, max_reminders: 1 });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ home_countries: ['GB', 'United Kingdom'], international_delay_days: 14, international_fulfilled_delay_days: 21, request_mode: 'order' });
    expect((await h.api('GET', '/api/v1/reviews/settings')).json()).toMatchObject({ home_countries: ['GB', 'United Kingdom'] });
  });

  it('asks a customer abroad after the international delays, at home or of unknown country after the usual ones', async () => {
    const delivered = h.clock.now();
    await placeOrder(h, 'i-1', 'ivy', ['mug'], { delivered });
    await placeOrder(h, 'j-1', 'jo', ['mug'], { delivered });
    await placeOrder(h, 'k-1', 'kit', ['mug'], { delivered });
    await placeOrder(h, 'l-1', 'lee', ['bowl'], { shipped: delivered, delivered: null });
    for (const [name, order] of [['ivy', 'i-1'], ['jo', 'j-1'], ['kit', 'k-1'], ['lee', 'l-1']] as const) expect(await schedule(name, order)).toMatchObject({ outcome: 'scheduled' });
    const dueOf = async (name: string) => new Date((await requestsOf(name))[0]!.due_at).getTime() - delivered.getTime();
    expect(await dueOf('ivy')).toBe(7 * DAY);
    // 'fr' is not GB whatever its case: abroad.
    expect(await dueOf('jo')).toBe(14 * DAY);
    expect(await dueOf('kit')).toBe(7 * DAY);
    // Shipped abroad with no delivery date: the international fallback after fulfilment.
    expect(await dueOf('lee')).toBe(21 * DAY);

    await h.advance(7 * DAY);
    await runJob();
    expect(await mailsTo('ivy')).toHaveLength(1);
    expect(await mailsTo('jo')).toHaveLength(0);
    await h.advance(7 * DAY);
    await runJob();
    expect(await mailsTo('jo')).toHaveLength(1);
  });

  it('per product: one request and one email for each product, counted as one order against the cap; each ends on its own review', async () => {
    expect((await h.api('PUT', '/api/v1/reviews/settings', { request_mode: 'per_product', home_countries: [] })).statusCode).toBe(200);
    const delivered = h.clock.now();
    await placeOrder(h, 'i-2', 'ivy', ['teapot', 'bowl'], { delivered });
    expect(await schedule('ivy', 'i-2')).toMatchObject({ outcome: 'scheduled' });
    expect(await schedule('ivy', 'i-2')).toMatchObject({ outcome: 'already_requested' });
    const requests = (await requestsOf('ivy')).filter((r) => r.order_id === 'i-2');
    expect(requests.map((r) => r.products.map((p) => p.id)).sort()).toEqual([['bowl'], ['teapot']]);
    expect(new Set(requests.map((r) => r.id)).size).toBe(2);

    const before = (await mailsTo('ivy')).length;
    await h.advance(7 * DAY);
    // The cap is one other order in 30 days, and Ivy was asked about i-1 two weeks ago: both stop.
    await runJob();
    expect((await requestsOf('ivy')).filter((r) => r.order_id === 'i-2').map((r) => [r.status, r.reason])).toEqual([['stopped', 'too_many_requests'], ['stopped', 'too_many_requests']]);

    await placeOrder(h, 'k-2', 'kit', ['teapot', 'bowl'], { delivered: h.clock.now() });
    await h.api('PUT', '/api/v1/reviews/settings', { max_requests_per_30_days: 2 });
    expect(await schedule('kit', 'k-2')).toMatchObject({ outcome: 'scheduled' });
    const kitBefore = (await mailsTo('kit')).length;
    await h.advance(7 * DAY);
    expect((await runJob()).sent).toBe(2);
    const mails = (await mailsTo('kit')).slice(kitBefore);
    expect(mails).toHaveLength(2);
    const named = mails.map((m) => (m.text as string).includes('Cast-iron Teapot') ? 'teapot' : (m.text as string).includes('Ramen Bowl') ? 'bowl' : 'none').sort();
    expect(named).toEqual(['bowl', 'teapot']);
    expect(mails.every((m) => !((m.text as string).includes('Cast-iron Teapot') && (m.text as string).includes('Ramen Bowl')))).toBe(true);
    expect((await mailsTo('ivy')).length).toBe(before);

    // Kit reviews the teapot through its own link: the bowl's request alone gets its reminder.
    const teapotMail = mails.find((m) => (m.text as string).includes('Cast-iron Teapot'))!;
    const path = new URL(/href="(https?:\/\/[^"]+\/r\/[^"]+)"/.exec(teapotMail.html as string)![1]!).pathname;
    const page = await h.app.inject({ method: 'GET', url: path });
    expect(page.body).toContain('Cast-iron Teapot');
    expect(page.body).not.toContain('Ramen Bowl');
    const sent = await h.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: 'rating_0=5&body_0=Keeps+the+tea+hot' });
    expect(sent.statusCode).toBe(200);
    await h.advance(5 * DAY);
    await runJob();
    const kit = (await requestsOf('kit')).filter((r) => r.order_id === 'k-2');
    const byProduct = Object.fromEntries(kit.map((r) => [r.products[0]!.id, r]));
    expect(byProduct.teapot).toMatchObject({ status: 'reviewed', reminders: 0 });
    expect(byProduct.bowl).toMatchObject({ status: 'sent', reminders: 1 });
    const reminders = (await mailsTo('kit')).slice(kitBefore + 2);
    expect(reminders.map((m) => m.subject)).toEqual(['A reminder: how was your order from Kiln & Co?']);
    expect(reminders[0]!.text).toContain('Ramen Bowl');
  });
});
