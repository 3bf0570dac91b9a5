import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../../server/config/parse-duration.ts';

describe('parseDuration', () => {
  it('reads an integer and a unit', () => {
    expect(parseDuration('1s')).toBe(1_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('24h')).toBe(86_400_000);
  });

  it('refuses fractions, bare numbers, spaces inside and units not allowed', () => {
    for (const text of ['1.5m', '10', 'm', '-1s', '1 m', '10d', '5ms']) expect(parseDuration(text)).toBeNull();
    expect(parseDuration('5ms', ['ms'])).toBe(5);
  });

  it('formats back to the largest whole unit', () => {
    expect(formatDuration(600_000)).toBe('10m');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(1_500)).toBe('1500ms');
  });
});
