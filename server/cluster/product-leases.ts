import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { postgresqlDialect } from '../db/sql-dialect.ts';
import { createListeners } from '../lifecycle/listeners.ts';

/** Thrown inside a firing transaction whose node no longer holds the product's lease at its epoch. */
export class FencedError extends Error {
  override name = 'FencedError';
  constructor(readonly product: string) {
    super(`this node no longer holds the firing lease of ${product}`);
  }
}

/** What the alert evaluator needs of the leases. */
export interface FiringLeases {
  epoch(product: string): number | null;
  fence(tx: Db, product: string, epoch: number): Promise<void>;
}

/** Checks every (product, epoch) that firings were matched under, once each, inside `tx`. */
export async function fenceEach(leases: FiringLeases, tx: Db, items: ReadonlyArray<{ product: string; epoch: number | null }>): Promise<void> {
  const checks = new Map<string, { product: string; epoch: number }>();
  for (const { product, epoch } of items) if (epoch !== null) checks.set(`${product}\n${epoch}`, { product, epoch });
  for (const { product, epoch } of checks.values()) await leases.fence(tx, product, epoch);
}

export interface ProductLeasesOptions {
  db: Db;
  nodeId: string;
  products: readonly string[];
  ttlMs: number;
  logger: Logger;
  /** Local clock, for the node's own view of when its lease runs out. */
  now?: () => number;
}

/** Renewals per TTL: two may fail before the lease lapses. */
const RENEWALS_PER_TTL = 3;

/**
 * Takes or renews a product's lease, in the database's clock (UTC): inserts it, renews it when
 * this node holds it, or takes it over with epoch + 1 once it has expired. A node whose own
 * lease lapsed (it was paused) also gets epoch + 1, so nothing it began before is accepted.
 * Returns the epoch held, or nothing when another node holds an unexpired lease. A takeover
 * waits for the row lock of a firing transaction that checked the old lease (FOR SHARE).
 */
const ACQUIRE = postgresqlDialect.text(`
  INSERT INTO product_lease ("product", "holder", "epoch", "expiresAt")
  VALUES (?, ?, 1, (clock_timestamp() AT TIME ZONE 'UTC') + make_interval(secs => ?))
  ON CONFLICT ("product") DO UPDATE SET
    "epoch" = CASE
      WHEN product_lease."holder" = EXCLUDED."holder" AND product_lease."expiresAt" > (clock_timestamp() AT TIME ZONE 'UTC')
      THEN product_lease."epoch" ELSE product_lease."epoch" + 1 END,
    "holder" = EXCLUDED."holder",
    "expiresAt" = EXCLUDED."expiresAt"
  WHERE product_lease."holder" = EXCLUDED."holder" OR product_lease."expiresAt" <= (clock_timestamp() AT TIME ZONE 'UTC')
  RETURNING "epoch"`);

/** After a refused attempt: how long another node's lease still runs, in milliseconds (database clock). */
const REMAINING = postgresqlDialect.text(`
  SELECT GREATEST(0, EXTRACT(EPOCH FROM ("expiresAt" - (clock_timestamp() AT TIME ZONE 'UTC'))) * 1000)::float8 AS "ms"
    FROM product_lease WHERE "product" = ?`);

/** A retry aimed at the end of another node's lease comes this long after it: its expiry is then past. */
const TAKEOVER_MARGIN_MS = 25;

/** Inside a firing transaction: the lease is still this node's, at this epoch, and unexpired. */
const FENCE = postgresqlDialect.text(`
  SELECT 1 AS "held" FROM product_lease
   WHERE "product" = ? AND "holder" = ? AND "epoch" = ? AND "expiresAt" > (clock_timestamp() AT TIME ZONE 'UTC')
   FOR SHARE`);

/** On a clean stop: hand the leases over at once instead of after the TTL. */
const RELEASE = postgresqlDialect.text(`
  UPDATE product_lease SET "expiresAt" = (clock_timestamp() AT TIME ZONE 'UTC') WHERE "holder" = ?`);

/**
 * The firing leases of one node (several nodes on PostgreSQL, DESIGN.md section 7): each product's
 * alerts fire on the node holding its lease. The node renews every TTL/3; it counts a lease as
 * its own only until TTL after the renewal was sent, by its own clock, and a failed or refused
 * renewal ends it at once. Being the holder here is a belief; the proof is `fence()`, checked
 * inside every firing transaction against the database, so a node that was paused or cut off
 * and comes back commits nothing.
 */
