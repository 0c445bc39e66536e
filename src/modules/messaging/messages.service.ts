/**
 * Sending email, exactly once per send key. Queuing renders each message for its recipient (the
 * caller's build callback gets the recipient's signed links) and writes it to the ledger with its
 * unique send key, so a retried request queues nothing new. The `messages.send` job sends a batch:
 * the checks at send time (suppression, consent, frequency cap), then one lane per pool connection
 * (`send-lanes.ts`) — each message is committed as `sending` before its SMTP conversation and as
 * `sent` (with the server's answer) after. A message found `sending` when
 * the process starts was in a conversation when the last one died: it becomes `uncertain` and is
 * sent again only when a user asks.
 */
import { randomUUID } from 'node:crypto';
import type { Storage } from '../../db/database.js';
import type { JobQueue } from '../../jobs/queue.js';
import { AppError, notFound } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { RENDER_TURN, renderEmails, type EmailRender, type LedgerEmail } from './email-render.js';
import { packBodies } from './message-bodies.js';
import type { RecipientVariables } from './message-context.js';
import type { CompiledEmail } from './template-render.js';
import { formatSender, linksFor, listUnsubscribeHeaders } from './message-links.js';
import type { MessageLinks, MessagePurpose, RenderedEmail } from './message.types.js';
import { loadSettings, saveSettings, type SettingsChanges } from './message-settings.repository.js';
import { sendInLanes } from './send-lanes.js';
import { screen } from './send-screen.js';
import { byTime, holdUntimely, quietHoursOf } from './send-timing.js';
import {
  appendStates, bodiesByIds, currentStates, idsBySendKey, insertSends, listSends, packedBodiesByIds, sendsByIds, sendsInState, stateCounts, stateHistory,
  type PackedSend, type SendFilter, type StateChange,
} from './sends.repository.js';
import type { MessageSettingsTable, SendHeading, SendState, TransactionalPolicy } from './sends.table.js';
import { SmtpCatcher } from './smtp-catcher.js';
import { emailDeliverer, retryDelayMs, smtpMailer, type Mailer } from './transport.js';
import { channelCustomers, channelDeliverer, checkChannelReady, prepareSend, screenChannel, type MessageToQueue } from './channel-sends.js';
import { SMS_WEBHOOK_PATH, smsWebhookToken } from './sms-transport.js';
import { tokenKey } from './unsubscribe.token.js';
import { pausedSources, recordPause } from './source-pauses.repository.js';

export const SEND_JOB = 'messages.send';
/** How often a send job waiting for its turn renews its lease (leases last a minute). */
const LEASE_KEEP_MS = 15_000;
/** Messages per send job. */
const JOB_BATCH = 500;
export const DEFAULT_FREQUENCY_CAP_HOURS = 16;
/** SMTP connections per store unless the operator sets HEARTH_SMTP_MAX_CONNECTIONS. */
const DEFAULT_MAX_CONNECTIONS = 5;
export const DEFAULT_PAUSE_AFTER_ERRORS = 10;
export const DEFAULT_TRANSACTIONAL_POLICY: TransactionalPolicy = 'deliverability';
/** Test sends per store per minute: enough for someone trying a template, too few to relay spam. */
export const TEST_SENDS_PER_MINUTE = 20;

interface EmailToQueueBase {
  /** Unique per store: campaign:<id>:<customer>, flow:<run>:<step>, test:<uuid>. */
  sendKey: string;
  purpose: MessagePurpose;
  /** The recipient customer (their email is used unless `to` is given). */
  customerId?: number | null;
  to?: string | null;
  /** The batch source that can be paused (a campaign): campaign:<id>. */
  source?: string | null;
  templateId?: string | null;
  templateVersion?: number | null;
  /** Not sent before this instant (a campaign at each recipient's local time or usual hour). */
  notBefore?: Date | null;
  /** The email topic (marketing): a recipient who dropped it on the preference page is not sent it. */
  topic?: string | null;
}

/** A compiled template version and the recipient's variables: the ledger adds their links, renders (a batch in the render thread) and tracks. */
export interface TemplateEmail {
  compiled: CompiledEmail;
  /** Called only for a message not yet in the ledger. */
  variables: () => RecipientVariables;
  /** Links rewritten to tracked redirects and an open pixel added (a customer's message only). */
  tracked: boolean;
}

