/**
 * The browser snippet in a real Chromium: a store page on another origin loads /hearth.js from
 * Hearth; page views, tracks and identify land on the customer's profile; failed sends are retried;
 * leaving the page sends with sendBeacon; Do-Not-Track is respected when the store asks.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../helpers/ingest.js';
import { listeningServer } from '../helpers/ingest-server.js';

const CHROMIUM = '/usr/bin/chromium';
let live: Awaited<ReturnType<typeof listeningServer>>;
let browser: Browser;
let shop: Server;
let shopUrl: string;

/** The store's theme: a page on its own origin with the pasted snippet. */
function themePage(query: URLSearchParams): string {
  const dnt = query.get('dnt') === '1' ? ' data-respect-dnt="true"' : '';
  return `<!doctype html><html><head><title>Shop ${query.get('title') ?? 'Home'}</title>
<script>window.hearth = [['track', ['Queued Before Load', { early: true }]]];</script>
<script async src="${live.url}/hearth.js" data-write-key="${live.writeKey}"${dnt}></script></head>
<body><a id="next" href="/next">next</a></body></html>`;
}

beforeAll(async () => {
  live = await listeningServer();
  shop = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(themePage(url.searchParams));
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => shop?.close(resolve));
  await live?.close();
});

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const eventsOf = (anonymousId: string) => rows<{ type: string; name: string; customer_id: number | null; source: string; url: string | null }>(live.server.services,
  'select type, name, customer_id, source, url from events where store_id = ? and anonymous_id = ? order by id', live.storeId, anonymousId);

describe.skipIf(!existsSync(CHROMIUM))('browser snippet in Chromium', () => {
  it('is small: under 10 KB gzipped', async () => {
    const response = await fetch(`${live.url}/hearth.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    const raw = Buffer.from(await response.arrayBuffer());
    // fetch decodes gzip itself; measure the encoded size the browser downloads.
    const encoded = (await import('node:zlib')).gzipSync(raw, { level: 9 });
    expect(encoded.length).toBeLessThan(10 * 1024);
    expect(gunzipSync(encoded).toString()).toContain('hearth.js');
  });

  it('records page views and tracks with an anonymous id cookie, then identify joins them to the customer', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The first send fails with 503: the snippet must retry it.
    let refused = 0;
    await page.route(`${live.url}/v1/batch`, async (route) => {
      if (refused === 0) {
        refused += 1;
        return route.fulfill({ status: 503, headers: { 'retry-after': '0', 'access-control-allow-origin': shopUrl }, body: '{}' });
      }
      return route.continue();
    });
    await page.goto(`${shopUrl}/?title=Home`);
    await page.waitForFunction(() => (globalThis as unknown as { hearth?: { loaded?: boolean } }).hearth?.loaded === true);
    await page.evaluate(() => {
      const hearth = (globalThis as unknown as { hearth: { track: (e: string, p: object) => void; identify: (id: string, t: object) => void } }).hearth;
      hearth.track('Product Viewed', { product_id: 'p-1', price: 19.99 });
      hearth.identify('browser-cust-1', { email: 'browser@example.com', name: 'Bea Browser' });
    });
    const cookie = (await context.cookies()).find((c) => c.name === 'hearth_aid');
    expect(cookie?.value).toMatch(/^[0-9a-f-]{36}$/);
    const events = await eventually(() => eventsOf(cookie!.value), (list) => list.length >= 4);
    expect(refused).toBe(1);
    expect(events.map((e) => e.name ?? e.type)).toEqual(['Queued Before Load', 'Shop Home', 'Product Viewed', 'identify']);
    expect(new Set(events.map((e) => e.source))).toEqual(new Set(['snippet']));
    expect(events.find((e) => e.type === 'page')!.url).toBe(`${shopUrl}/?title=Home`);
    const [customer] = await rows<{ id: number; email: string }>(live.server.services, 'select id, email from customers where store_id = ? and external_id = ?', live.storeId, 'browser-cust-1');
    expect(customer!.email).toBe('browser@example.com');
    // Browsing before identify is now on the profile.
    const stitched = await eventually(() => eventsOf(cookie!.value), (list) => list.every((e) => e.customer_id === customer!.id));
    expect(stitched.every((e) => e.customer_id === customer!.id)).toBe(true);

    // Leaving the page right after a track: sendBeacon delivers it.
    await page.evaluate(() => (globalThis as unknown as { hearth: { track: (e: string) => void } }).hearth.track('Clicked Next'));
    await page.click('#next');
    const afterLeave = await eventually(() => eventsOf(cookie!.value), (list) => list.some((e) => e.name === 'Clicked Next'));
    expect(afterLeave.some((e) => e.name === 'Clicked Next')).toBe(true);
    await context.close();
  }, 60_000);

  it('sends nothing when the store respects Do-Not-Track and the browser asks for it', async () => {
    const context = await browser.newContext();
    await context.addInitScript({ content: "Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' });" });
    const page = await context.newPage();
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/v1/')) sent.push(request.url());
    });
    await page.goto(`${shopUrl}/?dnt=1`);
    await page.waitForFunction(() => (globalThis as unknown as { hearth?: { loaded?: boolean } }).hearth?.loaded === true);
    await page.evaluate(() => (globalThis as unknown as { hearth: { track: (e: string) => void; flush: () => void } }).hearth.track('Should Not Send'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sent).toEqual([]);
    expect((await context.cookies()).find((c) => c.name === 'hearth_aid')).toBeUndefined();
    await context.close();
  }, 30_000);
});
