/**
 * Tagging a ticket's topic from its text by keyword rules: the store's own rules first, then the
 * built-in ones. A rule matches when one of its keywords appears as whole words (case and accents
 * ignored). "Where is my order?" (WISMO) is the topic the order-status page answers.
 */
import { z } from 'zod';

export const WISMO_TOPIC = 'where_is_my_order';

export const topicRuleSchema = z.strictObject({
  topic: z.string().trim().min(1).max(60).regex(/^[a-z0-9_]+$/, 'lower-case letters, digits and _'),
  keywords: z.array(z.string().trim().min(2).max(80)).min(1).max(100),
});
export type TopicRule = z.infer<typeof topicRuleSchema>;

export const BUILT_IN_TOPIC_RULES: readonly TopicRule[] = [
  { topic: WISMO_TOPIC, keywords: ['where is my order', 'where is my package', 'where is my parcel', 'has not arrived', "hasn't arrived", 'not arrived', 'not received', 'tracking', 'track my order', 'order status', 'when will my order', 'still waiting', 'delivery date', 'shipped yet', 'wismo'] },
  { topic: 'returns', keywords: ['return', 'refund', 'exchange', 'send it back', 'money back'] },
  { topic: 'damaged', keywords: ['damaged', 'broken', 'defective', 'faulty', 'cracked', 'wrong item'] },
  { topic: 'billing', keywords: ['charged', 'charge', 'invoice', 'payment', 'double charged', 'receipt'] },
  { topic: 'cancellation', keywords: ['cancel', 'cancellation'] },
  { topic: 'address_change', keywords: ['change my address', 'wrong address', 'shipping address'] },
];

function normalise(text: string): string {
  return ` ${text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[’`]/g, "'").replace(/[^a-z0-9']+/g, ' ')} `;
}

/** The first rule whose keyword appears in the text, or null. */
export function topicOf(text: string, rules: readonly TopicRule[] = []): string | null {
  const haystack = normalise(text);
  for (const rule of [...rules, ...BUILT_IN_TOPIC_RULES]) {
    if (rule.keywords.some((k) => haystack.includes(normalise(k)))) return rule.topic;
  }
  return null;
}
