// Requests sent from a worker thread over keep-alive node:http connections, as a shop's server
// sends them, so the load's own work (building requests, reading answers) runs beside the product
// and not on its event loop. In-process `fetch` cost more CPU per request than the product's
// answer did: with it, client and server shared one thread and the client set the pace.
// - open loop: `rate` requests a second, each leaving on its schedule whatever the earlier ones do;
// - closed loop: `width` requests in flight, the next sent as soon as one is answered.
// Resolves with the seconds taken, the sorted latencies (ms, send to last byte) of the 2xx
// answers, and the count of the others (statuses tallied).
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Agent, request } from 'node:http';

/** @param {{ url: string, requests: { method?: string, path: string, headers?: Record<string, string>, body?: string }[], rate?: number, width?: number }} load */
export function sendLoad(load) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: load });
    worker.once('message', (result) => { resolve(result); void worker.terminate(); });
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`the load worker exited with ${code}`)); });
  });
}

function send(agent, base, { method = 'GET', path, headers = {}, body }) {
  return new Promise((resolve) => {
    const sent = performance.now();
    const req = request({ host: base.hostname, port: base.port, path, method, agent,
      headers: body === undefined ? headers : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - sent }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - sent }));
    req.end(body);
  });
}

async function run({ url, requests, rate, width }) {
  const base = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: width ?? 256 });
  const latencies = [];
  const statuses = {};
  const record = ({ status, ms }) => {
    if (status >= 200 && status < 300) latencies.push(ms);
    else statuses[status] = (statuses[status] ?? 0) + 1;
  };
  const started = performance.now();
  if (rate) {
    const pending = [];
    for (let i = 0; i < requests.length; i += 1) {
      const wait = started + (i * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(send(agent, base, requests[i]).then(record));
    }
    await Promise.all(pending);
  } else {
    let next = 0;
    await Promise.all(Array.from({ length: width }, async () => {
      while (next < requests.length) record(await send(agent, base, requests[next++]));
    }));
  }
  agent.destroy();
  const failures = Object.values(statuses).reduce((s, n) => s + n, 0);
  return { seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b), failures, statuses };
}

if (!isMainThread && workerData?.requests) parentPort.postMessage(await run(workerData));
