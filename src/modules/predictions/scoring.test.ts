import { describe, expect, it } from 'vitest';
import { bgnbdConditionalExpectation, bgnbdProbabilityOfPurchase } from './models/bgnbd.js';
import { paretoNbdAlivePurchaseProbability, paretoNbdConditionalExpectation } from './models/pareto-nbd.js';
import { churnRiskNames, churnRiskOf, scoreCustomers } from './scoring.js';

const bg = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const pn = { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };
const input = { x: [0, 2, 2, 7], tx: [0, 30.43, 10, 35], T: [38.86, 38.86, 38.86, 38.86], meanRepeatValue: [0, 2235, 1500, 4000], length: 4 };

describe('scoring', () => {
  it('per-customer numbers equal the models\' expressions (eq. 10 split into P(alive) × G)', () => {
    const s = scoreCustomers({ kind: 'bgnbd', params: bg }, input, { timeUnit: 'week', annualDiscountRate: 0.1, spend: { p: 6.25, q: 3.74, gamma: 15.44 }, minorPerMajor: 100 });
    for (let i = 0; i < 4; i += 1) {
      expect(s.expected90[i]).toBeCloseTo(bgnbdConditionalExpectation(bg, input.x[i]!, input.tx[i]!, input.T[i]!, 90 / 7), 10);
      expect(s.probability365[i]).toBeCloseTo(bgnbdProbabilityOfPurchase(bg, input.x[i]!, input.tx[i]!, input.T[i]!, 365 / 7), 10);
      expect(churnRiskNames[s.churnRisk[i]!]).toBe(churnRiskOf(s.probability365[i]!));
      // Discounted 12-month CLV is below the undiscounted 365-day value.
      expect(s.clv12[i]!).toBeLessThan(s.expected365[i]! * s.expectedOrderValue[i]!);
      expect(s.clv12[i]!).toBeGreaterThan(0.9 * s.expected365[i]! * s.expectedOrderValue[i]!);
    }
    // A recent, frequent buyer is more likely alive than one who went quiet after the same x.
    expect(s.pAlive[1]!).toBeGreaterThan(s.pAlive[2]!);
    // Expected order value of a one-time buyer is the population mean pγ/(q − 1).
    expect(s.expectedOrderValue[0]! / 100).toBeCloseTo((6.25 * 15.44) / 2.74, 8);
  });

  it('Pareto/NBD P(order | alive) agrees with a fine trapezoid rule of the same integral', () => {
    const x = 3;
    const T = 20;
    const t = 26;
    const k = pn.r + x;
    const b1 = pn.alpha + T;
    const b2 = pn.beta + T;
    const f = (u: number) => (k / b1) * (b1 / (b1 + u)) ** (k + 1) * (b2 / (b2 + u)) ** pn.s;
    const steps = 200_000;
    let sum = (f(0) + f(t)) / 2;
    for (let i = 1; i < steps; i += 1) sum += f((i * t) / steps);
    expect(paretoNbdAlivePurchaseProbability(pn, x, T, t)).toBeCloseTo((sum * t) / steps, 8);
    const s = scoreCustomers({ kind: 'pareto-nbd', params: pn }, input, { timeUnit: 'week', annualDiscountRate: 0, spend: undefined, minorPerMajor: 100 });
    expect(s.expected30[1]).toBeCloseTo(paretoNbdConditionalExpectation(pn, 2, 30.43, 38.86, 30 / 7), 10);
    expect(Number.isNaN(s.clv12[1]!)).toBe(true);
  });

  it('next order date is where P(order) reaches one half', () => {
    const s = scoreCustomers({ kind: 'bgnbd', params: bg }, input, { timeUnit: 'week', annualDiscountRate: 0.1, spend: undefined, minorPerMajor: 100 });
    const i = 3;
    if (Number.isFinite(s.daysToNextOrder[i]!)) {
      expect(bgnbdProbabilityOfPurchase(bg, 7, 35, 38.86, s.daysToNextOrder[i]! / 7)).toBeCloseTo(0.5, 8);
    } else {
      expect(s.probability365[i]!).toBeLessThan(0.5);
    }
  });

  it('churn bands', () => {
    expect([churnRiskOf(0.8), churnRiskOf(0.5), churnRiskOf(0.3), churnRiskOf(0.1)]).toEqual(['low', 'low', 'medium', 'high']);
  });
});