export function createProductLeases(options: ProductLeasesOptions) {
  const { db, products, ttlMs } = options;
  // NODE_ID and a mark of this process: a restarted process with the same NODE_ID (a container's
  // host name and pid 1) takes the lease over with a new epoch instead of inheriting the old one,
  // which a paused predecessor could otherwise still fence with.
  const nodeId = `${options.nodeId}/${randomBytes(4).toString('hex')}`;
  const acquired = createListeners<[string, number]>();
  const lost = createListeners<[string]>();
  const now = options.now ?? Date.now;
  const log = options.logger.child({ module: 'leases' });
  const held = new Map<string, { epoch: number; untilMs: number }>();
  const timers = new Map<string, NodeJS.Timeout>();
  const renewing = new Set<Promise<unknown>>();
  let stopped = false;

  function lose(product: string, why: string): void {
    if (!held.delete(product)) return;
    log.warn({ product, why }, 'firing lease lost');
    lost.emit(product);
  }

  /**
   * One attempt; resolves with the delay before the next, in ms: a third of the TTL, or, when
   * another node holds the lease, just past its expiry if that comes sooner (so a dead holder is
   * replaced within about LEASE_TTL of its last renewal, not up to a third later).
   */
  async function renew(product: string): Promise<number> {
    const sentAt = now();
    const interval = ttlMs / RENEWALS_PER_TTL;
    try {
      const rows = await db.$queryRawUnsafe<Array<{ epoch: number }>>(ACQUIRE, product, nodeId, ttlMs / 1000);
      const epoch = rows[0]?.epoch;
      if (epoch === undefined) {
        lose(product, 'held by another node');
        const [lease] = await db.$queryRawUnsafe<Array<{ ms: number }>>(REMAINING, product);
        return lease ? Math.min(interval, Math.ceil(lease.ms) + TAKEOVER_MARGIN_MS) : interval;
      }
      const before = held.get(product);
      held.set(product, { epoch: Number(epoch), untilMs: sentAt + ttlMs });
      if (before?.epoch !== Number(epoch)) {
        log.info({ product, epoch: Number(epoch) }, 'firing lease taken');
        // Outside the attempt's error handling: a listener's failure is not a failed renewal.
        queueMicrotask(() => acquired.emit(product, Number(epoch)));
      }
    } catch (error) {
      // A node that cannot renew must not go on firing on a lease it may have lost.
      if (held.has(product)) log.warn({ product, err: error }, 'renewing the firing lease failed');
      lose(product, 'renewal failed');
    }
    return interval;
  }

  /** Each product on its own timer: a renewal that waits (a lock, a full pool) delays no other product's. */
  function schedule(product: string, delayMs: number): void {
    if (stopped) return;
    const timer = setTimeout(() => {
      const attempt = renew(product);
      renewing.add(attempt);
      // renew() answers every failure with a delay; should it ever reject, the product still renews.
      void attempt.catch(() => ttlMs / RENEWALS_PER_TTL).then((next) => {
        renewing.delete(attempt);
        schedule(product, next);
      });
    }, delayMs);
    timer.unref();
    timers.set(product, timer);
  }

  return {
    /** Takes the leases that are free and keeps renewing. */
    async start(): Promise<void> {
      const delays = await Promise.all(products.map(renew));
      products.forEach((product, i) => schedule(product, delays[i]!));
    },
    /** The epoch of `product`'s lease while this node believes it holds it, else null. */
    epoch(product: string): number | null {
      const lease = held.get(product);
      if (!lease) return null;
      if (now() >= lease.untilMs) {
        lose(product, 'not renewed in time');
        return null;
      }
      return lease.epoch;
    },
    /**
     * Inside a firing transaction: throws FencedError unless this node still holds `product`'s
     * lease at `epoch`. The row stays share-locked until the transaction ends, so a takeover
     * waits for it to commit.
     */
    async fence(tx: Db, product: string, epoch: number): Promise<void> {
      const rows = await tx.$queryRawUnsafe<unknown[]>(FENCE, product, nodeId, epoch);
      if (rows.length === 0) {
        lose(product, 'fenced');
        throw new FencedError(product);
      }
    },
    /** Calls `listener` with the product and epoch when this node takes a lease (start or takeover). */
    onAcquired: acquired.add,
    /** Calls `listener` when this node loses a product's lease (refused, failed or late renewal, fenced). */
    onLost: lost.add,
    /** Products whose lease this node holds now. */
    held: (): string[] => [...held.keys()].filter((product) => held.get(product)!.untilMs > now()),
    /** This node's name in the lease rows: NODE_ID and a mark of this process. */
    holder: nodeId,
    /**
     * Stops renewing (a stopping node takes no lease over); the leases it holds stay its own
     * until they lapse or `close()` hands them over.
     */
    async stopRenewing(): Promise<void> {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      await Promise.allSettled([...renewing]);
    },
    /** Stops renewing and hands the leases over. */
    async close(): Promise<void> {
      await this.stopRenewing();
      held.clear();
      await db.$executeRawUnsafe(RELEASE, nodeId).catch((error: unknown) => log.warn({ err: error }, 'releasing the firing leases failed'));
    },
  };
}

export type ProductLeases = ReturnType<typeof createProductLeases>;
