import { describe, expect, it } from 'vitest';
import {
  describeAsOf,
  formatAxisTime,
  formatClock,
  formatDuration,
  formatWindow,
  formatWindowLong,
  formatZonedTime,
  isoToMicros,
  timeTicks,
} from '../../../../lib/market/time.ts';

const UTC = { timeZone: 'UTC' };
const T0 = Date.parse('2026-03-12T15:42:10Z');

describe('isoToMicros', () => {
  it('keeps microseconds exactly as integers', () => {
    expect(isoToMicros('2026-03-12T15:42:10.123456Z')).toBe(T0 * 1000 + 123456);
    expect(isoToMicros('2026-03-12T15:42:10.1Z')).toBe(T0 * 1000 + 100000);
    expect(isoToMicros('2026-03-12T15:42:10Z')).toBe(T0 * 1000);
    expect(isoToMicros('2026-03-12T15:42:10.1234567Z')).toBe(T0 * 1000 + 123456);
  });

  it('orders times that differ by one microsecond', () => {
    const a = isoToMicros('2026-03-12T15:42:10.000001Z') ?? 0;
    const b = isoToMicros('2026-03-12T15:42:10.000002Z') ?? 0;
    expect(b - a).toBe(1);
  });

  it('honours zone offsets', () => {
    expect(isoToMicros('2026-03-12T16:42:10.5+01:00')).toBe(T0 * 1000 + 500000);
  });

  it('refuses times without a zone or that are not times', () => {
    expect(isoToMicros('2026-03-12T15:42:10')).toBeNull();
    expect(isoToMicros('yesterday')).toBeNull();
    expect(isoToMicros('2026-13-45T99:99:99Z')).toBeNull();
  });
});

describe('formatting', () => {
  it('shows a 24-hour clock', () => {
    expect(formatClock(T0, UTC)).toBe('15:42:10');
    expect(formatClock(Date.parse('2026-03-12T00:05:09Z'), UTC)).toBe('00:05:09');
  });

  it('says durations plainly', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(59_999)).toBe('59 s');
    expect(formatDuration(180_000)).toBe('3 min');
    expect(formatDuration(3_600_000)).toBe('1 h');
    expect(formatDuration(7_500_000)).toBe('2 h 5 min');
    expect(formatDuration(3 * 86_400_000)).toBe('3 d');
    expect(formatDuration(-5)).toBe('0 s');
  });

  it('names the window', () => {
    expect(formatWindow(600_000)).toBe('10 min');
    expect(formatWindow(3_600_000)).toBe('1 h');
    expect(formatWindow(5_400_000)).toBe('90 min');
    expect(formatWindow(30_000)).toBe('30 s');
    expect(formatWindowLong(600_000)).toBe('10 minutes');
    expect(formatWindowLong(3_600_000)).toBe('1 hour');
    expect(formatWindowLong(7_200_000)).toBe('2 hours');
    expect(formatWindowLong(1_000)).toBe('1 second');
    expect(formatWindowLong(90_000)).toBe('90 seconds');
  });
});

describe('describeAsOf', () => {
  const trade = '2026-03-12T15:42:10.654321Z';

  it('gives the time of the last trade while trades flow', () => {
    expect(describeAsOf(trade, T0 + 5_000, UTC)).toEqual({ quiet: false, ageMs: 4_346, text: 'as of 15:42:10' });
  });

  it('says plainly when the market has been quiet', () => {
    const asOf = describeAsOf(trade, T0 + 3 * 60_000 + 30_000, UTC);
    expect(asOf?.quiet).toBe(true);
    expect(asOf?.text).toBe('no trades for 3 min — as of 15:42:10');
  });

  it('takes the threshold from options and adds the date for old trades', () => {
    expect(describeAsOf(trade, T0 + 20_000, { ...UTC, quietAfterMs: 10_000 })?.quiet).toBe(true);
    expect(describeAsOf(trade, T0 + 2 * 86_400_000 + 1_000, UTC)?.text).toBe('no trades for 2 d — as of 12 Mar, 15:42:10');
  });

  it('treats a trade ahead of the local clock as just now', () => {
    expect(describeAsOf(trade, T0 - 10_000, UTC)).toMatchObject({ quiet: false, ageMs: 0 });
  });

  it('gives nothing for a time it cannot read', () => {
    expect(describeAsOf('soon', T0, UTC)).toBeNull();
  });
});

describe('timeTicks', () => {
  it('puts round ticks across a 10-minute range', () => {
    const from = Date.parse('2026-03-12T15:32:10Z');
    const { ticks, seconds } = timeTicks(from, from + 600_000);
    expect(seconds).toBe(false);
    expect(ticks.map((t) => formatAxisTime(t, seconds, UTC))).toEqual(['15:34', '15:36', '15:38', '15:40', '15:42']);
  });

  it('labels with seconds when the span is short', () => {
    const { ticks, seconds } = timeTicks(T0, T0 + 45_000);
    expect(seconds).toBe(true);
    expect(ticks.length).toBeGreaterThan(1);
    expect(formatAxisTime(T0, true, UTC)).toBe('15:42:10');
  });

  it('keeps the number of ticks small for any span', () => {
    for (const span of [1_000, 600_000, 3_600_000, 86_400_000, 7 * 86_400_000]) {
      expect(timeTicks(T0, T0 + span).ticks.length).toBeLessThanOrEqual(8);
    }
    expect(timeTicks(T0, T0 - 1).ticks).toEqual([]);
  });
});

const T = Date.parse('2026-11-26T16:42:10Z');

describe('formatZonedTime', () => {
  it('shows the time in the given locale and zone, with the zone named', () => {
    expect(formatZonedTime(T, T, { locale: 'en-GB', timeZone: 'Europe/Berlin' })).toBe('17:42:10 CET');
    expect(formatZonedTime(T, T, { locale: 'en-US', timeZone: 'UTC' })).toBe('04:42:10 PM UTC');
  });

  it('adds the date when the time is not on the same day as now, in that zone', () => {
    const nextDay = Date.parse('2026-11-27T00:30:00Z');
    expect(formatZonedTime(T, nextDay, { locale: 'en-GB', timeZone: 'UTC' })).toBe('26 Nov, 16:42:10 UTC');
    // Still the 26th in New York.
    expect(formatZonedTime(T, nextDay, { locale: 'en-US', timeZone: 'America/New_York' })).toBe('11:42:10 AM EST');
  });
});
