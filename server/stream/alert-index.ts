import { DEFAULT_MAX_CHUNK, SortedChunks } from './alert-sorted-chunks.ts';
import type { WindowState } from './types.ts';

/** Which value of the window a condition watches. */
export type AlertBasis = 'mean' | 'vwap' | 'last';
/** `above` holds when the value >= threshold, `below` when the value <= threshold (both inclusive). */
export type AlertDirection = 'above' | 'below';

/**
 * One armed alert as the evaluator sees it: a level condition on one product's window, with
 * `meta`, whatever its owner keeps about the alert (held as given, never read by the index), so
 * the owner needs no second map kept in step with this one.
 */
export interface AlertCondition<M = undefined> {
  /** Unique within one index. */
  alertId: string;
  product: string;
  basis: AlertBasis;
  direction: AlertDirection;
  /** Threshold price in units of 1e-8 (`PRICE_SCALE`), a positive integer. */
  thresholdUnits: bigint;
  /** Optional: counts only at event times >= this, microseconds since the epoch (re-arm cooldown). */
  notBeforeUs?: number;
  /** Optional: counts only at event times < this, microseconds since the epoch. */
  expiresAtUs?: number;
  meta?: M;
}

/** Tuning for {@link createAlertIndex}. */
export interface AlertIndexOptions {
  /** Capacity of the sorted chunks (default 1024); small values only make sense in tests. */
  maxChunk?: number;
}

/** The in-memory alert index; see {@link createAlertIndex}. */
export interface AlertIndex<M = undefined> {
  /**
   * Indexes a copy of the condition (later changes to the argument do not reach the index).
   * O(log n + chunk).
   * @throws TypeError or RangeError on a malformed condition; Error when its alertId is indexed
   */
  add(condition: AlertCondition<M>): void;
  /**
   * Indexes many conditions at once, all or none (everything is checked first): sorts the batch
   * once per (product, basis, direction) and merges it into what is held, O((n + m) + m log m)
   * for n held and m new, instead of m single inserts. For a fast start with a large table.
   * @throws as {@link AlertIndex.add}, also on an alertId repeated within the batch
   */
  bulkLoad(conditions: readonly AlertCondition<M>[]): void;
  /** Removes the condition with this alertId; returns whether one was indexed. O(log n + chunk). */
  remove(alertId: string): boolean;
  /**
   * The indexed condition with this alertId, or undefined. O(1). This and every condition
   * returned are the index's own copies: read them, never change them.
   */
  get(alertId: string): Readonly<AlertCondition<M>> | undefined;
  /** Number of conditions indexed. */
  size(): number;
  /**
   * Every condition on `state.product` that holds at this window state, exactly (no rounding
   * anywhere). With T = `thresholdUnits`, `above` holds when the value >= T and `below` when
   * the value <= T, where the comparison is, in exact integers: `last`: `lastUnits` with T;
   * `mean`: `sumPriceUnits` with `T * count`; `vwap`: `sumPvUnits` (units of 1e-16) with
   * `T * sumSizeUnits` (1e-8 * 1e-8). `mean` and `vwap` never hold while `state.warm` is false
   * (nor with a zero count or size); `last` always can. A condition counts only when
   * `notBeforeUs <= state.timeUs < expiresAtUs` (each bound when set).
   *
   * Nothing is removed: the caller fires, then removes. Order: grouped by basis (mean, vwap,
   * last), then direction (above, below), each group by ascending threshold, then alertId
   * (code-unit order).
   *
   * Cost: O(log n) per (basis, direction) group, plus one step per condition in the range the
   * value crosses. That range also holds conditions still in their cooldown (`notBeforeUs` in
   * the future) and expired ones not yet removed; they are stepped over, so the cost is
   * O(log n + k + s) for k returned and s such waiting conditions.
   */
  matching(state: WindowState): Readonly<AlertCondition<M>>[];
  /**
   * What `matching` returns, removed from the index in the same pass: one splice per group
   * instead of one search and splice per condition. Same order.
   */
  takeMatching(state: WindowState): Readonly<AlertCondition<M>>[];
  /**
   * The conditions with `expiresAtUs <= nowUs` (microseconds), ascending by expiry then alertId.
   * Nothing is removed. O(log n + k) for k returned.
   */
  expired(nowUs: number): Readonly<AlertCondition<M>>[];
  /** The earliest `expiresAtUs` indexed (microseconds), or undefined when none expires. O(1). */
  nextExpiryUs(): number | undefined;
}

type Condition = Readonly<AlertCondition<unknown>>;

// Group order within a product: the documented result order of `matching`.
const BASES: readonly AlertBasis[] = ['mean', 'vwap', 'last'];
const GROUPS = 6;

function groupOf(c: Condition): number {
  return BASES.indexOf(c.basis) * 2 + (c.direction === 'above' ? 0 : 1);
}

function byThreshold(a: Condition, b: Condition): number {
  // `<` first, not `!==`: one BigInt comparison for most pairs (sorting a million at load).
  if (a.thresholdUnits < b.thresholdUnits) return -1;
  if (a.thresholdUnits > b.thresholdUnits) return 1;
  return a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0;
}

