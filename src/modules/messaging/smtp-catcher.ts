/**
 * With no SMTP server configured nothing leaves the machine: this SMTP server, bound to 127.0.0.1
 * on a free port inside the Hearth process, receives every message and stores it whole for the
 * dashboard's Outbox. It answers 250 only after the message is committed; messages arriving
 * together are stored in one commit. A delivery report arriving at it (a bounce, RFC 3464, or an
 * abuse report, RFC 5965: `multipart/report`) is handed on, once stored, to be applied.
 */
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import type { Db } from '../../db/database.js';
import type { Logger } from '../../lib/logger.js';

/** The header the sender adds on messages to the catcher, to link each to its send: `<store id>/<send id>`. */
export const CATCHER_HEADER = 'X-Hearth-Message';

interface Pending {
  envelopeFrom: string | null;
  envelopeTo: string;
  raw: string;
  done: (error?: Error) => void;
}

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** A `multipart/report` message (a bounce or an abuse report), by its top-level Content-Type. */
function isReport(raw: string): boolean {
  const head = raw.slice(0, raw.search(/\r?\n\r?\n/) >>> 0).replace(/\r?\n[ \t]+/g, ' ');
  return /^content-type:\s*multipart\/report/im.test(head);
}

export class SmtpCatcher {
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private readonly reports = new Set<Promise<unknown>>();

  private constructor(
    private readonly server: SMTPServer, readonly url: string, private readonly write: Db, private readonly logger: Logger,
    private readonly onReport: ((raw: string) => Promise<unknown>) | undefined,
  ) {}

  static async start(write: Db, logger: Logger, onReport?: (raw: string) => Promise<unknown>): Promise<SmtpCatcher> {
    const holder: { catcher?: SmtpCatcher } = {};
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      size: MAX_MESSAGE_BYTES,
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (stream.sizeExceeded) return callback(Object.assign(new Error('Message too large'), { responseCode: 552 }));
          const from = session.envelope.mailFrom;
          holder.catcher!.store({
            envelopeFrom: from ? from.address : null,
            envelopeTo: session.envelope.rcptTo.map((r) => r.address).join(', '),
            raw: Buffer.concat(chunks).toString('utf8'),
            done: (error) => callback(error ?? null),
          });
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    server.on('error', (error) => logger.warn({ err: error }, 'smtp catcher error'));
    const address = server.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    holder.catcher = new SmtpCatcher(server, `smtp://127.0.0.1:${port}`, write, logger, onReport);
    return holder.catcher;
  }

  private store(message: Pending): void {
    this.pending.push(message);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      const now = new Date();
      await this.write.insertInto('caught_messages').values(batch.map((m) => {
        const link = new RegExp(`^${CATCHER_HEADER}:\\s*([^/\\s]+)/(\\d+)`, 'im').exec(m.raw.slice(0, m.raw.search(/\r?\n\r?\n/) >>> 0));
        return {
          id: sql<number>`nextval('caught_messages_id_seq')`, store_id: link?.[1] ?? null, send_id: link ? Number(link[2]) : null,
          envelope_from: m.envelopeFrom, envelope_to: m.envelopeTo, raw: m.raw, received_at: now,
        };
      })).execute();
      for (const m of batch) m.done();
      for (const m of batch) if (this.onReport && isReport(m.raw)) this.report(m.raw);
    } catch (error) {
      this.logger.error({ err: error }, 'smtp catcher could not store messages');
      for (const m of batch) m.done(Object.assign(new Error('Temporary local error'), { responseCode: 451 }));
    } finally {
      this.flushing = undefined;
      if (this.pending.length > 0) this.flushing = this.flush();
    }
  }

  private report(raw: string): void {
    const applying = this.onReport!(raw).catch((error: unknown) => this.logger.warn({ err: error }, 'smtp catcher could not apply a delivery report'));
    this.reports.add(applying);
    void applying.finally(() => this.reports.delete(applying));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.flushing;
    await Promise.all(this.reports);
  }
}
