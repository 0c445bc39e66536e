import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import type { Services } from '../../src/services.js';
import { createTestApp, type TestApp } from './app.js';

/** The app plus a store with its keys (browser write key, server key, secret key): what every ingest test starts from. */
export async function ingestApp(options: { currency?: string } = {}): Promise<TestApp & { storeId: string; writeKey: string; serverKey: string; secretKey: string }> {
  const test = await createTestApp();
  const store = await test.newStore('Ingest Store', { currency: options.currency ?? 'USD' });
  return { ...test, ...store };
}

export function basic(writeKey: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` };
}

/** RudderStack's request shape: gzip body labelled as a form. */
export function rudderStyle(body: unknown): { payload: Buffer; headers: Record<string, string> } {
  return { payload: gzipSync(JSON.stringify(body)), headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' } };
}

export async function rows<T>(services: Services, query: string, ...params: unknown[]): Promise<T[]> {
  const parts = query.split('?');
  const template = Object.assign([...parts], { raw: [...parts] }) as unknown as TemplateStringsArray;
  const result = await sql<T>(template, ...params).execute(services.storage.read);
  return result.rows;
}

let sequence = 0;
export function messageId(prefix = 'm'): string {
  sequence += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${sequence}`;
}

