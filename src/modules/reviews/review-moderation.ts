/**
 * Moderation: a review with a flag (a word of the profanity list, a link) waits for a person
 * whatever its rating; a clean one is published at once when the store's threshold allows it.
 */
import type { ReviewFlag, ReviewStatus } from './reviews.table.js';

/**
 * A short list of English swear words, matched as whole words (so "Scunthorpe" and "class" pass).
 * It catches the obvious; a person decides the rest in the moderation queue.
 */
export const PROFANITY = ['fuck', 'fucking', 'fucked', 'shit', 'shitty', 'bullshit', 'bitch', 'cunt', 'asshole', 'arsehole', 'bastard', 'dickhead', 'wanker', 'twat', 'motherfucker', 'crap'] as const;

const profane = new RegExp(`\\b(${PROFANITY.join('|')})\\b`, 'i');
/** A URL, a www. address, or a bare domain name with a common top-level domain. */
const link = /(https?:\/\/|www\.|\b[a-z0-9-]{2,}\.(com|net|org|io|co|info|biz|xyz|ru|cn|top|shop|store|link|click)\b)/i;

export function flagsOf(...texts: (string | null | undefined)[]): ReviewFlag[] {
  const text = texts.filter(Boolean).join('\n');
  const flags: ReviewFlag[] = [];
  if (profane.test(text)) flags.push('profanity');
  if (link.test(text)) flags.push('link');
  return flags;
}

/** The status a new review takes: held when flagged, else published at or above the threshold (null: always held). */
export function initialStatus(rating: number, flags: readonly ReviewFlag[], threshold: number | null): ReviewStatus {
  if (flags.length > 0 || threshold === null) return 'pending';
  return rating >= threshold ? 'published' : 'pending';
}
