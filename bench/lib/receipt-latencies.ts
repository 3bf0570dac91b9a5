/**
 * Latencies in ms from flat receipts `[tradeId, receivedAt, ...]` (bench clock) to the send times
 * in `sentAt` (trade id → wall time the simulator published it). Receipts of other trades are
 * skipped: earlier runs, or ticks already pending when a run began. With `firstOnly`, a trade
 * counts once (an alert hit, a relayed frame); otherwise every receipt counts (a tick reaching
 * each of thousands of clients).
 */
export function receiptLatencies(receipts: Float64Array, sentAt: ReadonlyMap<number, number>, firstOnly: boolean): number[] {
  const latencies: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i + 1 < receipts.length; i += 2) {
    const tradeId = receipts[i]!;
    const sent = sentAt.get(tradeId);
    if (sent === undefined) continue;
    if (firstOnly) {
      if (seen.has(tradeId)) continue;
      seen.add(tradeId);
    }
    latencies.push(receipts[i + 1]! - sent);
  }
  return latencies;
}
