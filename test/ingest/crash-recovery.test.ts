/**
 * Durability: a client streams batches while the server is killed with SIGKILL. After a restart,
 * every event that got a 2xx is in the store, and when the client retries the batches that got no
 * answer (and some that did), each event is stored exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Storage } from '../../src/db/database.js';
import { runHearth } from '../helpers/cli.js';
import { basic } from '../helpers/ingest.js';
import { tempDir } from '../helpers/store.js';

const dir = tempDir('hearth-crash-');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  dir.remove();
});

// The built server starts faster; the sources (through tsx) serve when it is not built.
const cli = existsSync('dist/cli/main.js') ? ['bin/hearth.js'] : ['--import', 'tsx', 'src/cli/main.ts'];

/** Starts `hearth serve` from the sources and resolves with its URL once it listens. */
function serve(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [...cli, 'serve', '--migrate', '--port', '0', '--data-dir', dir.path], {
    cwd: process.cwd(), env: { ...process.env, HEARTH_LOG_LEVEL: 'error', HEARTH_DB_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Hearth is running at (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

function makeBatch(n: number, size: number): { ids: string[]; body: string } {
  const ids = Array.from({ length: size }, (_, i) => `crash-${n}-${i}`);
  const batch = ids.map((messageId, i) => ({ type: 'track', event: 'Streamed', anonymousId: `visitor-${i % 7}`, messageId, properties: { n, i } }));
  return { ids, body: JSON.stringify({ batch }) };
}

describe('crash recovery', () => {
  it('keeps every acknowledged event through SIGKILL and stores retried ones once', async () => {
    // First start creates a store and prints the owner's one-time login; the owner makes a write key.
    const first = await serve();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const login = /Sign in as (\S+) with password (\S+)/.exec(first.output());
    expect(login).not.toBeNull();
    const session = await fetch(`${first.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: login![1], password: login![2] }) });
    const { csrf_token: csrfToken, stores } = (await session.json()) as { csrf_token: string; stores: { id: string }[] };
    const created = await fetch(`${first.url}/api/v1/keys`, {
      method: 'POST', body: JSON.stringify({ kind: 'write', name: 'crash' }),
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken, cookie: session.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') },
    });
    const { key } = (await created.json()) as { key: string };
    const shop = { id: stores[0]!.id };
    const headers = { ...basic(key), 'content-type': 'application/json' };
    const acked = new Set<string>();
    const unanswered: { ids: string[]; body: string }[] = [];
    let next = 0;
    let killed = false;
    const stream = async () => {
      while (!killed) {
        const batch = makeBatch(next++, 50);
        try {
          const response = await fetch(`${first.url}/v1/batch`, { method: 'POST', headers, body: batch.body });
          if (response.ok) batch.ids.forEach((id) => acked.add(id));
          else unanswered.push(batch);
        } catch {
          unanswered.push(batch);
        }
      }
    };
    const streams = [stream(), stream(), stream(), stream()];
    await new Promise((resolve) => setTimeout(resolve, 1000));
    first.child.kill('SIGKILL');
    killed = true;
    await Promise.all(streams);
    // A killed child has a signalCode, not an exitCode; it may have exited already.
    if (first.child.exitCode === null && first.child.signalCode === null) await new Promise((resolve) => first.child.once('exit', resolve));
    expect(acked.size).toBeGreaterThan(0);

    const second = await serve();
    // Retry what got no answer, plus the first acknowledged batch again (a client that timed out late).
    const retries = [...unanswered, makeBatch(0, 50)];
    for (const batch of retries) {
      const response = await fetch(`${second.url}/v1/batch`, { method: 'POST', headers, body: batch.body });
      expect(response.status).toBe(200);
    }
    const exited = new Promise((resolve) => second.child.once('exit', resolve));
    second.child.kill('SIGTERM');
    await exited;

    // `hearth status` shows the retried batch as deduplicated (counters written at shutdown).
    const status = await runHearth(['status', '--data-dir', dir.path, '--json']);
    expect(status.code).toBe(0);
    const api = (JSON.parse(status.stdout).ingest[shop.id].sources as { source: string; deduplicated: number; stored: number }[]).find((s) => s.source === 'api');
    expect(api!.deduplicated).toBeGreaterThanOrEqual(50);
    const table = await runHearth(['status', '--data-dir', dir.path]);
    expect(table.stdout).toMatch(/tracked events, last 24 h:\n\s*source\s+received\s+stored\s+rejected\s+deduplicated/);

    const check = await Storage.open({ dataDir: dir.path, readers: 1, memoryLimit: '256MB', threads: 1 });
    try {
      const reader = await check.read.selectFrom('events').select(['message_id']).where('store_id', '=', shop.id).execute();
      const counts = new Map<string, number>();
      for (const row of reader) counts.set(row.message_id!, (counts.get(row.message_id!) ?? 0) + 1);
      const lost = [...acked].filter((id) => !counts.has(id));
      expect(lost).toEqual([]);
      const twice = [...counts].filter(([, n]) => n > 1);
      expect(twice).toEqual([]);
      const sent = new Set([...acked, ...retries.flatMap((b) => b.ids)]);
      expect(counts.size).toBe(sent.size);
    } finally {
      await check.close();
    }
  }, 60_000);
});
