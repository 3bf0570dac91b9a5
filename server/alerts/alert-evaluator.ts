import type { BulkReader } from '../db/bulk-reader.ts';
import type { Alert } from '../../lib/realtime/events.ts';
import { DB_WRITE_BACKOFF, type Db, dialectOf } from '../db/client.ts';
import { backoffDelay } from '../backoff.ts';
import type { Alert as AlertRow } from '../db/generated/client.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { type AlertCondition, createAlertIndex } from '../stream/alert-index.ts';
import type { WindowState } from '../stream/types.ts';
import {
  type ConditionMeta,
  type ConditionRow,
  UnindexableAlertError,
  type UnindexableReason,
  createIndexCheck,
  fireCondition,
  rearmCondition,
} from './alert-conditions.ts';
import { parseTimeUs } from '../stream/parse-time.ts';
import { toAlert, toNotification } from './alert-record.ts';
import { type FireResult, expireAlert, fireAlerts, rearmAlert } from './fire-alerts.ts';
import { FencedError, type FiringLeases, fenceEach } from '../cluster/product-leases.ts';
import { eachStoredAlert } from './stored-alerts.ts';
import type { Notification } from '../../lib/alerts/notification.ts';

/** A fired alert, persisted, ready to be sent to its user. */
export interface FiredAlert {
  userId: string;
  notification: Notification;
  alert: Alert;
}

export interface AlertEvaluatorOptions {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  /** Called once per fired alert, after its notification is committed. */
  onFired(fired: FiredAlert): void;
  /** Alerts changed by the evaluator (re-armed, expired; a firing travels in its hit), for live lists. */
  onChanged?(userId: string, alert: Alert): void;
  /** The products this server follows: stored alerts on others are left out at start. */
  products?: readonly string[];
  /**
   * Several nodes: a product's alerts fire only on the node holding its lease, and every firing
   * transaction checks the lease inside itself. Without it (one process) every product fires here.
   */
  leases?: FiringLeases;
}


/** Skipped rows logged one by one per reason at start; past it, one summary line says how many more. */
const SKIP_LOG_LINES = 20;

/** The alert condition an evaluator is about to index, checked by the API before it writes. */
export type CheckedRow = ConditionRow & Pick<AlertRow, 'repeatMode'>;

/** Alerts written per transaction when many fire on one trade; the event loop breathes between. */
const CHUNK = 500;
/** Fenced firings kept per product for a later retake of its lease (bounded memory). */
const FENCED_KEPT = 100_000;

interface Pending {
  meta: ConditionMeta;
  state: WindowState;
  /** The lease epoch it was matched under (several nodes), checked in its transaction. */
  epoch: number | null;
}

/**
 * Evaluates every armed alert on every window update through the in-memory index, and makes each
 * firing exactly-once per arming: the alert leaves the index at once (so the next trade cannot
 * match it again), then a conditional update (`status = 'armed' AND arming = n`) and the
 * Notification insert (unique per alert and arming) commit in one transaction. A restart, a
 * replayed trade or a second server therefore never fires it twice: whoever loses the
 * conditional update writes nothing. Rearm alerts come back through a second condition (the band
 * and cooldown); expiry is checked on event time.
 */
