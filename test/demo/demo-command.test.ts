/**
 * `hearth demo` as an operator runs it (the built CLI): generate once with --no-serve, check the
 * counts with `hearth status`, re-run without duplicating, then serve and sign in with the login
 * it prints. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runHearth, startHearth, waitForExit } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';

interface DemoJson {
  created: boolean;
  store: { id: string; slug: string; name: string; timezone: string; currency: string };
  login: { email: string; password: string };
  keys: { write: string; secret: string };
  counts: Record<string, number>;
}
interface StatusJson { stores: { id: string; slug: string; counts: Record<string, number> }[] }

describe('hearth demo', () => {
  const dir = tempDir('hearth-demo-cli-');
  const dataDir = join(dir.path, 'data');
  let first: DemoJson;

  beforeAll(async () => {
    const result = await runHearth(['demo', '--no-serve', '--no-history', '--json', '--customers', '2000', '--seed', '5', '--data-dir', dataDir], {}, 480_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    first = JSON.parse(result.stdout) as DemoJson;
  }, 500_000);
  afterAll(() => dir.remove());

  it('creates the demo store that `hearth status` reports with the same counts', async () => {
    expect(first.created).toBe(true);
    expect(first.store).toMatchObject({ slug: 'demo', name: 'Hearth Demo Outfitters', timezone: 'America/New_York', currency: 'USD' });
    expect(first.counts.customers).toBe(2_000);
    expect(first.counts.orders).toBeGreaterThan(2_000);
    const status = await runHearth(['status', '--json', '--data-dir', dataDir]);
    expect(status.code).toBe(0);
    const store = (JSON.parse(status.stdout) as StatusJson).stores.find((s) => s.slug === 'demo')!;
    expect(store.id).toBe(first.store.id);
    expect(store.counts).toEqual(first.counts);
  });

  it('keeps the owner login in the data directory, readable by the operator only', () => {
    const file = join(dataDir, 'demo-login.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { email: string; password: string; secretKey: string };
    expect(saved).toMatchObject({ email: first.login.email, password: first.login.password, secretKey: first.keys.secret });
    expect(readFileSync(join(dataDir, 'hearth.duckdb')).includes(first.login.password)).toBe(false);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('reuses the store on a second run instead of generating again', async () => {
    const again = await runHearth(['demo', '--no-serve', '--no-history', '--json', '--customers', '500', '--data-dir', dataDir]);
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout) as DemoJson;
    expect(second.created).toBe(false);
    expect(second.login).toEqual(first.login);
    expect(second.counts).toEqual(first.counts);
    const status = JSON.parse((await runHearth(['status', '--json', '--data-dir', dataDir])).stdout) as StatusJson;
    expect(status.stores.filter((s) => s.slug === 'demo')).toHaveLength(1);
    expect(status.stores[0]!.counts).toEqual(first.counts);
  });

  it('serves the store and the printed login signs in', async () => {
    const { child, match } = await startHearth(['demo', '--data-dir', dataDir, '--port', '0'], /Sign in as (\S+) with password (\S+)/, {}, 120_000);
    try {
      const url = /Hearth is running at (\S+)/.exec(match.input ?? '')?.[1];
      expect(url).toBeDefined();
      expect(match[1]).toBe(first.login.email);
      expect(match[2]).toBe(first.login.password);
      const signIn = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: match[1], password: match[2] }) });
      expect(signIn.status).toBe(200);
      expect(((await signIn.json()) as { stores: { slug: string; role: string }[] }).stores).toContainEqual(expect.objectContaining({ slug: 'demo', role: 'owner' }));
      const store = await fetch(`${url}/api/v1/store`, { headers: { authorization: `Bearer ${first.keys.secret}` } });
      expect(store.status).toBe(200);
      expect(JSON.stringify(await store.json())).toContain('Hearth Demo Outfitters');
    } finally {
      child.kill('SIGTERM');
      expect(await waitForExit(child)).toBe(0);
    }
  });

  it('refuses bad flags with a one-line reason and exit code 2, creating nothing', async () => {
    const other = join(dir.path, 'never');
    for (const [flag, value] of [['--customers', '0'], ['--months', 'many'], ['--events-per-customer', '-3']] as const) {
      const result = await runHearth(['demo', '--no-serve', flag, value, '--data-dir', other]);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: expect.stringContaining(flag) });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(flag);
    }
    expect(existsSync(other)).toBe(false);
  });
});
