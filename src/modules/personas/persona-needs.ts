/**
 * What a persona needs from the store and what it responds to, derived by fixed rules from the
 * traits that set it apart (features at least NOTABLE standard deviations from the store's mean).
 * A buyer persona names "the needs, motivators and expectations" of an archetype, not only its
 * numbers; these rules turn each trait into one need and one lever a marketer can pull
 * (docs/segments.md lists them). Strongest traits first; at most four of each.
 */
import type { FeatureContrast } from './persona-describe.js';

interface Rule {
  need: string;
  motivator: string;
}

const HIGH: Record<string, Rule> = {
  discount_share: { need: 'a reason to buy now that feels like a good deal', motivator: 'offers, sale alerts and price-drop emails' },
  price_level: { need: 'confidence that the quality is worth the price', motivator: 'new arrivals, premium ranges and detailed product stories' },
  holiday_share: { need: 'gift ideas and delivery dates in time for the holidays', motivator: 'reminders before the season (early November) and gift guides' },
  return_rate: { need: 'to get the fit or choice right the first time', motivator: 'size and fit guidance, reviews on fit, easy exchanges' },
  views_per_order: { need: 'help comparing products before deciding', motivator: 'reviews, comparisons and back-in-stock alerts' },
  order_gap_days: { need: 'a nudge when it is time to come back', motivator: 'reminders timed to their usual gap and seasonal inspiration' },
  aov: { need: 'reassurance on a big purchase', motivator: 'free shipping, warranties and bundles' },
  orders: { need: 'recognition for coming back', motivator: 'loyalty points, VIP tiers and thank-you perks' },
  revenue: { need: 'service that matches what they spend', motivator: 'VIP service and early access' },
  recency_days: { need: 'a reason to return after a long time away', motivator: 'a win-back message with what is new' },
};

const LOW: Record<string, Rule> = {
  discount_share: { need: 'the product itself, not a deal', motivator: 'early access and new arrivals rather than discounts' },
  price_level: { need: 'good value for money', motivator: 'value picks, multipacks and bundles' },
  return_rate: { need: 'more of what already works for them', motivator: 'recommendations like past purchases' },
  views_per_order: { need: 'a fast path to buy again', motivator: 'one-click reorder links and saved carts' },
  order_gap_days: { need: 'not to run out', motivator: 'replenishment reminders and subscriptions' },
  aov: { need: 'small, easy add-ons', motivator: 'free-shipping thresholds and add-on suggestions' },
  orders: { need: 'a reason to come back after the first order', motivator: 'post-purchase follow-up and a second-order incentive' },
  recency_days: { need: 'to keep the momentum of a recent purchase', motivator: 'post-purchase tips and cross-sell' },
};

const CHANNEL: Record<string, Rule> = {
  email: { need: 'news where they already read it', motivator: 'the newsletter and personalised emails' },
  social: { need: 'inspiration from people they follow', motivator: 'social content, creators and user photos' },
  referral: { need: 'trust from people they know', motivator: 'referral rewards for them and their friends' },
  paid_search: { need: 'to find the store again when they search', motivator: 'search retargeting and an email sign-up' },
};

function ruleFor(c: FeatureContrast): Rule | undefined {
  const [kind, name] = c.key.split(':');
  if (kind === 'category' && name && c.z > 0) return { need: `news and advice about ${name}`, motivator: `recommendations and launches in ${name}` };
  if (kind === 'channel' && name && c.z > 0) return CHANNEL[name] ?? { need: `to hear from the store on ${name}`, motivator: `messages through ${name}` };
  return (c.z > 0 ? HIGH : LOW)[c.key];
}

/** Needs and motivators from a persona's notable traits, strongest first. */
export function needsAndMotivators(notable: FeatureContrast[]): { needs: string[]; motivators: string[] } {
  const z = (key: string) => notable.find((c) => c.key === key)?.z ?? 0;
  const rules: Rule[] = [];
  // Premium buyers who come back often are the store's VIPs: early access and personal service,
  // before anything the single traits suggest.
  if (z('price_level') > 0 && (z('orders') > 0 || z('order_gap_days') < 0 || z('revenue') > 0)) {
    rules.push({ need: 'to feel recognised as a valued customer', motivator: 'early access, VIP service and personal recommendations' });
  }
  for (const c of notable) {
    const rule = ruleFor(c);
    if (rule) rules.push(rule);
  }
  if (!rules.length) rules.push({ need: 'relevant products without noise', motivator: 'personalised recommendations' });
  const unique = (items: string[]) => [...new Set(items)].slice(0, 4);
  return { needs: unique(rules.map((r) => r.need)), motivators: unique(rules.map((r) => r.motivator)) };
}
