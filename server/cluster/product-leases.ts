import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { postgresqlDialect } from '../db/sql-dialect.ts';

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
  const { db, nodeId, products, ttlMs } = options;
  const acquiredListeners = new Set<(product: string, epoch: number) => void>();
  const lostListeners = new Set<(product: string) => void>();
  const now = options.now ?? Date.now;
  const log = options.logger.child({ module: 'leases' });
  const held = new Map<string, { epoch: number; untilMs: number }>();
  let timer: NodeJS.Timeout | null = null;
  let round: Promise<void> | null = null;
  let closed = false;

  function lose(product: string, why: string): void {
    if (!held.delete(product)) return;
    log.warn({ product, why }, 'firing lease lost');
    for (const listener of lostListeners) listener(product);
  }

  async function renew(product: string): Promise<void> {
    const sentAt = now();
    try {
      const rows = await db.$queryRawUnsafe<Array<{ epoch: number }>>(ACQUIRE, product, nodeId, ttlMs / 1000);
      const epoch = rows[0]?.epoch;
      if (epoch === undefined) return lose(product, 'held by another node');
      const before = held.get(product);
      held.set(product, { epoch: Number(epoch), untilMs: sentAt + ttlMs });
      if (before?.epoch !== Number(epoch)) {
        log.info({ product, epoch: Number(epoch) }, 'firing lease taken');
        for (const listener of acquiredListeners) listener(product, Number(epoch));
      }
    } catch (error) {
      // A node that cannot renew must not go on firing on a lease it may have lost.
      if (held.has(product)) log.warn({ product, err: error }, 'renewing the firing lease failed');
      lose(product, 'renewal failed');
    }
  }

  function schedule(): void {
    if (closed) return;
    timer = setTimeout(() => {
      round = Promise.all(products.map(renew)).then(() => undefined);
      void round.finally(() => {
        round = null;
        schedule();
      });
    }, ttlMs / RENEWALS_PER_TTL);
    timer.unref();
  }

  return {
    /** Takes the leases that are free and keeps renewing. */
    async start(): Promise<void> {
      await Promise.all(products.map(renew));
      schedule();
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
    /** Calls `listener` when this node takes a product's lease (start or takeover); returns an unsubscriber. */
    onAcquired(listener: (product: string, epoch: number) => void): () => void {
      acquiredListeners.add(listener);
      return () => acquiredListeners.delete(listener);
    },
    /** Calls `listener` when this node loses a product's lease (refused, failed or late renewal, fenced). */
    onLost(listener: (product: string) => void): () => void {
      lostListeners.add(listener);
      return () => lostListeners.delete(listener);
    },
    /** Products whose lease this node holds now. */
    held: (): string[] => [...held.keys()].filter((product) => held.get(product)!.untilMs > now()),
    /** Stops renewing and hands the leases over. */
    async close(): Promise<void> {
      closed = true;
      if (timer) clearTimeout(timer);
      if (round) await round;
      held.clear();
      await db.$executeRawUnsafe(RELEASE, nodeId).catch((error: unknown) => log.warn({ err: error }, 'releasing the firing leases failed'));
    },
  };
}

export type ProductLeases = ReturnType<typeof createProductLeases>;
