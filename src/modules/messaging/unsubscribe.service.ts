/**
 * One-click unsubscribe (RFC 8058) and the preference page behind a message's signed link. An
 * unsubscribe changes the customer's email consent through the commerce writer (so it is recorded
 * as a `customer.consent_changed` event with source `unsubscribe` and shows on the profile) and
 * puts the address on the store's suppression list (which also covers mail to bare addresses).
 * Doing it twice changes nothing. The page also lists the store's email topics: dropping one stops
 * only that topic's marketing email (see topics.service.ts).
 */
import type { Storage } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import type { CommerceService } from '../commerce/index.js';
import { readToken, tokenKey, verifyToken, type TokenClaims } from './unsubscribe.token.js';
import { getSuppression, upsertSuppression } from './suppressions.repository.js';
import { bodiesByIds } from './sends.repository.js';
import { loadSettings } from './message-settings.repository.js';
import type { TopicChoice, TopicsService } from './topics.service.js';

export const PAUSE_DAYS = 30;

export interface Recipient {
  claims: TokenClaims;
  storeName: string;
  /** unsubscribed, paused (until), or subscribed. */
  status: { kind: 'subscribed' } | { kind: 'unsubscribed' } | { kind: 'paused'; until: Date };
  /** The store's topics with the recipient's choice for each. */
  topics: TopicChoice[];
  /** The topic of the message the link came in, if it had one. */
  messageTopic: string | null;
}

export class UnsubscribeService {
  constructor(
    private readonly storage: Storage,
    /** The one commerce writer (looked up late, as services are built together). */
    private readonly commerce: () => CommerceService,
    private readonly secret: string | undefined,
    private readonly topics: () => TopicsService,
  ) {}

  /** The recipient a link names, once its signature is checked; a bad or forged link is a 404. */
  async recipient(token: string, kind: 'u' | 'v' = 'u'): Promise<Recipient> {
    const claims = readToken(token);
    const invalid = new AppError('not_found', 'This link is not valid. It may have been copied incompletely.');
    if (!claims || claims.kind !== kind) throw invalid;
    const store = await this.storage.read.selectFrom('stores').select(['id', 'name']).where('id', '=', claims.storeId).executeTakeFirst();
    if (!store) throw invalid;
    const settings = await loadSettings(this.storage.write, this.storage.read, store.id);
    if (!verifyToken(tokenKey(settings.signing_key, this.secret), token)) throw invalid;
    const suppression = claims.address ? await getSuppression(this.storage.read, store.id, claims.address) : undefined;
    const status: Recipient['status'] = suppression?.reason === 'unsubscribed'
      ? { kind: 'unsubscribed' }
      : suppression?.reason === 'paused' && suppression.expires_at && suppression.expires_at > new Date()
        ? { kind: 'paused', until: suppression.expires_at }
        : { kind: 'subscribed' };
    const topics = claims.address ? await this.topics().choicesOf(store.id, claims.address) : [];
    const send = await this.storage.read.selectFrom('message_sends').select('topic_id')
      .where('store_id', '=', store.id).where('send_key', '=', claims.sendKey).executeTakeFirst();
    return { claims, storeName: store.name, status, topics, messageTopic: send?.topic_id ?? null };
  }

  /**
   * Keeps the topics in `kept` and drops the others among `shown` (the ones the page listed: a
   * topic added since is left as it was). A change is recorded with the link's message.
   */
  async chooseTopics(token: string, shown: readonly string[], kept: readonly string[]): Promise<Recipient> {
    const recipient = await this.recipient(token);
    const { storeId, customerId, address, sendKey } = recipient.claims;
    if (!address || recipient.status.kind === 'unsubscribed') return recipient;
    const wanted = new Map(shown.map((id) => [id, kept.includes(id)] as const));
    await this.topics().choose(storeId, { address, customerId, sendKey }, wanted, 'preferences');
    return { ...recipient, topics: await this.topics().choicesOf(storeId, address) };
  }

  /** Unsubscribes the link's recipient from marketing email at once. */
  async unsubscribe(token: string): Promise<Recipient> {
    const recipient = await this.recipient(token);
    const { storeId, customerId, address } = recipient.claims;
    if (customerId !== null) {
      const customer = await this.storage.read.selectFrom('customers').select(['external_id', 'email_consent'])
        .where('store_id', '=', storeId).where('id', '=', customerId).executeTakeFirst();
      if (customer?.external_id && customer.email_consent !== 'unsubscribed') {
        await this.commerce().writeOne(storeId, 'customers', { external_id: customer.external_id, email_consent: { status: 'unsubscribed', source: 'unsubscribe' } }, { source: 'unsubscribe' });
      }
    }
    if (address && recipient.status.kind !== 'unsubscribed') {
      await upsertSuppression(this.storage.write, { store_id: storeId, address, reason: 'unsubscribed', source: 'unsubscribe', note: null, expires_at: null, created_at: new Date() });
    }
    return { ...recipient, status: { kind: 'unsubscribed' } };
  }

  /** Pauses marketing email to the link's recipient for 30 days (an unsubscribe stays an unsubscribe). */
  async pause(token: string): Promise<Recipient> {
    const recipient = await this.recipient(token);
    if (recipient.status.kind === 'unsubscribed' || !recipient.claims.address) return recipient;
    const until = new Date(Date.now() + PAUSE_DAYS * 86_400_000);
    await upsertSuppression(this.storage.write, { store_id: recipient.claims.storeId, address: recipient.claims.address, reason: 'paused', source: 'preferences', note: null, expires_at: until, created_at: new Date() });
    return { ...recipient, status: { kind: 'paused', until } };
  }

  /** The message a view-in-browser link names, as it was rendered for that recipient. */
  async viewed(token: string): Promise<{ subject: string; html: string }> {
    const { claims } = await this.recipient(token, 'v');
    const send = await this.storage.read.selectFrom('message_sends').select(['id', 'subject'])
      .where('store_id', '=', claims.storeId).where('send_key', '=', claims.sendKey).executeTakeFirst();
    const body = send && (await bodiesByIds(this.storage.read, claims.storeId, [Number(send.id)])).get(Number(send.id));
    if (!send || !body) throw new AppError('not_found', 'This message is no longer available.');
    return { subject: send.subject, html: body.html };
  }
}
