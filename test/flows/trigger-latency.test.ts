/**
 * A tracked event's flow email reaches the SMTP server without waiting for the job worker's poll:
 * the worker here polls once a minute, and the message must arrive well within that — each hop
 * (the flows subscriber queuing the step job, the step queuing the send job) wakes the worker.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerJobs } from '../../src/jobs/handlers.js';
import { readEvents } from '../../src/modules/domain-events/index.js';
import { Worker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/lib/logger.js';
import { flowHarness, type FlowHarness, liveFlow } from './flow-harness.js';

let h: FlowHarness;
let worker: Worker;
/** Leases that found no due job: after one, the worker idles until its next poll. */
let emptyLeases = 0;

beforeAll(async () => {
  h = await flowHarness('Latency Store');
  const lease = h.services.jobs.lease.bind(h.services.jobs);
  h.services.jobs.lease = async (...args) => {
    const job = await lease(...args);
    if (!job) emptyLeases += 1;
    return job;
  };
  worker = new Worker(h.services.jobs, silentLogger, { pollMs: 60_000 });
  registerJobs(worker, h.services);
});

afterAll(async () => {
  await worker.stop();
  await h.close();
});

const until = async (condition: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
};

describe('trigger to first message', () => {
  it('sends an event-triggered flow\'s first email within seconds while the worker would poll only after a minute', async () => {
    const welcome = (await h.request('POST', '/api/v1/templates/from-starter', { starter: 'welcome', name: 'Welcome' })).json() as { id: string; subject: string };
    await liveFlow(h, 'On sign-up', {
      trigger: { kind: 'event', name: 'Signed Up' }, holdout_share: 0,
      steps: [{ id: 'hello', type: 'send_email', template_id: welcome.id }],
    });
    await h.services.commerce.write(h.storeId, { customers: [{ external_id: 'ana', email: 'ana@example.com', first_name: 'Ana', email_consent: { status: 'subscribed' as const } }] });
    worker.start();
    expect(await until(() => emptyLeases >= 1, 15_000), 'the worker went idle').toBe(true);

    const tracked = await h.app.inject({
      method: 'POST', url: '/v1/track', headers: { authorization: `Basic ${Buffer.from(`${h.writeKey}:`).toString('base64')}` },
      payload: { userId: 'ana', event: 'Signed Up', properties: {}, messageId: 'latency-1' },
    });
    expect(tracked.statusCode).toBe(200);
    const accepted = Date.now();
    // A busy machine gets 30 s; the old path (the step job and the send job each found by the poll) took at least 60 s.
    expect(await until(() => h.sink.received.some((m) => m.to.includes('ana@example.com')), 30_000), 'the email arrived').toBe(true);
    expect(Date.now() - accepted).toBeLessThan(30_000);
    // The flow's message, by its send key (flow run + step), and the ledger says it was sent: `sent`
    // is committed once the server's answer is back from the SMTP thread, just after the message arrived.
    const ledger = async () => (await sql<{ send_key: string; state: string }>`
      select s.send_key, (select st.state from message_send_states st where st.store_id = s.store_id and st.send_id = s.id order by st.seq desc limit 1) as state
      from message_sends s where s.store_id = ${h.storeId} and s.to_address = 'ana@example.com'`.execute(h.services.storage.read)).rows;
    let rows = await ledger();
    for (const deadline = Date.now() + 10_000; rows[0]?.state !== 'sent' && Date.now() < deadline; rows = await ledger()) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.send_key).toMatch(/^flow:\d+:hello$/);
    expect(rows[0]!.state).toBe('sent');
  });

  it('hands the flows only the tracked events that name a customer; anonymous ones pass by', async () => {
    const tracked = await h.app.inject({
      method: 'POST', url: '/v1/track', headers: { authorization: `Basic ${Buffer.from(`${h.writeKey}:`).toString('base64')}` },
      payload: { anonymousId: 'visitor-1', event: 'Signed Up', properties: {}, messageId: 'latency-anonymous' },
    });
    expect(tracked.statusCode).toBe(200);
    const all = (await readEvents(h.services.storage.read, 0, Number.MAX_SAFE_INTEGER, ['event.received'])).filter((e) => e.storeId === h.storeId);
    const named = (await readEvents(h.services.storage.read, 0, Number.MAX_SAFE_INTEGER, ['event.received'], true)).filter((e) => e.storeId === h.storeId);
    expect(all.map((e) => e.customerId === null)).toEqual([false, true]);
    expect(named.map((e) => e.id)).toEqual([all[0]!.id]);
  });
});
