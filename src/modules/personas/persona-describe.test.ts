import { describe, expect, it } from 'vitest';
import { describePersona, type FeatureContrast } from './persona-describe.js';
import type { FeatureDef } from './persona-features.js';

const defs: FeatureDef[] = [
  { key: 'orders', label: 'orders', log: true, unit: 'count', clustered: false },
  { key: 'price_level', label: 'item price against the category median', log: true, unit: 'ratio', clustered: true },
  { key: 'discount_share', label: 'orders with a discount', log: false, unit: 'share', clustered: true },
  { key: 'order_gap_days', label: 'days between orders', log: true, unit: 'days', clustered: true, partial: 'repeat_buyers' },
  { key: 'category:Coffee', label: 'spend on Coffee', log: false, unit: 'share', clustered: true },
];
const contrast = (key: string, persona: number, store: number, z: number, coverage = 1): FeatureContrast => ({
  key, label: defs.find((d) => d.key === key)!.label, persona, store, z, coverage, clustered: defs.find((d) => d.key === key)!.clustered,
});

describe('persona words', () => {
  it('names what sets a persona apart, with its figures beside the store\'s, and the needs that follow', () => {
    const words = describePersona(defs, [
      contrast('orders', 4.2, 1.8, 1.1), contrast('price_level', 2.4, 1.2, 1.6), contrast('discount_share', 0.05, 0.3, -0.7),
      contrast('order_gap_days', 40, 90, -0.5, 0.9), contrast('category:Coffee', 0.1, 0.3, -0.6),
    ], 'USD');
    expect(words.name).toBe('Premium, full-price buyers');
    expect(words.description).toBe('Premium, full-price buyers: items at 2.40× the category\'s median price (store: 1.20×); 5% of orders with a discount (store: 30%); '
      + '40 days between orders for those who came back (store: 90 days); 4.2 orders each (store: 1.8).');
    // "Rarely buys coffee" is not a trait.
    expect(words.distinguishing.map((c) => c.key)).toEqual(['price_level', 'discount_share', 'order_gap_days', 'orders']);
    expect(words.motivators[0]).toBe('early access, VIP service and personal recommendations');
    expect(words.motivators).toContain('replenishment reminders and subscriptions');
    expect(words.needs).toHaveLength(words.motivators.length);
  });

  it('does not name a trait its plain figures do not show, nor one known for too few members', () => {
    const words = describePersona(defs, [
      contrast('orders', 1.9, 1.8, 0.1), contrast('price_level', 1.25, 1.2, 0.6), contrast('discount_share', 0.31, 0.3, 0.5),
      contrast('order_gap_days', 20, 90, -1.5, 0.1), contrast('category:Coffee', 0.3, 0.3, 0),
    ], 'USD');
    expect(words.name).toBe('Typical buyers');
    expect(words.description).toBe('Typical buyers: close to the store on every feature.');
    expect(words.motivators).toEqual(['personalised recommendations']);
  });
});
