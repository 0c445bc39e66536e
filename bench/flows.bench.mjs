// Flows: a segment of N customers (1M at full scale) enrolled by hand (`enrolSegment`, what
// `POST /api/v1/flows/:id/enrol` calls) into a live 3-step flow — send_email → wait 1 minute →
// send_email, no holdout — and carried through to the end by the job workers as the server runs them
// (`flows.step` jobs of at most 500 runs, the send ledger's send jobs, pooled SMTP with the default
// 5 connections to a local smtp-server in a child process that counts and discards). The product is
// wired as `hearth serve` wires it (Storage, createServices, the dispatcher with every module's
// subscribers, the server's three workers: flow steps, sends, the rest), except for the clock: a movable clock that jumps 15 s
// ahead every quarter second (time 60 × faster), so a run's wait ends about a second after it began
// instead of a minute (the waits still go through the queue: a run is due, a step job wakes for it). The
// scheduler's hourly jobs are not started: they would measure something else.
//
// Figures: time from the enrolment call to the last run completed and the last message `sent`;
// step executions per second counted from the runs' step log (`flow_run_steps` rows naming a step:
// queued, waited, queued — not assumed from the flow); messages the SMTP server received (checked
// to be 2 per customer); peak RSS of this process (DuckDB runs in it) sampled every 100 ms.
//
// Baseline in the same run: a bare pooled nodemailer transport (5 connections) sending the same
// number of one fixed message of the same size to the same server — no ledger, no engine: the
// transport's own limit. The ratio is the flow's messages/s over the bare messages/s.
//
// Then trigger to first message: tracked events of distinct customers posted at a steady rate to
// `/v1/track` (the HTTP app in-process), each starting a live event-triggered flow whose first step
// is an email; per event, from its 200 to the SMTP server receiving that customer's message (p50, p99).
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import { buildApp } from '../dist/http/app.js';
import { startIngestLoad } from './lib/ingest-load.mjs';
import { bareSend, sampleHtml } from './lib/bare-send.mjs';
import { startSmtpSink } from './lib/smtp-sink.mjs';
import { enrolAndFinish, wiredHearth } from './lib/wired.mjs';

/** The q-quantile of sorted numbers (nearest rank). */
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

/**
 * Trigger-to-first-message latency: `count` tracked events (`POST /v1/track` through the HTTP app,
 * in-process) of `count` distinct customers at `perSecond` (open loop: each sent on schedule,
 * whatever the answers before it), each starting a run of a live event-triggered flow whose first
 * step is an email. Per event: from its 200 (the event stored) to the SMTP server receiving the
 * customer's message. Milliseconds, sorted, and how many never arrived within the time allowed.
 * With `load`, the ingest benchmark's load (`bench/lib/ingest-load.mjs`, from a child process over
 * HTTP to the same app) runs from a few seconds before the first event until every message arrived.
 */
async function triggerLatency({ app, url, storage, storeId, sink, writeKey, first, count, perSecond, load }) {
  const at = new Date();
  await sql`insert into customers (store_id, id, external_id, email, first_name, email_consent, email_consent_at, created_at, updated_at)
    select ${storeId}, nextval('customers_id_seq'), 'timed' || i, 'timed-' || i || '@example.com', 'T' || i, 'subscribed', ${at}, ${at}, ${at}
    from range(cast(${first} as bigint), cast(${first + count} as bigint)) t(i)`.execute(storage.write);
  const authorization = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  const ingest = load ? await startIngestLoad({ url, writeKey }) : undefined;
  let ingested;
  try {
    if (ingest) await new Promise((resolve) => setTimeout(resolve, 3_000));
    const accepted = new Map();
    const posts = [];
    const started = performance.now();
    for (let i = first; i < first + count; i += 1) {
      const due = started + ((i - first) * 1000) / perSecond;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      posts.push(app.inject({ method: 'POST', url: '/v1/track', headers: { authorization }, payload: { userId: `timed${i}`, event: 'Bench Signal', properties: { i }, messageId: `bench-signal-${i}` } })
        .then((answer) => {
          if (answer.statusCode !== 200) throw new Error(`POST /v1/track answered ${answer.statusCode}: ${answer.body}`);
          accepted.set(`timed-${i}@example.com`, Date.now());
        }));
    }
    await Promise.all(posts);
    // Every message, or 60 s after the last event.
    const deadline = Date.now() + 60_000;
    const mine = (arrivals) => [...accepted.keys()].filter((address) => arrivals[address] !== undefined).length;
    let arrivals = await sink.arrivals();
    while (mine(arrivals) < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      arrivals = await sink.arrivals();
    }
    const latencies = [...accepted].filter(([address]) => arrivals[address] !== undefined).map(([address, ms]) => arrivals[address] - ms).sort((a, b) => a - b);
    ingested = ingest ? await ingest.stop() : undefined;
    return { latencies, missing: count - latencies.length, ingested };
  } finally {
    if (ingest && !ingested) await ingest.stop().catch(() => undefined);
  }
}

