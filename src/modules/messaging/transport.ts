/**
 * The email transport: nodemailer over SMTP with pooled connections, a rate limit and DKIM signing
 * when the store has a key. A message's fate is a value: accepted (with the server's answer and
 * message id), rejected by the server for good, a transport error (nothing was accepted), or
 * uncertain (the connection broke after the message was handed over, so it may have arrived).
 */
import nodemailer from 'nodemailer';

export interface OutgoingEmail {
  from: string;
  to: string;
  replyTo?: string | null;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  headers: Record<string, string>;
}

export type SendOutcome =
  | { kind: 'accepted'; messageId: string; response: string }
  | { kind: 'rejected'; detail: string; invalidAddress: boolean }
  | { kind: 'transport_error'; detail: string }
  | { kind: 'uncertain'; detail: string };

export interface Mailer {
  /** How many messages can be in an SMTP conversation at once (the pool's connections). */
  readonly inFlight: number;
  send(email: OutgoingEmail): Promise<SendOutcome>;
  close(): void;
}

export interface SmtpOptions {
  url: string;
  maxConnections?: number;
  /** Messages per second over all connections; none: as fast as the server takes them. */
  ratePerSecond?: number | null;
  dkim?: { domainName: string; keySelector: string; privateKey: string } | null;
  /** Milliseconds without an answer before a connection is given up. */
  socketTimeoutMs?: number;
}

interface SmtpError { code?: string; responseCode?: number; command?: string; response?: string; message: string }

/** What an SMTP error means for the message (RFC 5321 reply codes; nodemailer's error codes). */
export function outcomeOfError(error: unknown): SendOutcome {
  const e = (error ?? {}) as SmtpError;
  const detail = (e.response ?? e.message ?? String(error)).slice(0, 500);
  if (e.responseCode !== undefined && e.responseCode >= 500) {
    // 550/551/553 to RCPT TO: the mailbox does not exist or the address is malformed.
    const invalidAddress = /^RCPT/i.test(e.command ?? '') && [550, 551, 553].includes(e.responseCode);
    return { kind: 'rejected', detail, invalidAddress };
  }
  // The message was streamed (DATA) but no answer came: it may have been delivered.
  if (e.responseCode === undefined && e.command === 'DATA') return { kind: 'uncertain', detail };
  return { kind: 'transport_error', detail };
}

export function smtpMailer(options: SmtpOptions): Mailer {
  const maxConnections = options.maxConnections ?? 5;
  const transport = nodemailer.createTransport({
    pool: true,
    url: options.url,
    maxConnections,
    maxMessages: Infinity,
    socketTimeout: options.socketTimeoutMs ?? 60_000,
    ...(options.ratePerSecond ? { rateDelta: 1000, rateLimit: options.ratePerSecond } : {}),
    ...(options.dkim ? { dkim: options.dkim } : {}),
  });
  return {
    inFlight: maxConnections,
    async send(email) {
      try {
        const info = await transport.sendMail({
          from: email.from, to: email.to, ...(email.replyTo ? { replyTo: email.replyTo } : {}), subject: email.subject,
          html: email.html, text: email.text, messageId: email.messageId, headers: email.headers,
        });
        return { kind: 'accepted', messageId: info.messageId, response: info.response };
      } catch (error) {
        return outcomeOfError(error);
      }
    },
    close: () => transport.close(),
  };
}