export function createAlertEvaluator(options: AlertEvaluatorOptions) {
  const { db, metrics } = options;
  const log = options.logger.child({ module: 'alerts' });
  // The transaction client is another object: the dialect is read once from the one client.
  const dialect = dialectOf(db);
  const index = createAlertIndex();
  const meta = new Map<string, ConditionMeta>();
  /** The newest window per product, to evaluate again when this node takes a product's lease. */
  const latest = new Map<string, WindowState>();
  /** Firings refused by a product's fence, to queue again if this node takes its lease again. */
  const fenced = new Map<string, Pending[]>();
  let queue: Array<Pending | { expire: ConditionMeta }> = [];
  let draining: Promise<void> | null = null;
  /** Consecutive failed transactions; the retry delay grows with it. */
  let failures = 0;

  // Refused before the live index or a bulk load (all or none) sees it.
  const indexable = createIndexCheck();

  /**
   * A stored alert that cannot be evaluated: counted, logged at warn, left out of the index.
   * With `seen` (the start-up load), only the first lines of each reason are logged.
   */
  function skip(alertId: string, error: unknown, seen?: Map<UnindexableReason, number>): UnindexableReason {
    const reason = error instanceof UnindexableAlertError ? error.reason : 'not_indexable';
    metrics.alertsSkipped.inc({ reason });
    const logged = seen?.get(reason) ?? 0;
    seen?.set(reason, logged + 1);
    if (logged < SKIP_LOG_LINES) {
      log.warn({ alertId, reason, detail: error instanceof Error ? error.message : String(error) }, 'a stored alert cannot be evaluated; it is left out of the index');
    }
    return reason;
  }

  /** Indexes a condition; one the index cannot hold is skipped (counted, logged), never thrown. */
  function put(condition: AlertCondition, entry: ConditionMeta): void {
    try {
      indexable(condition);
    } catch (error) {
      drop(entry.alertId);
      skip(entry.alertId, error);
      return;
    }
    if (meta.has(entry.alertId)) index.remove(entry.alertId);
    index.add(condition);
    meta.set(entry.alertId, entry);
  }

  /** Runs `build` (which makes and puts a condition); a row it cannot make a condition of is skipped. */
  function guarded(alertId: string, build: () => void): void {
    try {
      build();
    } catch (error) {
      if (!(error instanceof UnindexableAlertError)) throw error;
      drop(alertId);
      skip(alertId, error);
    }
  }

  function drop(alertId: string): ConditionMeta | undefined {
    const entry = meta.get(alertId);
    index.remove(alertId);
    meta.delete(alertId);
    return entry;
  }

  /** Puts one alert row into the index as its status says (or takes it out). */
  async function track(row: AlertRow): Promise<void> {
    drop(row.id);
    if (row.status === 'armed') {
      guarded(row.id, () => put(fireCondition(row), { alertId: row.id, userId: row.userId, kind: 'fire', arming: row.arming }));
    } else if (row.status === 'triggered' && row.repeatMode === 'rearm') {
      const fired = await db.notification.findUnique({ where: { alertId_arming: { alertId: row.id, arming: row.arming } } });
      const firedAtUs = (fired && parseTimeUs(fired.tradeTime)) ?? (row.triggeredAt?.getTime() ?? 0) * 1000;
      guarded(row.id, () => {
        const condition = rearmCondition(row, firedAtUs);
        if (condition) put(condition, { alertId: row.id, userId: row.userId, kind: 'rearm', arming: row.arming });
      });
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const chunk = queue.splice(0, CHUNK);
      let fired: FireResult['fired'] = [];
      const changed: AlertRow[] = [];
      const stale: string[] = [];
      const fires = chunk.filter((item): item is Pending => !('expire' in item) && item.meta.kind === 'fire');
      try {
        await db.$transaction(async (tx) => {
          // Several nodes: every product of the chunk still leased here at the epoch it matched under.
          if (options.leases) await fenceEach(options.leases, tx as Db, chunk.flatMap((i) => ('expire' in i ? [] : [{ product: i.state.product, epoch: i.epoch }])));
          const result = await fireAlerts(
            tx as Db,
            dialect,
            fires.map(({ meta: m, state }) => ({ alertId: m.alertId, arming: m.arming, state })),
            new Date(),
          );
          fired = result.fired;
          stale.push(...result.lost);
          for (const item of chunk) {
            if ('expire' in item) {
              const row = await expireAlert(tx as Db, item.expire);
              if (row) changed.push(row);
            } else if (item.meta.kind === 'rearm') {
              const row = await rearmAlert(tx as Db, item.meta);
              if (row) changed.push(row);
              else stale.push(item.meta.alertId);
            }
          }
        });
      } catch (error) {
        if (error instanceof FencedError) {
          // Refused by the fence, not failed: the database answered, so writes are not failing
          // (a node whose retried firing was fenced would otherwise stay not ready for good).
          failures = 0;
          await refollow(error.product, chunk);
          continue;
        }
        // Nothing of this chunk committed: put it back and retry with backoff, losing no firing.
        // Its alerts stay out of the index meanwhile, so later trades cannot fire them twice.
        const delayMs = backoffDelay(failures, DB_WRITE_BACKOFF);
        failures += 1;
        metrics.dbWriteFailures.inc({ writer: 'alerts' });
        log.error({ err: error, alerts: chunk.length, failures, retryInMs: delayMs }, 'persisting alert changes failed; will retry');
        queue = chunk.concat(queue);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        continue;
      }
      if (failures > 0) log.info({ failures }, 'alert writes recovered');
      failures = 0;
      for (const { row, notification } of fired) {
        metrics.alertsFired.inc();
        const alert = toAlert(row);
        options.onFired({ userId: row.userId, notification: toNotification(notification), alert });
        // A rearm alert waits for the band, timed from the trade that fired it.
        if (row.repeatMode === 'rearm') {
          guarded(row.id, () => {
            const condition = rearmCondition(row, parseTimeUs(notification.tradeTime) ?? Date.now() * 1000);
            if (condition) put(condition, { alertId: row.id, userId: row.userId, kind: 'rearm', arming: row.arming });
          });
        }
        // No alert:update here: the hit carries the alert, and a storm would send everything twice.
      }
      for (const row of changed) {
        await track(row);
        options.onChanged?.(row.userId, toAlert(row));
      }
      // Someone else changed these first (an edit, another server): follow the database.
      for (const alertId of stale) {
        const row = await db.alert.findUnique({ where: { id: alertId } });
        if (row) await track(row);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * A chunk refused by `product`'s fence: its items wait aside (queued again under the new epoch
   * if this node takes the lease back, as after a database outage longer than the TTL) and their
   * alerts follow the database; the chunk's other items are queued again at once.
   */
  async function refollow(product: string, chunk: typeof queue): Promise<void> {
    const mine = chunk.filter((item) => !('expire' in item) && item.state.product === product) as Pending[];
    metrics.firingsFenced.inc({ product }, mine.length);
    log.warn({ product, alerts: mine.length }, 'firings refused: this node no longer holds the lease');
    const epoch = options.leases?.epoch(product) ?? null;
    // Matched under an epoch this node has since renewed past (it took its lapsed lease back): again, now.
    const again = epoch !== null ? mine.map((item) => ({ ...item, epoch })) : [];
    if (epoch === null) fenced.set(product, [...(fenced.get(product) ?? []), ...mine].slice(-FENCED_KEPT));
    queue = chunk.filter((item) => !mine.includes(item as Pending)).concat(again, queue);
    for (const item of mine) await refresh(item.meta.alertId).catch(() => undefined);
  }

  /** Follows the database for one alert: indexed as stored, or dropped when gone. */
  async function refresh(alertId: string): Promise<void> {
    const row = await db.alert.findUnique({ where: { id: alertId } });
    if (row) await track(row);
    else drop(alertId);
  }

  function schedule(): void {
    if (draining || queue.length === 0) return;
    draining = drain()
      .catch((error: unknown) => log.error({ err: error }, 'alert persistence stopped'))
      .finally(() => {
        draining = null;
        schedule();
      });
  }

  return {
    /**
     * Builds the index from the database at start (armed alerts, and rearm alerts waiting),
     * streamed through `reader` and loaded in one bulk insert. A row that cannot be evaluated
     * (a column no API write produces, a product this server no longer follows) is skipped:
     * counted in tickwatch_alerts_skipped_total by reason and logged at warn with its id, so no
     * stored row can keep the service from starting.
     */
    async load(reader: BulkReader): Promise<void> {
      const conditions: AlertCondition[] = [];
      const followed = options.products ? new Set(options.products) : null;
      const seen = new Map<UnindexableReason, number>();
      let skipped = 0;
      const add = (row: ConditionRow, entry: ConditionMeta, repeatMode: unknown, condition: () => AlertCondition | null): void => {
        try {
          if (followed && !followed.has(row.product)) {
            throw new UnindexableAlertError('product_not_followed', 'product', `${String(row.product)} is not among the products this server follows (PRODUCTS)`);
          }
          if (!Number.isSafeInteger(entry.arming) || entry.arming < 1) {
            throw new UnindexableAlertError('invalid_arming', 'arming', `arming "${String(entry.arming)}" is not a positive whole number`);
          }
          if (repeatMode !== 'once' && repeatMode !== 'rearm') {
            throw new UnindexableAlertError('invalid_repeat', 'repeat', `repeat mode "${String(repeatMode)}" is not once or rearm`);
          }
          const c = condition();
          if (!c) return;
          conditions.push(indexable(c));
          meta.set(entry.alertId, entry);
        } catch (error) {
          skipped++;
          skip(row.id, error, seen);
        }
      };
      await eachStoredAlert(reader, ({ row, entry, repeatMode, firedAtUs }) =>
        add(row, entry, repeatMode, () => (entry.kind === 'fire' ? fireCondition(row) : rearmCondition(row, firedAtUs ?? 0))),
      );
      try {
        index.bulkLoad(conditions);
      } catch (error) {
        // Every condition passed the index's checks above, so this is not expected; if it happens
        // anyway, load them one at a time and skip the ones refused rather than fail the start.
        log.warn({ err: error }, 'bulk loading the alert index failed; loading alerts one at a time');
        for (const condition of conditions) {
          try {
            index.add(condition);
          } catch (single) {
            meta.delete(condition.alertId);
            skipped++;
            skip(condition.alertId, single, seen);
          }
        }
      }
      for (const [reason, count] of seen) {
        if (count > SKIP_LOG_LINES) log.warn({ reason, count, unlogged: count - SKIP_LOG_LINES }, 'more stored alerts skipped for the same reason');
      }
      log[skipped > 0 ? 'warn' : 'info']({ indexed: index.size(), skipped }, 'alert index loaded');
    },
    /**
     * Checks that an alert as it is about to be written can be indexed: the API calls it before
     * it writes, so nothing is stored that the index (now or at the next start) would refuse.
     * @throws UnindexableAlertError naming the field at fault
     */
    check(row: CheckedRow): void {
      indexable(fireCondition(row));
      if (row.repeatMode === 'rearm') {
        const condition = rearmCondition(row, Date.now() * 1000);
        if (condition) indexable(condition);
      }
    },
    /** Called with the window after every applied trade: fires, re-arms and expires. */
    onWindow(state: WindowState): void {
      latest.set(state.product, state);
      const epoch = options.leases ? options.leases.epoch(state.product) : null;
      // Several nodes: only the holder of the product's lease fires (and re-arms) its alerts.
      if (!options.leases || epoch !== null) {
        for (const condition of index.takeMatching(state)) {
          const entry = meta.get(condition.alertId);
          meta.delete(condition.alertId);
          if (entry) queue.push({ meta: entry, state, epoch });
        }
      }
      for (const condition of index.expired(state.timeUs)) {
        const entry = drop(condition.alertId);
        if (entry) queue.push({ expire: entry });
      }
      schedule();
    },
    /**
     * This node has just taken `product`'s lease: every armed alert of it is evaluated on the
     * newest window at once, so a crossing during the switch is not missed (the conditional
     * update keeps it exactly-once if the old leader fired it already).
     */
    reevaluate(product: string): void {
      const epoch = options.leases?.epoch(product) ?? null;
      const refused = fenced.get(product) ?? [];
      fenced.delete(product);
      // The conditional update keeps each exactly-once, whoever fired what meanwhile.
      for (const item of refused) queue.push({ ...item, epoch });
      const state = latest.get(product);
      if (state) this.onWindow(state);
      else schedule();
    },
    /** Expires alerts by the wall clock too, so a quiet market still ends them. */
    expireBefore(nowUs: number): void {
      for (const condition of index.expired(nowUs)) {
        // Several nodes: the lease holder expires by its clock, not whichever node's runs fastest.
        if (options.leases && options.leases.epoch(condition.product) === null) continue;
        const entry = drop(condition.alertId);
        if (entry) queue.push({ expire: entry });
      }
      schedule();
    },
    /** An alert created or edited through the API: takes effect on the very next trade. */
    track,
    /** An alert another node changed. */
    refresh,
    /** An alert deleted through the API. */
    untrack: (alertId: string): void => void drop(alertId),
    size: () => index.size(),
    /** True from a failed transaction until the next one commits (readiness). */
    failing: (): boolean => failures > 0,
    /** Resolves when every queued change is committed (shutdown, tests). */
    async settle(): Promise<void> {
      while (draining) await draining;
    },
  };
}

export type AlertEvaluator = ReturnType<typeof createAlertEvaluator>;
