import { describe, expect, it } from 'vitest';
import { END_TIME_US, MIN_TIME_US, parseTimeUs } from '../../../../server/stream/parse-time.ts';

// 2026-11-26T15:39:50Z in whole seconds, checked by hand: 20,783 days after the epoch.
const BASE_US = (20_783 * 86_400 + 15 * 3600 + 39 * 60 + 50) * 1_000_000;

describe('parseTimeUs', () => {
  it('reads microsecond times exactly', () => {
    expect(parseTimeUs('2026-11-26T15:39:50.123456Z')).toBe(BASE_US + 123_456);
    expect(parseTimeUs('2026-11-26T15:39:50.000001Z')).toBe(BASE_US + 1);
    expect(parseTimeUs('2026-11-26T15:39:50.999999Z')).toBe(BASE_US + 999_999);
    expect(parseTimeUs('1970-01-01T00:00:00Z')).toBeNull();
    expect(parseTimeUs('2014-11-07T08:19:27.028459Z')).toBe(1_415_348_367_028_459);
  });

  it('pads shorter fractions and accepts none', () => {
    expect(parseTimeUs('2026-11-26T15:39:50Z')).toBe(BASE_US);
    expect(parseTimeUs('2026-11-26T15:39:50.5Z')).toBe(BASE_US + 500_000);
    expect(parseTimeUs('2022-09-12T14:28:52.58496Z')).toBe(Date.UTC(2022, 8, 12, 14, 28, 52) * 1000 + 584_960);
    expect(parseTimeUs('2026-11-26T15:39:50.860Z')).toBe(BASE_US + 860_000);
  });

  it('truncates digits past the microsecond, up to nanoseconds', () => {
    expect(parseTimeUs('2026-11-26T15:39:50.1234569Z')).toBe(BASE_US + 123_456);
    expect(parseTimeUs('2026-11-26T15:39:50.999999999Z')).toBe(BASE_US + 999_999);
    expect(parseTimeUs('2026-11-26T15:39:50.1234567890Z')).toBeNull();
  });

  it('accepts a +00:00 offset as UTC', () => {
    expect(parseTimeUs('2026-11-26T15:39:50.123456+00:00')).toBe(BASE_US + 123_456);
    expect(parseTimeUs('2026-11-26T15:39:50+00:00')).toBe(BASE_US);
  });

  it('refuses other offsets, missing zones and garbage', () => {
    const bad = [
      '',
      'abc',
      '2026-11-26T15:39:50.123456',
      '2026-11-26T15:39:50.123456-00:00',
      '2026-11-26T15:39:50.123456+01:00',
      '2026-11-26T15:39:50.123456+0000',
      '2026-11-26 15:39:50.123456Z',
      '2026-11-26t15:39:50Z',
      '2026-11-26T15:39:50z',
      '2026-11-26T15:39Z',
      '2026-11-26T15:39:50.Z',
      '2026-11-26T15:39:50.12a456Z',
      '2026-11-26T15:39:50.123456ZZ',
      ' 2026-11-26T15:39:50Z',
      '2026-11-26T15:39:50Z ',
      '+2026-11-26T15:39:50Z',
      '2026-1-26T15:39:50.000000Z',
      '20261126T153950Z',
      '2026-11-26T15:39:5a.000000Z',
    ];
    for (const text of bad) expect(parseTimeUs(text), JSON.stringify(text)).toBeNull();
    expect(parseTimeUs(1_700_000_000 as unknown as string)).toBeNull();
  });

  it('refuses impossible dates and times', () => {
    const bad = [
      '2026-02-29T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-11-00T00:00:00Z',
      '2026-11-26T24:00:00Z',
      '2026-11-26T23:60:00Z',
      '2026-12-31T23:59:60Z',
      '2100-02-29T00:00:00Z',
    ];
    for (const text of bad) expect(parseTimeUs(text), text).toBeNull();
    expect(parseTimeUs('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29) * 1000);
    expect(parseTimeUs('2000-02-29T12:00:00Z')).toBe(Date.UTC(2000, 1, 29, 12) * 1000);
  });

  it('accepts times from 2000 up to, not including, 2200', () => {
    expect(MIN_TIME_US).toBe(Date.UTC(2000, 0, 1) * 1000);
    expect(END_TIME_US).toBe(Date.UTC(2200, 0, 1) * 1000);
    expect(parseTimeUs('2000-01-01T00:00:00Z')).toBe(MIN_TIME_US);
    expect(parseTimeUs('1999-12-31T23:59:59.999999Z')).toBeNull();
    expect(parseTimeUs('2199-12-31T23:59:59.999999Z')).toBe(END_TIME_US - 1);
    expect(parseTimeUs('2200-01-01T00:00:00Z')).toBeNull();
    expect(Number.isSafeInteger(END_TIME_US)).toBe(true);
  });

  it('orders times exactly where float seconds would not', () => {
    const a = parseTimeUs('2026-11-26T15:39:50.100000Z')!;
    const b = parseTimeUs('2026-11-26T15:39:50.100001Z')!;
    expect(b - a).toBe(1);
  });
});

describe('parseTimeUs calendar', () => {
  it('agrees with Date.UTC on every day from 2000 to 2199', () => {
    for (let ms = Date.UTC(2000, 0, 1); ms < Date.UTC(2200, 0, 1); ms += 86_400_000 + 3_723_001) {
      const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
      expect(parseTimeUs(iso), iso).toBe(ms * 1000);
    }
  });
});
