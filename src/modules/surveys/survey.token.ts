/**
 * The signed link of a survey (`/s/<token>`): store, customer, kind, the link's key (what it asks
 * about: a send key, an order) and when it lapses, with an HMAC-SHA256 keyed by a key derived from
 * the store's link key. One link takes one answer; changing any part breaks the signature.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../lib/ids.js';
import { surveyKinds, type SurveyKind } from './surveys.table.js';

export const SURVEY_LINK_DAYS = 30;

export interface SurveyClaims { storeId: string; customerId: number; kind: SurveyKind; key: string; expiresAt: Date }

export function surveyTokenKey(linkKey: Buffer): Buffer {
  return createHmac('sha256', linkKey).update('survey').digest();
}

const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest('base64url');

export function signSurveyToken(key: Buffer, c: SurveyClaims): string {
  const body = Buffer.from(JSON.stringify(['s', c.storeId, c.customerId, c.kind, c.key, Math.floor(c.expiresAt.getTime() / 1000)])).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

export function readSurveyToken(token: string): SurveyClaims | undefined {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined || body.length > 1500) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 6 || v[0] !== 's') return undefined;
    const [, storeId, customerId, kind, key, expires] = v as unknown[];
    if (typeof storeId !== 'string' || !Number.isSafeInteger(customerId) || !surveyKinds.includes(kind as SurveyKind) || typeof key !== 'string' || !Number.isSafeInteger(expires)) return undefined;
    return { storeId, customerId: customerId as number, kind: kind as SurveyKind, key, expiresAt: new Date((expires as number) * 1000) };
  } catch {
    return undefined;
  }
}

export function verifySurveyToken(key: Buffer, token: string): boolean {
  const [body, signature] = token.split('.');
  return Boolean(body && signature) && safeEqual(mac(key, body!), signature!);
}
