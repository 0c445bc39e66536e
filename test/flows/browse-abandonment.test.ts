/**
 * Browse abandonment under the movable clock, against the real engine, job queue and SMTP: a
 * product viewed with nothing added to a cart, no checkout and no order within the wait enrols the
 * viewer once the wait is over (once, however many views); a viewer who added the product, one who
 * ordered and one who viewed another product are not enrolled. The backtest over the same history
 * agrees with an independent walk over the stored events and orders.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from '../helpers/app.js';
import { addressOf, DAY, flowHarness, type FlowHarness, HOUR, liveFlow } from './flow-harness.js';

let h: FlowHarness;
beforeAll(async () => {
  h = await flowHarness('Browse Store');
});
afterAll(async () => {
  await h.close();
});

interface Run { customer_id: number; status: string; trigger_kind: string }

const customers = async (names: string[]) => {
  await h.services.commerce.write(h.storeId, { customers: names.map((n) => ({ external_id: n, email: `${n}@example.com`, first_name: n, email_consent: { status: 'subscribed' as const } })) });
  const rows = await h.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', h.storeId).where('external_id', 'in', names).execute();
  return new Map(rows.map((r) => [r.external_id!, Number(r.id)]));
};
const createLive = (name: string, document: unknown) => liveFlow(h, name, document);
const runsOf = async (flowId: string) => ((await h.request('GET', `/api/v1/flows/${flowId}/runs?limit=1000`)).json() as { data: Run[] }).data;
const mailsTo = async (address: string) => (await h.sink.parsed()).filter((m) => addressOf(m) === address);
/** A tracked event at the clock's time. */
const trackAt = async (userId: string, event: string, properties: Record<string, unknown>, messageId: string) => {
  const response = await h.app.inject({
    method: 'POST', url: '/v1/track', headers: { authorization: `Basic ${Buffer.from(`${h.writeKey}:`).toString('base64')}` },
    payload: { userId, event, properties, messageId, timestamp: h.clock.now().toISOString() },
  });
  expect(response.statusCode, response.body).toBe(200);
};

describe('browse abandonment', () => {
  it('enrols a viewer of the product once the wait passed without a product added, a checkout or an order — once, however many views', async () => {
    const template = (await h.request('POST', '/api/v1/templates/from-starter', { starter: 'welcome', name: 'Still thinking about it?' })).json() as { id: string };
    const ids = await customers(['looker', 'adder', 'buyer', 'elsewhere']);
    const flow = await createLive('Browse abandonment', {
      trigger: { kind: 'browse_abandoned', wait: { hours: 4 }, product: 'p-lamp' }, holdout_share: 0,
      steps: [{ id: 'nudge', type: 'send_email', template_id: template.id }],
    });
    const view = (name: string, product: string, n: number) => trackAt(name, 'Product Viewed', { product_id: product }, `view-${name}-${n}`);
    await view('looker', 'p-lamp', 1);
    await view('adder', 'p-lamp', 1);
    await view('buyer', 'p-lamp', 1);
    await view('elsewhere', 'p-other', 1);
    await h.settle();
    await h.advance(HOUR);
    await view('looker', 'p-lamp', 2);
    await trackAt('adder', 'Product Added', { product_id: 'p-lamp', quantity: 1 }, 'add-adder');
    await h.services.commerce.write(h.storeId, {
      orders: [{ external_id: 'o-buyer', customer_external_id: 'buyer', placed_at: h.clock.now(), currency: 'EUR', lines: [{ product_external_id: 'p-lamp', title: 'Lamp', quantity: 1, unit_price: 4_000 }] }],
    });
    await h.settle();
    await h.advance(2 * HOUR);
    expect(await runsOf(flow.id)).toEqual([]);
    await h.advance(HOUR + 60_000);
    await h.advance(DAY);

    const runs = await runsOf(flow.id);
    expect(runs.map((r) => [r.customer_id, r.trigger_kind, r.status])).toEqual([[ids.get('looker'), 'browse_abandoned', 'completed']]);
    expect((await mailsTo('looker@example.com')).length).toBe(1);
    for (const name of ['adder', 'buyer', 'elsewhere']) expect((await mailsTo(`${name}@example.com`)).length).toBe(0);

    // The check run again (a job retried after a crash) enrols nobody a second time.
    const [stored] = (await sql<{ trigger_event_id: number; trigger_entity_id: number; entered_at: Date }>`
      select trigger_event_id, trigger_entity_id, entered_at from flow_runs where store_id = ${h.storeId} and flow_id = ${flow.id}`.execute(h.services.storage.read)).rows;
    const viewed = (await sql<{ occurred_at: Date }>`select occurred_at from events where store_id = ${h.storeId} and id = ${stored!.trigger_entity_id}`.execute(h.services.storage.read)).rows[0]!;
    const again = await h.services.flows.runBrowseCheck({
      storeId: h.storeId, flowId: flow.id, customerId: ids.get('looker')!, eventId: Number(stored!.trigger_event_id), viewId: Number(stored!.trigger_entity_id), viewedAt: viewed.occurred_at.toISOString(),
    });
    expect(again.enrolled).toBe(0);
    expect((await runsOf(flow.id)).length).toBe(1);

    // The backtest over the same history: views of the lamp with nothing towards buying within 4 hours, by an independent walk.
    const events = await sql<{ customer_id: number; name: string; properties: string; occurred_at: Date }>`
      select customer_id, name, properties, occurred_at from events where store_id = ${h.storeId} and customer_id is not null`.execute(h.services.storage.read);
    const orders = await sql<{ customer_id: number; placed_at: Date }>`select customer_id, placed_at from orders where store_id = ${h.storeId}`.execute(h.services.storage.read);
    const wait = 4 * HOUR;
    const abandoned = new Set(events.rows.filter((e) => e.name === 'Product Viewed' && (JSON.parse(e.properties) as { product_id?: string }).product_id === 'p-lamp').filter((v) => {
      const within = (t: Date) => t.getTime() > v.occurred_at.getTime() && t.getTime() <= v.occurred_at.getTime() + wait;
      const progressed = events.rows.some((e) => Number(e.customer_id) === Number(v.customer_id) && ['Product Added', 'Checkout Started', 'Order Completed'].includes(e.name) && within(e.occurred_at))
        || orders.rows.some((o) => Number(o.customer_id) === Number(v.customer_id) && within(o.placed_at));
      return !progressed;
    }).map((v) => Number(v.customer_id)));
    const backtest = await h.request('POST', `/api/v1/flows/${flow.id}/backtest`, { days: 30 });
    expect(backtest.statusCode, backtest.body).toBe(200);
    expect((backtest.json() as { entrants: number }).entrants).toBe(abandoned.size);
    expect([...abandoned]).toEqual([ids.get('looker')]);
  });

  it('refuses a browse-abandonment trigger without a wait or with one over 30 days', async () => {
    const steps = [{ id: 'x', type: 'exit' }];
    for (const [trigger, path] of [[{ kind: 'browse_abandoned' }, 'trigger.wait'], [{ kind: 'browse_abandoned', wait: { days: 31 } }, 'trigger.wait']] as const) {
      const response = await h.request('POST', '/api/v1/flows', { name: 'Bad browse', document: { trigger, steps } });
      expect(response.statusCode).toBe(422);
      expect(errorOf(response).details.map((d) => d.path)).toEqual([path]);
    }
  });
});
