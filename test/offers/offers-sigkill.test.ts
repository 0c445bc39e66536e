/**
 * Issuing across a crash: a real server answers forty concurrent issue requests and is killed
 * with SIGKILL while they are in flight. Restarted on the same data directory, every request that
 * was answered before the kill gets the same code again, the rest get theirs, and no code is held
 * by two keys.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startNode } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';

const dir = tempDir('hearth-sigkill-offers-');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  dir.remove();
});

const COUNT = 40;

describe('issuing across SIGKILL', () => {
  it('keeps every answered code and hands out none twice', async () => {
    const dataDir = join(dir.path, 'data');
    const first = await startNode(['--import', 'tsx', 'test/offers/offers-child.ts', dataDir, 'first', String(COUNT)], /READY (\S+) (\S+) (\S+)/, {}, 120_000);
    children.push(first.child);
    const [, firstUrl, key, offerId] = first.match as unknown as [string, string, string, string];
    const issue = (url: string, i: number) => fetch(`${url}/api/v1/offers/${offerId}/issue`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': `send-${i}` },
      body: JSON.stringify({ customer_id: `ext:c${i}` }),
    }).then(async (r) => ({ status: r.status, body: await r.json() as { code: string | null } }));

    const before = new Map<number, string>();
    const inFlight = Array.from({ length: COUNT }, (_, i) => issue(firstUrl, i).then((a) => {
      if (a.status === 201) before.set(i, a.body.code!);
    }, () => undefined));
    // Kill once some have been answered and others are still waiting.
    const deadline = Date.now() + 60_000;
    while (before.size < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await Promise.all(inFlight);
    expect(before.size).toBeGreaterThanOrEqual(5);
    expect(before.size).toBeLessThan(COUNT);

    const again = await startNode(['--import', 'tsx', 'test/offers/offers-child.ts', dataDir, 'again'], /READY (\S+)/, {}, 60_000);
    children.push(again.child);
    const url = again.match[1]!;
    const after = await Promise.all(Array.from({ length: COUNT }, (_, i) => issue(url, i)));
    expect(after.every((a) => a.status === 200 || a.status === 201)).toBe(true);
    for (const [i, code] of before) expect(after[i]!.body.code, `send-${i}`).toBe(code);
    const codes = after.map((a) => a.body.code);
    expect(codes.every((c) => /^KO-[A-Z2-9]{6}$/.test(c ?? ''))).toBe(true);
    expect(new Set(codes).size).toBe(COUNT);
    again.child.kill('SIGTERM');
    await new Promise((resolve) => again.child.once('exit', resolve));
  }, 180_000);
});
