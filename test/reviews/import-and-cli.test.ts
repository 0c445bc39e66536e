/**
 * Importing Judge.me and Yotpo exports (all or nothing, a bad line named; again adds nothing;
 * hidden stays hidden; replies kept; customers matched by email) and `hearth reviews list|import|reply`
 * on a data directory, usage errors exiting 2 naming the argument.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Storage } from '../../src/db/database.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createServices } from '../../src/services.js';
import { runCliInProcess as cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';
import { reviewsHarness, type ReviewsHarness } from './harness.js';

const judgeme = `title,body,rating,review_date,source,curated,reviewer_name,reviewer_email,product_id,product_handle,reply,reply_date,picture_urls,ip_address,location
Lovely mug,"Holds a big tea, ""really"" big",5,2026-05-01 10:00:00 UTC,web,ok,Ada Lovelace,ada@example.com,mug,stoneware-mug,Thanks Ada!,2026-05-02 09:00:00 UTC,,,
Cracked,Arrived cracked,1,2026-05-03 10:00:00 UTC,email,spam,Mallory,mallory@example.com,mug,stoneware-mug,,,,,
,Fine bowl,4,2026-05-04 10:00:00 UTC,web,ok,Zed,zed@example.com,bowl,ramen-bowl,,,,,
`;
const yotpo = `Review ID,Product ID,Product Title,Review Title,Review Content,Review Score,Date,Display Name,Email,Published,Comment Content
9001,teapot,Cast-iron Teapot,Heavy,Heavy but pours well,4,2026-06-01,Bob S.,bob@example.com,true,
9002,teapot,Cast-iron Teapot,Rust,Rusted after a month,2,2026-06-02,Cy,cy@example.com,false,We are sending a new one.
`;

let h: ReviewsHarness;
beforeAll(async () => {
  h = await reviewsHarness();
}, 60_000);
afterAll(async () => h.close());

type Review = { external_id: string; status: string; rating: number; author_name: string; customer_id: number | null; reply: string | null; body: string; source: string; product_id: string };
const all = async () => ((await h.api('GET', '/api/v1/reviews?limit=500')).json() as { data: Review[] }).data;

describe('importing exports', () => {
  it('imports a Judge.me export: curated spam stays hidden, replies are kept, customers matched by email; again adds nothing', async () => {
    const first = await h.api('POST', '/api/v1/reviews/imports', { from: 'judgeme', csv: judgeme });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ imported: 3, already: 0, published: 2, pending: 0, rejected: 1 });
    const again = await h.api('POST', '/api/v1/reviews/imports', { from: 'judgeme', csv: judgeme });
    expect(again.json()).toEqual({ imported: 0, already: 3, published: 0, pending: 0, rejected: 0 });
    const reviews = (await all()).filter((r) => r.source === 'judgeme');
    expect(reviews).toHaveLength(3);
    const ada = reviews.find((r) => r.author_name === 'Ada Lovelace')!;
    expect(ada).toMatchObject({ rating: 5, status: 'published', reply: 'Thanks Ada!', body: 'Holds a big tea, "really" big', customer_id: (await h.services.customers.get(h.storeId, 'ext:ada')).id });
    expect(reviews.find((r) => r.author_name === 'Mallory')).toMatchObject({ status: 'rejected', customer_id: null });
  });

  it('imports a Yotpo export', async () => {
    const answer = await h.api('POST', '/api/v1/reviews/imports', { from: 'yotpo', csv: yotpo });
    expect(answer.json()).toEqual({ imported: 2, already: 0, published: 1, pending: 0, rejected: 1 });
    expect((await all()).filter((r) => r.source === 'yotpo').map((r) => [r.external_id, r.rating, r.status, r.reply]).sort()).toEqual([
      ['yotpo:9001', 4, 'published', null], ['yotpo:9002', 2, 'rejected', 'We are sending a new one.'],
    ]);
  });

  it('refuses a whole file for one bad line, naming the line and column; nothing is imported', async () => {
    const before = (await all()).length;
    const bad = yotpo.replace('9002,teapot', '9003,teapot').replace(',2,2026-06-02', ',7,2026-06-02') + '9004,,Nothing,x,y,5,not a date,Q,q@example.com,true,\n';
    const answer = await h.api('POST', '/api/v1/reviews/imports', { from: 'yotpo', csv: bad.replace('9001,', '9005,') });
    expect(answer.statusCode).toBe(422);
    expect(answer.json().error.details).toEqual([
      { path: 'line 3, column Review Score', reason: '"7" is not a whole number of stars from 1 to 5' },
      { path: 'line 4, column Product ID', reason: 'the product is missing' },
      { path: 'line 4, column Date', reason: '"not a date" is not a date' },
    ]);
    const header = await h.api('POST', '/api/v1/reviews/imports', { from: 'judgeme', csv: 'name,stars\nA,5\n' });
    expect(header.statusCode).toBe(422);
    expect(header.json().error.details.map((d: { reason: string }) => d.reason)).toEqual([expect.stringContaining('no product column'), expect.stringContaining('no rating column'), expect.stringContaining('no body column')]);
    expect((await all()).length).toBe(before);
  });
});

describe('hearth reviews', () => {
  const dir = tempDir('hearth-reviews-cli-');
  const common = ['--data-dir', dir.path];

  beforeAll(async () => {
    const storage = await Storage.open({ dataDir: dir.path, readers: 1, memoryLimit: '512MB', threads: 2 });
    await storage.migrate();
    const services = createServices(loadConfig({ HEARTH_DATA_DIR: dir.path, HEARTH_LOG_LEVEL: 'silent' }), storage, silentLogger);
    await services.accounts.createStore({ name: 'Kiln', slug: 'kiln', currency: 'EUR' });
    await services.shutdown();
    await storage.close();
  });
  afterAll(() => dir.remove());

  it('imports an export, lists the reviews and the moderation queue, and replies', async () => {
    const file = join(dir.path, 'judgeme.csv');
    writeFileSync(file, judgeme);
    const imported = await cli(['reviews', 'import', file, '--from', 'judgeme', ...common]);
    expect(imported.err).toBe('');
    expect(imported.out).toBe('Imported 3 reviews (2 published, 0 waiting for moderation, 1 hidden); 0 were already there.\n');
    const list = await cli(['reviews', 'list', ...common]);
    expect(list.out).toMatch(/Lovely mug: Holds a big tea/);
    expect(list.out).toContain('★★★★★');
    const hidden = JSON.parse((await cli(['reviews', 'list', '--status', 'rejected', '--json', ...common])).out) as { data: { id: string; author_name: string }[] };
    expect(hidden.data.map((r) => r.author_name)).toEqual(['Mallory']);
    const published = JSON.parse((await cli(['reviews', 'list', '--status', 'published', '--json', ...common])).out) as { data: { id: string; author_name: string }[] };
    const zed = published.data.find((r) => r.author_name === 'Zed')!;
    const replied = await cli(['reviews', 'reply', zed.id, 'Glad you like it', ...common]);
    expect(replied.out).toBe(`Replied to ${zed.id}; the reply is on its way to zed@example.com.\n`);
    const shown = JSON.parse((await cli(['reviews', 'list', '--product', 'bowl', '--json', ...common])).out) as { data: { reply: string }[] };
    expect(shown.data).toEqual([expect.objectContaining({ reply: 'Glad you like it' })]);

    // The imported reviews name no customer or order: the outcomes list the products with no rates yet.
    const outcomes = await cli(['reviews', 'outcomes', '--as-of', '2026-11-30', ...common]);
    expect(outcomes.code, outcomes.err).toBe(0);
    expect(outcomes.out).toContain('As of 2026-11-30.');
    expect(outcomes.out).toMatch(/mean rating against return rate: too few products/);
    const json = JSON.parse((await cli(['reviews', 'outcomes', '--as-of', '2026-11-30', '--json', ...common])).out) as { products: { reviews: number; returns: { rate: number | null } }[] };
    expect(json.products.reduce((a, p) => a + p.reviews, 0)).toBe(2);
    expect(json.products.every((p) => p.returns.rate === null)).toBe(true);
  });

  it('usage mistakes exit 2 naming the argument; a bad file exits with the line', async () => {
    const noSource = await cli(['reviews', 'import', 'x.csv', ...common]);
    expect(noSource.code).toBe(2);
    expect(noSource.err).toContain('--from: judgeme or yotpo is required');
    const status = await cli(['reviews', 'list', '--status', 'maybe', ...common]);
    expect(status.code).toBe(2);
    expect(status.err).toContain('--status');
    const day = await cli(['reviews', 'outcomes', '--as-of', 'yesterday', ...common]);
    expect(day.code).toBe(2);
    expect(day.err).toContain('--as-of: a day such as 2026-11-30, got "yesterday"');
    const file = join(dir.path, 'bad.csv');
    writeFileSync(file, yotpo.replace(',4,2026-06-01', ',9,2026-06-01'));
    const bad = await cli(['reviews', 'import', file, '--from', 'yotpo', ...common]);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('line 2, column Review Score');
  });
});
