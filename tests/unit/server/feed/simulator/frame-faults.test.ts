import { describe, expect, it } from 'vitest';
import { createFrameFaults } from '../../../../../server/feed/simulator/frame-faults.ts';
import type { PublishedTrade } from '../../../../../server/feed/simulator/trade-tape.ts';

const trade = (tradeId: number, product = 'BTC-USD') => ({ tradeId, product }) as PublishedTrade;
const ids = (trades: PublishedTrade[]) => trades.map((t) => t.tradeId);

describe('frame faults', () => {
  it('passes trades through untouched by default', () => {
    expect(ids(createFrameFaults().shape(trade(1)))).toEqual([1]);
  });

  it('sends the next trade twice when asked to duplicate', () => {
    const faults = createFrameFaults();
    faults.duplicateNext('BTC-USD');
    expect(ids(faults.shape(trade(1)))).toEqual([1, 1]);
    expect(ids(faults.shape(trade(2)))).toEqual([2]);
  });

  it('holds the next trade and sends it after its successor when asked to reorder', () => {
    const faults = createFrameFaults();
    faults.reorderNext('BTC-USD');
    expect(ids(faults.shape(trade(1)))).toEqual([]);
    expect(ids(faults.shape(trade(5, 'ETH-USD')))).toEqual([5]);
    expect(ids(faults.shape(trade(2)))).toEqual([2, 1]);
  });

  it('releases a held trade on flush (before a heartbeat)', () => {
    const faults = createFrameFaults();
    faults.reorderNext('BTC-USD');
    faults.shape(trade(1));
    expect(ids(faults.flush('BTC-USD'))).toEqual([1]);
    expect(ids(faults.flush('BTC-USD'))).toEqual([]);
  });
});
