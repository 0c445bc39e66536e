/**
 * Worker-thread entry of a store's SMTP pool (`transport.ts` starts it): sends each posted message
 * over the pool and posts back its outcome. On `close`, the messages in flight finish their SMTP
 * conversations first; then the pool is closed and the thread ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { smtpPool, type SmtpAnswer, type SmtpOptions, type SmtpRequest } from './smtp-pool.js';

const port = parentPort;
if (!port) throw new Error('smtp.thread must run in a worker thread');
const pool = smtpPool(workerData as SmtpOptions);
let inFlight = 0;
let closing = false;

function end(): void {
  pool.close();
  port!.close();
}

port.on('message', (request: SmtpRequest) => {
  if (request.type === 'close') {
    closing = true;
    if (inFlight === 0) end();
    return;
  }
  inFlight += 1;
  void pool.send(request.email).then((outcome) => {
    inFlight -= 1;
    port.postMessage({ id: request.id, outcome } satisfies SmtpAnswer);
    if (closing && inFlight === 0) end();
  });
});
