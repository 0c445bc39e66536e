// Email sending: messages/s from the send ledger over pooled SMTP (nodemailer, the pool's 5
// connections) to a local SMTP server (smtp-server in this process, which counts and discards),
// through the send job as the server's worker runs it: the checks at send time (suppression list,
// consent, frequency cap), `sending` committed before each group's SMTP conversations and `sent`
// after. The messages are queued pre-rendered first (the ledger write is timed too). The baseline
// is a bare nodemailer pooled transport sending a fixed message to the same server in the same run
// (no ledger, no checks): the transport's own limit. The worker is started only for the send.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../dist/config.js';
import { registerJobs } from '../dist/jobs/handlers.js';
import { Worker } from '../dist/jobs/worker.js';
import { silentLogger } from '../dist/lib/logger.js';
import { startServer } from '../dist/main.js';

async function startSink() {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received += 1;
        callback(null, 'ok');
      });
    },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${server.server.address().port}`, received: () => received, close: () => new Promise((resolve) => server.close(resolve)) };
}

const html = (name, unsubscribe) => `<!doctype html><html><body style="font-family:sans-serif"><table width="100%"><tr><td style="padding:24px">
<h1>Hello ${name}</h1><p>Our autumn collection is here: ${'warm knits, waxed jackets and boots. '.repeat(12)}</p>
<p><a href="https://shop.example/autumn">Shop now</a></p><p style="font-size:12px;color:#777">12 Harbour Street, Bristol · <a href="${unsubscribe}">Unsubscribe</a></p>
</td></tr></table></body></html>`;

export default async function ({ scale, log }) {
  const count = Math.max(300, Math.round(20_000 * scale));
  const dir = mkdtempSync(join(tmpdir(), 'hearth-sending-bench-'));
  const sink = await startSink();
  const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_HOST: '127.0.0.1', HEARTH_PORT: '0', HEARTH_LOG_LEVEL: 'silent' });
  const server = await startServer(config, { migrate: true, logger: silentLogger, worker: false });
  const { services } = server;
  try {
    const store = await services.accounts.createStore({ name: 'Bench Outfitters', slug: 'bench-send' });
    for (let i = 0; i < count; i += 10_000) {
      await services.commerce.write(store.id, { customers: Array.from({ length: Math.min(10_000, count - i) }, (_, k) => ({
        external_id: `c${i + k}`, email: `c${i + k}@example.com`, first_name: `C${i + k}`, email_consent: { status: 'subscribed' },
      })) });
    }
    await services.messages.updateSettings(store.id, { smtp_url: sink.url, from_address: 'news@bench.example', from_name: 'Bench Outfitters' });
    const customers = await services.storage.read.selectFrom('customers').select(['id', 'first_name']).where('store_id', '=', store.id).execute();

    const queueStarted = performance.now();
    await services.messages.queueEmails(store.id, customers.map((c) => ({
      sendKey: `campaign:bench:${c.id}`, purpose: 'marketing', customerId: Number(c.id), source: 'campaign:bench',
      build: (links) => ({ subject: `Autumn is here, ${c.first_name}`, preheader: 'New in', html: html(c.first_name, links.unsubscribe_url), text: `Hello ${c.first_name}` }),
    })));
    const queueSeconds = (performance.now() - queueStarted) / 1000;

    const worker = new Worker(services.jobs, silentLogger);
    registerJobs(worker, services);
    const sendStarted = performance.now();
    while (await worker.tick()) { /* every send job */ }
    const sendSeconds = (performance.now() - sendStarted) / 1000;
    const counts = await services.messages.counts(store.id);
    if (counts.sent !== count || sink.received() !== count) throw new Error(`sent ${counts.sent}, received ${sink.received()} of ${count}`);

    // The same number of a fixed message through a bare pooled nodemailer transport.
    const transport = nodemailer.createTransport({ pool: true, url: sink.url, maxConnections: 5, maxMessages: Infinity });
    const fixed = { from: 'news@bench.example', to: 'fixed@example.com', subject: 'Autumn is here', html: html('there', 'https://bench.example/u/x'), text: 'Hello' };
    const bareStarted = performance.now();
    await Promise.all(Array.from({ length: count }, () => transport.sendMail(fixed)));
    const bareSeconds = (performance.now() - bareStarted) / 1000;
    transport.close();

    const product = count / sendSeconds;
    const bare = count / bareSeconds;
    log(`${count} messages: queued in ${queueSeconds.toFixed(1)} s, sent in ${sendSeconds.toFixed(1)} s; bare nodemailer ${bareSeconds.toFixed(1)} s`);
    return [
      { name: `send ${count.toLocaleString('en')} queued emails over pooled SMTP`, value: Math.round(product), unit: 'messages/s', baseline: Math.round(bare), ratio: (product / bare).toFixed(2), note: `target ≥ 500/s; bare nodemailer to the same server ${Math.round(bare)} messages/s` },
      { name: `queue ${count.toLocaleString('en')} pre-rendered emails (ledger write, signed links)`, value: Math.round(count / queueSeconds), unit: 'messages/s' },
    ];
  } finally {
    await server.stop();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
