import type { StartContext } from '../lifecycle/lifecycle.ts';
import type { Alert } from '../../lib/realtime/events.ts';
import { type Db, dialectOf } from '../db/client.ts';
import { createWriteRetry } from '../db/write-retry.ts';
import type { Alert as AlertRow } from '../db/generated/client.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { type AlertCondition, createAlertIndex } from '../stream/alert-index.ts';
import type { WindowState } from '../stream/types.ts';
import { type ConditionMeta, type ConditionRow, UnindexableAlertError, createIndexCheck, fireCondition, rearmCondition } from './alert-conditions.ts';
import { parseTimeUs } from '../stream/parse-time.ts';
import { toAlert, toNotification } from './alert-record.ts';
import { type FireResult, expireAlert, fireAlerts, rearmAlert } from './fire-alerts.ts';
import { FencedError, type FiringLeases, fenceEach } from '../cluster/product-leases.ts';
import { createListeners } from '../lifecycle/listeners.ts';
import { loadAlertIndex } from './load-alert-index.ts';
import { createSkippedAlerts } from './skipped-alerts.ts';
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
  /** The products this server follows: stored alerts on others are left out at start. */
  products?: readonly string[];
  /**
   * Several nodes: a product's alerts fire only on the node holding its lease, and every firing
   * transaction checks the lease inside itself. Without it (one process) every product fires here.
   */
  leases?: FiringLeases;
}


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

/** A firing or re-arm matched on a window, or an alert past its end. */
type Work = Pending | { expire: ConditionMeta };

/** What one chunk's transaction committed. */
interface Committed {
  fired: FireResult['fired'];
  changed: AlertRow[];
  /** Alerts someone else changed first (an edit, another node): they follow the database. */
  stale: string[];
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
  /** Armed alerts and waiting rearm alerts, each with its user and arming (its `meta`). */
  const index = createAlertIndex<ConditionMeta>();
  /** The newest window per product, to evaluate again when this node takes a product's lease. */
  const latest = new Map<string, WindowState>();
  /** Firings refused by a product's fence, to queue again if this node takes its lease again. */
  const fenced = new Map<string, Pending[]>();
  let queue: Work[] = [];
  let draining: Promise<void> | null = null;
  const retry = createWriteRetry({
    writer: 'alerts',
    log,
    metrics,
    failedMessage: 'persisting alert changes failed; will retry',
    recoveredMessage: 'alert writes recovered',
  });
  const firedListeners = createListeners<[FiredAlert]>();
  const changedListeners = createListeners<[string, Alert]>();
  const skipped = createSkippedAlerts(metrics, log);

  // Refused before the live index or a bulk load (all or none) sees it.
  const indexable = createIndexCheck();

  /** Indexes a condition built by `build`; one the index cannot hold is skipped (counted, logged), never thrown. */
  function put(alertId: string, meta: ConditionMeta, build: () => AlertCondition | null): void {
    drop(alertId);
    try {
      const condition = build();
      if (condition) index.add({ ...indexable(condition), meta });
    } catch (error) {
      if (!(error instanceof UnindexableAlertError)) throw error;
      skipped.skip(alertId, error);
    }
  }

  /** Takes an alert out of the index; returns what was held about it. */
  function drop(alertId: string): ConditionMeta | undefined {
    const meta = index.get(alertId)?.meta;
    index.remove(alertId);
    return meta;
  }

  /** A fired rearm alert waits for the band, timed from the trade that fired it. */
  function awaitRearm(row: AlertRow, firedAtUs: number): void {
    put(row.id, { alertId: row.id, userId: row.userId, kind: 'rearm', arming: row.arming }, () => rearmCondition(row, firedAtUs));
  }

  /** Puts one alert row into the index as its status says (or takes it out). */
  async function track(row: AlertRow): Promise<void> {
    drop(row.id);
    if (row.status === 'armed') {
      put(row.id, { alertId: row.id, userId: row.userId, kind: 'fire', arming: row.arming }, () => fireCondition(row));
    } else if (row.status === 'triggered' && row.repeatMode === 'rearm') {
      const fired = await db.notification.findUnique({ where: { alertId_arming: { alertId: row.id, arming: row.arming } } });
      awaitRearm(row, (fired && parseTimeUs(fired.tradeTime)) ?? (row.triggeredAt?.getTime() ?? 0) * 1000);
    }
  }

  /** One chunk's firings, re-arms and expiries in one transaction, fenced by the leases it matched under. */
  async function commit(chunk: Work[]): Promise<Committed> {
    const committed: Committed = { fired: [], changed: [], stale: [] };
    const fires = chunk.filter((item): item is Pending => 'meta' in item && item.meta.kind === 'fire');
    await db.$transaction(async (tx) => {
      // Several nodes: every product of the chunk still leased here at the epoch it matched under.
      if (options.leases) await fenceEach(options.leases, tx as Db, chunk.flatMap((i) => ('meta' in i ? [{ product: i.state.product, epoch: i.epoch }] : [])));
      const result = await fireAlerts(
        tx as Db,
        dialect,
        fires.map(({ meta: m, state }) => ({ alertId: m.alertId, arming: m.arming, state })),
        new Date(),
      );
      committed.fired = result.fired;
      committed.stale.push(...result.lost);
      for (const item of chunk) {
        if ('expire' in item) {
          const row = await expireAlert(tx as Db, item.expire);
          if (row) committed.changed.push(row);
        } else if (item.meta.kind === 'rearm') {
          const row = await rearmAlert(tx as Db, item.meta);
          if (row) committed.changed.push(row);
          else committed.stale.push(item.meta.alertId);
        }
      }
    });
    return committed;
  }

