// Render + send: each recipient's message rendered with Liquid over the win-back starter compiled
// once from MJML (a discount block and a product grid loop over six recommendations, different for
// each recipient), its links tracked, queued in the send ledger (rendered in the render thread, as
// a campaign's are: `email-render.ts`), and sent by the server's job
// workers (`serverWorkers`: per lane, two for sends) — the checks at send time, `sending` committed
// before each SMTP conversation and `sent` after — over pooled SMTP (the SMTP thread) to a local
// smtp-server in a child process (it counts and discards). The workers run while the messages are
// queued, as in the server, and the figure is messages from the first
// render to the last `sent` committed. It is measured with the default pool (5 connections) and
// with HEARTH_SMTP_MAX_CONNECTIONS=20 (HEARTH_BENCH_CONNECTIONS=5, or =20, measures only that one).
//
// Baseline in the same run: a bare pooled nodemailer transport (the same connection count) sending
// a fixed, already rendered message of the same size to the same server — no ledger, no checks: the
// transport's own limit.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../dist/config.js';
import { serverWorkers } from '../dist/jobs/handlers.js';
import { silentLogger } from '../dist/lib/logger.js';
import { startServer } from '../dist/main.js';
import { recipientVariables, renderEmail } from '../dist/modules/messaging/index.js';
import { bareSend, sampleHtml } from './lib/bare-send.mjs';
import { startSmtpSink } from './lib/smtp-sink.mjs';

/** Six recommended products for a recipient (as a recommendation block would give them). */
const recommendations = (i) => Array.from({ length: 6 }, (_, k) => ({
  title: `Product ${(i * 7 + k) % 500}`, url: `https://shop.example/products/p-${(i * 7 + k) % 500}`,
  image: `https://cdn.shop.example/p/${(i * 7 + k) % 500}.jpg`, price: 1_000 + ((i * 31 + k * 17) % 9_000),
}));

