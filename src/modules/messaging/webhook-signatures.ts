/**
 * Checking that a mail provider's webhook came from the provider, as each documents it:
 * - SendGrid's Signed Event Webhook: an ECDSA (P-256, SHA-256) signature of the timestamp header
 *   followed by the raw body, in `X-Twilio-Email-Event-Webhook-Signature`, verified with the
 *   public key shown in SendGrid's mail settings (base64 DER).
 * - Mailgun: HMAC-SHA256 of timestamp + token with the webhook signing key, hex.
 * - Amazon SNS (carrying SES notifications): an RSA signature of the message's fields in a fixed
 *   order (SHA1 for SignatureVersion 1, SHA256 for 2), verified with the certificate at
 *   `SigningCertURL`, which must be an https URL on an SNS host.
 * Postmark signs nothing: its webhook URL carries the store's secret token instead (see routes).
 */
import { createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto';

export function verifySendGrid(publicKeyBase64: string, rawBody: string | Buffer, signatureBase64: string, timestamp: string): boolean {
  try {
    const key = publicKeyBase64.includes('BEGIN PUBLIC KEY')
      ? createPublicKey(publicKeyBase64)
      : createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
    return verify('sha256', Buffer.concat([Buffer.from(timestamp), Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody)]), key, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

export function verifyMailgun(signingKey: string, timestamp: string, token: string, signatureHex: string): boolean {
  const expected = createHmac('sha256', signingKey).update(`${timestamp}${token}`).digest();
  const given = Buffer.from(signatureHex, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The fields of an SNS message, as SNS sends them. */
export interface SnsEnvelope {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
  UnsubscribeURL?: string;
}

const SIGNED_FIELDS: Record<string, readonly (keyof SnsEnvelope)[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

/** "name\nvalue\n" for each signed field present, in SNS's order. */
export function snsStringToSign(envelope: SnsEnvelope): string | null {
  const fields = SIGNED_FIELDS[envelope.Type];
  if (!fields) return null;
  return fields.filter((f) => envelope[f] !== undefined).map((f) => `${f}\n${envelope[f]}\n`).join('');
}

/**
 * Whether an SNS URL may be fetched: https on an SNS host (`sns.<region>.amazonaws.com`, also in
 * the China partition) — for a certificate, a `.pem` path — or one of the operator's extra hosts
 * (`host` or `host:port`; plain http only for those).
 */
export function snsUrlAllowed(url: string, extraHosts: readonly string[] = [], options: { certificate: boolean } = { certificate: true }): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (extraHosts.includes(parsed.host)) return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  return parsed.protocol === 'https:' && /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(parsed.hostname) && (!options.certificate || parsed.pathname.endsWith('.pem'));
}

/** Whether a signing certificate URL may be fetched (see `snsUrlAllowed`). */
export function snsCertificateUrlAllowed(url: string, extraHosts: readonly string[] = []): boolean {
  return snsUrlAllowed(url, extraHosts);
}

export function verifySns(envelope: SnsEnvelope, certificatePem: string): boolean {
  const text = snsStringToSign(envelope);
  if (!text) return false;
  const algorithm = envelope.SignatureVersion === '2' ? 'sha256' : envelope.SignatureVersion === '1' ? 'sha1' : null;
  if (!algorithm) return false;
  try {
    return verify(algorithm, Buffer.from(text), createPublicKey(certificatePem), Buffer.from(envelope.Signature, 'base64'));
  } catch {
    return false;
  }
}
