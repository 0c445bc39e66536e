/**
 * The recommendations widget in real Chromium, on a shop's pages served from another origin than
 * Hearth's: a product page shows the products bought with it, in the storefront endpoint's order,
 * each card linking to the shop's product page by the given pattern; a signed-in customer's page
 * shows their own picks for the customer the shop's server signed (with node:crypto, as a shop
 * would); a product named with markup is text; the shop's CSS does not reach the cards; a forged
 * signature shows nothing. Screenshots at 390 and 1280 px.
 */
import { createHmac } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../e2e/helpers/browser.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { shopPage } from '../helpers/shop-page.js';

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
let browser: Browser;
let shop: Awaited<ReturnType<typeof shopPage>>;
let sign: (customer: string) => string;
const hostile = 'Oak <img src=x onerror="document.title=\'owned\'"> board';
const titles: Record<string, string> = { mug: 'Ceramic mug', tea: 'Green tea', cushion: 'Wool cushion', candle: 'Beeswax candle', board: hostile };
const baskets: [string, string[]][] = [
  ['c1', ['mug', 'tea']], ['c1', ['tea', 'board']], ['c2', ['mug', 'candle']], ['c3', ['mug', 'tea', 'cushion']],
  ['c4', ['board']], ['c5', ['cushion', 'candle', 'mug']], ['c6', ['tea']], ['c6', ['mug', 'tea']], ['c7', ['mug', 'board']],
];

beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Widget Shop', { currency: 'USD' });
  const auth = bearer(store.secretKey);
  const post = async (url: string, payload: object) => expect((await t.app.inject({ method: 'POST', url, headers: auth, payload })).statusCode).toBe(200);
  await post('/api/v1/products/batch', { products: Object.entries(titles).map(([id, title]) => ({ external_id: id, title, price: 1250, currency: 'USD', image_url: `data:image/svg+xml,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#b08d6a"/></svg>`)}` })) });
  await post('/api/v1/customers/batch', { customers: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'].map((id) => ({ external_id: id, email: `${id}@example.com` })) });
  await post('/api/v1/orders/batch', {
    orders: baskets.map(([customer, products], i) => ({
      external_id: `o${i}`, customer_external_id: customer, placed_at: new Date(Date.now() - (30 - i) * 86_400_000).toISOString(), currency: 'USD',
      lines: products.map((p) => ({ product_external_id: p, title: titles[p], quantity: 1, unit_price: 1250 })),
    })),
  });
  expect((await t.app.inject({ method: 'POST', url: '/api/v1/recommendations/fit-now', headers: auth })).statusCode).toBe(200);
  const key = Buffer.from((await t.app.inject({ method: 'GET', url: '/api/v1/storefront/key', headers: auth })).json().key, 'hex');
  sign = (customer) => createHmac('sha256', key).update(customer).digest('hex');
  const hearth = await t.app.listen({ port: 0, host: '127.0.0.1' });
  shop = await shopPage((url) => {
    const widget = url.startsWith('/products/mug')
      ? `<div id="recs" data-hearth-recommendations data-product="mug" data-k="4" data-product-url="/shop/item/{id}?ref=hearth"${url.includes('cheap') ? ' data-max-price="1000"' : ''}></div>`
      : `<div id="recs" data-hearth-recommendations data-customer="c3" data-signature="${url.includes('forged') ? sign('c4') : sign('c3')}" data-title="Picked for <you>"></div>`;
    return `<!doctype html><html><head><title>Shop</title><meta name="viewport" content="width=device-width">
<style>a{color:red!important;font-size:40px!important} img{display:none!important}</style></head><body><h1>Shop</h1>${widget}
<script src="${hearth}/v1/recommendations/widget.js" data-key="${store.writeKey}" async></script></body></html>`;
  });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await t?.close();
});

const cardsOf = (page: import('playwright-core').Page) => page.locator('#recs a.hrc-card');

describe('the recommendations widget', () => {
  it('shows what is bought with the product, in the endpoint\'s order, each linking to the shop\'s page', async () => {
    const expected = (await t.app.inject({ method: 'GET', url: `/v1/recommendations?key=${store.writeKey}&product=mug&k=4` })).json() as { items: { external_id: string; title: string; explanation: string }[] };
    expect(expected.items.length).toBeGreaterThan(1);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    await page.goto(`${shop.base}/products/mug`);
    await cardsOf(page).first().waitFor({ timeout: 15_000 });
    expect(await Promise.all((await cardsOf(page).all()).map((card) => card.getAttribute('data-product-id')))).toEqual(expected.items.map((i) => i.external_id));
    expect(await cardsOf(page).locator('.hrc-name').allTextContents()).toEqual(expected.items.map((i) => i.title));
    expect(await cardsOf(page).first().getAttribute('href')).toBe(`${shop.base}/shop/item/${expected.items[0]!.external_id}?ref=hearth`);
    expect(await cardsOf(page).first().locator('.hrc-price').textContent()).toBe('$12.50');
    expect(await cardsOf(page).first().locator('.hrc-why').textContent()).toBe(expected.items[0]!.explanation);
    expect(await page.locator('#recs .hrc-title').textContent()).toBe('Often bought together');
    // The shop's CSS does not reach into the widget: the images show, the links keep their colour.
    expect(await cardsOf(page).first().locator('img').isVisible()).toBe(true);
    expect(await page.evaluate("getComputedStyle(document.querySelector('#recs').shadowRoot.querySelector('a.hrc-card')).color")).not.toBe('rgb(255, 0, 0)');
    await screenshot(page, 'recommendations-widget-1280');
    await page.close();
  });

  it('shows a signed-in customer their picks, markup as text, at phone width; a forged signature shows nothing', async () => {
    const expected = (await t.app.inject({ method: 'GET', url: `/v1/recommendations?key=${store.writeKey}&customer=c3&signature=${sign('c3')}&k=4` })).json() as { items: { external_id: string; title: string }[] };
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    await page.goto(`${shop.base}/account`);
    await cardsOf(page).first().waitFor({ timeout: 15_000 });
    expect(await cardsOf(page).locator('.hrc-name').allTextContents()).toEqual(expected.items.map((i) => i.title));
    expect(await page.locator('#recs .hrc-title').textContent()).toBe('Picked for <you>');
    expect(await page.title()).toBe('Shop');
    expect(Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'))).toBeLessThanOrEqual(0);
    await screenshot(page, 'recommendations-widget-390');
    await page.close();

    const forged = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const refused = forged.waitForResponse((r) => r.url().includes('/v1/recommendations?'));
    await forged.goto(`${shop.base}/account?forged`);
    expect((await refused).status()).toBe(403);
    expect(await cardsOf(forged).count()).toBe(0);
    await forged.close();
  });

  it('passes a price band on: nothing priced above data-max-price is shown', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const answered = page.waitForResponse((r) => r.url().includes('/v1/recommendations?'));
    await page.goto(`${shop.base}/products/mug?cheap`);
    const response = await answered;
    expect(new URL(response.url()).searchParams.get('max_price')).toBe('1000');
    expect(response.status()).toBe(200);
    // Every product costs $12.50: none is within the band.
    expect((await response.json()).items).toEqual([]);
    expect(await cardsOf(page).count()).toBe(0);
    await page.close();
  });
});
