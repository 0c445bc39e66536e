import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runHearth, startHearth, waitForExit } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';

describe('the hearth command', () => {
  const dirs: { path: string; remove: () => void }[] = [];
  const dir = () => {
    const created = tempDir('hearth-cli-');
    dirs.push(created);
    return created.path;
  };
  afterAll(() => dirs.forEach((d) => d.remove()));

  it('prints a one-line reason and exits 2 on wrong arguments', async () => {
    for (const args of [['frobnicate'], ['status', '--no-such-flag'], ['serve', '--port', 'eighty'], ['keys', 'create', '--kind', 'bogus', '--data-dir', dir()]]) {
      const result = await runHearth(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/error/);
    }
  });

  it('names the bad setting when the configuration is invalid', async () => {
    const result = await runHearth(['status'], { HEARTH_PORT: 'eighty', HEARTH_DATA_DIR: dir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/HEARTH_PORT/);
  });

  it('says where no data is, instead of creating a database, when --data-dir points at nothing', async () => {
    const missing = `${dir()}/typo`;
    for (const args of [['status', '--data-dir', missing], ['report', 'kpis', '--data-dir', missing]]) {
      const result = await runHearth(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/No Hearth data in .*typo.*hearth migrate/);
    }
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses to serve with pending migrations unless told to migrate', async () => {
    const data = dir();
    const refused = await runHearth(['serve', '--data-dir', data, '--port', '0']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/pending migration.*hearth migrate/);
  });

  it('starts with --migrate, prints the owner login once, serves /healthz and stops cleanly on SIGTERM', async () => {
    const data = dir();
    const server = await startHearth(['serve', '--data-dir', data, '--port', '0', '--migrate'], /Sign in as (\S+) with password (\S+)/);
    const url = server.output().match(/running at (http:\/\/\S+)/)?.[1];
    expect(url).toBeDefined();
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const signIn = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: server.match[1], password: server.match[2] }) });
    expect(signIn.status).toBe(200);

    // A second process on the same data directory works through the server, or says why it cannot.
    const second = await runHearth(['status', '--data-dir', data]);
    expect(second.code, second.stderr).toBe(0);
    const fit = await runHearth(['models', 'fit', '--data-dir', data]);
    // A usage error like any other: the command cannot run as asked while the server holds the directory.
    expect(fit.code).toBe(2);
    expect(fit.stderr).toMatch(/in use by the Hearth server running on it/);

    server.child.kill('SIGTERM');
    expect(await waitForExit(server.child), server.output()).toBe(0);

    // The owner exists now, so a restart prints no new password.
    const again = await startHearth(['serve', '--data-dir', data, '--port', '0'], /running at/);
    expect(again.output()).not.toMatch(/password/);
    again.child.kill('SIGTERM');
    expect(await waitForExit(again.child), again.output()).toBe(0);
  });
});
