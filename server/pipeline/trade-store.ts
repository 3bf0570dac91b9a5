import type { BulkReader } from '../db/bulk-reader.ts';
import { type Db, dialectOf } from '../db/client.ts';
import { createWriteRetry } from '../db/write-retry.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RawTrade, Trade } from '../stream/types.ts';

/** A persisted trade as loaded back for a warm start: the feed's fields plus its time in microseconds. */
export interface StoredTrade extends RawTrade {
  timeUs: number;
}

export interface TradeStoreOptions {
  db: Db;
  logger: Logger;
  /** Counts failed writes (`tickwatch_db_write_failures_total{writer="trades"}`). */
  metrics?: Metrics;
  /** How often queued trades are written, in milliseconds. */
  flushIntervalMs?: number;
  /** Rows per INSERT statement (7 parameters each; SQLite allows 32,766, PostgreSQL 65,535). */
  rowsPerStatement?: number;
  /**
   * Awaited before each batch is written: resolves once the alert firings of every trade applied
   * so far are committed. A trade is thus stored only after what it fired, so a crash in between
   * leaves the trade unstored, and the restart fetches it again and evaluates it, instead of
   * warming up from a stored trade whose firing was lost.
   */
  beforeWrite?: () => Promise<void>;
}

const COLUMNS = 7;

/**
 * Persists applied trades in batches off the hot path: `add()` only queues; a timer writes the
 * queue in one transaction with multi-row `INSERT ... ON CONFLICT DO NOTHING` (idempotent, so a retried or
 * replayed batch never duplicates). A failed write keeps the queue and is retried with backoff
 * (`DB_WRITE_BACKOFF`), so a locked, full or failing database loses nothing, and a long outage
 * does not keep the process busy with attempts that stall the event loop for the busy timeout.
 */
export function createTradeStore({ db, logger, metrics, flushIntervalMs = 250, rowsPerStatement = 500, beforeWrite }: TradeStoreOptions) {
  const log = logger.child({ module: 'trade-store' });
  const dialect = dialectOf(db);
  let queue: Trade[] = [];
  let flushing: Promise<void> | null = null;
  const retry = createWriteRetry({
    writer: 'trades',
    log,
    metrics,
    failedMessage: 'writing trades failed; will retry',
    recoveredMessage: 'trade writes recovered',
  });
  let retryAt = 0;
  const timer = setInterval(() => {
    if (Date.now() >= retryAt) void flush();
  }, flushIntervalMs);
  timer.unref();

  async function write(batch: Trade[]): Promise<void> {
    // Several nodes store the same trades (each writes what it applied), in whatever order it
    // applied them. Written in one order, product then id, two nodes' overlapping batches wait
    // for each other instead of deadlocking (40P01 on PostgreSQL).
    const sorted = batch.toSorted((a, b) => (a.product === b.product ? a.tradeId - b.tradeId : a.product < b.product ? -1 : 1));
    const statements = [];
    for (let i = 0; i < sorted.length; i += rowsPerStatement) {
      const rows = sorted.slice(i, i + rowsPerStatement);
      const placeholders = rows.map(() => `(${new Array(COLUMNS).fill('?').join(',')})`).join(',');
      const params = rows.flatMap((t) => [t.product, t.tradeId, t.time, t.timeUs, t.price, t.size, t.side]);
      statements.push(
        db.$executeRawUnsafe(
          dialect.text(
            `INSERT INTO trade ("product", "tradeId", "time", "timeUs", "price", "size", "side") VALUES ${placeholders} ON CONFLICT DO NOTHING`,
          ),
          ...params,
        ),
      );
    }
    await db.$transaction(statements);
  }

  async function flush(): Promise<void> {
    if (flushing) return flushing;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    flushing = (beforeWrite ? beforeWrite() : Promise.resolve())
      .then(() => write(batch))
      .then(() => {
        retry.succeeded();
        retryAt = 0;
      })
      .catch((error: unknown) => {
        queue = batch.concat(queue);
        retryAt = Date.now() + retry.failed(error, { queued: queue.length });
      })
      .finally(() => {
        flushing = null;
      });
    return flushing;
  }

  return {
    /** Queues an applied trade for the next batch write. */
    add(trade: Trade): void {
      queue.push(trade);
    },
    /** Writes everything queued now; resolves when written (or when the attempt failed). */
    flush,
    /** Trades queued and not yet written. */
    pending(): number {
      return queue.length;
    },
    /** True from a failed write until the next one succeeds (readiness). */
    failing: retry.failing,
    /**
     * Streams stored trades of `product` with `timeUs > sinceUs`, in trade-id order, through
     * `reader` (start-up: a day of trades is a million rows); returns how many.
     */
    eachSince(reader: BulkReader, product: string, sinceUs: number, onTrade: (trade: StoredTrade) => void): Promise<number> {
      return reader.each(
        'SELECT "tradeId", "time", "timeUs", "price", "size", "side" FROM trade WHERE "product" = ? AND "timeUs" > ? ORDER BY "tradeId"',
        [product, sinceUs],
        (row) => onTrade({ product, tradeId: row[0] as number, time: row[1] as string, timeUs: row[2] as number, price: row[3] as string, size: row[4] as string, side: row[5] as string }),
      );
    },
    /** Deletes stored trades older than `beforeUs`; returns how many. */
    async prune(beforeUs: number): Promise<number> {
      return db.$executeRawUnsafe(dialect.text('DELETE FROM trade WHERE "timeUs" < ?'), beforeUs);
    },
    /** Stops the timer and writes what is queued. */
    async close(): Promise<void> {
      clearInterval(timer);
      if (flushing) await flushing;
      await flush();
    },
  };
}

export type TradeStore = ReturnType<typeof createTradeStore>;
