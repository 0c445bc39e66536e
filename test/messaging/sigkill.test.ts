/**
 * Exactly once to the recipient across a crash: a real server sends a campaign to a slow SMTP
 * server in this test and is killed with SIGKILL mid-send. Restarted, it finishes the campaign.
 * What the SMTP server received, parsed with mailparser, has no recipient twice; every message is
 * sent or uncertain, the uncertain ones at most twice the pool's in-flight count (each lane's message
 * in its SMTP conversation and the next, committed as `sending` while it ran), and nothing uncertain
 * was sent again.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startNode } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';
import { startSmtpSink } from './smtp-sink.js';

const dir = tempDir('hearth-sigkill-send-');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  dir.remove();
});

const COUNT = 300;
/** The pool's connections (nodemailer's default in the transport): at most this many conversations at once. */
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

describe('sending across SIGKILL', () => {
  it('never delivers a message twice, and marks the interrupted ones uncertain', async () => {
    const sink = await startSmtpSink({ delayMs: 15 });
    try {
      const dataDir = join(dir.path, 'data');
      const first = await startNode(['--import', 'tsx', 'test/messaging/sending-child.ts', dataDir, sink.url, 'first', String(COUNT)], /READY (\S+) (\S+) (\S+)/, {}, 60_000);
      children.push(first.child);
      const [, , storeId, key] = first.match as unknown as [string, string, string, string];
      // Kill while the campaign is in full flow.
      await waitFor(() => (sink.received.length >= COUNT / 3 ? true : undefined), 60_000, 'a third of the campaign');
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      const receivedAtKill = sink.received.length;
      expect(receivedAtKill).toBeLessThan(COUNT);

      const again = await startNode(['--import', 'tsx', 'test/messaging/sending-child.ts', dataDir, sink.url, 'again'], /READY (\S+)/, {}, 60_000);
      children.push(again.child);
      const url = again.match[1]!;
      const headers = { authorization: `Bearer ${key}` };
      const counts = await waitFor(async () => {
        const response = await fetch(`${url}/api/v1/messages?limit=1`, { headers });
        const body = await response.json() as { counts: Record<'queued' | 'sending' | 'sent' | 'failed' | 'suppressed' | 'uncertain', number> };
        return body.counts.queued === 0 && body.counts.sending === 0 ? body.counts : undefined;
      }, 120_000, 'the campaign to finish');

      // Let any conversation still answering land before reading what arrived.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const mails = await sink.parsed();
      const recipients = mails.map((m) => (Array.isArray(m.to) ? m.to[0]!.text : m.to!.text));
      const twice = recipients.filter((r, i) => recipients.indexOf(r) !== i);
      expect(twice).toEqual([]);
      expect(counts.sent + counts.uncertain).toBe(COUNT);
      expect(counts.failed + counts.suppressed).toBe(0);
      expect(counts.uncertain).toBeLessThanOrEqual(2 * IN_FLIGHT);

      // Every message the ledger calls sent arrived; an uncertain one arrived at most once (it was not resent).
      const ledger: { to: string; state: string; reason: string | null }[] = [];
      let cursor: string | null = null;
      do {
        const response = await fetch(`${url}/api/v1/messages?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { headers });
        const page = await response.json() as { data: { to: string; state: string; reason: string | null }[]; next_cursor: string | null };
        ledger.push(...page.data);
        cursor = page.next_cursor;
      } while (cursor);
      expect(ledger).toHaveLength(COUNT);
      const arrived = new Set(recipients);
      for (const message of ledger.filter((m) => m.state === 'sent')) expect(arrived.has(message.to)).toBe(true);
      for (const message of ledger.filter((m) => m.state === 'uncertain')) expect(message.reason).toBe('interrupted');
      expect(arrived.size).toBeGreaterThanOrEqual(counts.sent);
      expect(arrived.size).toBeLessThanOrEqual(COUNT);
      again.child.kill('SIGTERM');
      void storeId;
    } finally {
      await sink.close();
    }
  }, 240_000);
});
