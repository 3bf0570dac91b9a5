import { describe, expect, it } from 'vitest';
import {
  formatMicros,
  padDecimal,
  parseRfc3339Micros,
  priceDecimals,
  unitsToDecimal,
} from '../../../../../server/feed/simulator/trade-fields.ts';

describe('trade fields', () => {
  it('prices fiat-quoted products in cents and others in 5 decimals', () => {
    expect(priceDecimals('BTC-USD')).toBe(2);
    expect(priceDecimals('ETH-EUR')).toBe(2);
    expect(priceDecimals('ETH-BTC')).toBe(5);
  });

  it('writes integer units as decimals, trimmed like the feed or fixed like REST', () => {
    expect(unitsToDecimal(6714318, 2, true)).toBe('67143.18');
    expect(unitsToDecimal(2238630, 2, true)).toBe('22386.3');
    expect(unitsToDecimal(2238600, 2, true)).toBe('22386');
    expect(unitsToDecimal(60000, 8, true)).toBe('0.0006');
    expect(unitsToDecimal(60000, 8, false)).toBe('0.00060000');
    expect(unitsToDecimal(1, 2, false)).toBe('0.01');
  });

  it('pads decimals to 8 places without rounding', () => {
    expect(padDecimal('67143.18', 8)).toBe('67143.18000000');
    expect(padDecimal('5', 8)).toBe('5.00000000');
    expect(padDecimal('0.123456789', 8)).toBe('0.123456789');
  });

  it('formats microsecond times as RFC 3339 with Z, trimming only trailing zeros', () => {
    const micros = Date.UTC(2022, 8, 12, 14, 28, 52) * 1000;
    expect(formatMicros(micros + 584960, true)).toBe('2022-09-12T14:28:52.58496Z');
    expect(formatMicros(micros + 584960, false)).toBe('2022-09-12T14:28:52.584960Z');
    expect(formatMicros(micros, true)).toBe('2022-09-12T14:28:52.0Z');
    expect(formatMicros(micros, false)).toBe('2022-09-12T14:28:52.000000Z');
  });

  it('parses RFC 3339 UTC times to microseconds and refuses anything else', () => {
    const micros = Date.UTC(2022, 8, 12, 14, 28, 52) * 1000;
    expect(parseRfc3339Micros('2022-09-12T14:28:52.169825Z')).toBe(micros + 169825);
    expect(parseRfc3339Micros('2022-09-12T14:28:52.58496Z')).toBe(micros + 584960);
    expect(parseRfc3339Micros('2022-09-12T14:28:52Z')).toBe(micros);
    expect(parseRfc3339Micros('2022-09-12 14:28:52Z')).toBeNull();
    expect(parseRfc3339Micros('2022-09-12T14:28:52+02:00')).toBeNull();
  });
});
