import { describe, expect, it } from 'vitest';
import { createSlidingWindow } from '../../../../server/stream/sliding-window.ts';
import { T0_US, makeTrade } from './trade-fixtures.ts';

const SECOND = 1_000_000;
const W = 10 * SECOND;

describe('createSlidingWindow', () => {
  it('starts empty and reports the window as of each trade', () => {
    const window = createSlidingWindow('BTC-USD', W);
    expect(window.current()).toBeNull();
    expect(window.size()).toBe(0);
    const state = window.apply(makeTrade(1, T0_US, '60000.10', '0.50000000'));
    expect(state).toMatchObject({
      product: 'BTC-USD',
      tradeId: 1,
      last: '60000.10',
      mean: '60000.10000000',
      vwap: '60000.10000000',
      count: 1,
      windowStartUs: T0_US - W,
      windowEndUs: T0_US,
      warm: false,
      sumPriceUnits: 6_000_010_000_000n,
      sumSizeUnits: 50_000_000n,
      sumPvUnits: 6_000_010_000_000n * 50_000_000n,
      lastUnits: 6_000_010_000_000n,
    });
    expect(window.current()).toBe(state);
  });

  it('leaves out a trade exactly W old and keeps one a microsecond younger', () => {
    const window = createSlidingWindow('BTC-USD', W);
    window.apply(makeTrade(1, T0_US, '100.00'));
    window.apply(makeTrade(2, T0_US + 1, '200.00'));
    const state = window.apply(makeTrade(3, T0_US + W, '300.00'));
    expect(state.count).toBe(2);
    expect(state.mean).toBe('250.00000000');
    expect(state.windowStartUs).toBe(T0_US);
    const next = window.apply(makeTrade(4, T0_US + W + 1, '400.00'));
    expect(next.count).toBe(2);
    expect(next.mean).toBe('350.00000000');
  });

  it('keeps every trade with an equal time', () => {
    const window = createSlidingWindow('BTC-USD', W);
    let state = window.apply(makeTrade(1, T0_US, '10.00'));
    for (let id = 2; id <= 6; id++) state = window.apply(makeTrade(id, T0_US + W - 1, `${id}0.00`));
    expect(state.count).toBe(6);
    state = window.apply(makeTrade(7, T0_US + W, '70.00'));
    expect(state.count).toBe(6); // the first left, the five equal ones and this one stay
    expect(state.mean).toBe('45.00000000');
  });

  it('tells microseconds apart', () => {
    const window = createSlidingWindow('BTC-USD', 3);
    window.apply(makeTrade(1, T0_US, '1.00'));
    window.apply(makeTrade(2, T0_US + 1, '2.00'));
    window.apply(makeTrade(3, T0_US + 2, '3.00'));
    expect(window.apply(makeTrade(4, T0_US + 3, '4.00')).mean).toBe('3.00000000');
    expect(window.apply(makeTrade(5, T0_US + 5, '5.00')).mean).toBe('4.50000000');
  });

  it('returns the sums exactly to the last trade when each trade evicts the previous', () => {
    const window = createSlidingWindow('BTC-USD', W, { backwardSlackUs: 0 });
    const prices = ['67143.18', '0.01', '99999.99', '12345.67890123', '1000000000000', '0.00000001'];
    let state = window.apply(makeTrade(1, T0_US, '123.45', '7.00000001'));
    for (let i = 0; i < 600; i++) {
      const price = prices[i % prices.length]!;
      const size = ['0.00000001', '21000000', '0.33333333'][i % 3]!;
      const trade = makeTrade(i + 2, T0_US + (i + 1) * W, price, size);
      state = window.apply(trade);
      expect(state.count).toBe(1);
      expect(state.sumPriceUnits).toBe(trade.priceUnits);
      expect(state.sumSizeUnits).toBe(trade.sizeUnits);
      expect(state.sumPvUnits).toBe(trade.priceUnits * trade.sizeUnits);
    }
    expect(window.size()).toBe(1);
  });

  it('rounds mean and vwap half-even at the 8th decimal', () => {
    const window = createSlidingWindow('BTC-USD', W);
    window.apply(makeTrade(1, T0_US, '67000.00000001', '1'));
    // mean 67000.000000015: the 8th decimal 1 is odd, so the tie rounds up
    let state = window.apply(makeTrade(2, T0_US, '67000.00000002', '1'));
    expect(state.mean).toBe('67000.00000002');
    expect(state.vwap).toBe('67000.00000002');

    const other = createSlidingWindow('BTC-USD', W);
    other.apply(makeTrade(1, T0_US, '67000.00000002', '1'));
    // mean 67000.000000025: the 8th decimal 2 is even, so the tie stays
    state = other.apply(makeTrade(2, T0_US, '67000.00000003', '1'));
    expect(state.mean).toBe('67000.00000002');
    expect(state.vwap).toBe('67000.00000002');
    // not a tie: (67000.00000002 + 67000.00000003 + 67000.00000003) / 3 = 67000.0000000266...
    expect(other.apply(makeTrade(3, T0_US, '67000.00000003', '1')).mean).toBe('67000.00000003');
  });

  it('weights vwap by size exactly', () => {
    const window = createSlidingWindow('BTC-USD', W);
    window.apply(makeTrade(1, T0_US, '100.00', '0.00000001'));
    const state = window.apply(makeTrade(2, T0_US, '200.00', '0.00000002'));
    expect(state.mean).toBe('150.00000000');
    expect(state.vwap).toBe('166.66666667');
  });

  it('throws on a trade id that does not increase, another product or a zero size', () => {
    const window = createSlidingWindow('BTC-USD', W);
    window.apply(makeTrade(5, T0_US));
    expect(() => window.apply(makeTrade(5, T0_US + 1))).toThrow(/after trade 5/);
    expect(() => window.apply(makeTrade(4, T0_US + 1))).toThrow(/after trade 5/);
    expect(() => window.apply(makeTrade(6, T0_US + 1, '1.00', '1', 'ETH-USD'))).toThrow(/ETH-USD/);
    expect(() => window.apply({ ...makeTrade(6, T0_US + 1), sizeUnits: 0n })).toThrow(/positive/);
    expect(window.apply(makeTrade(6, T0_US + 1)).count).toBe(2);
  });

  it('refuses a window or slack that is not a whole number of microseconds', () => {
    expect(() => createSlidingWindow('BTC-USD', 0)).toThrow(RangeError);
    expect(() => createSlidingWindow('BTC-USD', 1.5)).toThrow(RangeError);
    expect(() => createSlidingWindow('BTC-USD', W, { backwardSlackUs: -1 })).toThrow(RangeError);
  });
});

