import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'hearth' } });
}

/** A logger that writes nothing, for CLI commands and tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
