/**
 * Review requests through the flow: the ready "Review request" flow, installed and live, schedules
 * a request per delivered order; the reviews job sends it when due over real SMTP with a signed
 * link, which opens the hosted page and takes a verified review; reminders stop once reviewed and
 * never exceed the store's number; the once-a-year, per-30-days, unsubscribed and suppressed rules
 * stop a request with its reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressOf, DAY, placeOrder, reviewsHarness, type ReviewsHarness } from './harness.js';

let h: ReviewsHarness;

beforeAll(async () => {
  h = await reviewsHarness();
  await h.services.commerce.write(h.storeId, {
    customers: ['dee', 'eli', 'fay', 'gus', 'hal'].map((n) => ({ external_id: n, email: `${n}@example.com`, first_name: n[0]!.toUpperCase() + n.slice(1), email_consent: { status: 'subscribed' as const } })),
  });
  // An order never shipped comes first, so order and fulfilment row ids differ from here on.
  await placeOrder(h, 'z-0', 'ada', ['bowl']);
  const installed = (await h.api('POST', '/api/v1/flows/library/review_request/install')).json() as { flow: { id: string; document: Record<string, unknown> } };
  expect(installed.flow.document.steps).toEqual([expect.objectContaining({ type: 'review_request' }), expect.objectContaining({ type: 'exit' })]);
  expect((await h.app.inject({ method: 'PATCH', url: `/api/v1/flows/${installed.flow.id}`, headers: { authorization: `Bearer ${h.secretKey}` }, payload: { document: { ...installed.flow.document, holdout_share: 0 } } })).statusCode).toBe(200);
  expect((await h.api('POST', `/api/v1/flows/${installed.flow.id}/publish`)).json()).toMatchObject({ status: 'live' });
  expect((await h.api('PUT', '/api/v1/reviews/settings', { delivery_delay_days: 7, fulfilled_delay_days: 14, max_requests_per_30_days: 1, reminder_days: 5, max_reminders: 2 })).statusCode).toBe(200);
}, 60_000);
afterAll(async () => h.close());

type Request = { id: string; customer_id: number; order_id: string; status: string; reason: string | null; reminders: number; products: { id: string }[]; due_at: string };
const customerId = async (name: string) => (await h.services.customers.get(h.storeId, `ext:${name}`)).id;
const requestOf = async (name: string) => (await h.services.reviews.requests.list(h.storeId, { customer_id: await customerId(name) })).data as unknown as Request[];
const mailsTo = async (name: string) => (await h.sink.parsed()).filter((m) => addressOf(m) === `${name}@example.com`);
/** Runs the reviews job as the scheduler would, then sends what it queued. */
const runJob = async () => {
  const result = await h.services.reviews.requests.runDue(h.storeId);
  await h.settle();
  return result;
};

