import type Database from 'better-sqlite3';
import { createSeededRandom } from '../../lib/seeded-random.ts';
import { sqliteDate } from '../../server/db/sqlite-date.ts';

export interface SeedTradesOptions {
  product: string;
  /** Event time of the newest trade, ms since the epoch. */
  endMs: number;
  spanMs: number;
  perSecond: number;
  startCents: number;
  firstTradeId: number;
  seed?: number;
}

/**
 * Writes `spanMs` of trades ending at `endMs` straight into the trade table, as the trade store
 * would have: a seeded random walk in cents, evenly spaced. Returns the last trade's id and price.
 */
export function seedTrades(db: Database.Database, options: SeedTradesOptions): { count: number; lastTradeId: number; lastCents: number } {
  const random = createSeededRandom(options.seed ?? 3).next;
  const count = Math.floor((options.spanMs / 1000) * options.perSecond);
  const stepUs = (options.spanMs * 1000) / count;
  const startUs = (options.endMs - options.spanMs) * 1000;
  const insert = db.prepare('INSERT INTO trade (product, tradeId, time, timeUs, price, size, side) VALUES (?, ?, ?, ?, ?, ?, ?)');
  let cents = options.startCents;
  let tradeId = options.firstTradeId;
  db.transaction(() => {
    for (let i = 1; i <= count; i++) {
      const timeUs = Math.round(startUs + i * stepUs);
      cents = Math.max(100, cents + Math.floor(random() * 41) - 20);
      const time = `${new Date(Math.floor(timeUs / 1000)).toISOString().slice(0, 19)}.${String(timeUs % 1_000_000).padStart(6, '0')}Z`;
      const size = (0.0001 + random() * 0.5).toFixed(8);
      insert.run(options.product, ++tradeId, time, timeUs, (cents / 100).toFixed(2), size, random() < 0.5 ? 'buy' : 'sell');
    }
  })();
  return { count, lastTradeId: tradeId, lastCents: cents };
}

/**
 * `users` users with `perUser` armed alerts each on `product`, thresholds 20–50% away from the
 * price on the side that does not hold, so none fires at start.
 */
export function seedAlerts(db: Database.Database, options: { users: number; perUser: number; product: string; priceCents: number; seed?: number }): string[] {
  const random = createSeededRandom(options.seed ?? 5).next;
  const now = sqliteDate(Date.now());
  const addUser = db.prepare('INSERT INTO "user" (id, name, email, emailVerified, createdAt, updatedAt) VALUES (?, ?, ?, 0, ?, ?)');
  const addAlert = db.prepare(
    `INSERT INTO alert (id, userId, product, basis, direction, threshold, repeatMode, status, arming, createdAt, updatedAt)
     VALUES (?, ?, ?, ?, ?, ?, 'once', 'armed', 1, ?, ?)`,
  );
  const bases = ['last', 'mean', 'vwap'];
  const userIds: string[] = [];
  db.transaction(() => {
    for (let u = 0; u < options.users; u++) {
      const userId = `benchuser${String(u).padStart(16, '0')}`;
      userIds.push(userId);
      addUser.run(userId, `Bench ${u}`, `bench-${u}@example.com`, now, now);
      for (let a = 0; a < options.perUser; a++) {
        const above = random() < 0.5;
        const offset = 0.2 + random() * 0.3;
        const cents = Math.round(options.priceCents * (above ? 1 + offset : 1 - offset));
        addAlert.run(`benchalert${u}x${a}`, userId, options.product, bases[a % 3], above ? 'above' : 'below', (cents / 100).toFixed(2), now, now);
      }
    }
  })();
  return userIds;
}