function byExpiry(a: Condition, b: Condition): number {
  // Only conditions with an expiry are held in the expiry list.
  if (a.expiresAtUs !== b.expiresAtUs) return a.expiresAtUs! < b.expiresAtUs! ? -1 : 1;
  return a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0;
}

function checkTime(value: unknown, name: string): void {
  if (value !== undefined && !Number.isSafeInteger(value)) throw new RangeError(`${name} must be an integer of microseconds`);
}

/**
 * A copy with one property layout for all (so the hot loops see one shape), after checking
 * every field. Not frozen: freezing a million objects costs seconds at load; the readonly type
 * is the guard.
 */
function normalize(c: AlertCondition<unknown>): Condition {
  if (typeof c.alertId !== 'string' || typeof c.product !== 'string') throw new TypeError('alertId and product must be strings');
  if (!BASES.includes(c.basis)) throw new RangeError(`unknown basis ${String(c.basis)}`);
  if (c.direction !== 'above' && c.direction !== 'below') throw new RangeError(`unknown direction ${String(c.direction)}`);
  if (typeof c.thresholdUnits !== 'bigint' || c.thresholdUnits <= 0n) throw new RangeError('thresholdUnits must be a positive bigint');
  checkTime(c.notBeforeUs, 'notBeforeUs');
  checkTime(c.expiresAtUs, 'expiresAtUs');
  return {
    alertId: c.alertId,
    product: c.product,
    basis: c.basis,
    direction: c.direction,
    thresholdUnits: c.thresholdUnits,
    notBeforeUs: c.notBeforeUs,
    expiresAtUs: c.expiresAtUs,
    meta: c.meta,
  };
}

/** floor(num / den) for den > 0 (BigInt `/` truncates towards zero). */
function floorDiv(num: bigint, den: bigint): bigint {
  const q = num / den;
  return q * den > num ? q - 1n : q;
}

