import type { SimulatorOptions } from '../../server/feed/simulator/create-simulator.ts';

/**
 * The kinds of exchange the market, alert and browser suites run against, so that one test
 * body covers each: an exchange with history before the app starts (the usual case), one with no
 * trade at all before the first live one (a new listing: the first trade is id 1), and one whose
 * REST endpoint answers every request with an empty page (its history is on the socket only).
 */
export interface SimulatorMode {
  /** Shown in test names. */
  name: 'with history' | 'no history' | 'REST empty';
  /** Merged over a suite's own simulator options (the suite's `history` is kept when > 0). */
  options: Partial<SimulatorOptions>;
  /** A fresh server can backfill a window of older trades from REST. */
  backfills: boolean;
  /** REST serves the trades a client missed, so gaps can be filled. */
  restFills: boolean;
}

export const WITH_HISTORY: SimulatorMode = { name: 'with history', options: {}, backfills: true, restFills: true };
export const NO_HISTORY: SimulatorMode = { name: 'no history', options: { history: 0, firstTradeId: 1 }, backfills: false, restFills: true };
export const REST_EMPTY: SimulatorMode = { name: 'REST empty', options: { restFailure: 'empty' }, backfills: false, restFills: false };

export const SIMULATOR_MODES: readonly SimulatorMode[] = [WITH_HISTORY, NO_HISTORY, REST_EMPTY];

/** A suite's simulator options in `mode`. */
export function inMode(mode: SimulatorMode, options: SimulatorOptions): SimulatorOptions {
  return { ...options, ...mode.options };
}
