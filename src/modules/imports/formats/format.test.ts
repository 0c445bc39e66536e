import { describe, expect, it } from 'vitest';
import { toMinorUnits } from '../../../lib/money.js';
import { moneyReader, parseInteger } from './format.js';

describe('format helpers', () => {
  it('reads money like toMinorUnits does, fast path or not', () => {
    const gbp = moneyReader('GBP');
    const jpy = moneyReader('JPY');
    for (const text of ['2.55', '0.1', '12', '-3.5', '0.165', '1.005', '', '.', 'abc', '1,234.00', '10.', '.5', '-0', '99999999999.99']) {
      expect([text, gbp(text)]).toEqual([text, toMinorUnits(text, 'GBP')]);
      expect([text, jpy(text)]).toEqual([text, toMinorUnits(text, 'JPY')]);
    }
  });

  it('reads whole numbers written as 6, -6 or 6.0', () => {
    expect([parseInteger('6'), parseInteger('-6'), parseInteger('6.0'), parseInteger('6.5'), parseInteger('')]).toEqual([6, -6, 6, undefined, undefined]);
  });
});
