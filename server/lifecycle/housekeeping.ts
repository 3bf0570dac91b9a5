/** A periodic job: every this many milliseconds, run this. */
export type Chore = readonly [everyMs: number, run: () => void];

/**
 * Periodic jobs as a part of the service: timers start with `start()` (not when listed, so
 * nothing runs against a service still starting) and stop with `close()`. They never keep the
 * process alive on their own.
 */
export function createHousekeeping(chores: readonly Chore[]) {
  const timers: NodeJS.Timeout[] = [];
  return {
    start(): void {
      for (const [everyMs, run] of chores) timers.push(setInterval(run, everyMs).unref());
    },
    close(): void {
      for (const timer of timers) clearInterval(timer);
      timers.length = 0;
    },
  };
}
