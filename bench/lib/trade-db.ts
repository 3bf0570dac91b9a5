import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RawTrade } from '../../server/stream/types.ts';

/** The migration that creates the app's `trade` table: the batch job reads the table the app writes. */
const TRADE_MIGRATION = path.resolve(import.meta.dirname, '../../prisma/migrations/20261126162253_trades/migration.sql');

/** Stored trades in a temporary SQLite file, and the queries a periodic job runs on them. */
export interface TradeDb {
  /** Price strings of the trades with time in (afterUs, toUs], as stored. */
  windowPrices(product: string, afterUs: number, toUs: number): string[];
  /** The newest trade at or before `toUs` (highest time, then highest id). */
  last(product: string, toUs: number): { tradeId: number; price: string } | undefined;
  /**
   * The old job's query: SQLite's `AVG(price)` (a double) over (afterUs, toUs], and the count;
   * `maxTradeId` cuts a window as of one trade (later trades at the same microsecond are out).
   */
  avg(product: string, afterUs: number, toUs: number, maxTradeId?: number): { avg: number | null; count: number };
  /** Closes the database and deletes its directory. */
  close(): void;
}

/**
 * Writes the trades into a fresh SQLite file with the app's schema (price and size as the feed's
 * strings, the (product, timeUs) index), in WAL mode as the app runs it. All of them are written
 * up front: every query is bounded by its run's time, so later rows are never read.
 */
export function createTradeDb(trades: ReadonlyArray<{ raw: RawTrade; timeUs: number }>): TradeDb {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-batch-'));
  const db = new Database(path.join(dir, 'trades.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.exec(fs.readFileSync(TRADE_MIGRATION, 'utf8'));
    const insert = db.prepare('INSERT INTO trade (product, tradeId, time, timeUs, price, size, side) VALUES (?, ?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (const { raw, timeUs } of trades) insert.run(raw.product, raw.tradeId, raw.time, timeUs, raw.price, raw.size, raw.side);
    })();
  } catch (error) {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const prices = db.prepare('SELECT price FROM trade WHERE product = ? AND timeUs > ? AND timeUs <= ?').pluck();
  const last = db.prepare('SELECT tradeId, price FROM trade WHERE product = ? AND timeUs <= ? ORDER BY timeUs DESC, tradeId DESC LIMIT 1');
  const avg = db.prepare('SELECT AVG(price) AS avg, COUNT(*) AS count FROM trade WHERE product = ? AND timeUs > ? AND timeUs <= ? AND tradeId <= ?');
  return {
    windowPrices: (product, afterUs, toUs) => prices.all(product, afterUs, toUs) as string[],
    last: (product, toUs) => last.get(product, toUs) as { tradeId: number; price: string } | undefined,
    avg: (product, afterUs, toUs, maxTradeId = Number.MAX_SAFE_INTEGER) => avg.get(product, afterUs, toUs, maxTradeId) as { avg: number | null; count: number },
    close() {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
