import { describe, expect, it } from 'vitest';
import { errorMessage, historyPath, parseMarketInfo, parsePrices, rangeMs } from '../../../../lib/market/api.ts';
import { formatAxisPrice, toPlotRows, yAxisLayout } from '../../../../lib/market/chart.ts';
import { feedTone, isFeedUnreachable, newerStatus } from '../../../../lib/market/feed.ts';
import { pointFromHistory } from '../../../../lib/market/series.ts';
import type { FeedStatus, PriceTick } from '../../../../lib/realtime/events.ts';

const NOW = Date.parse('2026-03-12T15:00:00Z');
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();
const status = (state: FeedStatus['state'], sinceOffsetMs: number): FeedStatus => ({ product: 'BTC-USD', state, since: at(sinceOffsetMs) });
const tick = (offsetMs: number): PriceTick => ({
  product: 'BTC-USD', tradeId: 1, time: at(offsetMs), last: '1', mean: '1.00000000', vwap: '1.00000000', count: 1, warm: true,
});

describe('isFeedUnreachable', () => {
  it('is true as soon as the server says unavailable', () => {
    expect(isFeedUnreachable(status('unavailable', 0), tick(-1000), NOW)).toBe(true);
  });

  it('waits a while before calling a reconnecting feed unreachable', () => {
    expect(isFeedUnreachable(status('reconnecting', -5_000), null, NOW)).toBe(false);
    expect(isFeedUnreachable(status('reconnecting', -25_000), null, NOW)).toBe(true);
    expect(isFeedUnreachable(status('connecting', -25_000), undefined, NOW)).toBe(true);
  });

  it('is false once a trade arrived since the state began, or in other states', () => {
    expect(isFeedUnreachable(status('reconnecting', -25_000), tick(-1_000), NOW)).toBe(false);
    expect(isFeedUnreachable(status('reconnecting', -25_000), tick(-60_000), NOW)).toBe(true);
    for (const s of ['live', 'stale', 'backfilling', 'gap-lost'] as const) {
      expect(isFeedUnreachable(status(s, -3_600_000), null, NOW)).toBe(false);
    }
    expect(isFeedUnreachable(undefined, null, NOW)).toBe(false);
  });

  it('keeps the more recent of two statuses', () => {
    const older = status('reconnecting', -10_000);
    const newer = status('live', -1_000);
    expect(newerStatus(older, newer)).toBe(newer);
    expect(newerStatus(newer, older)).toBe(newer);
    expect(newerStatus(undefined, older)).toBe(older);
  });

  it('gives each state a tone', () => {
    expect(feedTone('live')).toBe('ok');
    expect(feedTone('reconnecting')).toBe('warn');
    expect(feedTone('unavailable')).toBe('bad');
  });
});

describe('api bodies', () => {
  it('reads /api/market and drops feed entries it does not understand', () => {
    const info = parseMarketInfo({
      products: ['BTC-USD'],
      windowMs: 600_000,
      simulated: true,
      feed: { 'BTC-USD': { product: 'BTC-USD', state: 'live', since: at(0), detail: '' }, 'X-Y': { state: 'weird' } },
    });
    expect(info).toEqual({ products: ['BTC-USD'], windowMs: 600_000, simulated: true, feed: { 'BTC-USD': { product: 'BTC-USD', state: 'live', since: at(0) } } });
    expect(parseMarketInfo({ products: 'BTC-USD', windowMs: 1, simulated: false, feed: {} })).toBeNull();
    expect(parseMarketInfo({ products: [], windowMs: 0, simulated: false, feed: {} })).toBeNull();
  });

  it('reads /api/prices and refuses a malformed point', () => {
    const point = { time: at(0), last: '1.5', mean: '1.50000000', vwap: '1.50000000' };
    expect(parsePrices({ product: 'BTC-USD', points: [point] })).toEqual({ product: 'BTC-USD', points: [point] });
    expect(parsePrices({ product: 'BTC-USD', points: [{ ...point, last: 1.5 }] })).toBeNull();
  });

  it('builds the history path for a range', () => {
    expect(historyPath('BTC-USD', rangeMs('1h'), NOW)).toBe('/api/prices/BTC-USD?since=2026-03-12T14%3A00%3A00.000Z&points=600');
  });

  it('takes the sentence from an error body', () => {
    expect(errorMessage({ error: { code: 'not_found', message: 'No such product.' } }, 404)).toBe('No such product.');
    expect(errorMessage(null, 401)).toMatch(/Sign in again/);
    expect(errorMessage('oops', 502)).toMatch(/502/);
  });
});

describe('chart numbers', () => {
  const rows = toPlotRows(
    [
      { time: at(0), last: '100.00', mean: '99.00000000', vwap: '101.00000000' },
      { time: at(1000), last: '110.00', mean: '100.00000000', vwap: '120.00000000' },
    ].flatMap((p) => pointFromHistory(p) ?? []),
  );

  it('fits the y axis to the shown lines with round ticks and padding', () => {
    const axis = yAxisLayout(rows, ['last', 'mean']);
    expect(axis).not.toBeNull();
    const { domain, ticks, decimals } = axis ?? { domain: [0, 0], ticks: [], decimals: 0 };
    expect(domain[0]).toBeLessThan(99);
    expect(domain[1]).toBeGreaterThan(110);
    expect(domain[1]).toBeLessThan(120);
    expect(ticks[0]).toBe(domain[0]);
    expect(ticks[ticks.length - 1]).toBe(domain[1]);
    expect(ticks.every((t) => Number.isInteger(t))).toBe(true);
    expect(decimals).toBe(0);
    expect(yAxisLayout(rows, ['last', 'mean', 'vwap'])?.domain[1]).toBeGreaterThan(120);
    expect(yAxisLayout([], ['last'])).toBeNull();
  });

  it('gives a flat series a band around its value', () => {
    const [lo, hi] = yAxisLayout(rows.slice(0, 1), ['last'])?.domain ?? [0, 0];
    expect(lo).toBeLessThan(100);
    expect(hi).toBeGreaterThan(100);
  });

  it('labels the y axis with as many decimals as the step needs', () => {
    const cents = toPlotRows([at(0), at(1000)].flatMap((time, i) => pointFromHistory({ time, last: `1.0${i}`, mean: '1.00', vwap: '1.00' }) ?? []));
    const axis = yAxisLayout(cents, ['last']);
    expect(axis?.decimals).toBe(3);
    expect(axis?.ticks.map((t) => formatAxisPrice(t, axis.decimals))).toContain('1.000');
    expect(formatAxisPrice(67143.18, 0)).toBe('67,143');
  });
});
