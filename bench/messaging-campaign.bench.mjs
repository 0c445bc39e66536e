// A campaign to 100,000 subscribed customers end to end, as the server runs it: a store whose
// customers are written through the commerce writer (every fifth with an order) and taken in by
// the event subscribers and the job workers before the campaign (timed apart), a segment, the
// win-back starter template (six recommendations) with a unique discount code per recipient (an
// offer), a campaign started through the campaigns service as
// `POST /api/v1/campaigns/:id/start` does (segment refresh, audience frozen with its 10 % holdout,
// each message rendered and written to the send ledger), then the send jobs run by the server's
// job workers over pooled SMTP (HEARTH_SMTP_MAX_CONNECTIONS=20) to a local smtp-server in a child process
// (it counts and discards), and
// the results computed as the results page asks for them. Each phase is timed; the process's peak
// RSS is read from /proc (VmHWM) after the run and sampled during it. The job workers start once
// the campaign's start returned (each phase timed apart), or with HEARTH_BENCH_SEND_DURING_START=1
// before it, as in the server (messages leave while later slices are rendered).
//
// While the campaign sends, one-click unsubscribe POSTs (RFC 8058 body) go over real HTTP to the
// server's own port at a steady rate, each to a link of a message in the campaign's ledger: their
// p50 / p99 latency is the unsubscribe figure under that load.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../dist/config.js';
import { serverWorkers } from '../dist/jobs/handlers.js';
import { silentLogger } from '../dist/lib/logger.js';
import { startServer } from '../dist/main.js';
import { bodiesByIds } from '../dist/modules/messaging/sends.repository.js';
import { startSmtpSink } from './lib/smtp-sink.mjs';

/** Peak resident memory of this process so far, from /proc (Linux). */
function peakRssMb() {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : Math.round(process.memoryUsage().rss / 2 ** 20);
}

/** SMTP connections of the store's pool (HEARTH_SMTP_MAX_CONNECTIONS; the default is 5). */
const CONNECTIONS = 20;

const quantile = (sorted, q) => sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

