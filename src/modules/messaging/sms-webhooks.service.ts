/**
 * What the SMS provider posts back (Twilio's webhooks, form-encoded, signed with
 * `X-Twilio-Signature`; see `sms-transport.ts`):
 * - `POST /webhooks/sms/twilio/<store>/<token>` — a message a customer sent to the store's number.
 *   STOP, STOPALL, UNSUBSCRIBE, CANCEL, END or QUIT (the whole message, any case) unsubscribes the
 *   number from SMS: it goes on the suppression list and every customer with that number gets SMS
 *   consent `unsubscribed` through the commerce writer (a `customer.consent_changed` event, shown on
 *   the profile with the source `sms_stop`). START or UNSTOP subscribes it again; HELP and anything
 *   else change nothing (the provider answers HELP itself). With Twilio's Advanced Opt-Out, its
 *   `OptOutType` (STOP, START, HELP) decides instead, so a store's own keywords count too.
 * - `…/status` — a message's later state: `delivered` appends `sent` with that detail;
 *   `undelivered` and `failed` append `failed` with the error code, and 30003 / 30005 / 30006 /
 *   30004 (unreachable, unknown, landline, blocked) also suppress the number as invalid.
 * The token in the path is derived from the store's signing key; the signature is checked with the
 * store's auth token over the URL as the provider called it (the public URL and the path).
 */
import { timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import type { CommerceService } from '../commerce/index.js';
import type { MessagesService } from './messages.service.js';
import { appendStates } from './sends.repository.js';
import { normalisePhone } from './sms-text.js';
import { SMS_WEBHOOK_PATH, smsWebhookToken, verifyTwilio } from './sms-transport.js';
import { deleteSuppression, getSuppression } from './suppressions.repository.js';
import type { SuppressionsService } from './suppressions.service.js';

const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const START_WORDS = new Set(['START', 'UNSTOP']);
/** Twilio's error codes for a number that cannot receive messages. */
const UNREACHABLE = new Set(['30003', '30004', '30005', '30006']);

export interface SmsWebhookRequest {
  /** The path and query the provider called. */
  url: string;
  body: string;
  signature: string | undefined;
}

export type SmsWebhookOutcome =
  | { kind: 'incoming'; action: 'unsubscribed' | 'subscribed' | 'none'; customers: number }
  | { kind: 'status'; status: string; recorded: boolean };

export class SmsWebhooksService {
  constructor(
    private readonly storage: Storage,
    private readonly deps: () => { messages: MessagesService; suppressions: SuppressionsService; commerce: CommerceService },
    private readonly publicUrl: string,
  ) {}

  async urls(storeId: string): Promise<{ incoming: string; status: string }> {
    const base = `${this.publicUrl}${SMS_WEBHOOK_PATH}${storeId}/${smsWebhookToken(await this.deps().messages.linkKey(storeId))}`;
    return { incoming: base, status: `${base}/status` };
  }

  async receive(kind: 'incoming' | 'status', storeId: string, token: string, request: SmsWebhookRequest): Promise<SmsWebhookOutcome> {
    await this.checkToken(storeId, token);
    const settings = await this.deps().messages.settings(storeId);
    const params = [...new URLSearchParams(request.body)];
    if (!settings.sms_auth_token || !verifyTwilio(settings.sms_auth_token, `${this.publicUrl}${request.url}`, params, request.signature)) {
      throw new AppError('forbidden', 'The X-Twilio-Signature does not match this store\'s auth token');
    }
    const form = new Map(params);
    return kind === 'incoming' ? this.incoming(storeId, form) : this.status(storeId, form);
  }

  private async incoming(storeId: string, form: Map<string, string>): Promise<SmsWebhookOutcome> {
    const word = (form.get('Body') ?? '').trim().toUpperCase();
    // With Advanced Opt-Out, Twilio names the keyword's kind itself (a store's own keywords included).
    const kind = form.get('OptOutType')?.toUpperCase();
    const action = kind === 'STOP' || (!kind && STOP_WORDS.has(word)) ? 'unsubscribed' : kind === 'START' || (!kind && START_WORDS.has(word)) ? 'subscribed' : 'none';
    if (action === 'none') return { kind: 'incoming', action, customers: 0 };
    const from = normalisePhone(form.get('From') ?? '');
    if (!from.ok) throw new AppError('validation_failed', 'Invalid sender', [{ path: 'From', reason: from.reason }]);
    const number = from.e164;
    if (action === 'unsubscribed') {
      await this.deps().suppressions.add(storeId, { address: number, reason: 'unsubscribed', source: 'sms_stop', note: `replied ${word}` });
    } else {
      const listed = await getSuppression(this.storage.read, storeId, number);
      if (listed?.reason === 'unsubscribed') await deleteSuppression(this.storage.write, storeId, number);
    }
    const source = action === 'unsubscribed' ? 'sms_stop' : 'sms_start';
    let changed = 0;
    for (const customer of await this.customersWithNumber(storeId, number)) {
      if (customer.external_id && customer.sms_consent !== action) {
        await this.deps().commerce.writeOne(storeId, 'customers', { external_id: customer.external_id, sms_consent: { status: action, source } }, { source });
        changed += 1;
      }
    }
    return { kind: 'incoming', action, customers: changed };
  }

  /** Customers whose stored phone, read in their country, is this number. */
  private async customersWithNumber(storeId: string, e164: string) {
    const tail = e164.slice(-7);
    const rows = await this.storage.read.selectFrom('customers').select(['external_id', 'phone', 'country', 'sms_consent'])
      .where('store_id', '=', storeId).where(sql`regexp_replace(phone, '[^0-9]', '', 'g')`, 'like', `%${tail}`).execute();
    return rows.filter((row) => {
      const phone = row.phone ? normalisePhone(row.phone, row.country) : null;
      return phone?.ok && phone.e164 === e164;
    });
  }

  private async status(storeId: string, form: Map<string, string>): Promise<SmsWebhookOutcome> {
    const sid = form.get('MessageSid') ?? form.get('SmsSid');
    const status = form.get('MessageStatus') ?? form.get('SmsStatus') ?? '';
    if (!sid) throw new AppError('validation_failed', 'Not a status callback', [{ path: 'MessageSid', reason: 'is required' }]);
    // Only the final states change the ledger; queued, sending and sent are the API's own steps.
    if (!['delivered', 'undelivered', 'failed'].includes(status)) return { kind: 'status', status, recorded: false };
    const send = await this.storage.read.selectFrom('message_send_states as st')
      .innerJoin('message_sends as s', (join) => join.onRef('s.id', '=', 'st.send_id').onRef('s.store_id', '=', 'st.store_id'))
      .select(['s.id', 's.to_address', 'st.attempt'])
      .where('st.store_id', '=', storeId).where('s.channel', '=', 'sms').where('st.provider_message_id', '=', sid)
      .orderBy('st.seq', 'desc').limit(1).executeTakeFirst();
    if (!send) return { kind: 'status', status, recorded: false };
    const errorCode = form.get('ErrorCode') ?? '';
    const already = await this.storage.read.selectFrom('message_send_states').select('seq')
      .where('store_id', '=', storeId).where('send_id', '=', send.id).where('detail', '=', statusDetail(status, errorCode)).executeTakeFirst();
    if (already) return { kind: 'status', status, recorded: false };
    const sendId = Number(send.id);
    if (status === 'delivered') {
      await appendStates(this.storage.write, [{ storeId, sendId, state: 'sent', reason: 'delivered', detail: statusDetail(status, errorCode), providerMessageId: sid, attempt: send.attempt }]);
    } else {
      const unreachable = UNREACHABLE.has(errorCode);
      await appendStates(this.storage.write, [{ storeId, sendId, state: 'failed', reason: unreachable ? 'invalid_address' : status, detail: statusDetail(status, errorCode), providerMessageId: sid, attempt: send.attempt }]);
      if (unreachable) await this.deps().suppressions.add(storeId, { address: send.to_address, reason: 'invalid_address', source: 'sms_status', note: `error ${errorCode}` });
    }
    return { kind: 'status', status, recorded: true };
  }

  private async checkToken(storeId: string, token: string): Promise<void> {
    const missing = new AppError('not_found', 'No such webhook');
    const store = await this.storage.read.selectFrom('stores').select('id').where('id', '=', storeId).executeTakeFirst();
    if (!store) throw missing;
    const expected = Buffer.from(smsWebhookToken(await this.deps().messages.linkKey(storeId)));
    const given = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw missing;
  }
}

const statusDetail = (status: string, errorCode: string) => `status callback: ${status}${errorCode ? ` (error ${errorCode})` : ''}`;
