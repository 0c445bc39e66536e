/** The links of one message (unsubscribe, preferences, view in browser), each with its signed token. */
import type { MessageLinks } from './message.types.js';
import { signToken, type TokenClaims } from './unsubscribe.token.js';

/** Where the hosted pages live: /u/<token> (unsubscribe and preferences), /m/<token> (the message). */
export const UNSUBSCRIBE_PATH = '/u/';
export const VIEW_PATH = '/m/';

export function linksFor(publicUrl: string, key: Buffer, recipient: Omit<TokenClaims, 'kind'>): MessageLinks {
  const unsubscribe = `${publicUrl}${UNSUBSCRIBE_PATH}${signToken(key, { kind: 'u', ...recipient })}`;
  return {
    unsubscribe_url: unsubscribe,
    preferences_url: unsubscribe,
    view_in_browser_url: `${publicUrl}${VIEW_PATH}${signToken(key, { kind: 'v', ...recipient })}`,
  };
}

/** RFC 8058 headers: an https (or http on a local install) URL that takes a one-click POST, and a mailto. */
export function listUnsubscribeHeaders(links: MessageLinks, mailbox: string): Record<string, string> {
  return {
    'List-Unsubscribe': `<${links.unsubscribe_url}>, <mailto:${mailbox}?subject=unsubscribe>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

/** `"Name" <address>` with the name's quotes and line breaks removed. */
export function formatSender(address: string, name: string | null): string {
  const clean = name?.replace(/["\\\r\n<>]/g, '').trim();
  return clean ? `"${clean}" <${address}>` : address;
}

/** The address of `"Name" <address>` or of a bare address. */
export const addressOf = (sender: string): string => /<([^>]+)>\s*$/.exec(sender)?.[1] ?? sender;
