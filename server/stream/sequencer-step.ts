import type { Trade } from './types.ts';

/** A range of trade ids, both ends inclusive (`fromId <= toId`). */
export interface IdRange {
  fromId: number;
  toId: number;
}

/**
 * One thing for the caller to do, in order: apply a trade to the window, or note that the ids
 * `fromId..toId` were given up as lost at exactly this point (call `window.markDiscontinuity()`
 * before applying the next trade item).
 */
export type SequencerItem = { kind: 'trade'; trade: Trade } | ({ kind: 'lost' } & IdRange);

/**
 * How the open gap changed in a step. `open` carries the range now missing (from the id after the
 * last applied one up to the highest id known to exist and not held; ids inside it may already
 * be held, fetching them again is harmless) and when the gap first opened (`sinceMs`, the caller's
 * clock in milliseconds). `closed`: no id is missing any more, filled or given up.
 */
export type GapChange = ({ status: 'open'; sinceMs: number } & IdRange) | { status: 'closed' };

/** What one call to the trade sequencer produced. */
export interface SequencerStep {
  /** Trades to apply, in strictly increasing id order, with lost markers where ids were skipped. */
  items: SequencerItem[];
  /** Trades dropped because their id was already applied, already held or given up. */
  duplicates: number;
  /** The gap's new state when it opened, changed range or closed in this step; otherwise null. */
  gap: GapChange | null;
  /** The ranges given up in this step, ascending: the same ranges as the `lost` items. */
  lost: IdRange[];
}
