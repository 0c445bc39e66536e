/**
 * A flow across a crash: a real server carries 600 customers through a two-email flow, sending
 * to a slow SMTP server in this test, and is killed with SIGKILL while runs are in progress.
 * Restarted, it finishes every run. What the SMTP server received, parsed with mailparser, has no
 * message twice for anyone; every customer got each email once, except at most the few that were
 * in an SMTP conversation at the kill or committed as next (marked uncertain, not resent).
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startNode } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';
import { startSmtpSink } from '../messaging/smtp-sink.js';
import { addressOf } from './flow-harness.js';

const dir = tempDir('hearth-sigkill-flow-');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  dir.remove();
});

const COUNT = 600;
/** The pool's connections: at most this many conversations at once. */
const IN_FLIGHT = 5;

async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('a flow across SIGKILL', () => {
  it('resumes the runs after a restart and sends no message twice', async () => {
    const sink = await startSmtpSink({ delayMs: 5 });
    try {
      const dataDir = join(dir.path, 'data');
      const first = await startNode(['--import', 'tsx', 'test/flows/flow-child.ts', dataDir, sink.url, 'first', String(COUNT)], /READY (\S+) (\S+) (\S+) (\S+)/, {}, 120_000);
      children.push(first.child);
      const [, firstUrl, , key, flowId] = first.match as unknown as [string, string, string, string, string];
      const headers = { authorization: `Bearer ${key}` };
      const inProgress = async (url: string) => {
        const body = await (await fetch(`${url}/api/v1/flows`, { headers })).json() as { data: { id: string; entrants: number; in_progress: number }[] };
        return body.data.find((f) => f.id === flowId)!;
      };
      // Kill once messages are arriving while runs are still in progress.
      const atKill = await waitFor(async () => {
        const flow = await inProgress(firstUrl);
        return sink.received.length > 0 && flow.in_progress > 0 ? flow : undefined;
      }, 120_000, 'messages to arrive while runs are in progress');
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      expect(atKill.entrants).toBe(COUNT);
      expect(atKill.in_progress).toBeGreaterThan(0);

      const again = await startNode(['--import', 'tsx', 'test/flows/flow-child.ts', dataDir, sink.url, 'again'], /READY (\S+)/, {}, 60_000);
      children.push(again.child);
      const url = again.match[1]!;
      await waitFor(async () => ((await inProgress(url)).in_progress === 0 ? true : undefined), 180_000, 'every run to finish');
      const counts = await waitFor(async () => {
        const body = await (await fetch(`${url}/api/v1/messages?limit=1`, { headers })).json() as { counts: Record<'queued' | 'sending' | 'sent' | 'failed' | 'suppressed' | 'uncertain', number> };
        return body.counts.queued === 0 && body.counts.sending === 0 ? body.counts : undefined;
      }, 180_000, 'every message to be sent');
      await new Promise((resolve) => setTimeout(resolve, 200));

      // Two emails per customer in the ledger, each sent once or (at most twice the in-flight few) uncertain.
      expect(counts.sent + counts.uncertain).toBe(2 * COUNT);
      expect(counts.failed + counts.suppressed).toBe(0);
      expect(counts.uncertain).toBeLessThanOrEqual(2 * IN_FLIGHT);
      const mails = await sink.parsed();
      const keys = mails.map((m) => `${addressOf(m)} ${m.subject}`);
      expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
      expect(mails.length).toBeGreaterThanOrEqual(counts.sent);
      expect(mails.length).toBeLessThanOrEqual(2 * COUNT);
      const perAddress = new Map<string, number>();
      for (const mail of mails) perAddress.set(addressOf(mail), (perAddress.get(addressOf(mail)) ?? 0) + 1);
      expect(Math.max(...perAddress.values())).toBe(2);
      // Every run went through both emails to the end.
      const runs = await (await fetch(`${url}/api/v1/flows/${flowId}/runs?limit=1000`, { headers })).json() as { data: { status: string; steps: { outcome: string }[] }[] };
      expect(runs.data.length).toBe(COUNT);
      expect(runs.data.filter((r) => r.status === 'completed' && r.steps.filter((s) => s.outcome === 'queued').length === 2).length).toBe(COUNT);
      again.child.kill('SIGTERM');
    } finally {
      await sink.close();
    }
  }, 400_000);
});
