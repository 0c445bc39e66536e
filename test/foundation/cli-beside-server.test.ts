import { spawn } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHearth, startHearth, waitForExit } from '../helpers/cli.js';
import { realData } from '../helpers/imports.js';
import { tempDir } from '../helpers/store.js';

const file = realData('online-retail/online-retail-2010-12-01_02.csv');

/** GET over the data directory's socket, as any program of the socket's owner can. */
function overSocket(socketPath: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    request({ socketPath, path, headers }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    }).on('error', reject).end();
  });
}

/** Runs a command until its output is the same twice in a row (the server's follow-up work has settled). */
async function settled(args: string[]): Promise<string> {
  let previous = '';
  for (let i = 0; i < 30; i += 1) {
    const result = await runHearth(args);
    expect(result.code, result.stderr).toBe(0);
    if (result.stdout === previous) return result.stdout;
    previous = result.stdout;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`hearth ${args.join(' ')} did not settle`);
}

describe('the hearth command beside a running server', () => {
  const dirs: { path: string; remove: () => void }[] = [];
  const dir = () => {
    const created = tempDir('hearth-cli-server-');
    dirs.push(created);
    return created.path;
  };
  afterAll(() => dirs.forEach((d) => d.remove()));

  // A dozen commands, each a new Node process: under a full suite on two cores this takes a while.
  it('imports, reads customers and reports through the server that holds the data directory, with the same output as without it', async () => {
    const data = dir();
    const server = await startHearth(['serve', '--data-dir', data, '--port', '0', '--migrate'], /Sign in as (\S+) with password (\S+)/);
    try {
      const url = server.output().match(/running at (http:\/\/\S+)/)![1]!;
      const socket = join(data, 'hearth.sock');

      // Only the owner of the data directory may use the socket.
      const stat = lstatSync(socket);
      expect(stat.isSocket()).toBe(true);
      expect(stat.mode & 0o777).toBe(0o600);
      expect(stat.uid).toBe(process.getuid!());

      const imported = await runHearth(['import', file, '--format', 'online-retail', '--data-dir', data, '--json']);
      expect(imported.code, imported.stderr).toBe(0);
      const summary = JSON.parse(imported.stdout);
      expect(summary).toMatchObject({
        format: 'online-retail', files: [file], store: { slug: 'my-store', created: false },
        rows_read: 5217, rows_rejected: 2,
        customers: { created: 206, updated: 0, unchanged: 0 }, orders: { created: 279, updated: 0, unchanged: 0 }, returns: { created: 29 },
        rejects_files: [join(data, 'imports', 'online-retail-2010-12-01_02.csv.rejects.csv')],
      });
      expect(existsSync(summary.rejects_files[0])).toBe(true);

      const customer = await runHearth(['customer', '17850', '--data-dir', data, '--json']);
      expect(customer.code, customer.stderr).toBe(0);
      const profile = JSON.parse(customer.stdout);
      expect(profile.identity.external_id).toBe('17850');
      expect(profile.kpis.orders).toBe(34);
      const missing = await runHearth(['customer', 'nobody@example.com', '--data-dir', data]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/Customer "nobody@example.com" not found/);

      // The server's own API sees the imported orders, over TCP with a session and over the socket.
      const signIn = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: server.match[1], password: server.match[2] }) });
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
      const orders = await (await fetch(`${url}/api/v1/orders?customer_id=${profile.identity.id}&limit=100`, { headers: { cookie } })).json() as { data: unknown[] };
      expect(orders.data).toHaveLength(34);
      const local = await overSocket(socket, `/api/v1/orders?customer_id=${profile.identity.id}&limit=100`, { 'x-hearth-store': 'my-store' });
      expect(local.status).toBe(200);
      expect((local.body as { data: unknown[] }).data).toHaveLength(34);
      // The socket's rights are not reachable over TCP: no session, no key, no local routes.
      expect((await fetch(`${url}/api/v1/orders`, { headers: { 'x-hearth-store': 'my-store' } })).status).toBe(401);
      expect((await fetch(`${url}/local/v1/stores`)).status).toBe(404);

      const status = await runHearth(['status', '--data-dir', data, '--json']);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout).stores[0].counts.orders).toBe(279);
      const text = await settled(['customer', '17850', '--data-dir', data]);
      const json = await settled(['customer', '17850', '--data-dir', data, '--json']);
      const kpis = await settled(['report', 'kpis', '--data-dir', data, '--json']);
      const rfm = await settled(['report', 'rfm', '--data-dir', data]);
      expect(JSON.parse(kpis).current.orders).toBeGreaterThan(0);
      const badFlag = await runHearth(['report', 'clv', '--by', 'planet', '--data-dir', data]);
      expect(badFlag.code).toBe(2);
      expect(badFlag.stderr).toMatch(/\(--by: /);

      // Commands that do not work through a server say so.
      const fit = await runHearth(['models', 'fit', '--data-dir', data]);
      expect(fit.code).toBe(2);
      expect(fit.stderr).toMatch(/in use by the Hearth server running on it.*stop the server/);

      server.child.kill('SIGTERM');
      expect(await waitForExit(server.child)).toBe(0);
      expect(existsSync(socket)).toBe(false);

      // Without the server the command opens the data directory itself and prints the same.
      expect((await runHearth(['customer', '17850', '--data-dir', data])).stdout).toBe(text);
      expect((await runHearth(['customer', '17850', '--data-dir', data, '--json'])).stdout).toBe(json);
      expect((await runHearth(['report', 'kpis', '--data-dir', data, '--json'])).stdout).toBe(kpis);
      expect((await runHearth(['report', 'rfm', '--data-dir', data])).stdout).toBe(rfm);
      expect((await runHearth(['report', 'clv', '--by', 'planet', '--data-dir', data])).stderr).toBe(badFlag.stderr);
      const direct = JSON.parse((await runHearth(['status', '--data-dir', data, '--json'])).stdout);
      expect(direct.stores).toEqual(JSON.parse(status.stdout).stores);
    } finally {
      server.child.kill('SIGKILL');
    }
  }, 150_000);

  it('replaces a socket left by a killed server, and says so clearly when the lock holder does not answer', async () => {
    const data = dir();
    const killed = await startHearth(['serve', '--data-dir', data, '--port', '0', '--migrate'], /Sign in as/);
    killed.child.kill('SIGKILL');
    await waitForExit(killed.child);
    const socket = join(data, 'hearth.sock');
    expect(existsSync(socket)).toBe(true);

    // Another process holds the database's lock and answers nothing on the socket.
    const holder = spawn(process.execPath, ['--input-type=module', '-e',
      `const { DuckDBInstance } = await import('@duckdb/node-api'); await DuckDBInstance.create(${JSON.stringify(join(data, 'hearth.duckdb'))}); console.log('locked'); setInterval(() => {}, 1000);`]);
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (chunk) => String(chunk).includes('locked') && resolve());
        holder.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
      });
      for (const args of [['customer', '1'], ['import', file, '--format', 'online-retail']]) {
        const result = await runHearth([...args, '--data-dir', data]);
        expect(result.code, args[0]).toBe(2);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).toMatch(/locked by another process .*no Hearth server answers on .*hearth\.sock \(nothing listens on it\)/);
      }
    } finally {
      holder.kill('SIGKILL');
      await waitForExit(holder);
    }

    // A new server replaces the dead one's socket.
    const again = await startHearth(['serve', '--data-dir', data, '--port', '0'], /running at/);
    try {
      const status = await runHearth(['status', '--data-dir', data, '--json']);
      expect(status.code, status.stderr).toBe(0);
    } finally {
      again.child.kill('SIGTERM');
      await waitForExit(again.child);
    }
  });
});
