/**
 * A local HTTP server standing in for a store's webhook receiver: it records every request (headers
 * and raw body), answers with the statuses it is told to (200 by default), and counts a message as
 * delivered once per idempotency key, as a receiver following the docs would; and the receiver's
 * check of the signature.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

export interface WebhookReceiver {
  url: string;
  requests: ReceivedWebhook[];
  /** Idempotency keys answered with a 2xx, each once. */
  delivered: Set<string>;
  /** Answers the next requests with these statuses, in order, then 200. */
  answerNext(...statuses: number[]): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedWebhook[] = [];
  const delivered = new Set<string>();
  const script: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = script.shift() ?? 200;
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      if (status >= 200 && status < 300) delivered.add(String(req.headers['idempotency-key']));
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/hearth`, requests, delivered,
    answerNext: (...statuses) => { script.push(...statuses); },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The receiver's check, written from the docs: HMAC-SHA256 of "<timestamp>.<body>" with the secret, hex, after "v1="; at most 5 minutes old. */
export function signatureValid(secret: string, request: { headers: Record<string, unknown>; body: string }): boolean {
  const timestamp = String(request.headers['hearth-timestamp']);
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')}`;
  return request.headers['hearth-signature'] === expected && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
}
