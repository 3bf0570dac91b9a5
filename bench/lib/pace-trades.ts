import { wallNow } from './wall-clock.ts';

export interface PaceOptions {
  /** Calls per second. */
  rate: number;
  count: number;
  /** Publishes trade number `index` of this run. */
  send: (index: number) => void;
}

/**
 * Calls `send` `count` times at `rate` per second, each as soon as its due time has come. Timers
 * wake about once a millisecond, so at 2,000/s two or three go out together, as trades of a real
 * burst do. It sleeps between calls rather than spinning: the server shares these cores. Resolves
 * with how late the worst call was, in ms (a bench that cannot keep pace shows here).
 */
export async function paceTrades({ rate, count, send }: PaceOptions): Promise<number> {
  const start = wallNow();
  const due = (index: number): number => start + (index * 1000) / rate;
  let sent = 0;
  let worstLateMs = 0;
  while (sent < count) {
    const now = wallNow();
    while (sent < count && due(sent) <= now) {
      worstLateMs = Math.max(worstLateMs, now - due(sent));
      send(sent);
      sent += 1;
    }
    if (sent < count) await new Promise((resolve) => setTimeout(resolve, Math.max(0, due(sent) - wallNow())));
  }
  return worstLateMs;
}
