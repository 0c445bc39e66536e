// Flows at a million: a segment of N customers (1M at full scale) enrolled by hand (`enrolSegment`,
// what `POST /api/v1/flows/:id/enrol` calls) into a live 3-step flow — wait 1 minute → condition
// (a segment rule: tagged `vip`, 1 customer in 100) → yes: send_email, no: exit — with the default
// 10 % holdout and two exit conditions (ordered, unsubscribed) checked before every step, carried
// through to the end by the job workers as the server runs them. The messages go through the send
// ledger to a local smtp-server in a child process (5 pooled connections, the default); the flows
// benchmark (`flows`) measures a flow whose every other step is an email, this one the engine with
// a million runs in its tables: its rate, and whether its memory stays bounded.
//
// The product is wired as `hearth serve` wires it (bench/lib/wired.mjs) under a movable clock that
// jumps 15 s ahead every quarter second, so a run's minute of waiting lasts about a second (the
// waits still go through the queue: a run is due, a step job wakes for it).
//
// Figures: time from the enrolment call to the last run finished and the last message `sent`, and
// the enrolment call alone; step executions per second counted from the runs' step log
// (`flow_run_steps` rows naming a step); the messages the SMTP server received (checked against
// the emails the log says were queued); peak RSS of this process (DuckDB runs in it) sampled
// every 100 ms, beside the RSS before the enrolment and the database file's size after.
import { statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { DATABASE_FILE } from '../dist/db/database.js';
import { startSmtpSink } from './lib/smtp-sink.mjs';
import { enrolAndFinish, wiredHearth } from './lib/wired.mjs';

export default async function ({ scale, tiny, log }) {
  const customers = tiny ? 1_000 : Math.max(1_000, Math.round(1_000_000 * scale));
  const sink = await startSmtpSink();
  let hearth;
  try {
    hearth = await wiredHearth('hearth-bench-flow-engine-');
    const { config, storage, services, clock } = hearth;
    const store = await services.accounts.createStore({ name: 'Bench Outfitters', slug: 'bench-flow-engine', currency: 'GBP' });
    await services.accounts.updateStore(store.id, { websiteUrl: 'https://shop.example', postalAddress: '12 Harbour Street, Bristol' });
    await services.messages.updateSettings(store.id, { smtp_url: sink.url, from_address: 'news@bench.example', from_name: 'Bench Outfitters' });
    // The customers, set-based (the commerce writer's path is the import benchmark's subject); every hundredth is a VIP.
    const generated = performance.now();
    const at = new Date(clock.now().getTime() - 86_400_000);
    await sql`insert into customers (store_id, id, external_id, email, first_name, email_consent, email_consent_at, tags, created_at, updated_at)
      select ${store.id}, nextval('customers_id_seq'), 'c' || i, 'c' || i || '@example.com', 'C' || i, 'subscribed', ${at},
        case when i % 100 = 0 then ['vip'] else []::varchar[] end, ${at}, ${at}
      from range(cast(${customers} as bigint)) t(i)`.execute(storage.write);
    const segment = await services.segments.create(store.id, { name: 'Everyone', rule: { kind: 'profile', field: 'email', op: 'is_set' } });
    if (segment.member_count !== customers) throw new Error(`the segment has ${segment.member_count} members of ${customers}`);
    const thanks = await services.templates.createFromStarter(store.id, 'vip_welcome');
    const flow = await services.flows.create(store.id, {
      name: 'Bench VIP check',
      document: {
        trigger: { kind: 'manual' }, holdout_share: 0.1, exit_when: [{ kind: 'ordered' }, { kind: 'unsubscribed' }],
        steps: [
          { id: 'wait', type: 'wait', duration: { minutes: 1 }, next: 'vip' },
          { id: 'vip', type: 'condition', rule: { kind: 'profile', field: 'tags', op: 'contains', value: 'vip' }, yes: 'thanks', no: 'done' },
          { id: 'thanks', type: 'send_email', template_id: thanks.id },
          { id: 'done', type: 'exit' },
        ],
      },
    });
    await services.flows.publish(store.id, flow.id);
    log(`${customers.toLocaleString('en')} customers, their segment and the live flow made in ${((performance.now() - generated) / 1000).toFixed(1)} s`);

    await hearth.start();
    globalThis.gc?.();
    const rssBefore = Math.round(process.memoryUsage().rss / 2 ** 20);
    const load = loadavg()[0].toFixed(1);
    const before = await sink.received();
    const { seconds, enrolSeconds, peakRssMb } = await enrolAndFinish(hearth, { storeId: store.id, flowId: flow.id, segmentId: segment.id, expected: customers, log });
    const received = (await sink.received()) - before;

    // What the records say: every run finished, each step's executions, the emails queued and sent.
    const { rows: statuses } = await sql`select status, count(*) as n, count(*) filter (where holdout) as held from flow_runs where store_id = ${store.id} group by status`.execute(storage.read);
    const finished = statuses.filter((s) => s.status === 'completed').reduce((sum, s) => sum + Number(s.n), 0);
    if (finished !== customers) throw new Error(`runs: ${statuses.map((s) => `${s.status} ${s.n}`).join(', ')}; expected ${customers} completed`);
    const held = Number(statuses[0].held);
    const { rows: [logged] } = await sql`select count(*) filter (where step_id is not null) as steps, count(*) filter (where outcome = 'queued') as queued,
      count(*) filter (where outcome = 'held_out') as held_out, count(*) filter (where outcome = 'yes') as yes from flow_run_steps where store_id = ${store.id}`.execute(storage.read);
    const steps = Number(logged.steps);
    const queued = Number(logged.queued);
    const sent = (await services.messages.counts(store.id)).sent;
    if (steps !== 3 * customers) throw new Error(`${steps} steps logged; expected 3 per run, ${3 * customers}`);
    if (queued + Number(logged.held_out) !== Number(logged.yes) || sent !== queued || received !== queued) {
      throw new Error(`messages: ${logged.yes} VIPs, ${logged.held_out} held out, ${queued} queued, ${sent} sent, ${received} received by the SMTP server`);
    }
    const fileMb = Math.round(statSync(join(config.dataDir, DATABASE_FILE)).size / 2 ** 20);
    log(`${customers.toLocaleString('en')} runs finished in ${seconds.toFixed(1)} s (enrolment ${enrolSeconds.toFixed(1)} s): ${steps.toLocaleString('en')} steps logged, ${held.toLocaleString('en')} runs held out, ${received} messages received; RSS ${rssBefore} MB before, peak ${peakRssMb} MB; database file ${fileMb} MB; load ${load}`);
    return [
      {
        name: `${customers.toLocaleString('en')} customers through a 3-step flow (wait → condition → send_email or exit, 10 % holdout), enrolment to last run finished`,
        value: +seconds.toFixed(1), unit: 's', note: `enrolment call ${enrolSeconds.toFixed(1)} s; ${finished.toLocaleString('en')} runs completed (${held.toLocaleString('en')} held out); load average ${load}`,
      },
      {
        name: 'step executions (from the runs\' step log)', value: Math.round(steps / seconds), unit: 'steps/s',
        note: `target ≥ 2,000/s; ${steps.toLocaleString('en')} steps over the whole time above, enrolment included`,
      },
      {
        name: `messages received by the SMTP server (${config.smtpMaxConnections} connections)`, value: received, unit: 'messages',
        note: `the VIPs outside the holdout (${Number(logged.yes).toLocaleString('en')} VIPs, ${Number(logged.held_out).toLocaleString('en')} held out); each sent once`,
      },
      {
        name: 'peak RSS during the flow (this process, DuckDB in it)', value: peakRssMb, unit: 'MB',
        note: `${rssBefore} MB before the enrolment; database file ${fileMb} MB after`,
      },
    ];
  } finally {
    await hearth?.close();
    await sink.close();
  }
}
