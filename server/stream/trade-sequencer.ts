import type { GapChange, IdRange, SequencerItem, SequencerStep } from './sequencer-step.ts';
import type { Trade } from './types.ts';

/** Limits of one {@link createTradeSequencer}. */
export interface TradeSequencerOptions {
  /** How long (milliseconds of the caller's clock) a gap may stay open before it is given up. */
  gapFillTimeoutMs: number;
  /** Most trades held behind a gap; holding one more gives the gap up at once. */
  maxHeld: number;
}

/** A snapshot of where a sequencer stands (see {@link TradeSequencer.state}). */
export interface SequencerState {
  /** Id of the last trade handed out to apply (or skipped as lost); null before the first. */
  lastAppliedId: number | null;
  /** The ids currently missing, and since when (caller's milliseconds), or null. */
  openGap: (IdRange & { sinceMs: number }) | null;
  /** Trades held behind the gap. */
  held: number;
}

/** Puts one product's trades into strict trade-id order; see {@link createTradeSequencer}. */
export interface TradeSequencer {
  /** Resets: the sequence stands after `lastAppliedId` (null: the first trade offered is applied). */
  start(lastAppliedId: number | null): void;
  /** A live trade. */
  offer(trade: Trade, nowMs: number): SequencerStep;
  /**
   * A heartbeat: trades up to `lastTradeId` exist. Before the first trade it starts the sequence
   * after `lastTradeId` (those trades are history, not missing), as a first trade would.
   */
  heartbeat(lastTradeId: number, nowMs: number): SequencerStep;
  /** Trades fetched (REST) for the gap, in any order; ids already applied or held are duplicates. */
  fill(trades: readonly Trade[], nowMs: number): SequencerStep;
  /** Gives the open gap up if it is `gapFillTimeoutMs` old or more. */
  expire(nowMs: number): SequencerStep;
  state(): SequencerState;
}

/**
 * Creates the sequencer of one product: dedupes trades by id and hands them out strictly in
 * trade-id order, holding trades that arrive after missing ids until those are filled.
 *
 * - An id at or below the last applied one, or already held, is a duplicate and dropped.
 * - The id right after the last applied one is applied, followed by the held trades that now
 *   follow contiguously (also while a gap is open: a late live trade fills it as well as REST).
 * - A higher id is held, and the ids between are missing: the gap opens (or widens). A heartbeat
 *   whose `last_trade_id` is past everything known opens or widens it the same way; the gap
 *   opens at once, so a caller that expects the trades to follow shortly waits before fetching.
 * - The gap closes when nothing is missing any more. Its clock (`sinceMs`) runs from the moment
 *   it first opened, even as it widens, so no trade is held longer than `gapFillTimeoutMs` plus
 *   the time between `expire` calls.
 * - Giving up (`expire` after the timeout, or at once when more than `maxHeld` trades would be
 *   held) applies the held trades in order, with a `lost` item before each run of missing ids;
 *   ids known only from a heartbeat end in a trailing `lost` item. The last applied id jumps
 *   over the lost ids, so if they arrive later they are duplicates.
 *
 * Pure: `nowMs` is the caller's clock, used only to time the gap. Before `start` it behaves as
 * after `start(null)`.
 */
