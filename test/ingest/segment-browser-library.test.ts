/**
 * Segment's browser library (`@segment/analytics-next`, the npm package's UMD build) in a real
 * Chromium, pointed at Hearth with its settings given inline: identify, track and page land on the
 * customer's profile, sent one by one (`/v1/i`, `/v1/t`, `/v1/p`) and batched (`/v1/b`). Every
 * request that is not to the two local servers (the store's page, Hearth) is refused and recorded,
 * so the test fails if the library reaches for Segment's CDN or API.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerProfile } from '../../src/http/schemas/segments.schemas.js';
import { CHROMIUM, launchBrowser } from '../e2e/helpers/browser.js';
import { listeningServer } from '../helpers/ingest-server.js';

const umdDir = join(dirname(createRequire(import.meta.url).resolve('@segment/analytics-next/package.json')), 'dist', 'umd');

let live: Awaited<ReturnType<typeof listeningServer>>;
let secretKey: string;
let browser: Browser;
let shop: Server;
let shopUrl: string;

/** The store's page: the library from the npm package, served by the store itself. */
const storePage = `<!doctype html><html><head><title>Shop Home</title>
<script src="/analytics-next.js"></script></head><body><h1>Shop</h1></body></html>`;

beforeAll(async () => {
  live = await listeningServer();
  secretKey = (await live.server.services.accounts.createApiKey(live.storeId, 'secret', 'admin')).key;
  const bundle = readFileSync(join(umdDir, 'index.js'));
  shop = createServer((request, response) => {
    if (request.url === '/analytics-next.js') {
      response.writeHead(200, { 'content-type': 'application/javascript' });
      response.end(bundle);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(storePage);
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
  if (existsSync(CHROMIUM)) browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => shop?.close(resolve));
  await live?.close();
});

async function admin<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${live.url}${path}`, { headers: { authorization: `Bearer ${secretKey}` } });
  return { status: response.status, body: (await response.json()) as T };
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The customer's profile through the admin API, once identify, track and page are all on it. */
async function profileOf(userId: string): Promise<CustomerProfile | undefined> {
  const found = await eventually(() => admin<{ id?: number }>(`/api/v1/customers/lookup?key=${encodeURIComponent(userId)}`), (r) => r.status === 200);
  if (found.status !== 200) return undefined;
  const read = () => admin<CustomerProfile>(`/api/v1/customers/${found.body.id}/profile`).then((r) => r.body);
  return eventually(read, (profile) => profile.timeline.some((item) => item.type === 'browsing_session' && item.pages >= 1 && item.events >= 3));
}

/**
 * Stands for the internet: the browser's proxy for every host but 127.0.0.1. It records what the
 * library tried to reach and refuses it. (Playwright's request interception is not used: it answers
 * CORS preflights itself, which would hide a header the server does not allow.)
 */
function startRefusingProxy(): Promise<{ url: string; tried: string[]; close: () => Promise<void> }> {
  const tried: string[] = [];
  const proxy = createServer((request, response) => {
    tried.push(`${request.method} ${request.url}`);
    response.writeHead(403).end();
  });
  proxy.on('connect', (request, socket) => {
    tried.push(`CONNECT ${request.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  return new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, tried,
    close: () => new Promise((done) => proxy.close(() => done())),
  })));
}

/**
 * In front of Hearth: answers the first `POST /v1/t` with 503 (as Hearth does under overload) and
 * passes everything else through, preflights included.
 */
function startOverloadedFront(): Promise<{ host: string; refused: () => number; close: () => Promise<void> }> {
  let refused = 0;
  const front = createServer((request, response) => {
    if (refused === 0 && request.method === 'POST' && request.url === '/v1/t') {
      refused += 1;
      request.resume();
      response.writeHead(503, { 'access-control-allow-origin': request.headers.origin ?? '*', 'retry-after': '1', 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'overloaded', message: 'Try again' } }));
      return;
    }
    const target = new URL(live.url);
    const forwarded = httpRequest({ host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    request.pipe(forwarded);
  });
  return new Promise((resolve) => front.listen(0, '127.0.0.1', () => resolve({
    host: `127.0.0.1:${(front.address() as AddressInfo).port}`, refused: () => refused,
    close: () => new Promise((done) => front.close(() => done())),
  })));
}

interface Sent { path: string; status: number | undefined; failure: string | undefined }

/**
 * Opens the store's page, loads the library with inline settings and makes the three calls.
 * Answers what was sent to Hearth (`/v1/*`), what was tried outside the two local servers, and the
 * library's errors.
 */
