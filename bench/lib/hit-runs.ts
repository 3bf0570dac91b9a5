import type { Simulator } from '../../server/feed/simulator/create-simulator.ts';
import type { ClientFleet } from './client-fleet.ts';
import type { FleetSamples } from './client-fleet-protocol.ts';
import { paceTrades } from './pace-trades.ts';
import type { SeedAlert } from './seed-bench-database.ts';
import { wallNow } from './wall-clock.ts';

/**
 * Paced trades of which every `hitEvery`-th crosses one armed alert of one user, for measuring
 * trade → alert:hit latency (end-to-end-latency.ts on one node, cross-node-latency.ts on
 * several). Scripted prices start at HIT_BASE_CENTS, far above the simulator's history (around
 * $50,000), and rise a cent per trade, so each hit trade crosses exactly its own alert.
 */
export const HIT_PRODUCT = 'BTC-USD';
export const HIT_BASE_CENTS = 10_000_000;

export interface Load {
  label: string;
  /** Not reported: the first firings compile queries and warm the JIT. */
  warmup?: boolean;
  rate: number;
  seconds: number;
  runs: number;
  /** Every `hitEvery`-th trade crosses one alert. */
  hitEvery: number;
  /** Pause after each run, so one run's backlog does not delay the next. */
  settleMs: number;
}

export interface Run {
  load: Load;
  /** Global index of the run's first trade: its price is HIT_BASE_CENTS + first cents. */
  first: number;
  count: number;
}

export const hitPrice = (index: number): string => ((HIT_BASE_CENTS + index) / 100).toFixed(2);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function planRuns(loads: Load[]): Run[] {
  const runs: Run[] = [];
  let first = 0;
  for (const load of loads) {
    for (let r = 0; r < load.runs; r++) {
      const count = Math.round(load.rate * load.seconds);
      runs.push({ load, first, count });
      first += count;
    }
  }
  return runs;
}

/** One armed `last >= price` alert per hit trade: hit number h goes to user h % clients. */
export function hitAlerts(runs: Run[], clients: number): SeedAlert[] {
  const alerts: SeedAlert[] = [];
  for (const run of runs) {
    for (let i = 0; i < run.count; i += run.load.hitEvery) {
      alerts.push({ user: alerts.length % clients, direction: 'above', threshold: hitPrice(run.first + i) });
    }
  }
  return alerts;
}

export interface Played {
  /** Per run: hit trade id → wall time it was published, in the order of the hits (hit h is user h % clients's). */
  sent: Array<Map<number, number>>;
  /** Everything the clients received meanwhile (bench clock). */
  samples: FleetSamples;
  /** How late the worst trade went out, ms. */
  worstLateMs: number;
}

/**
 * Plays every run through `sim`, then waits (up to 10 s) for the clients to count every hit
 * (`kind` 'hits'; relay frames are not waited for) and collects what they received.
 */
export async function playRuns(sim: Simulator, fleet: ClientFleet, runs: Run[], kind: 'hits' | 'frames'): Promise<Played> {
  const sent: Array<Map<number, number>> = [];
  let worstLateMs = 0;
  for (const run of runs) {
    const sentAt = new Map<number, number>();
    const late = await paceTrades({
      rate: run.load.rate,
      count: run.count,
      send: (i) => {
        const at = wallNow();
        const trade = sim.trade(HIT_PRODUCT, { price: hitPrice(run.first + i), size: '0.01' });
        if (i % run.load.hitEvery === 0) sentAt.set(trade.tradeId, at);
      },
    });
    worstLateMs = Math.max(worstLateMs, late);
    sent.push(sentAt);
    await sleep(run.load.settleMs);
  }
  const expected = sent.reduce((n, m) => n + m.size, 0);
  const deadline = Date.now() + 10_000;
  while (kind === 'hits' && (await fleet.counts()).hits < expected && Date.now() < deadline) await sleep(100);
  return { sent, samples: await fleet.collect(), worstLateMs };
}
