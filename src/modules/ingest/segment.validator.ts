/**
 * Checks one Segment-spec message (track, page, screen, identify, group, alias) and turns it into
 * the normalised shape the pipeline stores. Expected outcomes are values: `ok` with the message,
 * or `reject` with the field path and the reason. Nothing here throws on any input.
 */
import { randomUUID } from 'node:crypto';
import { parseInstant } from '../../lib/time.js';
import type { EventType } from '../events/index.js';

/** Segment's limits: 32 KB per event, 500 KB per batch. */
export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;
const MAX_ID = 255;
const MAX_NAME = 200;
const MAX_URL = 2048;
/** A client clock may run ahead; beyond this a timestamp is a bug, not skew. */
const FUTURE_TOLERANCE_MS = 24 * 3_600_000;

export const eventTypes: readonly EventType[] = ['track', 'page', 'screen', 'identify', 'group', 'alias'];

export type IngestSource = 'segment' | 'rudderstack' | 'snippet' | 'api' | 'shopify';

export interface NormalMessage {
  type: EventType;
  messageId: string;
  /** False when the sender gave no messageId (one was generated; retries cannot be recognised). */
  messageIdGiven: boolean;
  userId: string | null;
  anonymousId: string | null;
  /** Track: the event name; page/screen: the page name. */
  name: string | null;
  /** Track/page/screen properties; identify/group traits; alias `{ previousId }`. */
  properties: Record<string, unknown>;
  context: Record<string, unknown>;
  url: string | null;
  sessionId: string | null;
  previousId: string | null;
  groupId: string | null;
  occurredAt: Date;
  source: IngestSource;
}

export type Validated = { ok: true; message: NormalMessage } | { ok: false; path: string; reason: string };

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const reject = (path: string, reason: string): Validated => ({ ok: false, path, reason });

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Strings DuckDB and JSON consumers can hold: well-formed Unicode, no NUL. */
function cleanText(value: string): boolean {
  return !loneSurrogate.test(value) && !value.includes('\u0000');
}

/** Ids may be strings or numbers (many clients send numeric user ids); stored as text. */
function readId(message: Obj, field: string): { value: string | null } | { error: string } {
  const raw = message[field];
  if (raw === undefined || raw === null || raw === '') return { value: null };
  if (typeof raw === 'number' && Number.isFinite(raw)) return { value: String(raw) };
  if (typeof raw !== 'string') return { error: 'must be a string' };
  const value = raw.trim();
  if (value === '') return { value: null };
  if (value.length > MAX_ID) return { error: `must be at most ${MAX_ID} characters` };
  if (!cleanText(value)) return { error: 'contains invalid characters' };
  return { value };
}

function readText(message: Obj, field: string, max: number): { value: string | null } | { error: string } {
  const raw = message[field];
  if (raw === undefined || raw === null) return { value: null };
  if (typeof raw !== 'string') return { error: 'must be a string' };
  if (raw.length > max) return { error: `must be at most ${max} characters` };
  if (!cleanText(raw)) return { error: 'contains invalid characters' };
  return { value: raw };
}

function readTime(message: Obj, field: string): { value: Date | null } | { error: string } {
  const raw = message[field];
  if (raw === undefined || raw === null) return { value: null };
  const date = typeof raw === 'string' ? parseInstant(raw) : undefined;
  if (!date) return { error: 'must be an ISO-8601 date-time' };
  if (date.getUTCFullYear() < 1970) return { error: 'must not be before 1970' };
  return { value: date };
}

/** Which client sent the message, from the library it names. */
export function sourceOf(context: Obj, message: Obj): IngestSource {
  const library = isObject(context.library) && typeof context.library.name === 'string' ? context.library.name : '';
  if (library === 'hearth.js') return 'snippet';
  if (library.startsWith('@segment/') || library.startsWith('analytics.js')) return 'segment';
  if (/rudder/i.test(library) || isObject(message._metadata) || (library === 'analytics-node' && message.channel === 'server')) return 'rudderstack';
  return 'api';
}

export interface ValidateOptions {
  /** The type implied by the route (`/v1/track`), when the message does not say. */
  type?: EventType;
  receivedAt: Date;
  /** The batch's `sentAt`, used to correct client clock skew when a message has no `timestamp`. */
  batchSentAt?: unknown;
  /** Batch-level context merged under each message's own. */
  batchContext?: unknown;
  /**
   * Bytes of the request body the message came in. When the whole body is within the per-event
   * limit, no event in it can exceed the limit as sent, and the events are not re-serialised to
   * measure them.
   */
  bodyBytes?: number;
}

