import type { BenchAlert } from './spike-alerts.ts';

/** When a design fired an alert: event time, and the processing time on top of it. */
export interface Firing {
  atUs: number;
  processingMs: number;
  /** The trade it fired on (the stream only). */
  tradeIndex?: number;
}

type Basis = 'mean' | 'last';

export interface FiringScore {
  /** Alerts with a true crossing in their lifetime, by basis. */
  crossings: Record<Basis, number>;
  /** Of those, fired by the design at or after the crossing, within the lifetime. */
  caught: Record<Basis, number>;
  /** Crossings the design never fired on (it cannot fire after the alert expired). */
  missed: Record<Basis, number>;
  /** Fired before the true crossing: on a window other than the one as of a trade. */
  early: number;
  /** Fired without any true crossing in the lifetime. */
  falseFires: number;
  /** Stream only: fired on another trade than the crossing one. */
  offTrade: number;
  /** Per caught crossing: event time from the crossing to the firing, plus processing, ms. */
  delaysMs: number[];
}

/** Scores one design's firings against the true crossings. */
export function scoreFirings(alerts: readonly BenchAlert[], firings: ReadonlyMap<string, Firing>): FiringScore {
  const score: FiringScore = {
    crossings: { mean: 0, last: 0 },
    caught: { mean: 0, last: 0 },
    missed: { mean: 0, last: 0 },
    early: 0,
    falseFires: 0,
    offTrade: 0,
    delaysMs: [],
  };
  for (const { condition, crossing } of alerts) {
    const fired = firings.get(condition.alertId);
    const basis = condition.basis as Basis;
    if (!crossing) {
      if (fired) score.falseFires++;
      continue;
    }
    score.crossings[basis]++;
    if (!fired) {
      score.missed[basis]++;
    } else if (fired.atUs < crossing.timeUs) {
      score.early++;
    } else {
      score.caught[basis]++;
      score.delaysMs.push((fired.atUs - crossing.timeUs) / 1000 + fired.processingMs);
      if (fired.tradeIndex !== undefined && fired.tradeIndex !== crossing.index) score.offTrade++;
    }
  }
  return score;
}