describe('createSlidingWindow warm', () => {
  it('becomes warm once the trades cover a full window', () => {
    const window = createSlidingWindow('BTC-USD', W);
    expect(window.apply(makeTrade(1, T0_US)).warm).toBe(false);
    expect(window.apply(makeTrade(2, T0_US + W - 1)).warm).toBe(false);
    expect(window.apply(makeTrade(3, T0_US + W)).warm).toBe(true);
  });

  it('goes cold after a lost gap until a full window has passed after it', () => {
    const window = createSlidingWindow('BTC-USD', W);
    window.apply(makeTrade(1, T0_US));
    expect(window.apply(makeTrade(2, T0_US + 2 * W)).warm).toBe(true);
    window.markDiscontinuity();
    const after = window.apply(makeTrade(10, T0_US + 2 * W + SECOND));
    expect(after.warm).toBe(false);
    expect(after.count).toBe(2); // what it held before the gap stays in the window
    expect(window.apply(makeTrade(11, T0_US + 3 * W)).warm).toBe(false);
    expect(window.apply(makeTrade(12, T0_US + 3 * W + SECOND)).warm).toBe(true);
  });

  it('starts coverage after the gap at the newest time before it, even if the next trade is timed earlier', () => {
    const window = createSlidingWindow('BTC-USD', W);
    window.apply(makeTrade(1, T0_US));
    window.apply(makeTrade(2, T0_US + 5 * SECOND));
    window.markDiscontinuity();
    window.apply(makeTrade(9, T0_US + 4 * SECOND));
    expect(window.apply(makeTrade(10, T0_US + 4 * SECOND + W)).warm).toBe(false);
    expect(window.apply(makeTrade(11, T0_US + 5 * SECOND + W)).warm).toBe(true);
  });
});

describe('createSlidingWindow when time steps back', () => {
  it('leaves trades timed after t out of the window as of t, and takes them back later', () => {
    const window = createSlidingWindow('BTC-USD', W);
    window.apply(makeTrade(1, T0_US + 10 * SECOND, '100.00'));
    const back = window.apply(makeTrade(2, T0_US + 9 * SECOND, '200.00'));
    expect(back).toMatchObject({ count: 1, mean: '200.00000000', windowEndUs: T0_US + 9 * SECOND });
    expect(window.apply(makeTrade(3, T0_US + 11 * SECOND, '300.00')).mean).toBe('200.00000000');
  });

  it('brings back a trade that had left when a later trade is timed earlier', () => {
    const window = createSlidingWindow('BTC-USD', W);
    window.apply(makeTrade(1, T0_US, '100.00'));
    window.apply(makeTrade(2, T0_US + 5 * SECOND, '200.00'));
    expect(window.apply(makeTrade(3, T0_US + W + SECOND, '300.00')).count).toBe(2);
    const back = window.apply(makeTrade(4, T0_US + W - 1, '400.00'));
    expect(back).toMatchObject({ count: 3, mean: '233.33333333', windowStartUs: T0_US - 1 });
  });

  it('raises the window start when t is further behind than the slack, and is not warm', () => {
    const window = createSlidingWindow('BTC-USD', W, { backwardSlackUs: SECOND });
    window.apply(makeTrade(1, T0_US, '100.00'));
    window.apply(makeTrade(2, T0_US + 3 * SECOND, '200.00'));
    expect(window.apply(makeTrade(3, T0_US + 2 * W, '300.00')).warm).toBe(true);
    expect(window.size()).toBe(1);
    const back = window.apply(makeTrade(4, T0_US + W + 2 * SECOND, '400.00'));
    expect(back).toMatchObject({ count: 1, windowStartUs: T0_US + W - SECOND, warm: false });
  });

  it('makes a trade W + slack or more behind the newest its own window, and forgets it', () => {
    const window = createSlidingWindow('BTC-USD', W, { backwardSlackUs: SECOND });
    window.apply(makeTrade(1, T0_US + W + SECOND, '100.00'));
    const alone = window.apply(makeTrade(2, T0_US, '200.00'));
    expect(alone).toMatchObject({ count: 1, mean: '200.00000000', windowStartUs: T0_US - 1, warm: false });
    expect(window.size()).toBe(1);
    // A microsecond later is inside the slack again: a raised start, right after the forgotten one.
    const next = window.apply(makeTrade(3, T0_US + 1, '300.00'));
    expect(next).toMatchObject({ count: 1, mean: '300.00000000', windowStartUs: T0_US, warm: false });
    expect(window.size()).toBe(2);
  });
});
