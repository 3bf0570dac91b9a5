import { type AlertCondition, type AlertIndex, createAlertIndex } from '../../server/stream/alert-index.ts';
import { divideHalfEven, formatUnits, parseUnits } from '../../server/stream/parse-decimal.ts';
import { PRICE_SCALE, type WindowState } from '../../server/stream/types.ts';
import { cpuMs } from './cpu.ts';
import type { Firing } from './score-firings.ts';
import type { TradeDb } from './trade-db.ts';

/** What one run of the job read from the stored trades at time `atUs`. */
export interface BatchRun {
  atUs: number;
  count: number;
  sumPriceUnits: bigint;
  last: { tradeId: number; price: string; units: bigint } | null;
  /** Wall time of the run: its queries, the exact sum and the alert check. */
  processingMs: number;
}

export interface BatchSchedule {
  product: string;
  windowUs: number;
  periodUs: number;
  /** The first run is one period after this. */
  startUs: number;
  endUs: number;
}

export interface BatchJobResult {
  runs: BatchRun[];
  firings: Map<string, Firing>;
  /** CPU of this process over all runs (user + system). */
  cpuMs: number;
}

/**
 * The batch job, made exact: every period, read the prices of the last window from the stored
 * trades, sum them as BigInt, read the last price, and fire every alert whose condition holds
 * on that. The alerts are checked with the same index the stream uses (so the comparison is
 * about when and on what the check runs, not how), at the run's time: an alert counts from
 * its creation to its expiry, and what fires is removed, as the evaluator does.
 */
export function runBatchJob(db: TradeDb, conditions: readonly AlertCondition[], schedule: BatchSchedule): BatchJobResult {
  const evaluator = createBatchEvaluator(conditions, schedule);
  const runs: BatchRun[] = [];
  const started = cpuMs();
  for (let atUs = schedule.startUs + schedule.periodUs; atUs <= schedule.endUs; atUs += schedule.periodUs) {
    const began = performance.now();
    const prices = db.windowPrices(schedule.product, atUs - schedule.windowUs, atUs);
    let sumPriceUnits = 0n;
    for (const price of prices) {
      const units = parseUnits(price, PRICE_SCALE);
      if (units === null) throw new Error(`stored price ${price} is not a decimal`);
      sumPriceUnits += units;
    }
    const newest = db.last(schedule.product, atUs);
    const last = newest ? { ...newest, units: parseUnits(newest.price, PRICE_SCALE)! } : null;
    const run: BatchRun = { atUs, count: prices.length, sumPriceUnits, last, processingMs: 0 };
    const fired = evaluator.evaluate(run);
    run.processingMs = performance.now() - began;
    for (const alertId of fired) evaluator.firings.set(alertId, { atUs, processingMs: run.processingMs });
    runs.push(run);
  }
  return { runs, firings: evaluator.firings, cpuMs: cpuMs() - started };
}

/**
 * The alert check of the batch job on runs already read: also used to replay the long-period
 * job at every phase from the short-period job's runs, without querying again.
 */
export function createBatchEvaluator(conditions: readonly AlertCondition[], schedule: Pick<BatchSchedule, 'product' | 'windowUs'>) {
  const index: AlertIndex = createAlertIndex();
  index.bulkLoad(conditions);
  const firings = new Map<string, Firing>();

  function evaluate(run: BatchRun): string[] {
    for (const gone of index.expired(run.atUs)) index.remove(gone.alertId);
    if (run.count === 0 || !run.last) return [];
    const state: WindowState = {
      product: schedule.product,
      tradeId: run.last.tradeId,
      time: '',
      timeUs: run.atUs,
      last: run.last.price,
      mean: formatUnits(divideHalfEven(run.sumPriceUnits, BigInt(run.count)), PRICE_SCALE, 8),
      // The job never computed a VWAP; zero size sums keep vwap conditions from matching.
      vwap: '',
      count: run.count,
      windowStartUs: run.atUs - schedule.windowUs,
      windowEndUs: run.atUs,
      // The old job averaged whatever the last window held; no alert here exists before a full one.
      warm: true,
      sumPriceUnits: run.sumPriceUnits,
      sumPvUnits: 0n,
      sumSizeUnits: 0n,
      lastUnits: run.last.units,
    };
    const fired = index.matching(state).map((c) => c.alertId);
    for (const alertId of fired) index.remove(alertId);
    return fired;
  }

  return { evaluate, firings };
}

/** The firings of a job with `periodUs` at `phaseUs`, replayed from the runs of a job whose period divides it. */
export function replayBatchRuns(runs: readonly BatchRun[], conditions: readonly AlertCondition[], schedule: BatchSchedule, phaseUs: number): Map<string, Firing> {
  const evaluator = createBatchEvaluator(conditions, schedule);
  for (const run of runs) {
    if ((run.atUs - schedule.startUs - phaseUs) % schedule.periodUs !== 0) continue;
    for (const alertId of evaluator.evaluate(run)) evaluator.firings.set(alertId, { atUs: run.atUs, processingMs: run.processingMs });
  }
  return evaluator.firings;
}