/** Sorted merge of two strictly ascending arrays. */
function merge(a: readonly Condition[], b: readonly Condition[], compare: (x: Condition, y: Condition) => number): Condition[] {
  const out: Condition[] = new Array<Condition>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = compare(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/**
 * Creates the in-memory index the alert evaluator consults on every window update.
 *
 * Per product, six lists sorted by threshold (then alertId), one per (basis, direction). For a
 * basis value v = num / den (last: lastUnits / 1; mean: sumPriceUnits / count; vwap: sumPvUnits /
 * sumSizeUnits), the `above` conditions that hold are a prefix (T * den <= num) and the `below`
 * ones a suffix (T * den >= num): a binary search finds the boundary (against the exact floor or
 * ceiling of num / den, which is the same test for integer T), and only the conditions beyond
 * it are visited. A separate list sorted by expiry
 * answers `expired`. So one window update costs O(log n + k), never a scan of all conditions.
 *
 * Memory per condition: the copy (the threshold bigint, strings and `meta` are shared with
 * the input), one map entry by alertId, one slot in its threshold list, one in the expiry list.
 */
export function createAlertIndex<M = undefined>(options: AlertIndexOptions = {}): AlertIndex<M> {
  const maxChunk = options.maxChunk ?? DEFAULT_MAX_CHUNK;
  const byId = new Map<string, Condition>();
  const products = new Map<string, SortedChunks<Condition>[]>();
  const expiries = new SortedChunks<Condition>(byExpiry, maxChunk);

  function groupsOf(product: string): SortedChunks<Condition>[] {
    let groups = products.get(product);
    if (!groups) {
      groups = Array.from({ length: GROUPS }, () => new SortedChunks<Condition>(byThreshold, maxChunk));
      products.set(product, groups);
    }
    return groups;
  }

  function add(condition: AlertCondition<unknown>): void {
    const c = normalize(condition);
    if (byId.has(c.alertId)) throw new Error(`alert ${c.alertId} is already indexed`);
    groupsOf(c.product)[groupOf(c)]!.insert(c);
    if (c.expiresAtUs !== undefined) expiries.insert(c);
    byId.set(c.alertId, c);
  }

  function bulkLoad(conditions: readonly AlertCondition<unknown>[]): void {
    const batch = conditions.map(normalize);
    // One pass over the map both checks and claims the ids (a second Set of a million ids costs
    // about as much again); on a repeated id the claims are undone.
    for (let i = 0; i < batch.length; i++) {
      const c = batch[i]!;
      if (byId.has(c.alertId)) {
        for (let j = 0; j < i; j++) byId.delete(batch[j]!.alertId);
        throw new Error(`alert ${c.alertId} is already indexed`);
      }
      byId.set(c.alertId, c);
    }
    // Checked: from here on nothing throws, so the load is all or none.
    const buckets = new Map<SortedChunks<Condition>, Condition[]>();
    const expiring: Condition[] = [];
    for (const c of batch) {
      const list = groupsOf(c.product)[groupOf(c)]!;
      const bucket = buckets.get(list);
      if (bucket) bucket.push(c);
      else buckets.set(list, [c]);
      if (c.expiresAtUs !== undefined) expiring.push(c);
    }
    for (const [list, bucket] of buckets) list.load(merge(list.toArray(), bucket.sort(byThreshold), byThreshold));
    if (expiring.length > 0) expiries.load(merge(expiries.toArray(), expiring.sort(byExpiry), byExpiry));
  }

  function remove(alertId: string): boolean {
    const c = byId.get(alertId);
    if (!c) return false;
    byId.delete(alertId);
    const groups = products.get(c.product)!;
    groups[groupOf(c)]!.delete(c);
    if (c.expiresAtUs !== undefined) expiries.delete(c);
    // Products come and go with their alerts: no empty lists are kept.
    if (groups.every((list) => list.size === 0)) products.delete(c.product);
    return true;
  }

  // The callbacks of `matching` are made once, not per call: it runs on every trade, and a
  // closure per call (with the name helper the TypeScript loader wraps each in) was most of its cost.
  let out: Condition[] = [];
  let nowUs = 0;
  let bound = 0n;
  /** Whether a condition in the crossed range counts now: past its cooldown, not yet expired. */
  const counts = (c: Condition): boolean =>
    (c.notBeforeUs === undefined || c.notBeforeUs <= nowUs) && (c.expiresAtUs === undefined || c.expiresAtUs > nowUs);
  const take = (c: Condition): void => {
    if (counts(c)) out.push(c);
  };
  const aboveBound = (c: Condition): boolean => c.thresholdUnits > bound;
  const atOrAboveBound = (c: Condition): boolean => c.thresholdUnits >= bound;

  // For a value num / den (den > 0) and an integer threshold T:
  //   T * den <= num  <=>  T <= floor(num / den)    and    T * den >= num  <=>  T >= ceil(num / den),
  // so one exact integer division per group replaces a BigInt multiplication at every step
  // of the binary search (measured: about twice as fast per window update).
  function collect(groups: SortedChunks<Condition>[], index: number, num: bigint, den: bigint): void {
    const above = groups[index]!;
    if (above.size > 0) {
      bound = floorDiv(num, den);
      above.forEachBefore(above.search(aboveBound), take);
    }
    const below = groups[index + 1]!;
    if (below.size > 0) {
      bound = -floorDiv(-num, den);
      below.forEachFrom(below.search(atOrAboveBound), take);
    }
  }

  function takeGroup(groups: SortedChunks<Condition>[], index: number, num: bigint, den: bigint): void {
    const above = groups[index]!;
    if (above.size > 0) {
      bound = floorDiv(num, den);
      for (const c of above.removeRange({ chunk: 0, offset: 0 }, above.search(aboveBound), counts)) out.push(c);
    }
    const below = groups[index + 1]!;
    if (below.size > 0) {
      bound = -floorDiv(-num, den);
      for (const c of below.removeRange(below.search(atOrAboveBound), below.end(), counts)) out.push(c);
    }
  }

  type GroupScan = (groups: SortedChunks<Condition>[], index: number, num: bigint, den: bigint) => void;

  /** Runs `scan` over each (basis, direction) pair of groups the state can decide; returns what it gathered. */
  function scanGroups(state: WindowState, scan: GroupScan): Condition[] {
    const groups = products.get(state.product);
    if (!groups) return [];
    out = [];
    nowUs = state.timeUs;
    // A zero count or size has no mean or vwap; the window never publishes one, but be safe.
    if (state.warm && state.count > 0) scan(groups, 0, state.sumPriceUnits, BigInt(state.count));
    if (state.warm && state.sumSizeUnits > 0n) scan(groups, 2, state.sumPvUnits, state.sumSizeUnits);
    scan(groups, 4, state.lastUnits, 1n);
    const result = out;
    out = [];
    return result;
  }

  /** `matching`, and removes what it returns in one pass per group (a storm fires thousands at once). */
  function takeMatching(state: WindowState): Condition[] {
    const result = scanGroups(state, takeGroup);
    for (const c of result) {
      byId.delete(c.alertId);
      if (c.expiresAtUs !== undefined) expiries.delete(c);
    }
    return result;
  }

  function matching(state: WindowState): Condition[] {
    return scanGroups(state, collect);
  }

  function expired(nowUs: number): Condition[] {
    const out: Condition[] = [];
    expiries.forEachBefore(
      expiries.search((c) => c.expiresAtUs! > nowUs),
      (c) => out.push(c),
    );
    return out;
  }

  const index: AlertIndex<unknown> = {
    add,
    bulkLoad,
    remove,
    get: (alertId) => byId.get(alertId),
    size: () => byId.size,
    matching,
    takeMatching,
    expired,
    nextExpiryUs: () => expiries.first()?.expiresAtUs,
  };
  // Every `meta` returned is one an `add` or `bulkLoad` of this index's callers gave it.
  return index as AlertIndex<M>;
}
