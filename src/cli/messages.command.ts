/**
 * `hearth messages list` shows the send ledger; `hearth messages resend` queues again the messages
 * that are uncertain (the server stopped during their SMTP conversation, so they may have arrived)
 * or failed — a decision for a person, as a customer may get a second copy. Both work on the data
 * directory, or through the server when one runs on it.
 */
import type { Command } from 'commander';
import { sendStates, type SendState } from '../modules/messaging/index.js';
import type { MessageList } from '../http/schemas/messages.schemas.js';
import { CliError, formatTable, printJson, resolveStoreId, toWire, withContextOrServer, withDataDir, type CommonOptions } from './context.js';

function stateOption(text: string | undefined): SendState | undefined {
  if (text === undefined) return undefined;
  const state = sendStates.find((s) => s === text);
  if (!state) throw new CliError(`--state: one of ${sendStates.join(', ')}, got "${text}"`, 2);
  return state;
}

export function registerMessagesCommand(program: Command): void {
  const messages = program.command('messages').description('the send ledger (email, SMS, webhook): list messages, send uncertain ones again');

  withDataDir(messages.command('list').description('messages with their current state, newest first'))
    .option('--state <state>', `only this state (${sendStates.join(', ')})`).option('--limit <n>', 'how many', '50').option('--json', 'print JSON')
    .action(async (options: CommonOptions & { state?: string; limit?: string }) => {
      const state = stateOption(options.state);
      const limit = Number(options.limit ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new CliError(`--limit: a whole number from 1 to 200, got "${options.limit}"`, 2);
      const list = await withContextOrServer(options, async ({ services }) => {
        const storeId = await resolveStoreId(services, options.store);
        const rows = await services.messages.list(storeId, { limit, ...(state && { state }) });
        return toWire({
          data: rows.map((m) => ({ id: m.id, channel: m.channel, to: m.to_address, subject: m.subject, purpose: m.purpose, state: m.state, reason: m.reason, attempts: m.attempt, updated_at: m.at })),
          counts: await services.messages.counts(storeId),
        });
      }, async (server) => {
        const store = await resolveStoreId(server, options.store);
        const page = await server.json<MessageList>('GET', `/api/v1/messages?limit=${limit}${state ? `&state=${state}` : ''}`, { store });
        return { data: page.data.map((m) => ({ id: m.id, channel: m.channel, to: m.to, subject: m.subject, purpose: m.purpose, state: m.state, reason: m.reason, attempts: m.attempts, updated_at: m.updated_at })), counts: page.counts };
      });
      if (options.json) return printJson(list);
      process.stdout.write(`${formatTable(['id', 'channel', 'to', 'subject', 'kind', 'state', 'attempts', 'when'], list.data.map((m) => [m.id, m.channel, m.to, m.subject, m.purpose, m.reason ? `${m.state} (${m.reason})` : m.state, m.attempts, m.updated_at]))}\n`);
      process.stdout.write(`${sendStates.map((s) => `${s} ${list.counts[s]}`).join(', ')}\n`);
    });

  withDataDir(messages.command('resend').description('send again the uncertain (or failed) messages; a recipient may get a second copy'))
    .option('--state <state>', 'uncertain (default) or failed', 'uncertain').option('--json', 'print JSON')
    .action(async (options: CommonOptions & { state?: string }) => {
      const state = options.state === 'failed' ? 'failed' : options.state === 'uncertain' ? 'uncertain' : undefined;
      if (!state) throw new CliError(`--state: uncertain or failed, got "${options.state}"`, 2);
      let direct = false;
      const result = await withContextOrServer(options, async ({ services }) => {
        direct = true;
        return services.messages.resend(await resolveStoreId(services, options.store), { state });
      }, async (server) => server.json<{ queued: number; job_ids: number[] }>('POST', '/api/v1/messages/resend', { store: await resolveStoreId(server, options.store), body: { state } }));
      if (options.json) return printJson(result);
      process.stdout.write(`${result.queued} ${state} message(s) queued again${direct && result.queued > 0 ? '; they are sent when the server runs (`hearth serve`)' : ''}\n`);
    });
}
