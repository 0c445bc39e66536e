// The sending benchmarks' baseline: as many copies of one fixed, already rendered message sent
// through a bare pooled nodemailer transport to the same server — no ledger, no checks, no
// rendering: the transport's own limit.
import nodemailer from 'nodemailer';
import { bodiesByIds } from '../../dist/modules/messaging/sends.repository.js';

/** Sends `count` copies of `html`; wall seconds and this process's CPU seconds. */
export async function bareSend(url, connections, count, html) {
  const transport = nodemailer.createTransport({ pool: true, url, maxConnections: connections, maxMessages: Infinity });
  const fixed = { from: '"Bench Outfitters" <news@bench.example>', to: 'fixed@example.com', subject: 'We miss you', html, text: 'Hello' };
  const cpu = process.cpuUsage();
  const started = performance.now();
  // 10,000 at a time: a million promises at once would measure the heap, not the transport.
  for (let i = 0; i < count; i += 10_000) {
    await Promise.all(Array.from({ length: Math.min(10_000, count - i) }, () => transport.sendMail(fixed)));
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  transport.close();
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** The HTML of the store's first message in the ledger: the baseline sends the same size. */
export async function sampleHtml(db, storeId) {
  const first = await db.selectFrom('message_sends').select('id').where('store_id', '=', storeId).orderBy('id').limit(1).executeTakeFirstOrThrow();
  return (await bodiesByIds(db, storeId, [first.id])).get(first.id).html;
}
