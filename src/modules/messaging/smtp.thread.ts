/**
 * Worker-thread entry of a store's SMTP pool (`transport.ts` starts it): sends each posted message
 * over the pool and posts back its outcome. On `close` the pool is closed, and the thread ends once
 * the messages in flight have their answers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { smtpPool, type SmtpAnswer, type SmtpOptions, type SmtpRequest } from './smtp-pool.js';

const port = parentPort;
if (!port) throw new Error('smtp.thread must run in a worker thread');
const pool = smtpPool(workerData as SmtpOptions);
let inFlight = 0;
let closing = false;

port.on('message', (request: SmtpRequest) => {
  if (request.type === 'close') {
    closing = true;
    pool.close();
    if (inFlight === 0) port.close();
    return;
  }
  inFlight += 1;
  void pool.send(request.email).then((outcome) => {
    inFlight -= 1;
    port.postMessage({ id: request.id, outcome } satisfies SmtpAnswer);
    if (closing && inFlight === 0) port.close();
  });
});
