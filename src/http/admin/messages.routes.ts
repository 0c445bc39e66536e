/**
 * The send ledger and the outbox (/api/v1/messages), the suppression list (/api/v1/suppressions)
 * and the store's sending settings (/api/v1/messaging/settings).
 */
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { HH_MM } from '../../lib/zoned-time.js';
import {
  DEFAULT_FREQUENCY_CAP_HOURS, DEFAULT_PAUSE_AFTER_ERRORS, DEFAULT_QUIET_HOURS, DEFAULT_TRANSACTIONAL_POLICY, newWebhookSecret, sendStates, suppressionReasons, testSendKey,
  transactionalPolicies, TWILIO_API, webhookConsents, type SendWithState,
} from '../../modules/messaging/index.js';
import type { Services } from '../../services.js';
import { route } from '../route.js';
import {
  messageDetailSchema, messageListSchema, messagingSettingsSchema, queuedMessageSchema, resendSchema, suppressionListSchema, suppressionSchema,
} from '../schemas/messages.schemas.js';

const tag = 'Messages';

export function messageJson(send: SendWithState) {
  return {
    id: send.id, send_key: send.send_key, channel: send.channel, purpose: send.purpose, source: send.source, customer_id: send.customer_id,
    to: send.to_address, from: send.from_address, subject: send.subject, state: send.state, reason: send.reason, detail: send.detail,
    sms: send.channel === 'sms' ? smsSizeOf(send.headers) : null,
    attempts: send.attempt, provider_message_id: send.provider_message_id, template_id: send.template_id, template_version: send.template_version, topic_id: send.topic_id,
    created_at: send.created_at, updated_at: send.at, not_before: send.state === 'queued' ? send.not_before : null,
  };
}

/** An SMS keeps its encoding and segment count where an email keeps its extra headers. */
function smsSizeOf(headers: string): { encoding: 'GSM-7' | 'UCS-2'; segments: number; units: number } {
  const size = JSON.parse(headers) as { encoding?: 'GSM-7' | 'UCS-2'; segments?: number; units?: number };
  return { encoding: size.encoding ?? 'GSM-7', segments: size.segments ?? 1, units: size.units ?? 0 };
}

const suppressionJson = ({ store_id: _store, ...row }: { store_id: string; address: string; reason: (typeof suppressionReasons)[number]; source: string; note: string | null; expires_at: Date | null; created_at: Date }) => row;

const email = z.string().trim().max(320).email('must be an email address');

/** A plain-text part from HTML when the caller gives none: tags out, entities of markup back. */
function textOf(html: string): string {
  return html.replace(/<(style|script)[\s\S]*?<\/\1>/gi, '').replace(/<br\s*\/?>|<\/(p|div|h\d|li|tr)>/gi, '\n').replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}

