import { describe, expect, it } from 'vitest';
import type { SequencerStep } from '../../../../server/stream/sequencer-step.ts';
import { createTradeSequencer } from '../../../../server/stream/trade-sequencer.ts';
import { T0_US, makeTrade } from './trade-fixtures.ts';

const OPTIONS = { gapFillTimeoutMs: 30_000, maxHeld: 1000 };

const trade = (id: number) => makeTrade(id, T0_US + id);
const trades = (...ids: number[]) => ids.map(trade);

/** The step's items in a compact form: trade ids, and `lost a-b` markers where they fall. */
function plan(step: SequencerStep): (number | string)[] {
  return step.items.map((item) => (item.kind === 'trade' ? item.trade.tradeId : `lost ${item.fromId}-${item.toId}`));
}

function started(lastAppliedId: number | null, options = OPTIONS) {
  const sequencer = createTradeSequencer(options);
  sequencer.start(lastAppliedId);
  return sequencer;
}

describe('createTradeSequencer in order', () => {
  it('applies consecutive trades at once', () => {
    const sequencer = started(100);
    expect(plan(sequencer.offer(trade(101), 0))).toEqual([101]);
    const step = sequencer.offer(trade(102), 0);
    expect(step).toEqual({ items: [{ kind: 'trade', trade: trade(102) }], duplicates: 0, gap: null, lost: [] });
    expect(sequencer.state()).toEqual({ lastAppliedId: 102, openGap: null, held: 0 });
  });

  it('applies the first trade directly when started from nothing, and before start', () => {
    expect(plan(started(null).offer(trade(5_000_000), 0))).toEqual([5_000_000]);
    const fresh = createTradeSequencer(OPTIONS);
    expect(plan(fresh.offer(trade(7), 0))).toEqual([7]);
    expect(plan(fresh.offer(trade(8), 0))).toEqual([8]);
  });

  it('drops trades already applied or already held as duplicates', () => {
    const sequencer = started(100);
    sequencer.offer(trade(101), 0);
    expect(sequencer.offer(trade(101), 0)).toMatchObject({ items: [], duplicates: 1 });
    expect(sequencer.offer(trade(50), 0)).toMatchObject({ items: [], duplicates: 1 });
    sequencer.offer(trade(104), 0);
    expect(sequencer.offer(trade(104), 0)).toMatchObject({ items: [], duplicates: 1, gap: null });
    expect(sequencer.fill(trades(101, 102, 102, 103, 104), 0)).toMatchObject({ duplicates: 3 });
  });
});