async function runLibrary(userId: string, email: string, options: { deliveryStrategy?: { strategy: 'batching'; config: { size: number; timeout: number } }; apiHost?: string } = {}) {
  const { deliveryStrategy } = options;
  const outside = await startRefusingProxy();
  const context = await browser.newContext({ proxy: { server: outside.url, bypass: '127.0.0.1' } });
  const sending: Array<Promise<Sent>> = [];
  const page = await context.newPage();
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (!path.startsWith('/v1/')) return;
    // Null when no answer came (a network or CORS failure).
    sending.push(request.response().then((response) => ({ path, status: response?.status(), failure: response ? undefined : request.failure()?.errorText })));
  });
  await page.goto(`${shopUrl}/`);
  const apiHost = `${options.apiHost ?? new URL(live.url).host}/v1`;
  const errors = await page.evaluate(async ({ writeKey, apiHost, deliveryStrategy, userId, email }) => {
    interface Library {
      AnalyticsBrowser: {
        load: (settings: object, options?: object) => Promise<[{ on: (event: string, fn: (e: unknown) => void) => void }]> & {
          identify: (id: string, traits: object) => Promise<unknown>;
          track: (event: string, properties: object) => Promise<unknown>;
          page: () => Promise<unknown>;
        };
      };
    }
    const { AnalyticsBrowser } = (globalThis as unknown as { AnalyticsNext: Library }).AnalyticsNext;
    const failures: string[] = [];
    const analytics = AnalyticsBrowser.load({
      writeKey,
      cdnSettings: {
        integrations: { 'Segment.io': { apiKey: writeKey, apiHost, protocol: 'http', ...(deliveryStrategy && { deliveryStrategy }) } },
        // Segment's delivery metrics would go to api.segment.io; a store pointing at Hearth turns them off.
        metrics: { sampleRate: 0 },
      },
    });
    const [instance] = await analytics;
    instance.on('error', (error) => failures.push(String((error as { reason?: unknown }).reason ?? error)));
    await Promise.all([
      analytics.identify(userId, { email, firstName: 'Ada' }),
      analytics.track('Product Viewed', { product_id: 'sku-1', name: 'Espresso Beans', price: 14.5, currency: 'USD' }),
      analytics.page(),
    ]);
    return failures;
  }, { writeKey: live.writeKey, apiHost, deliveryStrategy, userId, email });
  const profile = await profileOf(userId);
  const sent = await Promise.all(sending);
  await context.close();
  await outside.close();
  return { profile, sent, blocked: outside.tried, errors };
}

describe.skipIf(!existsSync(CHROMIUM))('@segment/analytics-next in Chromium', () => {
  it('sends each call to its short path; the customer, the event and the page land on the profile', async () => {
    const { profile, sent, blocked, errors } = await runLibrary('u-1', 'ada@example.com');
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
    expect(sent.map((s) => s.path).sort()).toEqual(['/v1/i', '/v1/p', '/v1/t']);
    expect(sent.every((s) => s.status === 200)).toBe(true);
    expect(profile?.identity).toMatchObject({ external_id: 'u-1', email: 'ada@example.com', first_name: 'Ada' });
    const session = profile?.timeline.find((item) => item.type === 'browsing_session');
    expect(session).toMatchObject({ events: 3, pages: 1, names: { 'Product Viewed': 1 } });
    const status = (await admin<{ sources: Array<{ source: string; stored: number }> }>('/api/v1/ingest/status')).body;
    expect(status.sources.find((s) => s.source === 'segment')?.stored).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('with batching, sends one /v1/b and lands the same', async () => {
    const { profile, sent, blocked, errors } = await runLibrary('u-2', 'bea@example.com', { deliveryStrategy: { strategy: 'batching', config: { size: 3, timeout: 200 } } });
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
    expect(sent.map((s) => s.path)).toEqual(['/v1/b']);
    expect(sent[0]!.status).toBe(200);
    expect(profile?.identity).toMatchObject({ external_id: 'u-2', email: 'bea@example.com', first_name: 'Ada' });
    const session = profile?.timeline.find((item) => item.type === 'browsing_session');
    expect(session).toMatchObject({ events: 3, pages: 1, names: { 'Product Viewed': 1 } });
  }, 60_000);

  it('retries a send refused with 503; the retry (with X-Retry-Count, so a new preflight) lands', async () => {
    const front = await startOverloadedFront();
    const { profile, sent, blocked, errors } = await runLibrary('u-3', 'cy@example.com', { apiHost: front.host });
    await front.close();
    expect(front.refused()).toBe(1);
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
    expect(sent.filter((s) => s.path === '/v1/t')).toEqual([{ path: '/v1/t', status: 503, failure: undefined }, { path: '/v1/t', status: 200, failure: undefined }]);
    const session = profile?.timeline.find((item) => item.type === 'browsing_session');
    expect(session).toMatchObject({ events: 3, pages: 1, names: { 'Product Viewed': 1 } });
  }, 60_000);
});
