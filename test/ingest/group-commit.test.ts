import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { GroupCommitWriter, type EventRow } from '../../src/modules/ingest/group-commit.writer.js';
import { IngestService } from '../../src/modules/ingest/ingest.service.js';
import { IngestStats } from '../../src/modules/ingest/ingest.stats.js';
import { fingerprint, MessageWindow } from '../../src/modules/ingest/message-window.js';
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
    const writer = new GroupCommitWriter(t.services.storage, new IngestStats(), silentLogger, { delayMs: 5 });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => writer.submit([row(t.storeId, `gc-${i % 150}`)])));
    const outcomes = results.flat();
    expect(outcomes.filter((o) => o === 'stored')).toHaveLength(150);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(50);
    expect(await count('gc-')).toBe(150);
    await writer.close();
  });

  it('refuses work beyond its queue limit, and the route answers 503 with Retry-After', async () => {
    const writer = new GroupCommitWriter(t.services.storage, new IngestStats(), silentLogger, { maxQueued: 10, delayMs: 50 });
    const accepted = writer.submit(Array.from({ length: 8 }, (_, i) => row(t.storeId, `q-${i}`)));
    await expect(writer.submit(Array.from({ length: 5 }, (_, i) => row(t.storeId, `q-x-${i}`)))).rejects.toMatchObject({ code: 'unavailable' });
    expect(await accepted).toHaveLength(8);
    await writer.close();

    const normal = t.services.ingest;
    t.services.ingest = new IngestService(t.services.storage, silentLogger, () => t.services, { maxQueued: 5 });
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
    const writer = new GroupCommitWriter(t.services.storage, new IngestStats(), silentLogger, { delayMs: 1000 });
    const pending = writer.submit([row(t.storeId, 'late-1'), row(t.storeId, 'late-2')]);
    await writer.close();
    expect(await pending).toEqual(['stored', 'stored']);
    expect(await count('late-')).toBe(2);
    await expect(writer.submit([row(t.storeId, 'late-3')])).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('remembers message ids for the dedupe window, then prunes them', async () => {
    const writer = new GroupCommitWriter(t.services.storage, new IngestStats(), silentLogger);
    expect(await writer.submit([row(t.storeId, 'window-1')])).toEqual(['stored']);
    // Six days later the id is still known; after pruning beyond eight days it is not.
    expect(await writer.prune(new Date(Date.now() + 6 * 86_400_000))).toBe(0);
    expect(await writer.submit([row(t.storeId, 'window-1')])).toEqual(['duplicate']);
    expect(await writer.prune(new Date(Date.now() + 9 * 86_400_000))).toBeGreaterThan(0);
    expect(await writer.submit([row(t.storeId, 'window-1')])).toEqual(['stored']);
    await writer.close();
  });

  it('a group whose transaction fails leaves nothing behind, and its retry stores each event once', async () => {
    const writer = new GroupCommitWriter(t.services.storage, new IngestStats(), silentLogger);
    const rename = (from: string, to: string) => t.services.storage.withWriter((connection) => connection.run(`alter table ${from} rename to ${to}`));
    // The events are appended and flushed; the identity link after them fails: all of it rolls back.
    await rename('identities', 'identities_away');
    try {
      const link = { storeId: t.storeId, anonymousId: 'a-1', customerId: 1 };
      await expect(writer.submit([row(t.storeId, 'fail-1'), row(t.storeId, 'fail-2')], [link])).rejects.toMatchObject({ code: 'unavailable' });
    } finally {
      await rename('identities_away', 'identities');
    }
    expect(await count('fail-')).toBe(0);
    // The events table itself missing: refused before anything is appended.
    await rename('events', 'events_away');
    try {
      await expect(writer.submit([row(t.storeId, 'fail-1')])).rejects.toMatchObject({ code: 'unavailable' });
    } finally {
      await rename('events_away', 'events');
    }
    expect(await writer.submit([row(t.storeId, 'fail-1'), row(t.storeId, 'fail-2'), row(t.storeId, 'fail-3')])).toEqual(['stored', 'stored', 'stored']);
    expect(await writer.submit([row(t.storeId, 'fail-2')])).toEqual(['duplicate']);
    await writer.close();
    const stored = await rows<{ message_id: string; message_fp: number }>(t.services,
      `select message_id, message_fp from events where store_id = ? and message_id like 'fail-%' order by message_id`, t.storeId);
    expect(stored.map((r) => [r.message_id, Number(r.message_fp)])).toEqual(['fail-1', 'fail-2', 'fail-3'].map((m) => [m, fingerprint(t.storeId, m)]));
  });

  it('reads the window back after a restart, and a fingerprint collision never drops a new event', async () => {
    const first = new GroupCommitWriter(t.services.storage, new IngestStats(), silentLogger);
    expect(await first.submit([row(t.storeId, 'restart-1')])).toEqual(['stored']);
    await first.close();
    // A stored event with the fingerprint of 'collide-1' but another message id: the window says
    // "probably seen", the exact message id says new.
    await t.services.storage.withWriter((connection) => connection.run(
      `insert into events (store_id, id, message_id, type, properties, source, occurred_at, received_at, message_fp)
       values ($1, nextval('events_id_seq'), 'another message', 'track', '{}', 'api', now()::timestamp, now()::timestamp, $2)`,
      [t.storeId, BigInt(fingerprint(t.storeId, 'collide-1'))],
    ));
    const second = new GroupCommitWriter(t.services.storage, new IngestStats(), silentLogger);
    expect(await second.submit([row(t.storeId, 'restart-1'), row(t.storeId, 'collide-1'), row(t.storeId, 'fresh-1')])).toEqual(['duplicate', 'stored', 'stored']);
    expect(await second.submit([row(t.storeId, 'collide-1')])).toEqual(['duplicate']);
    await second.close();
    expect(await count('restart-')).toBe(1);
    expect(await count('collide-')).toBe(1);
  });
});

describe('message window', () => {
  it('answers like a plain set over a million fingerprints, across days, and forgets whole days', () => {
    const window = new MessageWindow(8);
    const reference = new Set<number>();
    const day = 86_400_000;
    for (let i = 0; i < 1_000_000; i += 1) {
      const fp = fingerprint('store', `m-${i}`);
      window.add(fp, (i % 3) * day);
      reference.add(fp);
    }
    // Distinct inputs give distinct 53-bit fingerprints (a collision here would be a 1-in-10^4 event).
    expect(reference.size).toBe(1_000_000);
    expect(window.size).toBe(1_000_000);
    for (let i = 0; i < 1_000_000; i += 97) expect(window.has(fingerprint('store', `m-${i}`))).toBe(true);
    let falsePositives = 0;
    for (let i = 0; i < 100_000; i += 1) if (window.has(fingerprint('store', `other-${i}`))) falsePositives += 1;
    expect(falsePositives).toBe(0);
    expect(fingerprint('a', 'bc')).not.toBe(fingerprint('ab', 'c'));
    expect(Number.isSafeInteger(fingerprint('store', 'x'))).toBe(true);

    window.prune(10 * day); // keeps days 2..10: day 0 and 1 go
    expect(window.has(fingerprint('store', 'm-0'))).toBe(false);
    expect(window.has(fingerprint('store', 'm-1'))).toBe(false);
    expect(window.has(fingerprint('store', 'm-2'))).toBe(true);
    expect(window.size).toBe(333_333);
  });
});
