/**
 * Bounces and complaints that arrive as mail: a delivery status notification (RFC 3464, a
 * `multipart/report; report-type=delivery-status` with a `message/delivery-status` part) or an
 * abuse report (RFC 5965 ARF, `report-type=feedback-report`). Each failed recipient becomes a
 * bounce — Status 5.x.x hard, 4.x.x soft; "delayed" is not a bounce yet — and an abuse report a
 * complaint. The original message's Message-ID (from its returned headers) ties the report to
 * the send that caused it.
 */
import type { DeliveryEvent, ReadResult } from './delivery-events.js';

interface Part { headers: Map<string, string>; body: string }

/** Header fields of a block, continuation lines unfolded, names lower-cased. */
function fields(block: string): Map<string, string> {
  const out = new Map<string, string>();
  const unfolded = block.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ');
  for (const line of unfolded.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) out.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return out;
}

function split(raw: string): Part {
  const text = raw.replace(/\r\n/g, '\n');
  const gap = text.indexOf('\n\n');
  return gap < 0 ? { headers: fields(text), body: '' } : { headers: fields(text.slice(0, gap)), body: text.slice(gap + 2) };
}

function parameter(value: string, name: string): string | null {
  const match = new RegExp(`${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

/** The parts of a multipart body (one level). */
function parts(message: Part): Part[] {
  const boundary = parameter(message.headers.get('content-type') ?? '', 'boundary');
  if (!boundary) return [];
  const chunks = message.body.split(`--${boundary}`);
  // Before the first boundary is the preamble; after the closing "--" the epilogue.
  return chunks.slice(1).filter((c) => !c.startsWith('--')).map((c) => decoded(split(c.replace(/^\n/, ''))));
}

/** A part's body as text: reports are usually 7bit, but some mailers base64 the returned headers. */
function decoded(part: Part): Part {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  return encoding === 'base64' ? { ...part, body: Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8') } : part;
}

const typeOf = (part: Part) => (part.headers.get('content-type') ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
const addressIn = (value: string | undefined) => {
  const match = value?.match(/([^\s;<>"]+@[^\s;<>"]+)/);
  return match ? match[1]!.toLowerCase() : null;
};

/** Reads a raw report message. A message that is no report answers `{ ok: true, events: [] }`. */
export function readBounceMail(raw: string | Buffer, receivedAt = new Date()): ReadResult {
  const message = split(typeof raw === 'string' ? raw : raw.toString('latin1'));
  const contentType = message.headers.get('content-type') ?? '';
  if (!/^multipart\/report/i.test(contentType)) return { ok: true, events: [] };
  const all = parts(message);
  const original = all.find((p) => typeOf(p) === 'text/rfc822-headers' || typeOf(p) === 'message/rfc822' || typeOf(p) === 'message/rfc822-headers');
  const originalId = original ? split(original.body).headers.get('message-id') ?? null : null;
  const dateHeader = message.headers.get('date');
  const at = dateHeader && Number.isFinite(new Date(dateHeader).getTime()) ? new Date(dateHeader) : receivedAt;
  const base = { provider: 'dsn' as const, at, provider_event_id: message.headers.get('message-id') ?? null, provider_message_id: originalId };
  const reportType = (parameter(contentType, 'report-type') ?? '').toLowerCase();

  if (reportType === 'feedback-report') {
    const report = all.find((p) => typeOf(p) === 'message/feedback-report');
    if (!report) return { ok: false, path: 'message/feedback-report', reason: 'the report part is missing' };
    const f = fields(report.body);
    const email = addressIn(f.get('original-rcpt-to')) ?? (original ? addressIn(split(original.body).headers.get('to')) : null);
    if (!email) return { ok: false, path: 'Original-Rcpt-To', reason: 'names no recipient' };
    return { ok: true, events: [{ ...base, kind: 'complaint', email, detail: f.get('feedback-type') ?? null }] };
  }

  const status = all.find((p) => typeOf(p) === 'message/delivery-status' || typeOf(p) === 'message/global-delivery-status');
  if (!status) return { ok: false, path: 'message/delivery-status', reason: 'the delivery status part is missing' };
  // The first block is about the message; each following block is about one recipient.
  const blocks = status.body.replace(/\r\n/g, '\n').split(/\n\s*\n/).map(fields).filter((b) => b.size > 0);
  const events: DeliveryEvent[] = [];
  for (const block of blocks.slice(1)) {
    const action = (block.get('action') ?? '').toLowerCase();
    const code = block.get('status') ?? '';
    if (action !== 'failed') continue;
    const email = addressIn(block.get('final-recipient')) ?? addressIn(block.get('original-recipient'));
    if (!email) continue;
    events.push({ ...base, kind: code.startsWith('4') ? 'soft_bounce' : 'hard_bounce', email, detail: block.get('diagnostic-code') ?? (code || null) });
  }
  return { ok: true, events };
}
