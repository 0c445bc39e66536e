/** The dashboard's wording helpers, as a reader hears them. */
import { describe, expect, it } from 'vitest';
import { article } from '../../dashboard/src/components/wording.js';

describe('article before a number', () => {
  it('is "an" where the number is read with a vowel sound, "a" otherwise', () => {
    for (const text of ['8%', '11%', '18%', '80%', '83%', '800', '8,000', '11,000', '18,500', '$8.50', '€80']) expect(article(text), text).toBe('an');
    for (const text of ['1%', '9%', '10%', '20%', '100%', '110%', '180%', '1,100', '118', '$1.80', '0%']) expect(article(text), text).toBe('a');
  });
});
