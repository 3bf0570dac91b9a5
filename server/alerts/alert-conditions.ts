import { COOLDOWN_MIN_SECONDS } from '../../lib/alerts/alert-input.ts';
import type { Alert as AlertRow } from '../db/generated/client.ts';
import type { AlertCondition } from '../stream/alert-index.ts';
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

function units(decimal: string): bigint {
  const value = parseUnits(decimal, PRICE_SCALE);
  if (value === null) throw new Error(`stored amount "${decimal}" is not a decimal`);
  return value;
}

/** The columns a condition is made from. */
export type ConditionRow = Pick<AlertRow, 'id' | 'product' | 'basis' | 'direction' | 'threshold' | 'expiresAt' | 'rearmBand' | 'cooldownSeconds'>;

/** The condition that fires an armed alert: its own direction and threshold. */
export function fireCondition(row: ConditionRow): AlertCondition {
  return {
    alertId: row.id,
    product: row.product,
    basis: row.basis as AlertCondition['basis'],
    direction: row.direction as AlertCondition['direction'],
    thresholdUnits: units(row.threshold),
    ...(row.expiresAt ? { expiresAtUs: row.expiresAt.getTime() * 1000 } : {}),
  };
}

/**
 * The condition that re-arms a triggered rearm alert: the basis back past the threshold by the
 * band (below `threshold - band` for an above-alert, above `threshold + band` for a below-alert),
 * no earlier than `cooldownSeconds` of event time after the trade that fired it, and never
 * sooner than `COOLDOWN_MIN_SECONDS` (rows stored before that floor existed may hold less).
 * Returns null when the band reaches past zero (an above-alert could then never re-arm).
 */
export function rearmCondition(row: ConditionRow, firedAtUs: number): AlertCondition | null {
  const band = units(row.rearmBand ?? '0');
  const threshold = units(row.threshold);
  const above = row.direction === 'above';
  const target = above ? threshold - band : threshold + band;
  if (target <= 0n) return null;
  return {
    alertId: row.id,
    product: row.product,
    basis: row.basis as AlertCondition['basis'],
    direction: above ? 'below' : 'above',
    thresholdUnits: target,
    notBeforeUs: firedAtUs + Math.max(row.cooldownSeconds ?? 0, COOLDOWN_MIN_SECONDS) * US_PER_S,
    ...(row.expiresAt ? { expiresAtUs: row.expiresAt.getTime() * 1000 } : {}),
  };
}
