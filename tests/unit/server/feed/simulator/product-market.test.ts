import { describe, expect, it } from 'vitest';
import { createProductMarket } from '../../../../../server/feed/simulator/product-market.ts';
import { parseRfc3339Micros } from '../../../../../server/feed/simulator/trade-fields.ts';

const NOW = Date.UTC(2026, 0, 1, 12);
const market = (seed: number, product = 'BTC-USD') => createProductMarket(product, { seed, startPrice: '67000.00', firstTradeId: 1000, maxTrades: 10_000 });
const strip = (m: ReturnType<typeof market>) => m.tape.all().map(({ tradeId, time, price, size, side }) => ({ tradeId, time, price, size, side }));

describe('product market', () => {
  it('generates the same history for the same seed and a different one for another seed', () => {
    const [a, b, c] = [market(7), market(7), market(8)];
    for (const m of [a, b, c]) m.backfillHistory(500, NOW, 900_000);
    expect(strip(a)).toEqual(strip(b));
    expect(strip(a)).not.toEqual(strip(c));
  });

  it('spreads history over the span before now, in time order, with dense ids and rising sequences', () => {
    const m = market(3);
    m.backfillHistory(2000, NOW, 900_000);
    const trades = m.tape.all();
    expect(trades).toHaveLength(2000);
    expect(trades[0]?.tradeId).toBe(1000);
    const micros = trades.map((t) => parseRfc3339Micros(t.time) ?? NaN);
    expect(micros[0]).toBeGreaterThanOrEqual((NOW - 900_000 - 10) * 1000);
    expect(micros[micros.length - 1]).toBeLessThanOrEqual((NOW + 10) * 1000);
    trades.forEach((t, i) => {
      if (i === 0) return;
      const prev = trades[i - 1];
      expect(t.tradeId).toBe((prev?.tradeId ?? 0) + 1);
      expect(t.sequence).toBeGreaterThan(prev?.sequence ?? Infinity);
      expect(micros[i]).toBeGreaterThanOrEqual(micros[i - 1] ?? Infinity);
    });
    const prices = trades.map((t) => Number(t.price));
    expect(Math.min(...prices)).toBeGreaterThan(60_000);
    expect(Math.max(...prices)).toBeLessThan(75_000);
  });

  it('sends scripted fields verbatim, moves the market to a scripted price, and refuses bad input', () => {
    const m = market(1);
    const t = m.scripted({ price: '50000.10', size: '0.50000000', side: 'buy', time: '2026-01-01T12:00:00.5Z' }, NOW);
    expect(t).toMatchObject({ tradeId: 1000, price: '50000.10', size: '0.50000000', side: 'buy', time: '2026-01-01T12:00:00.5Z' });
    expect(Math.abs(Number(m.scripted({}, NOW).price) - 50_000)).toBeLessThan(100);
    expect(() => m.scripted({ price: 'abc' }, NOW)).toThrow(/price/);
    expect(() => m.scripted({ price: '-1' }, NOW)).toThrow(/price/);
    expect(() => m.scripted({ size: '0' }, NOW)).toThrow(/size/);
    expect(() => m.scripted({ time: 'yesterday' }, NOW)).toThrow(/time/);
  });

  it('with no history, the first trade published is the first that exists (id 1 for a new listing)', () => {
    const m = createProductMarket('BTC-USD', { seed: 2, startPrice: '67000.00', firstTradeId: 1, maxTrades: 100 });
    m.backfillHistory(0, NOW, 900_000);
    expect(m.tape.all()).toEqual([]);
    expect(m.tape.page({ limit: 1000 })).toEqual([]);
    const first = m.scripted({ price: '67000.01' }, NOW);
    expect(first.tradeId).toBe(1);
    expect(m.tape.page({ after: 1, limit: 1000 })).toEqual([]);
    expect(m.tape.page({ limit: 1000 }).map((t) => t.tradeId)).toEqual([1]);
  });

  it('marks the maker side: an up-tick is a sell, a down-tick a buy', () => {
    const m = market(1);
    m.scripted({ price: '100.00' }, NOW);
    expect(m.scripted({ price: '101.00' }, NOW).side).toBe('sell');
    expect(m.scripted({ price: '99.00' }, NOW).side).toBe('buy');
  });
});