async function settingsJson(services: Services, storeId: string, newSecret?: string) {
  const settings = await services.messages.settings(storeId);
  const url = settings.smtp_url ?? services.config.smtpUrl;
  const parsed = url ? new URL(url) : undefined;
  const paused = await services.messages.pausedSources(storeId);
  return {
    from_address: settings.from_address, from_name: settings.from_name, reply_to: settings.reply_to,
    smtp: {
      origin: settings.smtp_url ? 'store' as const : url ? 'operator' as const : 'catcher' as const,
      host: parsed?.hostname ?? null, port: parsed?.port ? Number(parsed.port) : parsed ? (parsed.protocol === 'smtps:' ? 465 : 587) : null,
      user: parsed?.username ? decodeURIComponent(parsed.username) : null, password_set: Boolean(parsed?.password),
    },
    dkim: { domain: settings.dkim_domain, selector: settings.dkim_selector, key_set: Boolean(settings.dkim_private_key) },
    rate_per_second: settings.rate_per_second,
    frequency_cap_hours: settings.frequency_cap_hours ?? DEFAULT_FREQUENCY_CAP_HOURS,
    transactional_policy: settings.transactional_policy ?? DEFAULT_TRANSACTIONAL_POLICY,
    pause_after_errors: settings.pause_after_errors ?? DEFAULT_PAUSE_AFTER_ERRORS,
    weekly_cap: settings.weekly_cap ?? 0,
    quiet_hours: {
      enabled: settings.quiet_hours_enabled ?? false,
      start: settings.quiet_hours_start ?? DEFAULT_QUIET_HOURS.start,
      end: settings.quiet_hours_end ?? DEFAULT_QUIET_HOURS.end,
    },
    paused_sources: [...paused].map(([source, pause]) => ({ source, reason: pause.reason, paused_at: pause.at })),
    delivery_webhooks: {
      urls: await services.deliveryReports.webhookUrls(storeId),
      sendgrid_key_set: Boolean(settings.sendgrid_verification_key),
      mailgun_key_set: Boolean(settings.mailgun_signing_key),
    },
    sms: {
      ready: Boolean(settings.sms_account_sid && settings.sms_auth_token && (settings.sms_from || settings.sms_messaging_service_sid)),
      base_url: settings.sms_base_url ?? TWILIO_API, account_sid: settings.sms_account_sid, auth_token_set: Boolean(settings.sms_auth_token),
      from: settings.sms_from, messaging_service_sid: settings.sms_messaging_service_sid, webhook_urls: await services.smsWebhooks.urls(storeId),
    },
    webhook: {
      ready: Boolean(settings.webhook_url && settings.webhook_secret), url: settings.webhook_url, secret_set: Boolean(settings.webhook_secret),
      secret_hint: settings.webhook_secret ? settings.webhook_secret.slice(-4) : null, ...(newSecret && { secret: newSecret }),
      consent: settings.webhook_consent ?? 'email',
    },
  };
}