/** A message to queue: rendered by `build`, or from `template`. */
export type EmailToQueue = EmailToQueueBase & (
  | { /** Renders the message for this recipient, with their links. */ build: (links: MessageLinks) => RenderedEmail | Promise<RenderedEmail>; template?: never }
  | { template: TemplateEmail; build?: never }
);

export interface QueueResult {
  queued: number;
  existing: number;
  /** `suppressed`: written suppressed when queued (an SMS to a customer's number that cannot be read), with why. */
  sends: { send_key: string; id: number; created: boolean; suppressed?: string }[];
  job_ids: number[];
}

export interface BatchResult {
  sent: number;
  failed: number;
  suppressed: number;
  uncertain: number;
  /** Left queued because their source is (or became) paused. */
  held: number;
  /** Left queued until their not-before time or the end of quiet hours (a send job is booked then). */
  deferred: number;
  /** Not delivered for a reason that may pass: queued again for a later attempt. */
  retried: number;
}

export interface MessagingConfig {
  publicUrl: string;
  secret: string | undefined;
  /** The operator's SMTP server (HEARTH_SMTP_URL); a store's own setting wins. None: the built-in catcher. */
  smtpUrl: string | undefined;
  /** Connections of each store's SMTP pool (HEARTH_SMTP_MAX_CONNECTIONS); default 5. */
  smtpMaxConnections?: number;
}

