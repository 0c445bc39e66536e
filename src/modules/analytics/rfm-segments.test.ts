import { describe, expect, it } from 'vitest';
import { fmScore, scoreOfPercentRank, segmentOf, segmentRules, segments } from './rfm-segments.js';

describe('RFM segments', () => {
  it('every (R, FM) cell belongs to exactly one segment, and every segment has a cell', () => {
    const used = new Set<string>();
    for (let r = 1; r <= 5; r += 1) {
      for (let fm = 1; fm <= 5; fm += 1) {
        const matches = segmentRules.filter((rule) => r >= rule.r[0] && r <= rule.r[1] && fm >= rule.fm[0] && fm <= rule.fm[1]);
        expect(matches, `R${r} FM${fm}`).toHaveLength(1);
        used.add(matches[0]!.segment);
      }
    }
    expect([...used].sort()).toEqual([...segments].sort());
  });

  it('places the textbook customers', () => {
    expect(segmentOf(5, 5, 5)).toBe('Champions');
    expect(segmentOf(5, 1, 1)).toBe('New');
    expect(segmentOf(1, 5, 5)).toBe("Can't lose them");
    expect(segmentOf(1, 1, 1)).toBe('Lost');
    expect(segmentOf(2, 1, 2)).toBe('Hibernating');
    expect(segmentOf(3, 3, 4)).toBe('Loyal'); // FM 3.5 rounds half up to 4
  });

  it('scores quintiles from the percent rank', () => {
    expect([0, 0.19, 0.2, 0.5, 0.79, 0.8, 1].map(scoreOfPercentRank)).toEqual([1, 1, 2, 3, 4, 5, 5]);
    expect([fmScore(1, 2), fmScore(2, 2), fmScore(4, 5)]).toEqual([2, 2, 5]);
  });
});