describe('review requests through the flow', () => {
  it('a delivered order gets a request a week later with a signed link; the page opens it and a review ends it; no reminder follows', async () => {
    const delivered = h.clock.now();
    await placeOrder(h, 'd-1', 'dee', ['mug', 'teapot'], { delivered });
    await h.settle();
    const [scheduled] = await requestOf('dee');
    expect(scheduled).toMatchObject({ order_id: 'd-1', status: 'scheduled', reminders: 0, products: [{ id: 'mug' }, { id: 'teapot' }] });
    expect(new Date(scheduled!.due_at).getTime()).toBe(delivered.getTime() + 7 * DAY);

    await runJob();
    expect(await mailsTo('dee')).toHaveLength(0);
    await h.advance(7 * DAY);
    expect((await runJob()).sent).toBe(1);
    const [mail] = await mailsTo('dee');
    expect(mail!.subject).toBe('How was your order from Kiln & Co?');
    expect(mail!.text).toContain('Stoneware <Mug> & Saucer');
    expect(mail!.html).toContain('Stoneware &lt;Mug&gt; &amp; Saucer');
    const link = /href="(https?:\/\/[^"]+\/r\/[^"]+)"/.exec(mail!.html as string)![1]!;
    expect((await requestOf('dee'))[0]).toMatchObject({ status: 'sent' });

    const path = new URL(link).pathname;
    const page = await h.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect((await requestOf('dee'))[0]).toMatchObject({ status: 'opened' });
    const sent = await h.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: 'rating_0=4&body_0=Good+mug&rating_1=5&body_1=Great+pot' });
    expect(sent.statusCode).toBe(200);
    expect((await requestOf('dee'))[0]).toMatchObject({ status: 'reviewed' });
    const reviews = (await h.services.reviews.list(h.storeId, { limit: 500 })).data.filter((r) => r.order_id === 'd-1');
    expect(reviews.map((r) => [r.product_id, r.rating, r.verified]).sort()).toEqual([['mug', 4, true], ['teapot', 5, true]]);

    // Reviewed: the reminder days pass without another email.
    for (let i = 0; i < 3; i += 1) {
      await h.advance(5 * DAY);
      await runJob();
    }
    expect(await mailsTo('dee')).toHaveLength(1);
  });

  it('sends at most the store\'s number of reminders while nothing is reviewed, each once', async () => {
    await placeOrder(h, 'e-1', 'eli', ['bowl'], { delivered: h.clock.now() });
    await h.settle();
    await h.advance(7 * DAY);
    await runJob();
    await runJob();
    expect(await mailsTo('eli')).toHaveLength(1);
    for (let i = 0; i < 4; i += 1) {
      await h.advance(5 * DAY);
      await runJob();
      await runJob();
    }
    const mails = await mailsTo('eli');
    expect(mails.map((m) => m.subject)).toEqual(['How was your order from Kiln & Co?', 'A reminder: how was your order from Kiln & Co?', 'A reminder: how was your order from Kiln & Co?']);
    expect((await requestOf('eli'))[0]).toMatchObject({ status: 'sent', reminders: 2 });
  });

  it('without a delivery date, a fulfilled order is asked about the fallback delay after fulfilment', async () => {
    const shipped = h.clock.now();
    await placeOrder(h, 'g-1', 'gus', ['teapot'], { shipped, delivered: null });
    // The flow starts on delivery; a shipment with no delivery is scheduled through the step's own call.
    const order = await h.services.storage.read.selectFrom('orders').select('id').where('store_id', '=', h.storeId).where('external_id', '=', 'g-1').executeTakeFirstOrThrow();
    expect(await h.services.reviews.requests.schedule(h.storeId, await customerId('gus'), Number(order.id))).toMatchObject({ outcome: 'scheduled' });
    expect(await h.services.reviews.requests.schedule(h.storeId, await customerId('gus'), Number(order.id))).toMatchObject({ outcome: 'already_requested' });
    expect(new Date((await requestOf('gus'))[0]!.due_at).getTime()).toBe(shipped.getTime() + 14 * DAY);
  });

  it('stops a request for an unsubscribed or suppressed address, products reviewed or asked about within 12 months, or one request too many in 30 days', async () => {
    await placeOrder(h, 'f-1', 'fay', ['mug'], { delivered: h.clock.now() });
    await placeOrder(h, 'g-2', 'gus', ['bowl'], { delivered: h.clock.now() });
    // Eli orders the bowl again (asked about weeks ago); Dee the mug she reviewed; Hal orders twice, two days apart (the cap is 1 in 30 days).
    await placeOrder(h, 'e-2', 'eli', ['bowl'], { delivered: h.clock.now() });
    await placeOrder(h, 'd-2', 'dee', ['mug'], { delivered: h.clock.now() });
    await placeOrder(h, 'h-1', 'hal', ['mug'], { delivered: h.clock.now() });
    await h.settle();
    expect((await requestOf('fay')).map((r) => r.status)).toEqual(['scheduled']);
    // Fay unsubscribes before her request is due; Gus's address bounces.
    await h.services.commerce.write(h.storeId, { customers: [{ external_id: 'fay', email_consent: { status: 'unsubscribed' } }] });
    await h.services.suppressions.add(h.storeId, { address: 'GUS@example.com', reason: 'hard_bounce' });
    await h.advance(2 * DAY);
    await placeOrder(h, 'h-2', 'hal', ['bowl'], { delivered: h.clock.now() });
    await h.settle();
    await h.advance(5 * DAY);
    await runJob();
    await h.advance(2 * DAY);
    await runJob();
    const byOrder = async (name: string, order: string) => (await requestOf(name)).find((r) => r.order_id === order);
    expect(await byOrder('fay', 'f-1')).toMatchObject({ status: 'stopped', reason: 'unsubscribed' });
    expect(await byOrder('gus', 'g-2')).toMatchObject({ status: 'stopped', reason: 'suppressed' });
    expect(await byOrder('eli', 'e-2')).toMatchObject({ status: 'stopped', reason: 'asked_in_last_12_months' });
    expect(await byOrder('dee', 'd-2')).toMatchObject({ status: 'stopped', reason: 'already_reviewed' });
    expect(await byOrder('hal', 'h-1')).toMatchObject({ status: 'sent' });
    expect(await byOrder('hal', 'h-2')).toMatchObject({ status: 'stopped', reason: 'too_many_requests' });
    expect(await mailsTo('fay')).toHaveLength(0);
    expect(await mailsTo('gus')).toHaveLength(0);
    expect(await mailsTo('dee')).toHaveLength(1);
    expect(await mailsTo('hal')).toHaveLength(1);
  });
});
