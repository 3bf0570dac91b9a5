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
/** Rows read per page, and pages per look (more wait for the next look, from where this one was). */
const PAGE_ROWS = 5_000;
const MAX_PAGES = 20;

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
  /**
   * Rows tracked within the overlap, by id, with the `updatedAt` they were tracked at: each look
   * reaches ten seconds back, and a row read again unchanged needs no second tracking (which,
   * for a triggered rearm alert, is a query of its own).
   */
  const tracked = new Map<string, number>();

  async function look(): Promise<void> {
    try {
      // Paged by (updatedAt, id), so any number of rows stamped with one instant are all read.
      let after: { at: Date; id: string } | null = null;
      let newest: number | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const rows: AlertRow[] = await db.alert.findMany({
          where: after ? { OR: [{ updatedAt: { gt: after.at } }, { updatedAt: after.at, id: { gt: after.id } }] } : { updatedAt: { gte: new Date(sinceMs) } },
          orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
          take: PAGE_ROWS,
        });
        for (const row of rows) {
          const at = row.updatedAt.getTime();
          if (tracked.get(row.id) === at) continue;
          await track(row);
          tracked.set(row.id, at);
        }
        const last = rows.at(-1);
        if (last) {
          after = { at: last.updatedAt, id: last.id };
          newest = last.updatedAt.getTime();
        }
        if (rows.length < PAGE_ROWS) break;
      }
      if (newest !== undefined) sinceMs = Math.max(sinceMs, newest - OVERLAP_MS);
      for (const [id, at] of tracked) if (at < sinceMs) tracked.delete(id);
      if (failing) log.info('reading changed alerts recovered');
      failing = false;
    } catch (error) {
      if (!failing) log.warn({ err: error }, 'reading changed alerts failed; will retry');
      failing = true;
    }
  }

  return {
    start(): void {
      // Rows are stamped by the writing node's clock: one far off the others' hides its changes
      // from them (beyond the overlap) until the next look that reaches them.
      void db
        .$queryRawUnsafe<Array<{ now: Date }>>('SELECT CURRENT_TIMESTAMP AS "now"')
        .then(([row]) => {
          const skewMs = row ? now() - new Date(row.now).getTime() : 0;
          if (Math.abs(skewMs) > OVERLAP_MS / 2) log.warn({ skewMs }, "this node's clock differs from the database's: alerts changed here may reach other nodes late");
        })
        .catch(() => undefined);
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
