/**
 * Segment `identify` traits (https://segment.com/docs/connections/spec/identify/#traits) mapped to
 * a customer. Known traits fill the customer's columns; everything else (birthday, the full
 * address, custom traits) is kept as attributes.
 */
import { parseInstant } from '../../lib/time.js';
import type { CustomerInput } from '../commerce/index.js';

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** Traits that become columns (in either Segment's camelCase or snake_case), not attributes. */
const columnTraits = new Set(['email', 'name', 'firstName', 'first_name', 'lastName', 'last_name', 'phone', 'createdAt', 'created_at',
  'accepts_marketing', 'acceptsMarketing', 'tags', 'id']);

export function customerFromTraits(userId: string, traits: Obj): CustomerInput {
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
  const attributes = Object.fromEntries(Object.entries(traits).filter(([key]) => !columnTraits.has(key)));
  if (Object.keys(attributes).length > 0) customer.attributes = attributes;
  return customer;
}
