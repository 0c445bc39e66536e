/**
 * Plain words for a persona, from the features that set it apart: those whose mean (in the
 * standardised space the clustering used) is furthest from the store's mean. Every figure in the
 * text is the persona's own mean beside the store's, so a reader can check the words against them.
 * Needs and motivators follow from the same traits by fixed rules (persona-needs.ts).
 */
import { formatMoney } from '../../lib/money.js';
import { clusterWeights, type FeatureDef } from './persona-features.js';
import { needsAndMotivators } from './persona-needs.js';

export interface FeatureContrast {
  key: string;
  label: string;
  /** Persona mean and store mean, in natural units (for a partial feature: over the buyers it is known for). */
  persona: number;
  store: number;
  /** Standardised difference (persona mean of z-scores). */
  z: number;
  /** Share of the persona's members the feature is known for (below 1 only for the days between orders). */
  coverage: number;
  /** False for the describing features (recency, orders, spend), which the clustering does not use. */
  clustered: boolean;
}

/** How far (in standard deviations) a feature must stand out to be named. */
export const NOTABLE = 0.35;

const words: Record<string, { high: string; low: string }> = {
  recency_days: { high: 'lapsed', low: 'recently active' },
  orders: { high: 'loyal repeat', low: 'one-off' },
  revenue: { high: 'high-spending', low: 'low-spending' },
  aov: { high: 'big-basket', low: 'small-basket' },
  price_level: { high: 'premium', low: 'value' },
  discount_share: { high: 'bargain-driven', low: 'full-price' },
  return_rate: { high: 'return-prone', low: 'keep-what-they-buy' },
  holiday_share: { high: 'seasonal gift', low: 'year-round' },
  order_gap_days: { high: 'occasional', low: 'frequent' },
  views_per_order: { high: 'research-heavy', low: 'quick-deciding' },
};

function wordFor(contrast: FeatureContrast): string {
  const known = words[contrast.key];
  const high = contrast.z > 0;
  if (known) return high ? known.high : known.low;
  const [kind, name] = contrast.key.split(':');
  if (kind === 'category') return high ? `${name}-loving` : `rarely-${name}`;
  if (kind === 'channel') return high ? `${name}-first` : `rarely-${name}`;
  return contrast.label;
}

function figure(def: FeatureDef, value: number, currency: string): string {
  switch (def.unit) {
    case 'share': return `${Math.round(value * 100)}%`;
    case 'money': return formatMoney(Math.round(value), currency);
    case 'days': return `${Math.round(value)} days`;
    case 'per_customer': return value.toFixed(2);
    case 'ratio': return `${value.toFixed(2)}×`;
    default: return value < 10 ? value.toFixed(1) : String(Math.round(value));
  }
}

function fact(def: FeatureDef, c: FeatureContrast, currency: string): string {
  const mine = figure(def, c.persona, currency);
  const all = figure(def, c.store, currency);
  switch (def.key) {
    case 'recency_days': return `last order ${mine} ago on average (store: ${all})`;
    case 'orders': return `${mine} orders each (store: ${all})${c.z < 0 ? ', low repeat' : ''}`;
    case 'revenue': return `${mine} spent each (store: ${all})`;
    case 'aov': return `average order ${mine} (store: ${all})`;
    case 'price_level': return `items at ${mine} the category's median price (store: ${all})`;
    case 'return_rate': return `${mine} returns per order (store: ${all})`;
    case 'order_gap_days': return `${mine} between orders for those who came back (store: ${all})`;
    case 'views_per_order': return `${mine} product views per order (store: ${all})`;
    default: return `${mine} of ${def.label} (store: ${all})`;
  }
}

export interface PersonaWords {
  name: string;
  description: string;
  /** The features named, strongest first. */
  distinguishing: FeatureContrast[];
  /** Each feature's figure beside the store's, in words ("average order $180.73 (store: $141.01)"), by key. */
  facts: Map<string, string>;
  needs: string[];
  motivators: string[];
}

/**
 * A trait is named only when its figures show it too: the z-scores are on a log scale for counts,
 * money and ratios, where a long tail can make a small difference in the plain means look large
 * ("frequent": 85 days between orders against the store's 93). The plain means must point the same
 * way and differ by 5 points for a share, or by 10 % otherwise.
 */
function visible(c: FeatureContrast, def: FeatureDef): boolean {
  if (Math.sign(c.persona - c.store) !== Math.sign(c.z)) return false;
  if (def.unit === 'share') return Math.abs(c.persona - c.store) >= 0.05;
  return c.store === 0 ? c.persona !== 0 : Math.abs(c.persona / c.store - 1) >= 0.1;
}

export function describePersona(defs: FeatureDef[], contrasts: FeatureContrast[], currency: string): PersonaWords {
  const byKey = new Map(defs.map((d) => [d.key, d]));
  // "Rarely buys category X" says little about who someone is: a category or channel is named
  // only for what a persona does more than the store, not less.
  // A partial feature known for under a quarter of the members describes too few of them to name.
  const telling = (c: FeatureContrast) => !(c.key.includes(':') && c.z < 0) && c.coverage >= 0.25 && visible(c, byKey.get(c.key)!);
  const ranked = [...contrasts].filter(telling).sort((a, b) => Math.abs(b.z) - Math.abs(a.z));
  // The name and the first facts come from how they buy (what the clustering saw); how much they
  // buy is added when it stands out too, after those.
  // Among those, what the clustering itself weighed most (a category share counts as part of its
  // block) comes first, so the facts name what actually separated this persona.
  const weightOf = new Map(clusterWeights(defs).map((w, j) => [defs[j]!.key, w]));
  const behaviour = ranked.filter((c) => c.clustered).sort((a, b) => Math.abs(b.z) * weightOf.get(b.key)! - Math.abs(a.z) * weightOf.get(a.key)!);
  const notable = behaviour.filter((c) => Math.abs(c.z) >= NOTABLE).slice(0, 4);
  const named = notable.length ? notable : behaviour.slice(0, 1);
  const volume = ranked.filter((c) => !c.clustered && Math.abs(c.z) >= NOTABLE).slice(0, 2);
  const adjectives = named.slice(0, 2).map(wordFor);
  // A persona close to the store on every feature is the store's typical buyer.
  const name = adjectives.length ? `${adjectives.join(', ')} buyers`.replace(/^./, (ch) => ch.toUpperCase()) : 'Typical buyers';
  const distinguishing = [...named, ...volume];
  const facts = new Map(contrasts.map((c) => [c.key, fact(byKey.get(c.key)!, c, currency)]));
  // Needs follow the same order: what distinguishes the persona first, then its other notable traits.
  const others = ranked.filter((c) => Math.abs(c.z) >= NOTABLE && !distinguishing.includes(c));
  const { needs, motivators } = needsAndMotivators([...distinguishing, ...others]);
  const description = `${name}: ${distinguishing.length ? distinguishing.map((c) => facts.get(c.key)!).join('; ') : 'close to the store on every feature'}.`;
  return { name, description, distinguishing, facts, needs, motivators };
}
