/**
 * The email transport: nodemailer over SMTP with pooled connections, a rate limit and DKIM signing
 * when the store has a key. A message's fate is a value: accepted (with the server's answer and
 * message id), rejected by the server for good, a transport error (nothing was accepted), or
 * uncertain (the connection broke after the message was handed over, so it may have arrived).
 */
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { encodeQuotedPrintable } from '../../lib/quoted-printable.js';
import { addressOf } from './message-links.js';
import type { MessageSendTable, SuppressionReason } from './sends.table.js';
import { CATCHER_HEADER } from './smtp-catcher.js';

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
  | { kind: 'rejected'; detail: string; invalidAddress: boolean; suppressAs?: SuppressionReason }
  | { kind: 'transport_error'; detail: string }
  | { kind: 'uncertain'; detail: string }
  /** Not delivered for a reason that may pass (a 5xx, a timeout before sending, too many requests): try again later. */
  | { kind: 'retry'; detail: string };

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

/**
 * The transfer encoding of the message's text (its HTML and text parts, and encoded header words),
 * chosen as nodemailer would choose it for the text part: quoted-printable unless most letters are
 * outside Latin (then base64, which is shorter for them). Counted once on the short text part, not
 * again on the 28 KiB HTML part.
 */
export function textEncodingOf(text: string): 'quoted-printable' | 'base64' {
  let latin = 0;
  let other = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) latin += 1;
    else if (code >= 0x80 || (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d)) other += 1;
  }
  return other < latin || other === 0 ? 'quoted-printable' : 'base64';
}

/** Base64 in lines of 76 characters (RFC 2045 §6.8). */
function base64Lines(text: string): Buffer {
  const encoded = Buffer.from(text, 'utf8').toString('base64');
  const lines: string[] = [];
  for (let at = 0; at < encoded.length; at += 76) lines.push(encoded.slice(at, at + 76));
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

/**
 * The HTML part, headers and body, encoded here rather than by nodemailer: its quoted-printable
 * encoder streams the 30 KiB of a rendered message through several transforms, which cost more CPU
 * than the rest of the SMTP conversation (`encodeQuotedPrintable` writes the octets in one pass).
 * The encoding is the text part's, so a message mostly in another script goes as base64 throughout.
 */
export function htmlPart(html: string, encoding: 'quoted-printable' | 'base64'): Buffer {
  const headers = Buffer.from(`Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`, 'latin1');
  return Buffer.concat([headers, encoding === 'base64' ? base64Lines(html) : encodeQuotedPrintable(html)]);
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
        const textEncoding = textEncodingOf(email.text);
        const info = await transport.sendMail({
          from: email.from, to: email.to, ...(email.replyTo ? { replyTo: email.replyTo } : {}), subject: email.subject,
          html: { raw: htmlPart(email.html, textEncoding) }, text: email.text, messageId: email.messageId, headers: email.headers, textEncoding,
        });
        return { kind: 'accepted', messageId: info.messageId, response: info.response };
      } catch (error) {
        return outcomeOfError(error);
      }
    },
    close: () => transport.close(),
  };
}

/**
 * Any channel's way out: delivers one message of the ledger and says what became of it. Email
 * wraps the SMTP `Mailer`; SMS and webhooks speak HTTP (`sms-transport.ts`, `webhook-channel.ts`).
 */
export interface Deliverer {
  /** How many messages may be on their way at once (one lane each). */
  readonly inFlight: number;
  /** Recorded as the source of a suppression the deliverer's answer causes (smtp, twilio…). */
  readonly name: string;
  deliver(send: MessageSendTable): Promise<SendOutcome>;
  close(): void;
}

/** Attempts of a message whose deliveries keep asking to be retried, before it fails for good. */
export const MAX_DELIVERY_ATTEMPTS = 12;

/** The wait before attempt n+1 after a retryable outcome: 2^(n-1) seconds (1 s, 2 s, 4 s … about an hour in all). */
export function retryDelayMs(attempt: number): number {
  return Math.min(3_600_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

/** Email over a `Mailer`; to the built-in catcher, each message names its send in a header. */
export function emailDeliverer(mailer: Mailer, storeId: string, caught: boolean): Deliverer {
  return {
    inFlight: mailer.inFlight,
    name: 'smtp',
    deliver: (send) => {
      const headers = JSON.parse(send.headers) as Record<string, string>;
      if (caught) headers[CATCHER_HEADER] = `${storeId}/${send.id}`;
      const domain = addressOf(send.from_address).split('@')[1] ?? 'localhost';
      return mailer.send({
        from: send.from_address, to: send.to_address, subject: send.subject, html: send.html, text: send.text, headers,
        messageId: `<${send.id}.${randomUUID()}@${domain}>`,
      });
    },
    close: () => mailer.close(),
  };
}
