/**
 * The SMTP pool itself: nodemailer with pooled connections, a rate limit and DKIM signing when the
 * store has a key, and what each SMTP answer means for the message. It runs in the SMTP thread
 * (`smtp.thread.ts`); `transport.ts` posts it the messages.
 */
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import MimeNode from 'nodemailer/lib/mime-node/index.js';
import { quotedPrintableRoom, writeQuotedPrintable } from '../../lib/quoted-printable.js';
import { inflatedOctets, inflatedText } from './message-bodies.js';
import type { OutgoingEmail, SendOutcome } from './transport.js';

export interface SmtpOptions {
  url: string;
  maxConnections?: number;
  /** Messages per second over all connections; none: as fast as the server takes them. */
  ratePerSecond?: number | null;
  dkim?: { domainName: string; keySelector: string; privateKey: string } | null;
  /** Milliseconds without an answer before a connection is given up. */
  socketTimeoutMs?: number;
}

/** What the main thread posts to the SMTP thread, and what it answers. */
export type SmtpRequest = { type: 'send'; id: number; email: OutgoingEmail } | { type: 'close' };
export interface SmtpAnswer { id: number; outcome: SendOutcome }

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
function base64Lines(text: string | Uint8Array): Buffer {
  const encoded = (typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text.buffer, text.byteOffset, text.byteLength)).toString('base64');
  const lines: string[] = [];
  for (let at = 0; at < encoded.length; at += 76) lines.push(encoded.slice(at, at + 76));
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

/**
 * A part's headers and body, written into `out` from `at`; returns where it ends. Its room: 128
 * octets more than `quotedPrintableRoom` of the body. The HTML part is encoded here rather than by
 * nodemailer: its quoted-printable encoder streams the 30 KiB of a rendered message through several
 * transforms, which cost more CPU than the rest of the SMTP conversation. Both parts take the
 * encoding chosen for the text part, so a message mostly in another script goes as base64 throughout.
 */
function writePart(out: Buffer, at: number, type: 'plain' | 'html', body: Uint8Array, encoding: 'quoted-printable' | 'base64'): number {
  const start = at + out.write(`Content-Type: text/${type}; charset=utf-8\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`, at, 'latin1');
  if (encoding === 'quoted-printable') return writeQuotedPrintable(body, out, start);
  const encoded = base64Lines(body);
  return start + encoded.copy(out, start);
}

/**
 * The whole message as it goes over SMTP: nodemailer's MIME node writes the headers (encoded
 * words for a name or subject outside ASCII, folded lines, Date, MIME-Version, the boundary) and
 * gives the envelope; the two parts are encoded around it here. Handing nodemailer the message
 * whole (`raw`) skips its composer's streams: a fifth less of the SMTP thread's CPU a message, five
 * socket writes instead of twelve. DKIM still signs it.
 *
 * The message is written into one scratch buffer of the thread and copied out once, at its size:
 * V8 counts the buffers allocated since its last full collection against the heap's limit, and the
 * encoders' worst-case buffers (three times the HTML) started one every fifty messages or so.
 */
export function rawMessage(email: { from: string; to: string; replyTo?: string | null; subject: string; messageId: string; headers: Record<string, string> }, html: string | Uint8Array, text: string): { raw: Buffer; envelope: { from: string; to: string[] } } {
  const encoding = textEncodingOf(text);
  const root = new MimeNode('multipart/alternative', { textEncoding: encoding === 'base64' ? 'B' : 'Q', baseBoundary: randomHex() });
  root.setHeader({ ...email.headers, From: email.from, To: email.to, ...(email.replyTo ? { 'Reply-To': email.replyTo } : {}), Subject: email.subject, 'Message-ID': email.messageId });
  const head = `${root.buildHeaders()}\r\n\r\n`;
  const boundary = `\r\n--${root.boundary}`;
  const htmlOctets = typeof html === 'string' ? Buffer.from(html, 'utf8') : html;
  const textOctets = Buffer.from(text, 'utf8');
  const out = scratch(3 * head.length + 3 * boundary.length + 256 + quotedPrintableRoom(textOctets.length) + quotedPrintableRoom(htmlOctets.length));
  let at = out.write(head, 0, 'utf8');
  at += out.write(`--${root.boundary}\r\n`, at, 'latin1');
  at = writePart(out, at, 'plain', textOctets, encoding);
  at += out.write(`${boundary}\r\n`, at, 'latin1');
  at = writePart(out, at, 'html', htmlOctets, encoding);
  at += out.write(`${boundary}--\r\n`, at, 'latin1');
  const envelope = root.getEnvelope();
  return { raw: Buffer.from(out.subarray(0, at)), envelope: { from: envelope.from || '', to: envelope.to } };
}

/** The thread's scratch buffer, at least `size` octets (messages are written one at a time). */
let scratchBuffer = Buffer.alloc(0);
function scratch(size: number): Buffer {
  if (scratchBuffer.length < size) scratchBuffer = Buffer.allocUnsafeSlow(Math.max(size, 2 * scratchBuffer.length));
  return scratchBuffer;
}

/** Random bytes drawn 4 KiB at a time: one call for the random part of each boundary cost about 50 µs here. */
let randomPool = Buffer.alloc(0);
let randomAt = 0;
function randomHex(): string {
  if (randomAt + 8 > randomPool.length) {
    randomPool = randomBytes(4096);
    randomAt = 0;
  }
  randomAt += 8;
  return randomPool.toString('hex', randomAt - 8, randomAt);
}

/** Sends each message over the pool and says what became of it. */
export function smtpPool(options: SmtpOptions): { send(email: OutgoingEmail): Promise<SendOutcome>; close(): void } {
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
    async send(email) {
      try {
        // A stored message's HTML is inflated into the octets it encodes, never into a string.
        const { html, text } = 'packed' in email
          ? { html: inflatedOctets(email.packed.html), text: inflatedText(email.packed.text) }
          : email;
        // The Message-ID given spares nodemailer making one up for the message it does not read.
        const info = await transport.sendMail({ ...rawMessage(email, html, text), messageId: email.messageId });
        return { kind: 'accepted', messageId: email.messageId, response: info.response };
      } catch (error) {
        return outcomeOfError(error);
      }
    },
    close: () => transport.close(),
  };
}
