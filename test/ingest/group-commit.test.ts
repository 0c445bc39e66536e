import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { GroupCommitWriter, type EventRow } from '../../src/modules/ingest/group-commit.writer.js';
import { IngestService } from '../../src/modules/ingest/ingest.service.js';
import { IngestStats } from '../../src/modules/ingest/ingest.stats.js';
import { basic, ingestApp, rows } from '../helpers/ingest.js';

type App = Awaited<ReturnType<typeof ingestApp>>;
let t: App;
beforeAll(async () => {
  t = await ingestApp();
});
afterAll(async () => {
  await t.close();
});

const row = (storeId: string, messageId: string | null): EventRow => ({
  storeId, messageId, type: 'track', name: 'Tested', customerId: null, anonymousId: 'a-1', sessionId: null, url: null,
  properties: '{}', source: 'api', occurredAt: new Date(), receivedAt: new Date(), context: null,
});
const count = async (messagePrefix: string) =>
  Number((await rows<{ n: number }>(t.services, 'select count(*) as n from events where store_id = ? and message_id like ?', t.storeId, `${messagePrefix}%`))[0]!.n);

describe('group-commit writer', () => {
  it('commits many concurrent requests, each event once, duplicates inside one group included', async () => {
    const writer = new GroupCommitWriter(t.services.store, new IngestStats(), silentLogger, { delayMs: 5 });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => writer.submit([row(t.storeId, `gc-${i % 150}`)])));
    const outcomes = results.flat();
    expect(outcomes.filter((o) => o === 'stored')).toHaveLength(150);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(50);
    expect(await count('gc-')).toBe(150);
    await writer.close();
  });

  it('refuses work beyond its queue limit, and the route answers 503 with Retry-After', async () => {
    const writer = new GroupCommitWriter(t.services.store, new IngestStats(), silentLogger, { maxQueued: 10, delayMs: 50 });
    const accepted = writer.submit(Array.from({ length: 8 }, (_, i) => row(t.storeId, `q-${i}`)));
    await expect(writer.submit(Array.from({ length: 5 }, (_, i) => row(t.storeId, `q-x-${i}`)))).rejects.toMatchObject({ code: 'unavailable' });
    expect(await accepted).toHaveLength(8);
    await writer.close();

    const normal = t.services.ingest;
    t.services.ingest = new IngestService(t.services.store, silentLogger, () => t.services, { maxQueued: 5 });
    try {
      const batch = Array.from({ length: 6 }, (_, i) => ({ type: 'track', anonymousId: 'a', event: 'Flood', messageId: `flood-${i}` }));
      const response = await t.app.inject({ method: 'POST', url: '/v1/batch', headers: basic(t.writeKey), payload: { batch } });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(await count('flood-')).toBe(0);
    } finally {
      await t.services.ingest.close();
      t.services.ingest = normal;
    }
  });

  it('flushes pending events on shutdown and then refuses new ones', async () => {
    const writer = new GroupCommitWriter(t.services.store, new IngestStats(), silentLogger, { delayMs: 1000 });
    const pending = writer.submit([row(t.storeId, 'late-1'), row(t.storeId, 'late-2')]);
    await writer.close();
    expect(await pending).toEqual(['stored', 'stored']);
    expect(await count('late-')).toBe(2);
    await expect(writer.submit([row(t.storeId, 'late-3')])).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('remembers message ids for the dedupe window, then prunes them', async () => {
    const writer = new GroupCommitWriter(t.services.store, new IngestStats(), silentLogger);
    expect(await writer.submit([row(t.storeId, 'window-1')])).toEqual(['stored']);
    // Six days later the id is still known; after pruning beyond eight days it is not.
    expect(await writer.prune(new Date(Date.now() + 6 * 86_400_000))).toBe(0);
    expect(await writer.submit([row(t.storeId, 'window-1')])).toEqual(['duplicate']);
    expect(await writer.prune(new Date(Date.now() + 9 * 86_400_000))).toBeGreaterThan(0);
    expect(await writer.submit([row(t.storeId, 'window-1')])).toEqual(['stored']);
    await writer.close();
  });
});
