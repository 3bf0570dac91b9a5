import { type AlertCondition, createAlertIndex } from '../../server/stream/alert-index.ts';
import { parseTrade } from '../../server/stream/parse-trade.ts';
import { createSlidingWindow } from '../../server/stream/sliding-window.ts';
import type { RawTrade } from '../../server/stream/types.ts';
import { cpuMs } from './cpu.ts';
import type { Firing } from './score-firings.ts';

export interface StreamReplayResult {
  firings: Map<string, Firing>;
  /** Wall time of each trade from being handed over until its matches were known, ms. */
  tradeMs: Float64Array;
  cpuMs: number;
}

/**
 * The streaming design on a replay: every trade, as the feed client hands it over, through
 * parseTrade, the exact sliding window and the alert index; what matches is reported with the
 * wall time since the trade was handed over, and removed, as the evaluator does (expired alerts
 * too). Time is the trades' own; nothing waits for I/O.
 */
export function replayStream(trades: readonly RawTrade[], conditions: readonly AlertCondition[], product: string, windowUs: number): StreamReplayResult {
  const window = createSlidingWindow(product, windowUs);
  const index = createAlertIndex();
  index.bulkLoad(conditions);
  const firings = new Map<string, Firing>();
  const tradeMs = new Float64Array(trades.length);
  const started = cpuMs();
  for (let i = 0; i < trades.length; i++) {
    const handed = performance.now();
    const parsed = parseTrade(trades[i]!);
    if (!parsed.ok) throw new Error(`replay trade refused: ${parsed.reason}`);
    const state = window.apply(parsed.trade);
    const matches = index.matching(state);
    const elapsed = performance.now() - handed;
    tradeMs[i] = elapsed;
    for (const match of matches) {
      firings.set(match.alertId, { atUs: state.timeUs, processingMs: elapsed, tradeIndex: i });
      index.remove(match.alertId);
    }
    const nextExpiryUs = index.nextExpiryUs();
    if (nextExpiryUs !== undefined && nextExpiryUs <= state.timeUs) for (const gone of index.expired(state.timeUs)) index.remove(gone.alertId);
  }
  return { firings, tradeMs, cpuMs: cpuMs() - started };
}
