import { describe, expect, it } from 'vitest';
import { formatMoney, isCurrency, minorExponent, toMinorUnits } from './money.js';

describe('money in minor units', () => {
  it('knows ISO currencies and their exponents', () => {
    expect(isCurrency('GBP')).toBe(true);
    expect(isCurrency('XYZ')).toBe(false);
    expect(isCurrency('gbp')).toBe(false);
    expect(minorExponent('USD')).toBe(2);
    expect(minorExponent('JPY')).toBe(0);
    expect(minorExponent('KWD')).toBe(3);
  });

  it('parses decimal text without floating-point error and rounds half away from zero', () => {
    expect(toMinorUnits('0.1', 'USD')).toBe(10);
    expect(toMinorUnits('2.55', 'GBP')).toBe(255);
    expect(toMinorUnits('1.005', 'USD')).toBe(101);
    expect(toMinorUnits('-1.005', 'USD')).toBe(-101);
    expect(toMinorUnits('120', 'JPY')).toBe(120);
    expect(toMinorUnits('12.5', 'JPY')).toBe(13);
    expect(toMinorUnits(0.1 + 0.2, 'USD')).toBe(30);
    expect(toMinorUnits('.5', 'USD')).toBe(50);
  });

  it('refuses text that is not a plain number', () => {
    for (const bad of ['', '1,234.00', 'abc', '1e5', '--1', '.']) expect(toMinorUnits(bad, 'USD')).toBeUndefined();
  });

  it('formats in the currency', () => {
    expect(formatMoney(123456, 'USD', 'en-US')).toBe('$1,234.56');
  });
});
