import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import type { Alert as AlertRow } from '../db/generated/client.ts';

export interface AlertSyncOptions {
  db: Db;
  logger: Logger;
  /** Puts a changed alert row into this node's index as its status says. */
  track: (row: AlertRow) => Promise<void>;
  intervalMs?: number;
  now?: () => number;
}

/** How often each node reads the alerts changed since its last look. */
const SYNC_INTERVAL_MS = 1_000;
/**
 * How far back each look reaches before the newest change it saw: rows are stamped by the
 * clocks of the nodes that wrote them, and a transaction may commit a little after its stamp.
 */
const OVERLAP_MS = 10_000;
/** Rows read per look; more wait for the next one. */
const PAGE = 5_000;

/**
 * Several nodes: an alert created, edited, re-armed or fired on one node reaches every other
 * node's index within about a second, by reading the rows changed since the last look
 * (`updatedAt`, indexed). Tracking a row again is idempotent. A deleted alert is not seen here;
 * if another node's index still holds it, its firing finds no row and writes nothing, and the
 * entry is dropped then.
 */
export function createAlertSync(options: AlertSyncOptions) {
  const { db, track } = options;
  const now = options.now ?? Date.now;
  const log = options.logger.child({ module: 'alert-sync' });
  let sinceMs = now() - OVERLAP_MS;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let failing = false;

  async function look(): Promise<void> {
    try {
      const rows = await db.alert.findMany({ where: { updatedAt: { gte: new Date(sinceMs) } }, orderBy: { updatedAt: 'asc' }, take: PAGE });
      for (const row of rows) await track(row);
      const newest = rows.at(-1)?.updatedAt.getTime();
      // A full page may hide more rows of the same instant: go on from the newest seen, not past it.
      if (newest !== undefined) sinceMs = rows.length === PAGE ? newest : Math.max(sinceMs, newest - OVERLAP_MS);
      if (failing) log.info('reading changed alerts recovered');
      failing = false;
    } catch (error) {
      if (!failing) log.warn({ err: error }, 'reading changed alerts failed; will retry');
      failing = true;
    }
  }

  return {
    start(): void {
      timer = setInterval(() => {
        if (!running) running = look().finally(() => (running = null));
      }, options.intervalMs ?? SYNC_INTERVAL_MS);
      timer.unref();
    },
    /** One look now (tests). */
    syncNow: (): Promise<void> => look(),
    async close(): Promise<void> {
      if (timer) clearInterval(timer);
      if (running) await running;
    },
  };
}