export function createTradeSequencer(options: TradeSequencerOptions): TradeSequencer {
  const { gapFillTimeoutMs, maxHeld } = options;
  let lastApplied: number | null = null;
  const held = new Map<number, Trade>();
  // Highest id known to exist (applied, held or announced by a heartbeat).
  let knownHigh = 0;
  // Highest missing id; meaningful while a gap is open.
  let topMissing = 0;
  let gapSinceMs: number | null = null;

  let items: SequencerItem[] = [];
  let duplicates = 0;
  let lost: IdRange[] = [];

  function missing(): IdRange | null {
    if (lastApplied === null || gapSinceMs === null) return null;
    return { fromId: lastApplied + 1, toId: topMissing };
  }

  function emit(trade: Trade): void {
    items.push({ kind: 'trade', trade });
    lastApplied = trade.tradeId;
    if (trade.tradeId > knownHigh) knownHigh = trade.tradeId;
  }

  function skip(toId: number): void {
    const range = { fromId: (lastApplied ?? 0) + 1, toId };
    items.push({ kind: 'lost', ...range });
    lost.push(range);
    lastApplied = toId;
  }

  function drain(): void {
    for (let next = held.get((lastApplied ?? 0) + 1); next !== undefined; next = held.get((lastApplied ?? 0) + 1)) {
      held.delete(next.tradeId);
      emit(next);
    }
  }

  function accept(trade: Trade): void {
    const id = trade.tradeId;
    if (lastApplied === null) {
      emit(trade);
      return;
    }
    if (id <= lastApplied || held.has(id)) {
      duplicates++;
      return;
    }
    if (id === lastApplied + 1) {
      emit(trade);
      drain();
      return;
    }
    held.set(id, trade);
    if (id > knownHigh) {
      if (id > knownHigh + 1) topMissing = id - 1;
      knownHigh = id;
    } else if (id === topMissing) {
      while (held.has(topMissing)) topMissing--;
    }
  }

  function giveUp(): void {
    const ids = [...held.keys()].sort((a, b) => a - b);
    for (const id of ids) {
      if (id > (lastApplied ?? 0) + 1) skip(id - 1);
      emit(held.get(id) as Trade);
    }
    held.clear();
    if (knownHigh > (lastApplied ?? 0)) skip(knownHigh);
    gapSinceMs = null;
  }

  /** Brings the gap up to date after a change and reports the step. */
  function finish(nowMs: number, before: IdRange | null): SequencerStep {
    const open = lastApplied !== null && (held.size > 0 || knownHigh > lastApplied);
    if (!open) gapSinceMs = null;
    else gapSinceMs ??= nowMs;
    if (held.size > maxHeld) giveUp();
    const after = missing();
    let gap: GapChange | null = null;
    if (after === null) {
      if (before !== null) gap = { status: 'closed' };
    } else if (before === null || before.fromId !== after.fromId || before.toId !== after.toId) {
      gap = { status: 'open', ...after, sinceMs: gapSinceMs ?? nowMs };
    }
    const step: SequencerStep = { items, duplicates, gap, lost };
    items = [];
    duplicates = 0;
    lost = [];
    return step;
  }

  return {
    start(lastAppliedId) {
      lastApplied = lastAppliedId;
      held.clear();
      knownHigh = lastAppliedId ?? 0;
      topMissing = knownHigh;
      gapSinceMs = null;
    },
    offer(trade, nowMs) {
      const before = missing();
      accept(trade);
      return finish(nowMs, before);
    },
    heartbeat(lastTradeId, nowMs) {
      const before = missing();
      if (!Number.isSafeInteger(lastTradeId) || lastTradeId < 0) return finish(nowMs, before);
      // 0 says the exchange has no trade yet (Coinbase's sandbox always sends it): nothing starts.
      if (lastApplied === null && held.size === 0 && lastTradeId > 0) {
        lastApplied = lastTradeId;
        knownHigh = topMissing = lastTradeId;
      } else if (lastApplied !== null && lastTradeId > knownHigh) {
        knownHigh = lastTradeId;
        topMissing = lastTradeId;
      }
      return finish(nowMs, before);
    },
    fill(trades, nowMs) {
      const before = missing();
      for (const trade of [...trades].sort((a, b) => a.tradeId - b.tradeId)) accept(trade);
      return finish(nowMs, before);
    },
    expire(nowMs) {
      const before = missing();
      if (gapSinceMs !== null && nowMs - gapSinceMs >= gapFillTimeoutMs) giveUp();
      return finish(nowMs, before);
    },
    state() {
      const gap = missing();
      return { lastAppliedId: lastApplied, openGap: gap && { ...gap, sinceMs: gapSinceMs ?? 0 }, held: held.size };
    },
  };
}
