// The ingest benchmark's load: 100-event track batches POSTed to /v1/batch from 32 connections,
// each with one batch in flight, back to back (anonymous visitors browsing products). Used by
// bench/ingest.bench.mjs (`load`) and, from a child process so it does not share the product's
// event loop, by bench/flows.bench.mjs (`startIngestLoad`: runs until stopped).
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

export const BATCH = 100;
// Many senders at once (servers, browsers, a Segment destination): 32 connections, each with one
// 100-event batch in flight; BENCH_CONCURRENCY changes it.
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

let sequence = 0;
function body(prefix) {
  const now = new Date().toISOString();
  const batch = [];
  for (let i = 0; i < BATCH; i += 1) {
    sequence += 1;
    batch.push({
      type: 'track', event: i % 10 === 0 ? 'Product Added' : 'Product Viewed', messageId: `${prefix}-${sequence}`,
      anonymousId: `visitor-${sequence % 5000}`, timestamp: now,
      properties: { product_id: `p-${sequence % 997}`, price: 19.99, currency: 'USD', url: 'https://shop.example/products/x' },
      context: { library: { name: 'bench' }, userAgent: 'Mozilla/5.0 (bench)' },
    });
  }
  return JSON.stringify({ batch, sentAt: now });
}

function post(agent, url, path, headers, payload) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(`${url}${path}`, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * CONCURRENCY clients sending back to back to `url` + `path` until `running()` turns false (or for
 * `seconds`): events/s acknowledged, how many batches were refused, latency p50 / p99 in ms.
 */
export async function load({ url, path = '/v1/batch', writeKey, seconds, running, onTick, prefix = 'bench' }) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const headers = { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` };
  const latencies = [];
  let events = 0;
  let refused = 0;
  const until = seconds === undefined ? Infinity : performance.now() + seconds * 1000;
  const going = () => performance.now() < until && (running?.() ?? true);
  const started = performance.now();
  const client = async () => {
    while (going()) {
      const result = await post(agent, url, path, headers, body(prefix));
      if (result.status === 200) {
        events += BATCH;
        latencies.push(result.ms);
      } else refused += 1;
      onTick?.();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { rate: events / elapsed, events, refused, seconds: elapsed, p50: pct(0.5), p99: pct(0.99) };
}

if (process.argv[2] === '--child') {
  const [, , , url, writeKey] = process.argv;
  let going = true;
  process.on('message', (message) => {
    if (message === 'stop') going = false;
  });
  process.on('disconnect', () => process.exit(0));
  const result = load({ url, writeKey, running: () => going, prefix: 'load' });
  process.send({ started: true });
  process.send({ result: await result });
}

/** The load in a child process, against a listening server: `stop()` ends it and resolves with its figures. */
export async function startIngestLoad({ url, writeKey }) {
  const child = fork(fileURLToPath(import.meta.url), ['--child', url, writeKey], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const finished = new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ingest load exited with ${code}`)));
    child.on('message', (message) => {
      if (message.result) resolve(message.result);
    });
  });
  finished.catch(() => undefined);
  await new Promise((resolve) => child.on('message', (message) => message.started && resolve()));
  return {
    stop: async () => {
      child.send('stop');
      const result = await finished;
      child.disconnect();
      return result;
    },
  };
}
