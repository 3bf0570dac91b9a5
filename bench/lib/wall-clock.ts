/**
 * Milliseconds since the epoch with sub-millisecond resolution. Every bench process on this
 * machine reads the same wall clock, so a time taken in one process and a time taken in another
 * subtract to a latency; Date.now() would round each end to a whole millisecond, as large as the
 * floor being measured.
 */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}