export default async function ({ scale, tiny, log }) {
  // The tiny run only checks that the path works end to end.
  const count = tiny ? 200 : Math.max(2_000, Math.round(100_000 * scale));
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-campaign-'));
  const sink = await startSmtpSink();
  const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_HOST: '127.0.0.1', HEARTH_PORT: '0', HEARTH_LOG_LEVEL: 'silent', HEARTH_SMTP_MAX_CONNECTIONS: String(CONNECTIONS) });
  // The workers are the server's own job workers (per lane), started once the campaign is queued (below).
  const server = await startServer(config, { migrate: true, logger: silentLogger, worker: false });
  const { services } = server;
  let peakSampled = 0;
  const sampler = setInterval(() => { peakSampled = Math.max(peakSampled, process.memoryUsage().rss); }, 100);
  try {
    const store = await services.accounts.createStore({ name: 'Bench Outfitters', slug: 'bench-campaign', currency: 'GBP' });
    await services.accounts.updateStore(store.id, { websiteUrl: 'https://shop.example', postalAddress: '12 Harbour Street, Bristol' });
    let started = performance.now();
    for (let i = 0; i < count; i += 10_000) {
      const ids = Array.from({ length: Math.min(10_000, count - i) }, (_, k) => i + k);
      await services.commerce.write(store.id, {
        customers: ids.map((n) => ({ external_id: `c${n}`, email: `c${n}@example.com`, first_name: `C${n}`, country: 'GB', email_consent: { status: 'subscribed' } })),
        orders: ids.filter((n) => n % 5 === 0).map((n) => ({
          external_id: `o${n}`, customer_external_id: `c${n}`, placed_at: new Date(Date.UTC(2026, 8, 1 + (n % 60))), currency: 'GBP',
          lines: [{ product_external_id: `p${n % 50}`, title: `Product ${n % 50}`, quantity: 1, unit_price: 1_500 + (n % 7) * 500 }],
        })),
      });
    }
    const dataSeconds = (performance.now() - started) / 1000;
    // The high-water mark after each phase: the first phase that raises it is where the peak is reached.
    const peaks = [`written ${peakRssMb()}`];
    await services.messages.updateSettings(store.id, { smtp_url: sink.url, from_address: 'news@bench.example', from_name: 'Bench Outfitters' });
    const segment = await services.segments.create(store.id, { name: 'UK customers', rule: { kind: 'profile', field: 'country', op: 'eq', value: 'GB' } });
    // The recommendation models fitted on the orders, so each email's block has its products.
    started = performance.now();
    await services.recommendations.fit(store.id);
    const fitSeconds = (performance.now() - started) / 1000;
    peaks.push(`fitted ${peakRssMb()}`);
    // The store's history was imported before the campaign, as in a store: the event subscribers,
    // and the due jobs they queued, have taken it in before the campaign starts (timed apart).
    started = performance.now();
    const settling = serverWorkers(services, silentLogger);
    for (const worker of settling) worker.start();
    await server.dispatcher.idle(1_800_000);
    for (;;) {
      const due = await services.storage.read.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n'))
        .where('state', 'in', ['queued', 'running']).where('run_at', '<=', new Date()).executeTakeFirstOrThrow();
      if (Number(due.n) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await Promise.all(settling.map((worker) => worker.stop()));
    const settleSeconds = (performance.now() - started) / 1000;
    peaks.push(`taken in ${peakRssMb()}`);
    const template = await services.templates.createFromStarter(store.id, 'win_back');
    // Each email carries its recipient's own code of the offer (the win-back starter shows it), issued under its send key.
    const offer = await services.offers.create(store.id, { name: 'Come back', value_kind: 'percent', value: 15, valid_days: 14, pattern: 'BACK-????????', holdout_share: 0 });
    const campaign = await services.campaigns.create(store.id, { name: 'Autumn', segment_ids: [segment.id], template_id: template.id, holdout_share: 0.1, offer_id: offer.id });

    // Time spent inside the start: freezing the audience, issuing the codes, and rendering and
    // writing the ledger (the messaging module's queue call); the rest reads the recipients'
    // variables. Each phase is the wall time during which at least one of its calls ran, and the
    // rest the time during which none of them did (were calls ever to overlap, none is counted twice).
    const marks = [];
    const timed = (object, method, phase) => {
      const original = object[method].bind(object);
      object[method] = async (...args) => {
        marks.push({ at: performance.now(), phase, step: 1 });
        try {
          return await original(...args);
        } finally {
          marks.push({ at: performance.now(), phase, step: -1 });
        }
      };
    };
    timed(services.messages, 'queueEmails', 'queue');
    timed(services.campaigns, 'freezeAudience', 'freeze');
    timed(services.offers, 'codesFor', 'codes');
    // HEARTH_BENCH_SEND_DURING_START=1: the job workers run from the start on, as in the server,
    // so messages leave while later slices are rendered; otherwise they start once it returned.
    const overlap = process.env.HEARTH_BENCH_SEND_DURING_START === '1';
    const workers = serverWorkers(services, silentLogger);
    if (overlap) for (const worker of workers) worker.start();
    const campaignStarted = performance.now();
    started = performance.now();
    await services.segments.refresh(store.id, segment.id);
    const refreshSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const start = await services.campaigns.start(store.id, campaign.id, new Date(), { refreshSegments: false });
    const startSeconds = (performance.now() - started) / 1000;
    const busy = { queue: 0, freeze: 0, codes: 0, any: 0 };
    const running = { queue: 0, freeze: 0, codes: 0 };
    let previous = started;
    for (const mark of marks.filter((m) => m.at >= started).sort((a, b) => a.at - b.at)) {
      for (const phase of Object.keys(running)) if (running[phase] > 0) busy[phase] += mark.at - previous;
      if (Object.values(running).some((n) => n > 0)) busy.any += mark.at - previous;
      running[mark.phase] += mark.step;
      previous = mark.at;
    }
    const queueMs = busy.queue;
    const freezeSeconds = busy.freeze / 1000;
    const codesSeconds = busy.codes / 1000;
    const readSeconds = startSeconds - busy.any / 1000;
    const recipients = start.recipients;
    peaks.push(`started ${peakRssMb()}`);
    log(`peak RSS after each phase, MiB: ${peaks.join(', ')} (heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB)`);
    log(`${count.toLocaleString('en')} customers in ${dataSeconds.toFixed(1)} s, taken in by the subscribers in ${settleSeconds.toFixed(1)} s; audience ${start.audience}, holdout ${start.holdout}; refresh ${refreshSeconds.toFixed(1)} s, freeze ${freezeSeconds.toFixed(1)} s, codes ${codesSeconds.toFixed(1)} s, variables and the rest ${readSeconds.toFixed(1)} s, render + ledger ${(queueMs / 1000).toFixed(1)} s`);

    // What is timed must be the whole message: a code and recommended products in every email.
    const queuedIds = (await services.storage.read.selectFrom('message_sends').select('id')
      .where('store_id', '=', store.id).where('source', '=', `campaign:${campaign.id}`).orderBy('id').execute()).map((row) => row.id);
    let bare = 0;
    for (let i = 0; i < queuedIds.length; i += 1_000) {
      for (const { text } of (await bodiesByIds(services.storage.read, store.id, queuedIds.slice(i, i + 1_000))).values()) {
        if (!text.includes('BACK-') || !text.includes('Product ')) bare += 1;
      }
    }
    if (bare > 0) throw new Error(`${bare} emails without a code or a recommended product`);

    // Unsubscribe links of some of the campaign's messages, POSTed one-click while it sends.
    const links = (await services.storage.read.selectFrom('message_sends').select('headers')
      .where('store_id', '=', store.id).where('source', '=', `campaign:${campaign.id}`).orderBy('id', 'desc').limit(2_000).execute())
      .map((row) => /<(https?:\/\/[^>]+\/u\/[^>]+)>/.exec(JSON.parse(row.headers)['List-Unsubscribe'])[1])
      .map((url) => `${server.url}${new URL(url).pathname}`);
    const latencies = [];
    let unsubscribeErrors = 0;
    let sending = true;
    const perSecond = 2;
    const unsubscribing = (async () => {
      const pending = [];
      for (let i = 0; sending && i < links.length; i += 1) {
        const url = links[i];
        pending.push((async () => {
          const t0 = performance.now();
          try {
            const response = await fetch(url, {
              method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click', signal: globalThis.AbortSignal.timeout(120_000),
            });
            await response.text();
            if (response.status !== 200) unsubscribeErrors += 1;
          } catch {
            // No answer within two minutes: counted, and its time kept as a lower bound.
            unsubscribeErrors += 1;
          }
          latencies.push(performance.now() - t0);
        })());
        await new Promise((resolve) => setTimeout(resolve, 1000 / perSecond));
      }
      await Promise.all(pending);
    })();

    started = performance.now();
    if (!overlap) for (const worker of workers) worker.start();
    // Every half second, the send jobs left (a look at the jobs table); the ledger's counts, which
    // read every message's states, only once none is left, so that waiting loads the server little.
    for (;;) {
      const left = await services.storage.read.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n'))
        .where('store_id', '=', store.id).where('kind', '=', 'messages.send').where('state', 'in', ['queued', 'running']).executeTakeFirst();
      if (Number(left.n) === 0) {
        const counts = await services.messages.counts(store.id);
        if (counts.queued === 0 && counts.sending === 0) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const lastSent = performance.now();
    const sendSeconds = (lastSent - started) / 1000;
    const firstRender = Math.min(...marks.filter((mark) => mark.phase === 'queue').map((mark) => mark.at));
    const renderToSentSeconds = (lastSent - firstRender) / 1000;
    peaks.push(`sent ${peakRssMb()}`);
    sending = false;
    await Promise.all(workers.map((worker) => worker.stop()));
    await unsubscribing;

    started = performance.now();
    const results = await services.campaigns.results(store.id, campaign.id);
    const resultsSeconds = (performance.now() - started) / 1000;
    const totalSeconds = (performance.now() - campaignStarted) / 1000;
    clearInterval(sampler);
    const figures = results.messages;
    const delivered = figures.sent;
    const received = await sink.received();
    if (received !== delivered) throw new Error(`the ledger says ${delivered} sent, the SMTP server received ${received}`);
    if (delivered + figures.suppressed !== recipients) throw new Error(`${recipients} recipients, ${delivered} sent, ${figures.suppressed} suppressed, ${figures.failed} failed, ${figures.uncertain} uncertain`);
    const codes = await services.storage.read.selectFrom('offer_issues').select((eb) => [eb.fn.count('code').distinct().as('codes'), eb.fn.countAll().as('issues')])
      .where('store_id', '=', store.id).where('offer_id', '=', offer.id).executeTakeFirstOrThrow();
    if (Number(codes.codes) !== recipients || Number(codes.issues) !== recipients) throw new Error(`${recipients} recipients, ${codes.issues} issues, ${codes.codes} distinct codes`);
    const sorted = [...latencies].sort((a, b) => a - b);
    const peak = Math.max(peakRssMb(), Math.round(peakSampled / 2 ** 20));
    const load = loadavg()[0].toFixed(1);
    log(`sent ${delivered} in ${sendSeconds.toFixed(1)} s (${figures.suppressed} suppressed: unsubscribed during the send); results ${resultsSeconds.toFixed(2)} s; ${latencies.length} unsubscribes, p99 ${quantile(sorted, 0.99).toFixed(1)} ms; load ${load}`);
    const n = recipients.toLocaleString('en');
    return [
      { name: `campaign to ${count.toLocaleString('en')} subscribed customers, start to results`, value: totalSeconds.toFixed(1), unit: 's', note: `audience ${start.audience.toLocaleString('en')}, holdout ${start.holdout.toLocaleString('en')}, ${delivered.toLocaleString('en')} delivered over SMTP; load average ${load}` },
      { name: 'segment refresh', value: refreshSeconds.toFixed(1), unit: 's' },
      { name: 'audience frozen with its holdout', value: freezeSeconds.toFixed(1), unit: 's' },
      { name: `unique codes issued, ${n}`, value: Math.round(recipients / codesSeconds), unit: 'codes/s', note: `${codesSeconds.toFixed(1)} s with codes being issued, each under its email's send key` },
      { name: 'recipients\' variables read (and the rest of the start)', value: readSeconds.toFixed(1), unit: 's', note: 'the time with no code issue nor render + ledger call running: profiles, order summaries, predictions, recommendations; send times' },
      { name: `render + ledger, ${n} messages`, value: Math.round(recipients / (queueMs / 1000)), unit: 'messages/s', note: `${(queueMs / 1000).toFixed(1)} s; win-back starter with its recommendations and a unique code each, tracked links, signed unsubscribe links` },
      overlap
        ? { name: 'the send after the start returned', value: sendSeconds.toFixed(1), unit: 's', note: `the job workers sent from the start on; checks at send time, sending / sent committed, ${CONNECTIONS} SMTP connections` }
        : { name: `send ${n} messages through the job workers`, value: Math.round(delivered / sendSeconds), unit: 'messages/s', note: `${sendSeconds.toFixed(1)} s; checks at send time, sending / sent committed, ${CONNECTIONS} SMTP connections` },
      { name: `render + ledger + send, first render to last sent`, value: Math.round(recipients / renderToSentSeconds), unit: 'messages/s', note: `${renderToSentSeconds.toFixed(1)} s; ${overlap ? 'sending while the start renders (HEARTH_BENCH_SEND_DURING_START=1)' : 'the send jobs run once the start returned'}` },
      { name: 'results computed', value: Math.round(resultsSeconds * 1000), unit: 'ms', note: 'groups, lift, message figures' },
      { name: 'peak RSS', value: peak, unit: 'MiB', note: `the server's process (server and benchmark; the SMTP server is a child process); the high-water mark after each phase: ${peaks.join(', ')} MiB; generating the customers took ${dataSeconds.toFixed(1)} s, fitting the recommendations ${fitSeconds.toFixed(1)} s, the subscribers taking them in ${settleSeconds.toFixed(1)} s` },
      { name: 'one-click unsubscribe POST p50 / p99 while sending', value: `${quantile(sorted, 0.5).toFixed(1)} / ${quantile(sorted, 0.99).toFixed(1)}`, unit: 'ms', note: `${latencies.length} POSTs at ${perSecond}/s over HTTP, ${unsubscribeErrors} not answered 200 within 2 min` },
    ];
  } finally {
    clearInterval(sampler);
    await server.stop();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