export function validateMessage(raw: unknown, options: ValidateOptions): Validated {
  if (!isObject(raw)) return reject('', 'must be a JSON object');
  if (options.bodyBytes === undefined || options.bodyBytes > MAX_EVENT_BYTES) {
    let size: number;
    try {
      size = Buffer.byteLength(JSON.stringify(raw));
    } catch {
      return reject('', 'cannot be serialised as JSON');
    }
    if (size > MAX_EVENT_BYTES) return reject('', `is ${size} bytes; an event may be at most ${MAX_EVENT_BYTES} bytes (32 KB)`);
  }

  const type = raw.type ?? options.type;
  if (typeof type !== 'string' || !eventTypes.includes(type as EventType)) return reject('type', `must be one of ${eventTypes.join(', ')}`);
  if (options.type && type !== options.type) return reject('type', `must be "${options.type}" on this endpoint`);

  const ids: Record<string, string | null> = {};
  for (const field of ['userId', 'anonymousId', 'messageId', 'previousId', 'groupId']) {
    const id = readId(raw, field);
    if ('error' in id) return reject(field, id.error);
    ids[field] = id.value;
  }
  if (!ids.userId && !ids.anonymousId) return reject('userId', 'userId or anonymousId is required');

  for (const field of ['properties', 'traits', 'context', 'integrations']) {
    if (raw[field] !== undefined && raw[field] !== null && !isObject(raw[field])) return reject(field, 'must be an object');
  }
  const ownContext = isObject(raw.context) ? raw.context : {};
  const context: Obj = isObject(options.batchContext) ? { ...options.batchContext, ...ownContext } : ownContext;

  let name: string | null = null;
  let properties: Obj = isObject(raw.properties) ? raw.properties : {};
  if (type === 'track') {
    const event = readText(raw, 'event', MAX_NAME);
    if ('error' in event) return reject('event', event.error);
    if (!event.value?.trim()) return reject('event', 'is required for track');
    name = event.value.trim();
  } else if (type === 'page' || type === 'screen') {
    const pageName = readText(raw, 'name', MAX_NAME);
    if ('error' in pageName) return reject('name', pageName.error);
    name = pageName.value;
  } else if (type === 'identify' || type === 'group') {
    const contextTraits = isObject(context.traits) ? context.traits : {};
    properties = isObject(raw.traits) ? raw.traits : type === 'identify' ? contextTraits : {};
    if (type === 'group' && !ids.groupId) return reject('groupId', 'is required for group');
    if (type === 'identify' && !ids.userId && Object.keys(properties).length === 0) return reject('traits', 'identify needs a userId or traits');
  } else if (type === 'alias') {
    if (!ids.previousId) return reject('previousId', 'is required for alias');
    if (!ids.userId) return reject('userId', 'is required for alias');
    properties = { previousId: ids.previousId };
  }
  if (type === 'group') properties = { ...properties, groupId: ids.groupId };

  const times: Record<string, Date | null> = {};
  for (const field of ['timestamp', 'originalTimestamp', 'sentAt']) {
    const time = readTime(raw, field);
    if ('error' in time) return reject(field, time.error);
    times[field] = time.value;
  }
  const batchSentAt = () => (typeof options.batchSentAt === 'string' ? parseInstant(options.batchSentAt) ?? null : null);
  const occurredAt = occurredAtOf(times.timestamp ?? null, times.originalTimestamp ?? null, times.sentAt ?? null, batchSentAt, options.receivedAt);
  if (occurredAt.getTime() > options.receivedAt.getTime() + FUTURE_TOLERANCE_MS) return reject(times.timestamp ? 'timestamp' : 'originalTimestamp', 'is more than a day in the future');

  const page = isObject(context.page) ? context.page : {};
  const urlValue = typeof properties.url === 'string' ? properties.url : typeof page.url === 'string' ? page.url : null;
  const url = urlValue && urlValue.length <= MAX_URL && cleanText(urlValue) ? urlValue : null;
  const session = context.sessionId ?? properties.session_id;
  const sessionId = (typeof session === 'string' || typeof session === 'number') && String(session).length <= MAX_ID && cleanText(String(session)) ? String(session) : null;

  return {
    ok: true,
    message: {
      type: type as EventType,
      messageId: ids.messageId ?? `hearth-${randomUUID()}`,
      messageIdGiven: ids.messageId !== null,
      userId: ids.userId ?? null,
      anonymousId: ids.anonymousId ?? null,
      name,
      properties,
      context,
      url,
      sessionId,
      previousId: ids.previousId ?? null,
      groupId: ids.groupId ?? null,
      occurredAt,
      source: sourceOf(context, raw),
    },
  };
}

/**
 * When the event happened. An explicit `timestamp` wins; otherwise the client's clock is corrected
 * by the gap between its `sentAt` and our receipt, as Segment does:
 * timestamp = receivedAt − (sentAt − originalTimestamp).
 */
function occurredAtOf(timestamp: Date | null, original: Date | null, ownSentAt: Date | null, batchSentAt: () => Date | null, receivedAt: Date): Date {
  if (timestamp) return timestamp;
  const sentAt = original ? ownSentAt ?? batchSentAt() : null;
  if (original && sentAt) return new Date(receivedAt.getTime() - (sentAt.getTime() - original.getTime()));
  return original ?? receivedAt;
}
