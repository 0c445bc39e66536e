/**
 * Segment `identify` traits (https://segment.com/docs/connections/spec/identify/#traits) mapped to
 * a customer. Known traits fill the customer's columns; everything else (birthday, the full
 * address, custom traits) is kept as attributes.
 */
import { isCalendarDay, isTimeZone, parseInstant } from '../../lib/time.js';
import { isLanguageTag, type ConsentInput, type CustomerInput } from '../commerce/index.js';
import { consentStatuses, type ConsentStatus } from '../customers/index.js';

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** Traits that become columns (in either Segment's camelCase or snake_case), not attributes. */
const columnTraits = new Set(['email', 'name', 'firstName', 'first_name', 'lastName', 'last_name', 'phone', 'createdAt', 'created_at',
  'accepts_marketing', 'acceptsMarketing', 'tags', 'id', 'email_consent', 'sms_consent']);

/** `birthday` as a calendar day: YYYY-MM-DD, or the day of an ISO date-time (Segment sends dates as ISO strings). */
function birthdayOf(value: unknown): string | undefined {
  const day = typeof value === 'string' ? value.trim().slice(0, 10) : undefined;
  return day && /^\d{4}-\d{2}-\d{2}$/.test(day) && isCalendarDay(day) ? day : undefined;
}

/** `email_consent` / `sms_consent` traits: a status, or `{ status, at }`; the source is the message's. */
function consentTrait(value: unknown): ConsentInput | undefined {
  const status = typeof value === 'string' ? value : isObject(value) && typeof value.status === 'string' ? value.status : undefined;
  if (!status || !(consentStatuses as readonly string[]).includes(status)) return undefined;
  const at = isObject(value) && typeof value.at === 'string' ? parseInstant(value.at) : undefined;
  return { status: status as ConsentStatus, ...(at && { at }) };
}

/**
 * `context`: the message's context, for the browser's time zone and locale when the traits name none
 * (analytics.js sets `context.timezone` and `context.locale`).
 */
export function customerFromTraits(userId: string, traits: Obj, context: Obj = {}): CustomerInput {
  const customer: CustomerInput = { external_id: userId };
  const email = text(traits.email);
  if (email) customer.email = email;
  let first = text(traits.firstName) ?? text(traits.first_name);
  let last = text(traits.lastName) ?? text(traits.last_name);
  const name = text(traits.name);
  if (name && !first && !last) {
    const space = name.indexOf(' ');
    first = space > 0 ? name.slice(0, space) : name;
    last = space > 0 ? name.slice(space + 1).trim() || undefined : undefined;
  }
  if (first) customer.first_name = first;
  if (last) customer.last_name = last;
  const phone = text(traits.phone);
  if (phone) customer.phone = phone;
  if (isObject(traits.address)) {
    const country = text(traits.address.country);
    const city = text(traits.address.city);
    if (country) customer.country = country;
    if (city) customer.city = city;
  }
  const marketing = traits.accepts_marketing ?? traits.acceptsMarketing;
  if (typeof marketing === 'boolean') customer.accepts_marketing = marketing;
  if (Array.isArray(traits.tags) && traits.tags.every((tag) => typeof tag === 'string')) customer.tags = traits.tags as string[];
  const created = text(traits.createdAt) ?? text(traits.created_at);
  const createdAt = created ? parseInstant(created) : undefined;
  if (createdAt) customer.created_at = createdAt;
  const email_consent = consentTrait(traits.email_consent);
  if (email_consent) customer.email_consent = email_consent;
  const sms_consent = consentTrait(traits.sms_consent);
  if (sms_consent) customer.sms_consent = sms_consent;
  // Known shapes become columns; anything else stays an attribute as sent.
  const used = new Set(columnTraits);
  const birthday = birthdayOf(traits.birthday);
  if (birthday) {
    customer.birthday = birthday;
    used.add('birthday');
  }
  const language = [traits.language, traits.locale, context.locale].find((v): v is string => typeof v === 'string' && isLanguageTag(v));
  if (language) customer.language = language.trim();
  for (const key of ['language', 'locale']) if (traits[key] === language) used.add(key);
  const timezone = [traits.timezone, traits.time_zone, context.timezone].find((v): v is string => typeof v === 'string' && isTimeZone(v));
  if (timezone) customer.timezone = timezone;
  for (const key of ['timezone', 'time_zone']) if (traits[key] === timezone) used.add(key);
  const attributes = Object.fromEntries(Object.entries(traits).filter(([key]) => !used.has(key)));
  if (Object.keys(attributes).length > 0) customer.attributes = attributes;
  return customer;
}