/** Queues `customers` their win-back message and sends them through the job workers; seconds and the size of a message. */
async function renderAndSend({ services, storeId, templateId, customers, runId }) {
  const { compiled, version } = await services.templates.compiled(storeId, templateId);
  const store = await services.templates.storeVariables(storeId);
  const key = await services.messages.linkKey(storeId);
  const workers = serverWorkers(services, silentLogger);
  const variablesOf = (id, facts) => recipientVariables(store, facts, { recommendations: recommendations(id), discount_code: `BACK-${id.toString(36).toUpperCase()}` });
  // The size of a message: the first recipient's, rendered here as the ledger renders it.
  const first = (await services.templates.customerFacts(storeId, customers.slice(0, 1))).get(customers[0]);
  const links = { unsubscribe_url: 'https://hearth.example/u/x', preferences_url: 'https://hearth.example/p/x', view_in_browser_url: 'https://hearth.example/m/x' };
  const sample = services.engagement.track(renderEmail(compiled, { ...variablesOf(customers[0], first), links }), { storeId, sendKey: 'size', customerId: customers[0], links, key });
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const worker of workers) worker.start();
  const jobIds = [];
  // As a campaign queues: slices of 500, each slice's customers read together.
  for (let start = 0; start < customers.length; start += 500) {
    const slice = customers.slice(start, start + 500);
    const facts = await services.templates.customerFacts(storeId, slice);
    const queued = await services.messages.queueEmails(storeId, slice.map((id) => ({
      sendKey: `bench:${runId}:${id}`, purpose: 'marketing', customerId: id, source: `bench:${runId}`, templateId, templateVersion: version,
      template: { compiled, tracked: true, variables: () => variablesOf(id, facts.get(id)) },
    })));
    jobIds.push(...queued.job_ids);
  }
  const queuedSeconds = (performance.now() - started) / 1000;
  // Waits for the send jobs to end: a look at the jobs table every 100 ms (reading the ledger's
  // counts that often would cost the process a tenth of a core), then the counts once.
  for (;;) {
    const open = await services.storage.read.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n'))
      .where('id', 'in', jobIds).where('state', 'in', ['queued', 'running']).executeTakeFirstOrThrow();
    if (Number(open.n) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const counts = await services.messages.counts(storeId);
  if (counts.queued !== 0 || counts.sending !== 0) throw new Error(`the send jobs ended with ${counts.queued} messages queued and ${counts.sending} sending`);
  await Promise.all(workers.map((worker) => worker.stop()));
  return { seconds, queuedSeconds, cpuSeconds: (used.user + used.system) / 1e6, bytesEach: sample.html.length + sample.text.length };
}

export default async function ({ scale, tiny, log }) {
  // The tiny run only checks that the path works end to end.
  const count = tiny ? 100 : Math.max(500, Math.round(20_000 * scale));
  const sink = await startSmtpSink();
  const rows = [];
  try {
    const pools = process.env.HEARTH_BENCH_CONNECTIONS ? process.env.HEARTH_BENCH_CONNECTIONS.split(',').map(Number) : [5, 20];
    if (pools.some((n) => !(Number.isInteger(n) && n >= 1 && n <= 100))) throw new Error(`HEARTH_BENCH_CONNECTIONS: "${process.env.HEARTH_BENCH_CONNECTIONS}" is not a list of pool sizes (1–100)`);
    for (const connections of pools) {
      const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-render-send-'));
      const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_HOST: '127.0.0.1', HEARTH_PORT: '0', HEARTH_LOG_LEVEL: 'silent', HEARTH_SMTP_MAX_CONNECTIONS: String(connections) });
      const server = await startServer(config, { migrate: true, logger: silentLogger, worker: false });
      const { services } = server;
      try {
        const store = await services.accounts.createStore({ name: 'Bench Outfitters', slug: 'bench-render-send', currency: 'GBP' });
        await services.accounts.updateStore(store.id, { websiteUrl: 'https://shop.example', postalAddress: '12 Harbour Street, Bristol' });
        for (let i = 0; i < count; i += 10_000) {
          await services.commerce.write(store.id, { customers: Array.from({ length: Math.min(10_000, count - i) }, (_, k) => ({
            external_id: `c${i + k}`, email: `c${i + k}@example.com`, first_name: `C${i + k}`, email_consent: { status: 'subscribed' },
          })) });
        }
        // No frequency cap: the two runs below mail the same customers.
        await services.messages.updateSettings(store.id, { smtp_url: sink.url, from_address: 'news@bench.example', from_name: 'Bench Outfitters', frequency_cap_hours: 0 });
        const template = await services.templates.createFromStarter(store.id, 'win_back');
        const customers = (await services.storage.read.selectFrom('customers').select('id').where('store_id', '=', store.id).orderBy('id').execute()).map((c) => Number(c.id));
        // Warm-up: a few hundred messages (compiled template, pool connections, JIT).
        await renderAndSend({ services, storeId: store.id, templateId: template.id, customers: customers.slice(0, tiny ? 20 : 300), runId: 'warm' });
        const before = await sink.received();
        const sinkBefore = await sink.cpuSeconds();
        const run = await renderAndSend({ services, storeId: store.id, templateId: template.id, customers, runId: 'run' });
        const received = (await sink.received()) - before;
        if (received !== count) throw new Error(`the SMTP server received ${received} of ${count}`);
        const sinkMs = ((await sink.cpuSeconds()) - sinkBefore) * 1000 / count;

        const sample = await sampleHtml(services.storage.read, store.id);
        const sinkBareBefore = await sink.cpuSeconds();
        const bareRun = await bareSend(sink.url, connections, count, sample);
        const sinkBareMs = ((await sink.cpuSeconds()) - sinkBareBefore) * 1000 / count;
        const bareSeconds = bareRun.seconds;
        const product = count / run.seconds;
        const bare = count / bareSeconds;
        const cpuMs = (run.cpuSeconds * 1000) / count;
        const bareCpuMs = (bareRun.cpuSeconds * 1000) / count;
        const load = loadavg()[0].toFixed(1);
        log(`${connections} connections: ${count} messages (${Math.round(run.bytesEach / 1024)} KiB HTML + text each) rendered and queued in ${run.queuedSeconds.toFixed(1)} s, all sent after ${run.seconds.toFixed(1)} s; bare nodemailer ${bareSeconds.toFixed(1)} s; CPU ${cpuMs.toFixed(2)} ms a message (bare ${bareCpuMs.toFixed(2)}), the SMTP server's ${sinkMs.toFixed(2)} (bare ${sinkBareMs.toFixed(2)}); load ${load}`);
        rows.push({
          name: `render + queue + send ${count.toLocaleString('en')} emails, ${connections} SMTP connections${connections === 5 ? ' (default)' : ''}`,
          value: Math.round(product), unit: 'messages/s', baseline: Math.round(bare), ratio: (product / bare).toFixed(2),
          note: `target ≥ 500/s; bare nodemailer, ${connections} connections, same server: ${Math.round(bare)}/s; load average ${load}`,
        });
        rows.push({
          name: `CPU time per message (this process, all threads), ${connections} connections`, value: cpuMs.toFixed(2), unit: 'ms', ratio: (cpuMs / bareCpuMs).toFixed(1),
          note: `bare nodemailer ${bareCpuMs.toFixed(2)} ms; the SMTP server's process ${sinkMs.toFixed(2)} ms (bare ${sinkBareMs.toFixed(2)}); less sensitive than messages/s to others' load on the machine; ${Math.round(1000 / cpuMs)} messages per CPU-second`,
        });
      } finally {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return rows;
  } finally {
    await sink.close();
  }
}
