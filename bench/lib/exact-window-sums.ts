/** The exact window as of each trade of a tape: the ground truth the designs are scored against. */
export interface ExactWindowSums {
  /** Sum of the prices (units of 1e-8 USD) in the window as of trade i. */
  sum: bigint[];
  count: Int32Array;
  /** The trades seen cover at least one window of event time before trade i. */
  warm: Uint8Array;
}

/**
 * The window as of trade i, per DESIGN.md: trades j <= i with time in (t_i - W, t_i]. Written
 * apart from server/stream on purpose (times here never go backwards, so two pointers do), so
 * the engine is checked against something it does not share code with.
 */
export function exactWindowSums(trades: ReadonlyArray<{ timeUs: number; priceUnits: bigint }>, windowUs: number): ExactWindowSums {
  const sum = new Array<bigint>(trades.length);
  const count = new Int32Array(trades.length);
  const warm = new Uint8Array(trades.length);
  const firstUs = trades[0]?.timeUs ?? 0;
  let from = 0;
  let running = 0n;
  trades.forEach((trade, i) => {
    running += trade.priceUnits;
    while (trades[from]!.timeUs <= trade.timeUs - windowUs) running -= trades[from++]!.priceUnits;
    sum[i] = running;
    count[i] = i + 1 - from;
    warm[i] = trade.timeUs - firstUs >= windowUs ? 1 : 0;
  });
  return { sum, count, warm };
}
