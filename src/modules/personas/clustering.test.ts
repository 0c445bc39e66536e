import { describe, expect, it } from 'vitest';
import { cluster, meanSilhouette, sampleIndices, seededRandom, standardise } from './clustering.js';

describe('silhouette', () => {
  it('matches a hand computation', () => {
    // Clusters {0, 1} and {10, 11} on a line. For 0: a = 1, b = (10 + 11) / 2 = 10.5, s = 9.5 / 10.5;
    // for 1: a = 1, b = (9 + 10) / 2 = 9.5, s = 8.5 / 9.5; the other cluster mirrors these.
    const expected = (9.5 / 10.5 + 8.5 / 9.5) / 2;
    expect(meanSilhouette([[0], [1], [10], [11]], [0, 0, 1, 1])).toBeCloseTo(expected, 12);
  });

  it('is negative for a labelling that puts neighbours apart', () => {
    expect(meanSilhouette([[0], [1], [10], [11]], [0, 1, 0, 1])).toBeLessThan(0);
  });
});

describe('k-means with k by silhouette', () => {
  const blobs = (seed: number) => {
    const random = seededRandom(seed);
    const centres = [[0, 0], [8, 0], [0, 8], [8, 8]];
    return centres.flatMap((c) => Array.from({ length: 50 }, () => [c[0]! + random() - 0.5, c[1]! + random() - 0.5]));
  };

  it('finds four well separated groups and says why', async () => {
    const result = await cluster(blobs(3), { seed: 1 });
    expect(result.k).toBe(4);
    expect(result.silhouettes.find((s) => s.k === 4)!.silhouette).toBeGreaterThan(0.8);
    expect(result.reason).toMatch(/highest mean silhouette/);
  });

  it('gives the same centres for the same seed', async () => {
    const a = await cluster(blobs(5), { seed: 9 });
    const b = await cluster(blobs(5), { seed: 9 });
    expect(a.centroids).toEqual(b.centroids);
  });

  it('standardises columns and leaves a constant column at zero', () => {
    const { rows, mean, sd } = standardise([[1, 5], [3, 5]]);
    expect(mean).toEqual([2, 5]);
    expect(sd).toEqual([1, 0]);
    expect(rows).toEqual([[-1, 0], [1, 0]]);
  });

  it('leaves an unknown value out of its column and puts it at the mean', () => {
    const { rows, mean, sd } = standardise([[1], [Number.NaN], [3]]);
    expect(mean).toEqual([2]);
    expect(sd).toEqual([1]);
    expect(rows).toEqual([[-1], [0], [1]]);
  });

  it('says how far to trust the chosen k', async () => {
    expect((await cluster(blobs(3), { seed: 1 })).reason).toMatch(/strong structure/);
    expect((await cluster(blobs(3), { seed: 1 })).reason).toMatch(/next best k = \d: 0\.\d{3}/);
  });

  it('samples without repeats, repeatably', () => {
    const sample = sampleIndices(1000, 100, 4);
    expect(new Set(sample).size).toBe(100);
    expect(sampleIndices(1000, 100, 4)).toEqual(sample);
  });
});