export default async function ({ scale, tiny, log }) {
  const customers = tiny ? 200 : Math.max(1_000, Math.round(1_000_000 * scale));
  const sink = await startSmtpSink();
  let hearth;
  try {
    hearth = await wiredHearth('hearth-bench-flows-');
    const { config, storage, services, clock } = hearth;

    const store = await services.accounts.createStore({ name: 'Bench Outfitters', slug: 'bench-flows', currency: 'GBP' });
    await services.accounts.updateStore(store.id, { websiteUrl: 'https://shop.example', postalAddress: '12 Harbour Street, Bristol' });
    // No frequency cap: the flow's two emails go to each customer a minute apart.
    await services.messages.updateSettings(store.id, { smtp_url: sink.url, from_address: 'news@bench.example', from_name: 'Bench Outfitters', frequency_cap_hours: 0 });
    // The customers, set-based (the commerce writer's path is the import benchmark's subject).
    const generated = performance.now();
    const at = new Date(clock.now().getTime() - 86_400_000);
    await sql`insert into customers (store_id, id, external_id, email, first_name, email_consent, email_consent_at, created_at, updated_at)
      select ${store.id}, nextval('customers_id_seq'), 'c' || i, 'c' || i || '@example.com', 'C' || i, 'subscribed', ${at}, ${at}, ${at}
      from range(cast(${customers} as bigint)) t(i)`.execute(storage.write);
    const segment = await services.segments.create(store.id, { name: 'Everyone', rule: { kind: 'profile', field: 'email', op: 'is_set' } });
    if (segment.member_count !== customers) throw new Error(`the segment has ${segment.member_count} members of ${customers}`);
    const welcome = await services.templates.createFromStarter(store.id, 'welcome');
    const second = await services.templates.createFromStarter(store.id, 'win_back');
    const flow = await services.flows.create(store.id, {
      name: 'Bench welcome',
      document: {
        trigger: { kind: 'manual' }, holdout_share: 0, exit_when: [{ kind: 'unsubscribed' }],
        steps: [
          { id: 'first', type: 'send_email', template_id: welcome.id, next: 'wait' },
          { id: 'wait', type: 'wait', duration: { minutes: 1 }, next: 'second' },
          { id: 'second', type: 'send_email', template_id: second.id },
        ],
      },
    });
    await services.flows.publish(store.id, flow.id);
    log(`${customers.toLocaleString('en')} customers, their segment and the live flow made in ${((performance.now() - generated) / 1000).toFixed(1)} s`);

    await hearth.start();
    const rssBefore = Math.round(process.memoryUsage().rss / 2 ** 20);
    const load = loadavg()[0].toFixed(1);
    const before = await sink.received();
    const { seconds, enrolSeconds, peakRssMb } = await enrolAndFinish(hearth, { storeId: store.id, flowId: flow.id, segmentId: segment.id, expected: customers, log });
    const received = (await sink.received()) - before;

    // What the records say: runs by status, step executions by step, messages sent.
    const { rows: statuses } = await sql`select status, count(*) as n from flow_runs where store_id = ${store.id} group by status`.execute(storage.read);
    const completed = Number(statuses.find((s) => s.status === 'completed')?.n ?? 0);
    if (completed !== customers) throw new Error(`runs: ${statuses.map((s) => `${s.status} ${s.n}`).join(', ')}; expected ${customers} completed`);
    const { rows: [logged] } = await sql`select count(*) filter (where step_id is not null) as steps, count(*) filter (where outcome = 'queued') as queued,
      count(*) filter (where outcome = 'waited') as waited from flow_run_steps where store_id = ${store.id}`.execute(storage.read);
    const steps = Number(logged.steps);
    const sent = (await services.messages.counts(store.id)).sent;
    if (sent !== 2 * customers || received !== 2 * customers) {
      throw new Error(`messages: ${sent} sent, ${received} received by the SMTP server; expected ${2 * customers}`);
    }
    const sample = await sampleHtml(storage.read, store.id);
    const { seconds: bareSeconds } = await bareSend(sink.url, config.smtpMaxConnections, received, sample);
    const stepsPerSecond = steps / seconds;
    const messagesPerSecond = received / seconds;
    const bare = received / bareSeconds;
    const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);

    // Event triggers, once the enrolment above is all worked off (nothing else is queued): alone,
    // then under the ingest benchmark's load. The clock keeps the offset it reached but no longer jumps.
    const events = tiny ? 10 : Math.max(50, Math.min(600, Math.round(5_000 * scale)));
    const perSecond = tiny ? 5 : 10;
    const app = await buildApp(services, { logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${app.server.address().port}`;
    let alone;
    let loaded;
    try {
      const writeKey = (await services.accounts.createApiKey(store.id, 'write', 'bench')).key;
      const signal = await services.flows.create(store.id, {
        name: 'Bench signal', document: {
          trigger: { kind: 'event', name: 'Bench Signal' }, holdout_share: 0,
          steps: [{ id: 'hello', type: 'send_email', template_id: welcome.id }],
        },
      });
      await services.flows.publish(store.id, signal.id);
      alone = await triggerLatency({ app, url, storage, storeId: store.id, sink, writeKey, first: 0, count: events, perSecond, load: false });
      loaded = await triggerLatency({ app, url, storage, storeId: store.id, sink, writeKey, first: events, count: events, perSecond, load: true });
    } finally {
      await app.close();
    }
    for (const [label, timed] of [['alone', alone], ['under the ingest load', loaded]]) {
      if (timed.latencies.length === 0) throw new Error(`none of the ${events} event-triggered messages arrived (${label})`);
      log(`${events} tracked events at ${perSecond}/s, ${label}: ${timed.latencies.length} messages arrived, ${timed.missing} not within 60 s; p50 ${quantile(timed.latencies, 0.5)} ms, p99 ${quantile(timed.latencies, 0.99)} ms, max ${timed.latencies.at(-1)} ms`
        + (timed.ingested ? `; ingest ${Math.round(timed.ingested.rate).toLocaleString('en')} events/s over ${timed.ingested.seconds.toFixed(0)} s (batch p99 ${Math.round(timed.ingested.p99)} ms, ${timed.ingested.refused} refused)` : ''));
    }
    log(`${customers.toLocaleString('en')} runs completed in ${seconds.toFixed(1)} s (enrolment ${enrolSeconds.toFixed(1)} s): ${steps} steps logged (${logged.queued} queued, ${logged.waited} waited), ${received} messages received; bare nodemailer ${bareSeconds.toFixed(1)} s; RSS ${rssBefore} MB before, peak ${peakRssMb} MB; load ${load}`);
    return [
      {
        name: `${customers.toLocaleString('en')} customers through a 3-step flow (send_email → wait → send_email), enrolment to last message sent`,
        value: +seconds.toFixed(1), unit: 's', note: `enrolment ${enrolSeconds.toFixed(1)} s; ${completed.toLocaleString('en')} runs completed; load average ${load}`,
      },
      {
        name: 'step executions (from the runs\' step log)', value: Math.round(stepsPerSecond), unit: 'steps/s',
        note: `target ≥ 2,000/s sustained; ${steps.toLocaleString('en')} steps logged over the whole time above, enrolment included`,
      },
      {
        name: `messages received by the SMTP server (${config.smtpMaxConnections} connections)`, value: Math.round(messagesPerSecond), unit: 'messages/s',
        baseline: Math.round(bare), ratio: (messagesPerSecond / bare).toFixed(2),
        note: `${received.toLocaleString('en')} messages; bare nodemailer, same connections and server: ${Math.round(bare)}/s`,
      },
      {
        name: 'peak RSS during the flow (this process, DuckDB in it)', value: peakRssMb, unit: 'MB',
        note: `${rssBefore} MB before the enrolment; process high-water mark ${maxRssMb} MB (the whole benchmark run)`,
      },
      {
        name: `trigger to first message, ${events} tracked events at ${perSecond}/s, nothing else running (event stored → SMTP server received), p50 / p99`,
        value: `${quantile(alone.latencies, 0.5)} / ${quantile(alone.latencies, 0.99)}`, unit: 'ms',
        note: `max ${alone.latencies.at(-1)} ms; ${alone.missing} of ${events} not arrived within 60 s after the last event`,
      },
      {
        name: `trigger to first message under the ingest benchmark's load (/v1/batch, 100-event batches, 32 connections), p50 / p99`,
        value: `${quantile(loaded.latencies, 0.5)} / ${quantile(loaded.latencies, 0.99)}`, unit: 'ms',
        note: `target p99 ≤ 5 s; max ${loaded.latencies.at(-1)} ms; ${loaded.missing} of ${events} not arrived within 60 s; ingest meanwhile ${Math.round(loaded.ingested.rate).toLocaleString('en')} events/s (batch p99 ${Math.round(loaded.ingested.p99)} ms, ${loaded.ingested.refused} refused)`,
      },
    ];
  } finally {
    await hearth?.close();
    await sink.close();
  }
}
