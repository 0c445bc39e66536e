/**
 * `hearth messages`: after a crash left a message uncertain, the ledger shows it and `resend`
 * queues it again (once: a second resend finds nothing uncertain).
 */
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { runHearth } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';

const dir = tempDir('hearth-messages-cli-');
afterAll(() => dir.remove());

describe('hearth messages', () => {
  it('lists an uncertain message and queues it again on resend', async () => {
    // A crash during the SMTP conversation left the message `sending`; the restart made it uncertain.
    const setup = spawnSync(process.execPath, ['--import', 'tsx', 'test/messaging/uncertain-setup.ts', dir.path], { encoding: 'utf8', timeout: 60_000 });
    expect(setup.stdout).toContain('{"uncertain":1,"requeued":0}');

    const list = await runHearth(['messages', 'list', '--state', 'uncertain', '--json', '--data-dir', dir.path]);
    expect(list.stderr).toBe('');
    expect(JSON.parse(list.stdout).data).toEqual([expect.objectContaining({ channel: 'email', to: 'ann@example.com', state: 'uncertain', reason: 'interrupted', attempts: 1 })]);
    const resend = await runHearth(['messages', 'resend', '--data-dir', dir.path]);
    expect(resend.stdout).toContain('1 uncertain message(s) queued again');
    const again = await runHearth(['messages', 'resend', '--json', '--data-dir', dir.path]);
    expect(JSON.parse(again.stdout)).toEqual({ queued: 0, job_ids: [] });
    const after = await runHearth(['messages', 'list', '--json', '--data-dir', dir.path]);
    expect(JSON.parse(after.stdout).data).toEqual([expect.objectContaining({ state: 'queued', attempts: 2 })]);
    const bad = await runHearth(['messages', 'list', '--state', 'lost', '--data-dir', dir.path]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--state: one of queued, sending, sent, failed, suppressed, uncertain');
  }, 120_000);
});
