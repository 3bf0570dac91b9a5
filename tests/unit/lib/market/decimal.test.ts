import { describe, expect, it } from 'vitest';
import {
  displayDecimals,
  formatAverage,
  formatPrice,
  quoteCurrency,
  roundHalfEven,
  significantDecimals,
  toPlotNumber,
} from '../../../../lib/market/decimal.ts';

describe('roundHalfEven', () => {
  it('rounds exact halves to the even neighbour', () => {
    expect(roundHalfEven('67143.18500000', 2)).toBe('67143.18');
    expect(roundHalfEven('67143.17500000', 2)).toBe('67143.18');
    expect(roundHalfEven('0.125', 2)).toBe('0.12');
    expect(roundHalfEven('0.135', 2)).toBe('0.14');
    expect(roundHalfEven('2.5', 0)).toBe('2');
    expect(roundHalfEven('3.5', 0)).toBe('4');
  });

  it('rounds anything past the half up and below it down', () => {
    expect(roundHalfEven('67143.18500001', 2)).toBe('67143.19');
    expect(roundHalfEven('67143.18499999', 2)).toBe('67143.18');
  });

  it('carries through nines into the integer part', () => {
    expect(roundHalfEven('99999.99600000', 2)).toBe('100000.00');
    expect(roundHalfEven('0.995', 2)).toBe('1.00');
  });

  it('pads short fractions and leaves whole numbers whole', () => {
    expect(roundHalfEven('67143', 2)).toBe('67143.00');
    expect(roundHalfEven('67143.1', 2)).toBe('67143.10');
    expect(roundHalfEven('007.5', 1)).toBe('7.5');
  });

  it('is exact where a double is not', () => {
    // 1.005 is 1.00499999999999989... as a double, so float rounding gives 1.00.
    expect(roundHalfEven('1.00500000', 2)).toBe('1.00');
    expect(roundHalfEven('1.01500000', 2)).toBe('1.02');
    expect(roundHalfEven('123456789012345678.125', 2)).toBe('123456789012345678.12');
  });

  it('handles signs, and never shows minus zero', () => {
    expect(roundHalfEven('-1.235', 2)).toBe('-1.24');
    expect(roundHalfEven('-1.225', 2)).toBe('-1.22');
    expect(roundHalfEven('-0.001', 2)).toBe('0.00');
  });

  it('refuses what is not a plain decimal', () => {
    for (const bad of ['', 'abc', '1e5', '1.', '.5', '1,000.00', 'NaN']) expect(roundHalfEven(bad, 2)).toBeNull();
    expect(roundHalfEven('1.5', -1)).toBeNull();
  });
});

describe('formatPrice', () => {
  it('groups thousands and keeps cents, dropping only trailing zeros', () => {
    expect(formatPrice('67143.18000000')).toBe('67,143.18');
    expect(formatPrice('67143.1')).toBe('67,143.10');
    expect(formatPrice('67143')).toBe('67,143.00');
    expect(formatPrice('1234567.5')).toBe('1,234,567.50');
    expect(formatPrice('999.99')).toBe('999.99');
  });

  it('shows sub-cent prices with all their digits', () => {
    expect(formatPrice('0.00012345')).toBe('0.00012345');
    expect(formatPrice('3.14159')).toBe('3.14159');
  });

  it('returns a string that is not a decimal unchanged', () => {
    expect(formatPrice('n/a')).toBe('n/a');
  });
});

describe('formatAverage', () => {
  it('rounds the 8-decimal average half-even to cents from the string', () => {
    expect(formatAverage('67143.18500000')).toBe('67,143.18');
    expect(formatAverage('67143.18500001')).toBe('67,143.19');
    expect(formatAverage('1000000.00499999')).toBe('1,000,000.00');
  });

  it('shows more places when asked', () => {
    expect(formatAverage('0.00012345', displayDecimals('0.00012345'))).toBe('0.00012345');
    expect(formatAverage('2.34567891', 4)).toBe('2.3457');
  });

  it('returns a string that is not a decimal unchanged', () => {
    expect(formatAverage('oops')).toBe('oops');
  });
});

describe('helpers', () => {
  it('counts significant decimals and picks display places', () => {
    expect(significantDecimals('67143.18000000')).toBe(2);
    expect(significantDecimals('67143')).toBe(0);
    expect(displayDecimals('67143.1')).toBe(2);
    expect(displayDecimals('0.1234')).toBe(4);
    expect(displayDecimals('0.0000000012')).toBe(8);
    expect(displayDecimals(null)).toBe(2);
  });

  it('converts to numbers for plotting only when the string is a decimal', () => {
    expect(toPlotNumber('67143.18000000')).toBe(67143.18);
    expect(toPlotNumber('1e5')).toBeNaN();
  });

  it('names the quote currency', () => {
    expect(quoteCurrency('BTC-USD')).toBe('USD');
    expect(quoteCurrency('ETH-EUR')).toBe('EUR');
  });
});
