// A local SMTP server for the sending benchmarks, in a child process so its work does not share the
// product's event loop: it accepts every message, reads the bytes and keeps only a count (no MIME
// parsing). `startSmtpSink()` resolves with its URL, `received()` (the count so far), `arrivals()`
// (when each message to a recipient whose address starts with `timed-` arrived, epoch ms by address:
// only those are kept, so a large send keeps nothing) and `close()`.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--child') {
  const { SMTPServer } = await import('smtp-server');
  let received = 0;
  const arrivals = {};
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false, maxClients: 1_000,
    onData(stream, session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received += 1;
        for (const { address } of session.envelope.rcptTo) if (address.startsWith('timed-')) arrivals[address] ??= Date.now();
        callback(null, 'ok');
      });
    },
  });
  // A client that goes away mid-conversation is no failure of the sink.
  server.on('error', () => undefined);
  server.listen(0, '127.0.0.1', () => process.send({ port: server.server.address().port }));
  // The benchmark ended without closing it (it failed): nothing is left running.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message) => {
    if (message === 'count') process.send({ received, cpu: process.cpuUsage() });
    if (message === 'arrivals') process.send({ arrivals });
    if (message === 'close') server.close(() => process.exit(0));
  });
}

export async function startSmtpSink() {
  const child = fork(fileURLToPath(import.meta.url), ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () => new Promise((resolve, reject) => {
    const exited = (code) => reject(new Error(`the SMTP sink exited with ${code}`));
    child.once('exit', exited);
    child.once('message', (message) => {
      child.off('exit', exited);
      resolve(message);
    });
  });
  const { port } = await next();
  return {
    url: `smtp://127.0.0.1:${port}`,
    pid: child.pid,
    received: async () => {
      const answer = next();
      child.send('count');
      return (await answer).received;
    },
    /** CPU seconds the sink has used so far (all its threads). */
    cpuSeconds: async () => {
      const answer = next();
      child.send('count');
      const { cpu } = await answer;
      return (cpu.user + cpu.system) / 1e6;
    },
    arrivals: async () => {
      const answer = next();
      child.send('arrivals');
      return (await answer).arrivals;
    },
    close: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.send('close');
    }),
  };
}
