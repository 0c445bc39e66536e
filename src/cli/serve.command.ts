import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../config.js';
import { startServer } from '../main.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the Hearth server (HTTP API, dashboard and job worker)')
    .option('--data-dir <dir>', 'data directory (default: $HEARTH_DATA_DIR or ./data)')
    .option('--port <port>', 'port to listen on (default: $HEARTH_PORT or 7600)', parsePort)
    .option('--host <host>', 'address to listen on (default: $HEARTH_HOST or 127.0.0.1)')
    .option('--migrate', 'apply pending migrations before starting')
    .action(async (options: { dataDir?: string; port?: number; host?: string; migrate?: boolean }) => {
      const config = loadConfig(undefined, { dataDir: options.dataDir, port: options.port, host: options.host });
      const server = await startServer(config, { migrate: options.migrate ?? false });
      stopOnSignals(server.stop);
      const login = await server.services.accounts.ensureFirstOwner();
      announce(server.url, login);
    });
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return port;
}

export function announce(url: string, login: { email: string; password: string } | undefined, note?: string): void {
  const lines = [`Hearth is running at ${url}`];
  if (login) lines.push(`Sign in as ${login.email} with password ${login.password}${note ?? ' (shown once; change it under Settings)'}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Graceful shutdown: finish in-flight writes, checkpoint, exit. A second signal exits at once. */
export function stopOnSignals(stop: () => Promise<void>): void {
  let signalled = false;
  const onSignal = (signal: string) => {
    if (signalled) process.exit(1);
    signalled = true;
    process.stdout.write(`\n${signal}: shutting down…\n`);
    stop().then(() => process.exit(0), (error) => {
      process.stderr.write(`shutdown failed: ${String(error)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  // Once shutting down, a background task (a job, a warm-up) whose query meets the closing store
  // is expected: it is reported, and the shutdown goes on. Before that, it is the crash it always was.
  process.on('unhandledRejection', (reason) => {
    if (!signalled) throw reason;
    process.stderr.write(`during shutdown: ${String(reason)}\n`);
  });
}
