/**
 * The SMTP pool's thread (`transport.ts`, `smtp.thread.ts`): a message on its way when the store's
 * sender is closed (its settings changed) still gets the server's answer, the same sender starts a
 * new thread for the next message, and what the server received is what was sent — read back with
 * mailparser from a real SMTP conversation.
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpMailer, type OutgoingEmail } from '../../src/modules/messaging/transport.js';

const received: string[] = [];
const envelopes: { from: string; to: string[] }[] = [];
let holdMs = 0;
let server: SMTPServer;
let url = '';

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onData(stream, session, callback) {
      envelopes.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) });
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => setTimeout(() => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        callback(null, 'queued as 42');
      }, holdMs));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  url = `smtp://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const email = (n: number): OutgoingEmail => ({
  from: '"Thé du Port" <news@harbour.example>', to: `reader${n}@example.com`, replyTo: 'Help desk <help@harbour.example>', subject: `Nouveautés n°${n}`,
  html: `<p>Bonjour ${n} = café ☕</p>`, text: `Bonjour ${n} = café ☕`, messageId: `<m${n}@harbour.example>`, headers: { 'X-Campaign': `c${n}` },
});

describe('the SMTP thread', () => {
  it('answers a message in flight when the sender closes, then starts again for the next one', async () => {
    const mailer = smtpMailer({ url, maxConnections: 2 });
    holdMs = 300;
    const inFlight = mailer.send(email(1));
    // Closed while the server holds the message: its answer still comes back.
    await new Promise((resolve) => setTimeout(resolve, 100));
    mailer.close();
    const first = await inFlight;
    expect(first, JSON.stringify(first)).toMatchObject({ kind: 'accepted', messageId: '<m1@harbour.example>' });
    holdMs = 0;
    expect(await mailer.send(email(2))).toMatchObject({ kind: 'accepted', response: expect.stringContaining('queued as 42') });
    mailer.close();

    expect(received).toHaveLength(2);
    const second = await simpleParser(received[1]!);
    expect(second.subject).toBe('Nouveautés n°2');
    expect(second.text?.trim()).toBe('Bonjour 2 = café ☕');
    expect(second.html).toContain('<p>Bonjour 2 = café ☕</p>');
    expect(second.headers.get('x-campaign')).toBe('c2');
    expect(second.from?.value).toEqual([{ name: 'Thé du Port', address: 'news@harbour.example' }]);
    expect(second.replyTo?.value).toEqual([{ name: 'Help desk', address: 'help@harbour.example' }]);
    expect(second.messageId).toBe('<m2@harbour.example>');
    expect(second.date?.getTime()).toBeGreaterThan(Date.now() - 60_000);
    // The envelope is the addresses alone, without their names.
    expect(envelopes[1]).toEqual({ from: 'news@harbour.example', to: ['reader2@example.com'] });
  });

  it('says why a message was refused, from the thread', async () => {
    const mailer = smtpMailer({ url: 'smtp://127.0.0.1:1', maxConnections: 1 });
    const outcome = await mailer.send(email(3));
    mailer.close();
    expect(outcome).toMatchObject({ kind: 'transport_error', detail: expect.stringMatching(/ECONNREFUSED|connect/i) });
  });
});
