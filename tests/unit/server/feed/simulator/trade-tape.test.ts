import { describe, expect, it } from 'vitest';
import { createTradeTape } from '../../../../../server/feed/simulator/trade-tape.ts';

function tapeWith(count: number, maxTrades = 1000) {
  const tape = createTradeTape('BTC-USD', 1, 100, maxTrades);
  for (let i = 0; i < count; i += 1) {
    tape.append({
      time: '2026-01-01T00:00:00.000001Z',
      timeMicros: 1,
      price: '100.5',
      size: '0.1',
      side: 'buy',
      makerOrderId: 'm',
      takerOrderId: 't',
      sequenceStep: 3,
      sent: true,
    });
  }
  return tape;
}

const ids = (trades: ReadonlyArray<{ tradeId: number }>) => trades.map((t) => t.tradeId);

describe('trade tape', () => {
  it('numbers trades densely and moves the sequence by the given step', () => {
    const tape = tapeWith(3);
    expect(ids(tape.all())).toEqual([1, 2, 3]);
    expect(tape.all().map((t) => t.sequence)).toEqual([103, 106, 109]);
    expect(tape.advanceSequence(10)).toBe(119);
    expect(tape.nextTradeId).toBe(4);
  });

  it('pages newest first: no cursor, after (older) and before (the page just newer)', () => {
    const tape = tapeWith(20);
    expect(ids(tape.page({ limit: 3 }))).toEqual([20, 19, 18]);
    expect(ids(tape.page({ after: 10, limit: 3 }))).toEqual([9, 8, 7]);
    expect(ids(tape.page({ after: 2, limit: 5 }))).toEqual([1]);
    expect(ids(tape.page({ after: 1, limit: 5 }))).toEqual([]);
    expect(ids(tape.page({ before: 10, limit: 3 }))).toEqual([13, 12, 11]);
    expect(ids(tape.page({ before: 19, limit: 5 }))).toEqual([20]);
    expect(ids(tape.page({ before: 20, limit: 5 }))).toEqual([]);
    expect(ids(tape.page({ before: 5, after: 9, limit: 10 }))).toEqual([8, 7, 6]);
    expect(ids(tape.page({ after: 1000, limit: 2 }))).toEqual([20, 19]);
  });

  it('answers every page of a tape without trades with nothing, and has no latest trade', () => {
    const tape = tapeWith(0);
    expect(tape.latest()).toBeUndefined();
    expect(tape.stats()).toBeNull();
    expect(tape.nextTradeId).toBe(1);
    for (const query of [{}, { after: 1 }, { after: 1_000_000 }, { before: 1 }, { before: 1, after: 5 }]) {
      expect(tape.page({ ...query, limit: 1000 }), JSON.stringify(query)).toEqual([]);
    }
  });

  it('keeps at most about maxTrades, dropping the oldest', () => {
    const tape = tapeWith(125, 100);
    expect(tape.all().length).toBeLessThanOrEqual(110);
    expect(tape.all()[tape.all().length - 1]?.tradeId).toBe(125);
    const oldest = tape.all()[0]?.tradeId ?? 0;
    expect(ids(tape.page({ after: oldest + 2, limit: 10 }))).toEqual([oldest + 1, oldest]);
  });
});
