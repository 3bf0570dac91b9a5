import { COOLDOWN_MIN_SECONDS } from '../../lib/alerts/alert-input.ts';
import type { Alert as AlertRow } from '../db/generated/client.ts';
import { type AlertCondition, createAlertIndex } from '../stream/alert-index.ts';
import { parseUnits } from '../stream/parse-decimal.ts';
import { PRICE_SCALE } from '../stream/types.ts';

/** What the evaluator keeps beside each indexed condition. */
export interface ConditionMeta {
  alertId: string;
  userId: string;
  /** `fire`: the alert is armed; `rearm`: a triggered rearm alert waiting to be armed again. */
  kind: 'fire' | 'rearm';
  arming: number;
}

const US_PER_S = 1_000_000;

/** Why a stored alert cannot be evaluated (the `reason` label of tickwatch_alerts_skipped_total). */
export type UnindexableReason =
  | 'invalid_threshold'
  | 'invalid_basis'
  | 'invalid_direction'
  | 'invalid_expiry'
  | 'invalid_repeat'
  | 'invalid_arming'
  | 'invalid_fire_time'
  | 'product_not_followed'
  | 'not_indexable';

/**
 * An alert row the index cannot hold: a column no API write produces (written by hand, by an
 * older version, or corrupted). `field` names the API field at fault, `message` says why.
 */
export class UnindexableAlertError extends Error {
  override name = 'UnindexableAlertError';
  constructor(
    readonly reason: UnindexableReason,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const BASES = new Set(['mean', 'vwap', 'last']);

/** A positive amount in price units; `field` names it in the error. */
function units(decimal: unknown, field: string, allowZero = false): bigint {
  const value = typeof decimal === 'string' ? parseUnits(decimal, PRICE_SCALE) : null;
  if (value === null || value < 0n || (!allowZero && value === 0n)) {
    throw new UnindexableAlertError('invalid_threshold', field, `${field} "${String(decimal)}" is not a positive decimal amount`);
  }
  return value;
}

/** An instant as integer microseconds the index can hold (a safe integer: before about 2255). */
function microseconds(ms: number, reason: UnindexableReason, field: string): number {
  const us = ms * 1000;
  if (!Number.isSafeInteger(us)) throw new UnindexableAlertError(reason, field, `${field} is not a time the alert index can hold`);
  return us;
}

function expiry(row: ConditionRow): { expiresAtUs?: number } {
  if (row.expiresAt === null || row.expiresAt === undefined) return {};
  const ms = row.expiresAt instanceof Date ? row.expiresAt.getTime() : NaN;
  return { expiresAtUs: microseconds(ms, 'invalid_expiry', 'expiresAt') };
}

function basisOf(row: ConditionRow): AlertCondition['basis'] {
  if (!BASES.has(row.basis)) throw new UnindexableAlertError('invalid_basis', 'basis', `basis "${row.basis}" is not mean, vwap or last`);
  return row.basis as AlertCondition['basis'];
}

function directionOf(row: ConditionRow): AlertCondition['direction'] {
  if (row.direction !== 'above' && row.direction !== 'below') {
    throw new UnindexableAlertError('invalid_direction', 'direction', `direction "${row.direction}" is not above or below`);
  }
  return row.direction;
}
/** The columns a condition is made from. */
export type ConditionRow = Pick<AlertRow, 'id' | 'product' | 'basis' | 'direction' | 'threshold' | 'expiresAt' | 'rearmBand' | 'cooldownSeconds'>;

/**
 * The condition that fires an armed alert: its own direction and threshold.
 * @throws UnindexableAlertError when a column holds what the index cannot take
 */
export function fireCondition(row: ConditionRow): AlertCondition {
  return {
    alertId: row.id,
    product: row.product,
    basis: basisOf(row),
    direction: directionOf(row),
    thresholdUnits: units(row.threshold, 'threshold'),
    ...expiry(row),
  };
}

/**
 * The condition that re-arms a triggered rearm alert: the basis back past the threshold by the
 * band (below `threshold - band` for an above-alert, above `threshold + band` for a below-alert),
 * no earlier than `cooldownSeconds` of event time after the trade that fired it, and never
 * sooner than `COOLDOWN_MIN_SECONDS` (rows stored before that floor existed may hold less).
 * Returns null when the band reaches past zero (an above-alert could then never re-arm).
 * @throws UnindexableAlertError when a column holds what the index cannot take
 */
export function rearmCondition(row: ConditionRow, firedAtUs: number): AlertCondition | null {
  const band = units(row.rearmBand ?? '0', 'repeat.band', true);
  const threshold = units(row.threshold, 'threshold');
  const basis = basisOf(row);
  const above = directionOf(row) === 'above';
  const cooldown = row.cooldownSeconds ?? 0;
  if (!Number.isSafeInteger(cooldown) || cooldown < 0) {
    throw new UnindexableAlertError('invalid_repeat', 'repeat.cooldownSeconds', `cooldownSeconds "${String(cooldown)}" is not a whole number of seconds`);
  }
  if (!Number.isSafeInteger(firedAtUs)) throw new UnindexableAlertError('invalid_fire_time', 'triggeredAt', 'the time it fired is not known');
  const notBeforeUs = firedAtUs + Math.max(cooldown, COOLDOWN_MIN_SECONDS) * US_PER_S;
  if (!Number.isSafeInteger(notBeforeUs)) throw new UnindexableAlertError('invalid_repeat', 'repeat.cooldownSeconds', 'the cooldown ends past what the alert index can hold');
  const target = above ? threshold - band : threshold + band;
  const expires = expiry(row);
  if (target <= 0n) return null;
  return {
    alertId: row.id,
    product: row.product,
    basis,
    direction: above ? 'below' : 'above',
    thresholdUnits: target,
    notBeforeUs,
    ...expires,
  };
}

/**
 * The index's own checks of a condition, run on a scratch index that holds nothing for long (so
 * they are the index's, not a copy that could drift): returns the condition when the index would
 * take it, else throws UnindexableAlertError (`not_indexable`) with the index's reason.
 */
export function createIndexCheck(): (condition: AlertCondition) => AlertCondition {
  const probe = createAlertIndex();
  return (condition) => {
    try {
      probe.add(condition);
    } catch (error) {
      throw new UnindexableAlertError('not_indexable', 'alert', error instanceof Error ? error.message : String(error));
    }
    probe.remove(condition.alertId);
    return condition;
  };
}