const httpUrl = (what: string) => z.string().max(2000).url(`must be an http(s) URL of ${what}`).regex(/^https?:\/\//i, `must be an http(s) URL of ${what}`);

export const messageRoutes = [
  route({
    method: 'GET', url: '/api/v1/messages', operationId: 'listMessages', permission: 'read', tag, response: messageListSchema,
    summary: "The store's messages (the send ledger and outbox) with their current state, newest first",
    query: z.object({
      state: z.enum(sendStates).optional(),
      purpose: z.enum(['marketing', 'transactional']).optional(),
      source: z.string().max(200).optional(),
      customer_id: z.coerce.number().int().optional(),
      to: z.string().max(320).optional(),
      cursor: z.string().regex(/^\d+$/, 'must be the next_cursor of a previous page').optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }).strict(),
    handler: async ({ services, storeId, query }) => {
      const rows = await services.messages.list(storeId, {
        limit: query.limit + 1,
        ...(query.state && { state: query.state }), ...(query.purpose && { purpose: query.purpose }), ...(query.source && { source: query.source }),
        ...(query.customer_id !== undefined && { customerId: query.customer_id }), ...(query.to && { to: query.to }),
        ...(query.cursor && { beforeId: Number(query.cursor) }),
      });
      const page = rows.slice(0, query.limit);
      return {
        data: page.map(messageJson),
        next_cursor: rows.length > query.limit ? String(page[page.length - 1]!.id) : null,
        counts: await services.messages.counts(storeId),
      };
    },
  }),
  route({
    method: 'POST', url: '/api/v1/messages', operationId: 'sendMessage', permission: 'write', tag, response: queuedMessageSchema, status: 202, alsoStatus: [200],
    statusDescriptions: { 202: 'Queued for sending', 200: 'The send key was already in the ledger: nothing new was queued' },
    summary: 'Queue one message — an email, an SMS or a webhook message — to a customer or an address (idempotent by send key)',
    body: z.object({
      send_key: z.string().min(1).max(200).optional().meta({ description: 'Default: test:<random>; give one to make retries safe' }),
      channel: z.enum(['email', 'sms', 'webhook']).default('email'),
      purpose: z.enum(['marketing', 'transactional']).default('transactional'),
      customer_id: z.number().int().optional(),
      to: z.string().trim().max(320).optional().meta({ description: 'An email address, or a phone number for an SMS (E.164: +15551234567); a webhook message goes to the store\'s URL' }),
      subject: z.string().min(1).max(998).optional().meta({ description: 'Required for email' }),
      preheader: z.string().max(500).default(''),
      html: z.string().min(1).max(1_000_000).optional().meta({ description: 'Required for email' }),
      text: z.string().max(1_000_000).optional().meta({ description: "The plain-text part; an SMS's body (required for SMS, at most 1,600 characters)" }),
    }).strict().superRefine((b, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      if (b.channel === 'email') {
        if (b.to !== undefined && !email.safeParse(b.to).success) issue('to', 'must be an email address');
        if (b.subject === undefined) issue('subject', 'is required for an email');
        if (b.html === undefined) issue('html', 'is required for an email');
      } else if (b.channel === 'sms') {
        if (!b.text?.trim()) issue('text', 'is the SMS body: required');
        else if (b.text.length > 1600) issue('text', 'an SMS body has at most 1,600 characters');
      } else if (b.text === undefined && b.html === undefined) {
        issue('text', 'give text or html');
      }
      if (b.channel !== 'webhook' && b.customer_id === undefined && b.to === undefined) issue('to', 'give customer_id or to');
    }),
    handler: async ({ services, storeId, body, reply }) => {
      const sendKey = body.send_key ?? testSendKey();
      const target = { sendKey, purpose: body.purpose, customerId: body.customer_id ?? null, to: body.to ?? null };
      const result = body.channel === 'email'
        ? await services.messages.queueEmails(storeId, [{
          ...target, build: () => ({ subject: body.subject!, preheader: body.preheader, html: body.html!, text: body.text ?? textOf(body.html!) }),
        }])
        : await services.messages.queueMessages(storeId, [{
          ...target, channel: body.channel,
          build: () => ({ subject: body.subject ?? '', preheader: body.preheader, text: body.text ?? textOf(body.html ?? ''), ...(body.html && { html: body.html }) }),
        }]);
      const sent = result.sends[0]!;
      const [row] = await services.messages.list(storeId, { limit: 1, beforeId: sent.id + 1 });
      reply.status(sent.created ? 202 : 200);
      return { message: messageJson(row!), created: sent.created };
    },
  }),
  route({
    method: 'POST', url: '/api/v1/messages/resend', operationId: 'resendMessages', permission: 'write', tag, response: resendSchema, status: 202,
    summary: 'Send again messages that are uncertain (they may arrive twice) or failed; all of them, or the ids given',
    body: z.object({
      state: z.enum(['uncertain', 'failed']).default('uncertain'),
      ids: z.array(z.number().int()).min(1).max(10_000).optional(),
    }).strict(),
    errors: [409],
    handler: ({ services, storeId, body }) => services.messages.resend(storeId, { state: body.state, ids: body.ids }),
  }),
  route({
    method: 'GET', url: '/api/v1/messages/:id', operationId: 'getMessage', permission: 'read', tag, response: messageDetailSchema,
    summary: 'One message: its state history, and its content as the SMTP catcher received it (headers, HTML, text) or as queued',
    params: z.object({ id: z.coerce.number().int() }).strict(),
    handler: async ({ services, storeId, params }) => {
      const { send, history, caught } = await services.messages.get(storeId, params.id);
      let content;
      if (caught) {
        const mail = await (await import('mailparser')).simpleParser(caught.raw);
        content = {
          origin: 'received' as const, received_at: caught.received_at,
          headers: mail.headerLines.map((line) => ({ name: line.key, value: line.line.slice(line.line.indexOf(':') + 1).trim() })),
          html: typeof mail.html === 'string' ? mail.html : '', text: mail.text ?? '', payload: null,
        };
      } else if (send.channel !== 'email') {
        const sms = send.channel === 'sms' ? smsSizeOf(send.headers) : null;
        content = {
          origin: 'queued' as const, received_at: null,
          headers: send.channel === 'sms'
            ? [{ name: 'To', value: send.to_address }, { name: 'From', value: send.from_address }, { name: 'Encoding', value: sms!.encoding }, { name: 'Segments', value: String(sms!.segments) }]
            : [{ name: 'URL', value: send.to_address }, { name: 'Idempotency-Key', value: send.send_key }, { name: 'Subject', value: send.subject }],
          html: send.html, text: send.channel === 'sms' ? send.text : '', payload: send.channel === 'webhook' ? send.text : null,
        };
      } else {
        const headers = Object.entries(JSON.parse(send.headers) as Record<string, string>).map(([name, value]) => ({ name, value }));
        content = {
          origin: 'queued' as const, received_at: null,
          headers: [{ name: 'From', value: send.from_address }, { name: 'To', value: send.to_address }, { name: 'Subject', value: send.subject }, ...headers],
          html: send.html, text: send.text, payload: null,
        };
      }
      return { message: messageJson(send), history: history.map((h) => ({ ...h, attempt: h.attempt })), content };
    },
  }),
  route({
    method: 'GET', url: '/api/v1/suppressions', operationId: 'listSuppressions', permission: 'read', tag, response: suppressionListSchema,
    summary: 'Addresses the store never mails, newest first',
    query: z.object({
      reason: z.enum(suppressionReasons).optional(),
      address: z.string().max(320).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      offset: z.coerce.number().int().min(0).default(0),
    }).strict(),
    handler: async ({ services, storeId, query }) => ({
      data: (await services.suppressions.list(storeId, { limit: query.limit, offset: query.offset, ...(query.reason && { reason: query.reason }), ...(query.address && { address: query.address }) })).map(suppressionJson),
    }),
  }),
  route({
    method: 'POST', url: '/api/v1/suppressions', operationId: 'addSuppression', permission: 'write', tag, response: suppressionSchema, status: 201,
    summary: 'Suppress an email address or a phone number (store-wide; replaces its entry if it has one)',
    body: z.object({
      address: z.string().trim().max(320).refine((v) => email.safeParse(v).success || /^\+[1-9]\d{7,14}$/.test(v), 'must be an email address or a phone number in E.164 form (+15551234567)')
        .meta({ description: 'An email address, or a phone number in E.164 form for SMS' }),
      reason: z.enum(suppressionReasons).default('manual'),
      note: z.string().max(500).nullable().optional(),
      expires_at: z.iso.datetime().nullable().optional(),
    }).strict(),
    handler: async ({ services, storeId, body }) => suppressionJson(await services.suppressions.add(storeId, {
      address: body.address, reason: body.reason, note: body.note ?? null, expiresAt: body.expires_at ? new Date(body.expires_at) : null,
    })),
  }),
  route({
    method: 'DELETE', url: '/api/v1/suppressions/:address', operationId: 'removeSuppression', permission: 'write', tag, status: 204,
    summary: "Take an address off the suppression list (its customer's consent is unchanged)",
    params: z.object({ address: z.string().min(1).max(320) }).strict(),
    handler: async ({ services, storeId, params, reply }) => {
      await services.suppressions.remove(storeId, params.address);
      return reply.status(204).send();
    },
  }),
  route({
    method: 'GET', url: '/api/v1/messaging/settings', operationId: 'getMessagingSettings', permission: 'read', tag, response: messagingSettingsSchema,
    summary: "The store's sending settings for email, SMS and the webhook (the SMTP password, DKIM key, SMS auth token and webhook secret are never returned)",
    handler: ({ services, storeId }) => settingsJson(services, storeId),
  }),
  route({
    method: 'PATCH', url: '/api/v1/messaging/settings', operationId: 'updateMessagingSettings', permission: 'owner', tag, response: messagingSettingsSchema,
    summary: "Change the store's sender, SMTP server, DKIM key, frequency caps, quiet hours, transactional policy, auto-pause threshold, SMS provider or webhook URL (a first webhook URL's secret is in this answer only)",
    body: z.object({
      from_address: email.nullable().optional(),
      from_name: z.string().max(200).nullable().optional(),
      reply_to: email.nullable().optional(),
      smtp_url: z.string().regex(/^smtps?:\/\/\S+$/, 'must look like smtp://user:password@host:587').nullable().optional(),
      dkim_domain: z.string().max(253).nullable().optional(),
      dkim_selector: z.string().max(63).nullable().optional(),
      dkim_private_key: z.string().includes('PRIVATE KEY', { message: 'must be a PEM private key' }).nullable().optional(),
      rate_per_second: z.number().int().min(1).max(10_000).nullable().optional(),
      frequency_cap_hours: z.number().int().min(0).max(24 * 90).optional(),
      weekly_cap: z.number().int().min(0).max(100).optional(),
      quiet_hours: z.object({
        enabled: z.boolean().optional(),
        start: z.string().regex(HH_MM, 'must be a time of day HH:MM, e.g. 21:00').optional(),
        end: z.string().regex(HH_MM, 'must be a time of day HH:MM, e.g. 08:00').optional(),
      }).strict().refine((q) => q.start === undefined || q.start !== q.end, { message: 'must differ from start', path: ['end'] }).optional(),
      transactional_policy: z.enum(transactionalPolicies).optional(),
      pause_after_errors: z.number().int().min(1).max(1000).optional(),
      sendgrid_verification_key: z.string().regex(/^[A-Za-z0-9+/=\s-]+$|BEGIN PUBLIC KEY/, 'must be the verification key SendGrid shows (base64)').max(1000).nullable().optional(),
      mailgun_signing_key: z.string().min(8).max(200).nullable().optional(),
      sms_base_url: httpUrl('a Twilio-compatible API').nullable().optional(),
      sms_account_sid: z.string().regex(/^[A-Za-z0-9_-]{2,64}$/, 'must be the account SID (letters and digits)').nullable().optional(),
      sms_auth_token: z.string().min(8).max(200).nullable().optional(),
      sms_from: z.string().trim().regex(/^\+[1-9]\d{7,14}$|^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/, 'must be a number in E.164 form (+15551234567) or an alphanumeric sender id of up to 11 characters').nullable().optional(),
      sms_messaging_service_sid: z.string().regex(/^[A-Za-z0-9_-]{2,64}$/, 'must be the messaging service SID (letters and digits)').nullable().optional(),
      webhook_url: httpUrl('the receiver').nullable().optional(),
      webhook_consent: z.enum(webhookConsents).optional(),
    }).strict(),
    handler: async ({ services, storeId, body }) => {
      const { quiet_hours: quiet, ...rest } = body;
      const changes = Object.fromEntries(Object.entries({
        ...rest, quiet_hours_enabled: quiet?.enabled, quiet_hours_start: quiet?.start, quiet_hours_end: quiet?.end,
      }).filter(([, value]) => value !== undefined));
      // A webhook URL set for the first time gets its signing secret, shown in this answer only.
      const newSecret = body.webhook_url && !(await services.messages.settings(storeId)).webhook_secret ? newWebhookSecret() : undefined;
      if (newSecret) changes.webhook_secret = newSecret;
      if (changes.smtp_url) {
        try {
          new URL(changes.smtp_url as string);
        } catch {
          throw new AppError('validation_failed', 'Invalid body', [{ path: 'smtp_url', reason: 'is not a valid URL' }]);
        }
      }
      await services.messages.updateSettings(storeId, changes);
      return settingsJson(services, storeId, newSecret);
    },
  }),
  route({
    method: 'POST', url: '/api/v1/messaging/webhook-secret', operationId: 'rotateWebhookSecret', permission: 'owner', tag, response: messagingSettingsSchema,
    summary: "Make a new signing secret for the store's webhook messages (shown in this answer only; the old one stops at once)",
    handler: async ({ services, storeId }) => {
      const secret = newWebhookSecret();
      await services.messages.updateSettings(storeId, { webhook_secret: secret });
      return settingsJson(services, storeId, secret);
    },
  }),
  route({
    method: 'POST', url: '/api/v1/messaging/sources/resume', operationId: 'resumeMessageSource', permission: 'write', tag, response: z.strictObject({ queued: z.number().int() }),
    summary: 'Resume a paused batch source (a campaign) and send what it left queued',
    body: z.object({ source: z.string().min(1).max(200) }).strict(),
    handler: ({ services, storeId, body }) => services.messages.resume(storeId, body.source),
  }),
];