export class MessagesService {
  private readonly mailers = new Map<string, { signature: string; mailer: Mailer }>();
  private catcher: Promise<SmtpCatcher> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Each store's recent test sends (times), for the rate limit. */
  private readonly testSends = new Map<string, number[]>();
  /** Applies a delivery report the catcher received (set by the composition root). */
  private reportHandler: ((raw: string) => Promise<unknown>) | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly jobs: JobQueue,
    private readonly config: MessagingConfig,
    private readonly logger: Logger,
  ) {}

  settings(storeId: string): Promise<MessageSettingsTable> {
    return loadSettings(this.storage.write, this.storage.read, storeId);
  }

  async updateSettings(storeId: string, changes: SettingsChanges): Promise<MessageSettingsTable> {
    await this.settings(storeId);
    await saveSettings(this.storage.write, storeId, changes);
    this.mailers.get(storeId)?.mailer.close();
    this.mailers.delete(storeId);
    return this.settings(storeId);
  }

  /** The key of the store's signed links. */
  async linkKey(storeId: string): Promise<Buffer> {
    return tokenKey((await this.settings(storeId)).signing_key, this.config.secret);
  }

  /** Queues messages; a send key already in the ledger is not queued again (nor rendered). */
  async queueEmails(storeId: string, emails: readonly EmailToQueue[]): Promise<QueueResult> {
    const keys = emails.map((e) => e.sendKey);
    if (new Set(keys).size !== keys.length) throw new AppError('validation_failed', 'Each message needs its own send key', [{ path: 'send_key', reason: 'appears twice in the request' }]);
    const existing = await idsBySendKey(this.storage.read, storeId, keys);
    const fresh = emails.filter((e) => !existing.has(e.sendKey));
    const settings = await this.settings(storeId);
    const key = tokenKey(settings.signing_key, this.config.secret);
    const fromAddress = settings.from_address ?? defaultFromAddress(this.config.publicUrl);
    const from = formatSender(fromAddress, settings.from_name);
    const addresses = await this.customerAddresses(storeId, fresh.map((e) => e.customerId).filter((id): id is number => typeof id === 'number'));
    const now = new Date();
    const recipients = fresh.map((email) => {
      const customerId = email.customerId ?? null;
      if (customerId !== null && !addresses.has(customerId)) throw new AppError('validation_failed', `Customer ${customerId} not found`, [{ path: 'customer_id', reason: 'no such customer in this store' }]);
      const to = (email.to ?? (customerId !== null ? addresses.get(customerId) : null) ?? '').trim().toLowerCase();
      return { email, customerId, to, links: linksFor(this.config.publicUrl, key, { storeId, customerId, address: to, sendKey: email.sendKey }) };
    });
    const rendered = await this.render(storeId, key, recipients);
    const rows = recipients.map(({ email, customerId, to, links }, i): PackedSend => {
      const message = rendered[i]!;
      const headers = email.purpose === 'marketing' ? listUnsubscribeHeaders(links, settings.reply_to ?? fromAddress) : {};
      return {
        store_id: storeId, send_key: email.sendKey, channel: 'email', purpose: email.purpose, source: email.source ?? null, customer_id: customerId,
        to_address: to, from_address: from, subject: message.subject, preheader: message.preheader, ...message.bodies,
        headers: JSON.stringify(headers), template_id: email.templateId ?? null, template_version: email.templateVersion ?? null, topic_id: email.topic ?? null, created_at: now,
      };
    });
    const notBefore = new Map(fresh.map((e) => [e.sendKey, e.notBefore ?? null]));
    return this.insertQueued(storeId, emails.map((e) => e.sendKey), rows, existing, now, new Map(), notBefore);
  }

  /** Each message as the ledger keeps it: built by its caller, or rendered from its template (`email-render.ts`). */
  private async render(storeId: string, key: Buffer, recipients: readonly { email: EmailToQueue; customerId: number | null; links: MessageLinks }[]): Promise<LedgerEmail[]> {
    const rendered: LedgerEmail[] = new Array(recipients.length);
    const fromTemplates: { at: number; item: EmailRender }[] = [];
    for (const [at, { email, customerId, links }] of recipients.entries()) {
      if (email.template) {
        const { compiled, variables, tracked } = email.template;
        const tracking = tracked && customerId !== null ? { publicUrl: this.config.publicUrl, key, storeId, sendKey: email.sendKey, customerId, links } : null;
        fromTemplates.push({ at, item: { compiled, variables: { ...variables(), links }, tracking } });
        continue;
      }
      const built = await email.build(links);
      rendered[at] = { subject: built.subject, preheader: built.preheader, bodies: packBodies(built) };
      // A build is synchronous work: let the sender's SMTP answers and requests (an unsubscribe) run between every few.
      if (at % RENDER_TURN === RENDER_TURN - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    const emails = await renderEmails(fromTemplates.map((t) => t.item));
    for (const [i, { at }] of fromTemplates.entries()) rendered[at] = emails[i]!;
    return rendered;
  }

  /**
   * Queues SMS or webhook messages, by the same rules as email: a send key already in the ledger
   * is not queued again (nor rendered). An SMS to a customer whose number cannot be read is written
   * as suppressed (`invalid_address`); a number given that cannot be read is refused (422).
   */
  async queueMessages(storeId: string, messages: readonly MessageToQueue[]): Promise<QueueResult> {
    const keys = messages.map((m) => m.sendKey);
    if (new Set(keys).size !== keys.length) throw new AppError('validation_failed', 'Each message needs its own send key', [{ path: 'send_key', reason: 'appears twice in the request' }]);
    const settings = await this.settings(storeId);
    for (const channel of new Set(messages.map((m) => m.channel))) checkChannelReady(channel, settings);
    const existing = await idsBySendKey(this.storage.read, storeId, keys);
    const fresh = messages.filter((m) => !existing.has(m.sendKey));
    const key = tokenKey(settings.signing_key, this.config.secret);
    const customers = await channelCustomers(this.storage.read, storeId, fresh.flatMap((m) => (typeof m.customerId === 'number' ? [m.customerId] : [])));
    const now = new Date();
    const rows: PackedSend[] = [];
    const invalid = new Map<string, string>();
    for (const message of fresh) {
      const customerId = message.customerId ?? null;
      const customer = customerId === null ? null : customers.get(customerId);
      if (customer === undefined) throw new AppError('validation_failed', `Customer ${customerId} not found`, [{ path: 'customer_id', reason: 'no such customer in this store' }]);
      const prepared = await prepareSend(message, customer, {
        storeId, settings, now, links: (address) => linksFor(this.config.publicUrl, key, { storeId, customerId, address, sendKey: message.sendKey }),
      });
      const { html, text, ...row } = prepared.row;
      rows.push({ ...row, ...packBodies({ html, text }) });
      if (prepared.invalid) invalid.set(message.sendKey, prepared.invalid);
    }
    return this.insertQueued(storeId, keys, rows, existing, now, invalid, new Map(fresh.map((m) => [m.sendKey, m.notBefore ?? null])));
  }

  /** Writes new messages with their first state (queued, or suppressed when their address is unusable) and enqueues their sending. */
  private async insertQueued(storeId: string, keys: readonly string[], rows: readonly PackedSend[], existing: ReadonlyMap<string, number>, now: Date, invalid: ReadonlyMap<string, string> = new Map(), notBefore: ReadonlyMap<string, Date | null> = new Map()): Promise<QueueResult> {
    const inserted = rows.length === 0 ? new Map<string, number>() : await this.storage.write.transaction().execute(async (tx) => {
      const ids = await insertSends(tx, rows);
      await appendStates(tx, [...ids].map(([sendKey, sendId]): StateChange => (invalid.has(sendKey)
        ? { storeId, sendId, state: 'suppressed', reason: 'invalid_address', detail: invalid.get(sendKey)!, attempt: 1 }
        : { storeId, sendId, state: 'queued', attempt: 1, notBefore: notBefore.get(sendKey) ?? null })), now);
      return ids;
    });
    // One send job per slice now, and one at each later not-before time.
    const jobIds: number[] = [];
    const timed = byTime([...inserted].filter(([sendKey]) => !invalid.has(sendKey)).map(([sendKey, id]) => ({ id, at: notBefore.get(sendKey) ?? null })));
    for (const [at, ids] of timed) jobIds.push(...await this.enqueueSending(storeId, ids, at));
    const sends = keys.map((sendKey) => {
      const id = inserted.get(sendKey) ?? existing.get(sendKey);
      return { send_key: sendKey, id: id ?? 0, created: inserted.has(sendKey), ...(inserted.has(sendKey) && invalid.has(sendKey) && { suppressed: invalid.get(sendKey)! }) };
    });
    // A key inserted by another request between the look-up and the insert: it exists, it was not queued here.
    const missing = sends.filter((s) => s.id === 0).map((s) => s.send_key);
    if (missing.length > 0) {
      const found = await idsBySendKey(this.storage.read, storeId, missing);
      for (const s of sends) if (s.id === 0) s.id = found.get(s.send_key) ?? 0;
    }
    return { queued: inserted.size, existing: keys.length - inserted.size, sends, job_ids: jobIds };
  }

  /** Send jobs for these messages, now or at `runAt` (one booking per slice and time: a repeated booking adds no job). */
  private async enqueueSending(storeId: string, ids: readonly number[], runAt?: Date | null): Promise<number[]> {
    const jobIds: number[] = [];
    for (let i = 0; i < ids.length; i += JOB_BATCH) {
      const slice = ids.slice(i, i + JOB_BATCH);
      const timed = runAt ? { runAt, dedupeKey: `${SEND_JOB}:${storeId}:${runAt.toISOString()}:${slice[0]}:${slice.length}` } : {};
      jobIds.push(await this.jobs.enqueue(SEND_JOB, { store_id: storeId, ids: slice }, { storeId, maxAttempts: 10, ...timed }));
    }
    return jobIds;
  }

  private async customerAddresses(storeId: string, ids: readonly number[]): Promise<Map<number, string | null>> {
    const found = new Map<number, string | null>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 1000) {
      const rows = await this.storage.read.selectFrom('customers').select(['id', 'email']).where('store_id', '=', storeId).where('id', 'in', unique.slice(i, i + 1000)).execute();
      for (const row of rows) found.set(Number(row.id), row.email);
    }
    return found;
  }

  /**
   * After a restart: messages left `sending` become `uncertain` (not resent), and messages still
   * `queued` get a send job again. Call once when the server starts, before the worker.
   */
  async recoverInterrupted(): Promise<{ uncertain: number; requeued: number }> {
    const interrupted = await sendsInState(this.storage.read, 'sending');
    await appendStates(this.storage.write, interrupted.map((s) => ({
      storeId: s.store_id, sendId: s.send_id, state: 'uncertain' as const, reason: 'interrupted', attempt: s.attempt,
      detail: 'The process stopped during its delivery (an SMTP conversation or an HTTP request): the message may have been delivered.',
    })));
    const queued = await sendsInState(this.storage.read, 'queued');
    const byStore = new Map<string, number[]>();
    for (const s of queued) byStore.set(s.store_id, [...(byStore.get(s.store_id) ?? []), s.send_id]);
    for (const [storeId, ids] of byStore) await this.enqueueSending(storeId, ids);
    if (interrupted.length || queued.length) this.logger.warn({ uncertain: interrupted.length, requeued: queued.length }, 'messages recovered after a restart');
    return { uncertain: interrupted.length, requeued: queued.length };
  }

  /**
   * Sends the given messages that are still queued and due at `now` (the send job). Batches take
   * turns in the process: a batch's states, checks and deliveries start when the one before has
   * ended, so no message is sent twice by two batches and the caps see the batch before.
   */
  sendBatch(storeId: string, ids: readonly number[], onProgress?: (fraction: number) => Promise<void>, now = new Date()): Promise<BatchResult> {
    // The messages are read before the batch's turn — the ledger's rows are never updated — so
    // that with two send workers the next batch is read while this one is being delivered. Their
    // bodies are read by the lanes 125 at a time, just before sending (`send-lanes.ts`); their
    // states in the turn.
    const contents = sendsByIds(this.storage.read, storeId, ids);
    contents.catch(() => undefined);
    const waiting = this.queue;
    // A job waiting for its turn behind a slow (rate-limited) batch keeps its lease.
    const keepLease = onProgress ? setInterval(() => void onProgress(0).catch(() => undefined), LEASE_KEEP_MS) : undefined;
    const run = waiting.then(() => {
      clearInterval(keepLease);
      return this.sendNow(storeId, ids, contents, onProgress, now);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async sendNow(storeId: string, ids: readonly number[], contents: Promise<SendHeading[]>, onProgress: ((fraction: number) => Promise<void>) | undefined, now: Date): Promise<BatchResult> {
    const result: BatchResult = { sent: 0, failed: 0, suppressed: 0, uncertain: 0, held: 0, deferred: 0, retried: 0 };
    const states = await currentStates(this.storage.read, storeId, ids);
    const attempts = new Map([...states.values()].map((s) => [s.send_id, s.attempt]));
    const queued = (await contents).filter((send) => states.get(send.id)?.state === 'queued');
    if (queued.length === 0) return result;
    const settings = await this.settings(storeId);
    const paused = await pausedSources(this.storage.read, storeId);
    const unpaused = queued.filter((s) => s.source === null || !paused.has(s.source));
    result.held = queued.length - unpaused.length;
    const { due: ready, deferred } = await holdUntimely(
      { read: this.storage.read, write: this.storage.write, schedule: (due, at) => this.enqueueSending(storeId, due, at) },
      storeId, unpaused, { quiet: quietHoursOf(settings), storeZone: await this.storeZone(storeId), attempts, now },
    );
    result.deferred = deferred;

    const policy = {
      transactionalPolicy: settings.transactional_policy ?? DEFAULT_TRANSACTIONAL_POLICY,
      frequencyCapHours: settings.frequency_cap_hours ?? DEFAULT_FREQUENCY_CAP_HOURS,
      weeklyCap: settings.weekly_cap ?? 0,
      globalHoldoutShare: settings.global_holdout_share ?? 0,
    };
    // Each channel is checked by its own consent and sent through its own deliverer, in turn.
    for (const channel of ['email', 'sms', 'webhook'] as const) {
      const group = ready.filter((s) => s.channel === channel);
      if (group.length === 0) continue;
      const screened = channel === 'email'
        ? await screen(this.storage.read, storeId, group, policy, now)
        : await screenChannel(this.storage.read, storeId, channel, group, policy, settings);
      const suppressed: StateChange[] = [];
      const toSend: SendHeading[] = [];
      for (const s of screened) {
        if (s.verdict === 'send') toSend.push(s.send);
        else suppressed.push({ storeId, sendId: s.send.id, state: 'suppressed', reason: s.reason, attempt: attempts.get(s.send.id) ?? 1 });
      }
      await appendStates(this.storage.write, suppressed);
      result.suppressed += suppressed.length;
      if (toSend.length === 0) continue;

      const deliverer = channel === 'email'
        ? await this.mailerFor(storeId, settings).then(({ mailer, caught }) => emailDeliverer(mailer, storeId, caught))
        : channelDeliverer(channel, settings, await this.smsStatusUrl(storeId));
      const sent = await sendInLanes({
        write: this.storage.write, logger: this.logger, storeId, deliverer, attempts, onProgress,
        bodies: (chunk) => packedBodiesByIds(this.storage.read, storeId, chunk),
        pauseAfter: settings.pause_after_errors ?? DEFAULT_PAUSE_AFTER_ERRORS,
      }, toSend);
      result.sent += sent.sent;
      result.failed += sent.failed;
      result.uncertain += sent.uncertain;
      result.held += sent.held;
      result.retried += sent.retries.length;
      await this.scheduleRetries(storeId, sent.retries);
    }
    return result;
  }

  /** Messages whose delivery asked to be retried are sent again by a later job, after their back-off. */
  private async scheduleRetries(storeId: string, retries: readonly { id: number; attempt: number }[]): Promise<void> {
    const byAttempt = new Map<number, number[]>();
    for (const r of retries) byAttempt.set(r.attempt, [...(byAttempt.get(r.attempt) ?? []), r.id]);
    for (const [attempt, ids] of byAttempt) await this.enqueueSending(storeId, ids, new Date(Date.now() + retryDelayMs(attempt - 1)));
  }

  /** Where the SMS API posts a message's later states (delivered, undelivered, failed). */
  async smsStatusUrl(storeId: string): Promise<string> {
    return `${this.config.publicUrl}${SMS_WEBHOOK_PATH}${storeId}/${smsWebhookToken(await this.linkKey(storeId))}/status`;
  }

  private async storeZone(storeId: string): Promise<string> {
    const store = await this.storage.read.selectFrom('stores').select('timezone').where('id', '=', storeId).executeTakeFirst();
    return store?.timezone ?? 'UTC';
  }

  private async mailerFor(storeId: string, settings: MessageSettingsTable): Promise<{ mailer: Mailer; caught: boolean }> {
    const url = settings.smtp_url ?? this.config.smtpUrl;
    const catcherUrl = url ? undefined : (await this.startCatcher()).url;
    const dkim = settings.dkim_private_key && settings.dkim_domain && settings.dkim_selector
      ? { domainName: settings.dkim_domain, keySelector: settings.dkim_selector, privateKey: settings.dkim_private_key } : null;
    const maxConnections = this.config.smtpMaxConnections ?? DEFAULT_MAX_CONNECTIONS;
    const signature = JSON.stringify([url ?? catcherUrl, dkim, settings.rate_per_second, maxConnections]);
    const cached = this.mailers.get(storeId);
    if (cached?.signature !== signature) {
      cached?.mailer.close();
      this.mailers.set(storeId, { signature, mailer: smtpMailer({ url: url ?? catcherUrl!, ratePerSecond: settings.rate_per_second, dkim, maxConnections }) });
    }
    return { mailer: this.mailers.get(storeId)!.mailer, caught: !url };
  }

  /** The built-in SMTP catcher (started on first use when no SMTP server is configured). */
  startCatcher(): Promise<SmtpCatcher> {
    this.catcher ??= SmtpCatcher.start(this.storage.write, this.logger, (raw) => this.reportHandler?.(raw) ?? Promise.resolve());
    return this.catcher;
  }

  /** Where bounce and complaint reports that arrive at the catcher go (the delivery reports). */
  onCaughtReport(handler: (raw: string) => Promise<unknown>): void {
    this.reportHandler = handler;
  }

  /**
   * A test message (a template's "Send a test"): transactional, to the address given, under its own
   * `test:<uuid>` send key, sent at once through the store's transport and recorded in the ledger
   * like any other. At most TEST_SENDS_PER_MINUTE per store per minute.
   */
  async sendTest(storeId: string, to: string, message: RenderedEmail, options: { templateId?: string | null; templateVersion?: number | null } = {}) {
    const now = Date.now();
    const recent = (this.testSends.get(storeId) ?? []).filter((at) => at > now - 60_000);
    if (recent.length >= TEST_SENDS_PER_MINUTE) {
      const error = new AppError('rate_limited', `At most ${TEST_SENDS_PER_MINUTE} test messages a minute`, [{ path: 'to', reason: 'too many test messages; wait a minute' }]);
      error.retryAfterSeconds = Math.max(1, Math.ceil((recent[0]! + 60_000 - now) / 1000));
      throw error;
    }
    this.testSends.set(storeId, [...recent, now]);
    const queued = await this.queueEmails(storeId, [{
      sendKey: testSendKey(), purpose: 'transactional', to, templateId: options.templateId ?? null, templateVersion: options.templateVersion ?? null, build: () => message,
    }]);
    const sendId = queued.sends[0]!.id;
    await this.sendBatch(storeId, [sendId]);
    const state = (await currentStates(this.storage.read, storeId, [sendId])).get(sendId);
    return { send_id: sendId, message_id: state?.provider_message_id ?? null, state: state?.state ?? 'queued' as SendState, reason: state?.reason ?? null };
  }

  /** Queues again messages now uncertain (or failed): a user's decision, as they may arrive twice. */
  async resend(storeId: string, options: { state: 'uncertain' | 'failed'; ids?: readonly number[] | undefined }): Promise<{ queued: number; job_ids: number[] }> {
    const candidates = options.ids ?? (await listSends(this.storage.read, storeId, { state: options.state, limit: 100_000 })).map((s) => s.id);
    const states = await currentStates(this.storage.read, storeId, candidates);
    const chosen = [...states.values()].filter((s) => s.state === options.state);
    if (options.ids) {
      const wrong = options.ids.filter((id) => states.get(id)?.state !== options.state);
      if (wrong.length > 0) throw new AppError('conflict', `Only ${options.state} messages can be sent again this way`, wrong.slice(0, 20).map((id) => ({ path: 'ids', reason: `message ${id} is ${states.get(id)?.state ?? 'not found'}` })));
    }
    await appendStates(this.storage.write, chosen.map((s) => ({ storeId, sendId: s.send_id, state: 'queued' as const, reason: `resend_${options.state}`, attempt: s.attempt + 1 })));
    return { queued: chosen.length, job_ids: await this.enqueueSending(storeId, chosen.map((s) => s.send_id)) };
  }

  async pause(storeId: string, source: string, reason: string): Promise<void> {
    await recordPause(this.storage.write, storeId, source, 'paused', reason);
  }

  /** Resumes a paused source and sends what it left queued. */
  async resume(storeId: string, source: string): Promise<{ queued: number }> {
    await recordPause(this.storage.write, storeId, source, 'resumed', null);
    const queued = (await listSends(this.storage.read, storeId, { state: 'queued', source, limit: 1_000_000 })).map((s) => s.id);
    await this.enqueueSending(storeId, queued);
    return { queued: queued.length };
  }

  pausedSources(storeId: string) {
    return pausedSources(this.storage.read, storeId);
  }

  list(storeId: string, filter: SendFilter) {
    return listSends(this.storage.read, storeId, filter);
  }

  counts(storeId: string): Promise<Record<SendState, number>> {
    return stateCounts(this.storage.read, storeId);
  }

  async get(storeId: string, id: number) {
    const [heading] = await listSends(this.storage.read, storeId, { limit: 1, beforeId: id + 1 });
    if (!heading || heading.id !== id) throw notFound('Message');
    const send = { ...heading, html: '', text: '', ...(await bodiesByIds(this.storage.read, storeId, [id])).get(id) };
    const history = await stateHistory(this.storage.read, storeId, id);
    const caught = await this.storage.read.selectFrom('caught_messages').select(['raw', 'received_at'])
      .where('store_id', '=', storeId).where('send_id', '=', id).orderBy('id', 'desc').limit(1).executeTakeFirst();
    return { send, history, caught };
  }

  async close(): Promise<void> {
    await this.queue;
    for (const { mailer } of this.mailers.values()) mailer.close();
    this.mailers.clear();
    if (this.catcher) await (await this.catcher).close();
  }
}

/** A test message to an address, e.g. from the API: transactional, with its own send key. */
export function testSendKey(): string {
  return `test:${randomUUID()}`;
}

/** no-reply@<the public host>, or @localhost for an address. */
function defaultFromAddress(publicUrl: string): string {
  const host = new URL(publicUrl).hostname;
  return `no-reply@${/^[\d.]+$|:/.test(host) ? 'localhost' : host}`;
}