  /** After a commit: hits out, rearm alerts waiting, changed and lost alerts following the database. */
  async function publish({ fired, changed, stale }: Committed): Promise<void> {
    for (const { row, notification } of fired) {
      metrics.alertsFired.inc();
      firedListeners.emit({ userId: row.userId, notification: toNotification(notification), alert: toAlert(row) });
      if (row.repeatMode === 'rearm') awaitRearm(row, parseTimeUs(notification.tradeTime) ?? Date.now() * 1000);
      // No alert:update here: the hit carries the alert, and a storm would send everything twice.
    }
    for (const row of changed) {
      await track(row);
      changedListeners.emit(row.userId, toAlert(row));
    }
    // Someone else changed these first (an edit, another server): follow the database.
    for (const alertId of stale) {
      const row = await db.alert.findUnique({ where: { id: alertId } });
      if (row) await track(row);
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const chunk = queue.splice(0, CHUNK);
      let committed: Committed;
      try {
        committed = await commit(chunk);
      } catch (error) {
        if (error instanceof FencedError) {
          // Refused by the fence, not failed: the database answered, so writes are not failing
          // (a node whose retried firing was fenced would otherwise stay not ready for good).
          retry.answered();
          await refollow(error.product, chunk);
          continue;
        }
        // Nothing of this chunk committed: put it back and retry with backoff, losing no firing.
        // Its alerts stay out of the index meanwhile, so later trades cannot fire them twice.
        const delayMs = retry.failed(error, { alerts: chunk.length });
        queue = chunk.concat(queue);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        continue;
      }
      retry.succeeded();
      await publish(committed);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * A chunk refused by `product`'s fence: its items wait aside (queued again under the new epoch
   * if this node takes the lease back, as after a database outage longer than the TTL) and their
   * alerts follow the database; the chunk's other items are queued again at once.
   */
  async function refollow(product: string, chunk: Work[]): Promise<void> {
    const mine = chunk.filter((item): item is Pending => 'meta' in item && item.state.product === product);
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

  async function settle(): Promise<void> {
    while (draining) await draining;
  }

  /** Fires, re-arms and expires on a product's newest window. */
  function evaluate(state: WindowState): void {
    latest.set(state.product, state);
    const epoch = options.leases ? options.leases.epoch(state.product) : null;
    // Several nodes: only the holder of the product's lease fires, re-arms and expires its
    // alerts; the others' windows change nothing here (the wall clock's expiry scan is enough).
    if (options.leases && epoch === null) return;
    for (const condition of index.takeMatching(state)) {
      if (condition.meta) queue.push({ meta: condition.meta, state, epoch });
    }
    expire(state.timeUs);
  }

  /** Queues the expiry of every alert past its end at `nowUs` (microseconds). */
  function expire(nowUs: number): void {
    for (const condition of index.expired(nowUs)) {
      // Several nodes: the lease holder decides between firing an alert and expiring it (and
      // expires by its own clock, not whichever node's runs fastest).
      if (options.leases && options.leases.epoch(condition.product) === null) continue;
      const meta = drop(condition.alertId);
      if (meta) queue.push({ expire: meta });
    }
    schedule();
  }

  return {
    /** Subscribes to fired alerts: called once per alert, after its notification is committed. */
    onFired: firedListeners.add,
    /** Subscribes to alerts the evaluator changed (re-armed, expired; a firing travels in its hit), for live lists. */
    onChanged: changedListeners.add,
    /** Builds the index from the database (`load-alert-index.ts`); the first window comes after. */
    start: ({ reader }: StartContext): Promise<void> => loadAlertIndex(reader, { index, indexable, skipped, products: options.products, log }),
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
    evaluate,
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
      if (state) evaluate(state);
      else schedule();
    },
    /** Expires alerts by the wall clock too, so a quiet market still ends them. */
    expireBefore: expire,
    /** An alert created or edited through the API: takes effect on the very next trade. */
    track,
    /** An alert another node changed. */
    refresh,
    /** An alert deleted through the API. */
    untrack: (alertId: string): void => void drop(alertId),
    size: () => index.size(),
    /** True from a failed transaction until the next one commits (readiness). */
    failing: retry.failing,
    /** Resolves when every queued change is committed (tests; the trade store before each write). */
    settle,
    /** Shutdown, once no window comes any more: resolves when what is queued is committed. */
    close: settle,
  };
}

export type AlertEvaluator = ReturnType<typeof createAlertEvaluator>;
