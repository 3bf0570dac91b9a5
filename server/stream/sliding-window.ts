import { WindowRing } from './window-ring.ts';
import { WindowSnapshot } from './window-snapshot.ts';
import type { Trade, WindowState } from './types.ts';

/** Default {@link SlidingWindowOptions.backwardSlackUs}: one minute, in microseconds. */
export const DEFAULT_BACKWARD_SLACK_US = 60_000_000;

/** Tuning for {@link createSlidingWindow}. */
export interface SlidingWindowOptions {
  /**
   * How far (microseconds) a trade's time may lie behind the newest time applied and still get
   * an exact full window. Trades this far beyond the newest window are kept in memory for that
   * purpose. Default one minute; 0 keeps only the newest window.
   */
  backwardSlackUs?: number;
}

/** The sliding window of one product; see {@link createSlidingWindow}. */
export interface SlidingWindow {
  /**
   * Applies the next trade and returns the window as of it. Trades must come in strictly
   * increasing `tradeId`, for this window's product, with positive price and size.
   * @throws Error on a non-increasing id, another product or a non-positive price or size
   */
  apply(trade: Trade): WindowState;
  /**
   * Records that trades were lost before the next one to be applied. The window keeps what it
   * has, but coverage restarts: `warm` stays false until a full window has passed after the gap.
   */
  markDiscontinuity(): void;
  /** The state returned by the last `apply`, or `null` before the first trade. */
  current(): WindowState | null;
  /** Trades held in memory: the newest window plus those kept for the backward slack. */
  size(): number;
}

/**
 * Creates the exact sliding window of one product over `windowUs` microseconds of event time.
 *
 * The window as of trade t is exactly the applied trades with `tradeId <= t.tradeId` and time in
 * `(windowStartUs, t.timeUs]`, where `windowStartUs = t.timeUs - windowUs`: a trade exactly W
 * older than t is out, trades with equal times are all in.
 *
 * Feed times may step backwards between consecutive trade ids. The window follows each trade's
 * own time, so after a step back the newer-timed trades are out of t's window (they lie after
 * t.time) and older ones that had left come back in. Trades are kept for that until they are
 * more than `windowUs + backwardSlackUs` behind the newest time applied (H). Two rare cases:
 * - t lies more than `backwardSlackUs` behind H: some trades of its full window were already
 *   dropped, so `windowStartUs` is raised to `H - windowUs - backwardSlackUs` (the set stays exact
 *   for the bounds it reports) and `warm` is false.
 * - t lies `windowUs + backwardSlackUs` or more behind H: t is its own window, count 1,
 *   `windowStartUs = t.timeUs - 1`, warm false, and t is not kept for later windows (none
 *   can contain it).
 *
 * `warm` is true when the stated window is the full W and the trades applied since creation or
 * the last `markDiscontinuity()` cover at least W of event time before t: coverage starts at the
 * first trade applied after that, at its time or at H before the gap, whichever is later (a
 * trade timed before its predecessor must not pull coverage back into the gap).
 *
 * Sums are exact BigInt; each trade costs O(1) amortized (evicting what left, no re-summing),
 * plus O(k) for a trade timed before k held ones. Memory holds only the trades of the newest
 * window and the slack, in typed arrays. `mean` and `vwap` are rounded half-even to 8 decimals.
 *
 * @param windowUs window width in microseconds, a positive safe integer
 * @throws RangeError on a bad `windowUs` or `backwardSlackUs`
 */
export function createSlidingWindow(product: string, windowUs: number, options: SlidingWindowOptions = {}): SlidingWindow {
  const slackUs = options.backwardSlackUs ?? DEFAULT_BACKWARD_SLACK_US;
  if (!Number.isSafeInteger(windowUs) || windowUs <= 0) throw new RangeError('windowUs must be a positive integer');
  if (!Number.isSafeInteger(slackUs) || slackUs < 0) throw new RangeError('backwardSlackUs must be a non-negative integer');

  const ring = new WindowRing();
  // [first, ring.size) holds exactly the trades with timeUs > the last window start; tail* are
  // their sums. Trades before `first` are kept only for the backward slack.
  let first = 0;
  let tailPrice = 0n;
  let tailPv = 0n;
  let tailSize = 0n;
  let lastId = -Infinity;
  let newestUs = -Infinity;
  let coverageStartUs: number | null = null;
  let coverageFloorUs = -Infinity;
  let state: WindowState | null = null;

  function addAt(index: number): void {
    const price = ring.priceAt(index);
    const size = ring.sizeAt(index);
    tailPrice += price;
    tailPv += price * size;
    tailSize += size;
  }

  function removeAt(index: number): void {
    const price = ring.priceAt(index);
    const size = ring.sizeAt(index);
    tailPrice -= price;
    tailPv -= price * size;
    tailSize -= size;
  }

  function check(trade: Trade): void {
    if (trade.tradeId <= lastId) throw new Error(`trade ${trade.tradeId} applied after trade ${lastId}`);
    if (trade.product !== product) throw new Error(`trade for ${trade.product} applied to the ${product} window`);
    if (trade.priceUnits <= 0n || trade.sizeUnits <= 0n) throw new Error(`trade ${trade.tradeId} has no positive price and size`);
  }

  function apply(trade: Trade): WindowState {
    check(trade);
    lastId = trade.tradeId;
    const timeUs = trade.timeUs;
    if (timeUs > newestUs) newestUs = timeUs;
    coverageStartUs ??= Math.max(timeUs, coverageFloorUs);
    const keepAfterUs = newestUs - windowUs - slackUs;
    const pvUnits = trade.priceUnits * trade.sizeUnits;
    if (timeUs <= keepAfterUs) {
      return publish(trade, timeUs - 1, false, 1, trade.priceUnits, pvUnits, trade.sizeUnits);
    }

    let position = ring.insert(timeUs, trade.priceUnits, trade.sizeUnits);
    if (position >= first) {
      tailPrice += trade.priceUnits;
      tailPv += pvUnits;
      tailSize += trade.sizeUnits;
    } else {
      first++;
    }

    const fullStartUs = timeUs - windowUs;
    const startUs = fullStartUs > keepAfterUs ? fullStartUs : keepAfterUs;
    while (first > 0 && ring.timeAt(first - 1) > startUs) addAt(--first);
    while (ring.timeAt(first) <= startUs) removeAt(first++);
    while (first > 0 && ring.timeAt(0) <= keepAfterUs) {
      ring.shift();
      first--;
      position--;
    }

    // Trades after its own position are timed after it: in the tail, not in its window.
    let sumPrice = tailPrice;
    let sumPv = tailPv;
    let sumSize = tailSize;
    for (let i = position + 1; i < ring.size; i++) {
      const price = ring.priceAt(i);
      const size = ring.sizeAt(i);
      sumPrice -= price;
      sumPv -= price * size;
      sumSize -= size;
    }
    const warm = startUs === fullStartUs && timeUs - coverageStartUs >= windowUs;
    return publish(trade, startUs, warm, position + 1 - first, sumPrice, sumPv, sumSize);
  }

  function publish(
    trade: Trade,
    windowStartUs: number,
    warm: boolean,
    count: number,
    sumPriceUnits: bigint,
    sumPvUnits: bigint,
    sumSizeUnits: bigint,
  ): WindowState {
    state = new WindowSnapshot(trade, windowStartUs, warm, count, sumPriceUnits, sumPvUnits, sumSizeUnits);
    return state;
  }

  return {
    apply,
    markDiscontinuity(): void {
      coverageStartUs = null;
      coverageFloorUs = newestUs;
    },
    current: () => state,
    size: () => ring.size,
  };
}