describe('createTradeSequencer gaps', () => {
  it('opens a gap when a trade id skips ahead and holds trades behind it', () => {
    const sequencer = started(100);
    const step = sequencer.offer(trade(103), 1_000);
    expect(step).toEqual({ items: [], duplicates: 0, gap: { status: 'open', fromId: 101, toId: 102, sinceMs: 1_000 }, lost: [] });
    expect(sequencer.offer(trade(104), 2_000).gap).toBeNull();
    expect(sequencer.state()).toEqual({ lastAppliedId: 100, openGap: { fromId: 101, toId: 102, sinceMs: 1_000 }, held: 2 });

    const late = sequencer.offer(trade(101), 3_000);
    expect(plan(late)).toEqual([101]);
    expect(late.gap).toEqual({ status: 'open', fromId: 102, toId: 102, sinceMs: 1_000 });
    const filled = sequencer.offer(trade(102), 4_000);
    expect(plan(filled)).toEqual([102, 103, 104]);
    expect(filled.gap).toEqual({ status: 'closed' });
    expect(sequencer.state()).toEqual({ lastAppliedId: 104, openGap: null, held: 0 });
  });

  it('widens the gap to a further skip and keeps its clock', () => {
    const sequencer = started(100);
    sequencer.offer(trade(103), 1_000);
    expect(sequencer.offer(trade(107), 5_000).gap).toEqual({ status: 'open', fromId: 101, toId: 106, sinceMs: 1_000 });
  });

  it('opens a gap from a heartbeat ahead of the last trade, and closes it when the trades arrive', () => {
    const sequencer = started(100);
    expect(sequencer.heartbeat(100, 0).gap).toBeNull();
    expect(sequencer.heartbeat(99, 0).gap).toBeNull();
    expect(sequencer.heartbeat(102, 500).gap).toEqual({ status: 'open', fromId: 101, toId: 102, sinceMs: 500 });
    expect(sequencer.heartbeat(102, 600).gap).toBeNull();
    expect(plan(sequencer.offer(trade(101), 700))).toEqual([101]);
    const step = sequencer.offer(trade(102), 800);
    expect(plan(step)).toEqual([102]);
    expect(step.gap).toEqual({ status: 'closed' });
  });

  it('starts from a first heartbeat as from a first trade: what it announces is history, not missing', () => {
    const sequencer = started(null);
    expect(sequencer.heartbeat(500, 0)).toEqual({ items: [], duplicates: 0, gap: null, lost: [] });
    expect(sequencer.state()).toEqual({ lastAppliedId: 500, openGap: null, held: 0 });
    expect(plan(sequencer.offer(trade(500), 0))).toEqual([]);
    expect(plan(sequencer.offer(trade(501), 0))).toEqual([501]);
  });

  it('starts with nothing missing from a heartbeat of an exchange that has no trade yet', () => {
    const sequencer = started(null);
    sequencer.heartbeat(0, 0);
    expect(plan(sequencer.offer(trade(1), 0))).toEqual([1]);
    expect(sequencer.state().openGap).toBeNull();
  });

  it('ignores heartbeats whose last_trade_id is not a trade id', () => {
    const sequencer = started(null);
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 60]) sequencer.heartbeat(bad, 0);
    expect(sequencer.state().lastAppliedId).toBeNull();
    expect(plan(sequencer.offer(trade(7), 0))).toEqual([7]);
  });

  it('reports as missing only the ids not held, up to the highest known', () => {
    const sequencer = started(100);
    sequencer.offer(trade(105), 0);
    expect(sequencer.heartbeat(105, 0).gap).toBeNull();
    expect(sequencer.offer(trade(104), 0).gap).toEqual({ status: 'open', fromId: 101, toId: 103, sinceMs: 0 });
    expect(sequencer.heartbeat(108, 0).gap).toEqual({ status: 'open', fromId: 101, toId: 108, sinceMs: 0 });
    expect(sequencer.offer(trade(108), 0).gap).toEqual({ status: 'open', fromId: 101, toId: 107, sinceMs: 0 });
  });

  it('fills a gap in pieces from REST, in any order, then applies the held trades', () => {
    const sequencer = started(100);
    sequencer.offer(trade(110), 0);
    sequencer.offer(trade(111), 0);
    const first = sequencer.fill(trades(104, 102, 101, 103), 10);
    expect(plan(first)).toEqual([101, 102, 103, 104]);
    expect(first.gap).toEqual({ status: 'open', fromId: 105, toId: 109, sinceMs: 0 });
    expect(plan(sequencer.fill(trades(107, 106), 20))).toEqual([]);
    const last = sequencer.fill(trades(105, 108, 109), 30);
    expect(plan(last)).toEqual([105, 106, 107, 108, 109, 110, 111]);
    expect(last.gap).toEqual({ status: 'closed' });
    expect(plan(sequencer.offer(trade(112), 40))).toEqual([112]);
  });

  it('holds REST trades beyond the highest known id like live ones', () => {
    const sequencer = started(100);
    sequencer.heartbeat(101, 0);
    const step = sequencer.fill(trades(103), 0);
    expect(step.gap).toEqual({ status: 'open', fromId: 101, toId: 102, sinceMs: 0 });
    expect(plan(sequencer.fill(trades(101, 102), 0))).toEqual([101, 102, 103]);
  });
});

describe('createTradeSequencer giving up', () => {
  it('gives the gap up after the timeout, with a lost marker before each run of missing ids', () => {
    const sequencer = started(100);
    sequencer.offer(trade(103), 1_000);
    sequencer.offer(trade(105), 2_000);
    sequencer.heartbeat(107, 3_000);
    expect(sequencer.expire(30_999).items).toEqual([]);
    const step = sequencer.expire(31_000);
    expect(plan(step)).toEqual(['lost 101-102', 103, 'lost 104-104', 105, 'lost 106-107']);
    expect(step.lost).toEqual([
      { fromId: 101, toId: 102 },
      { fromId: 104, toId: 104 },
      { fromId: 106, toId: 107 },
    ]);
    expect(step.gap).toEqual({ status: 'closed' });
    expect(sequencer.state()).toEqual({ lastAppliedId: 107, openGap: null, held: 0 });
    expect(sequencer.offer(trade(106), 32_000)).toMatchObject({ items: [], duplicates: 1 });
    expect(plan(sequencer.offer(trade(108), 32_000))).toEqual([108]);
  });

  it('does nothing on expire without an open gap', () => {
    const sequencer = started(100);
    expect(sequencer.expire(Number.POSITIVE_INFINITY)).toEqual({ items: [], duplicates: 0, gap: null, lost: [] });
  });

  it('gives up at once when more than maxHeld trades would be held', () => {
    const sequencer = started(100, { gapFillTimeoutMs: 30_000, maxHeld: 3 });
    for (const id of [102, 103, 104]) expect(sequencer.offer(trade(id), 0).items).toEqual([]);
    const step = sequencer.offer(trade(105), 0);
    expect(plan(step)).toEqual(['lost 101-101', 102, 103, 104, 105]);
    expect(step.gap).toEqual({ status: 'closed' });
    expect(sequencer.state().held).toBe(0);
  });

  it('starts afresh on start, forgetting held trades', () => {
    const sequencer = started(100);
    sequencer.offer(trade(105), 0);
    sequencer.start(200);
    expect(sequencer.state()).toEqual({ lastAppliedId: 200, openGap: null, held: 0 });
    expect(plan(sequencer.offer(trade(201), 0))).toEqual([201]);
  });
});
