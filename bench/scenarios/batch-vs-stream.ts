import { type AvgDecisions, centTies, compareAvgDecisions } from '../lib/avg-decisions.ts';
import { type BatchJobResult, type BatchSchedule, replayBatchRuns, runBatchJob } from '../lib/batch-alert-job.ts';
import { exactWindowSums } from '../lib/exact-window-sums.ts';
import { type ChartSpec, type ResultRow, type Scenario, type ScenarioOptions, type ScenarioResult, median, percentile } from '../lib/scenario.ts';
import { type FiringScore, type Firing, scoreFirings } from '../lib/score-firings.ts';
import { type BenchAlert, createSpikeAlerts } from '../lib/spike-alerts.ts';
import { generateSpikyTrades } from '../lib/spiky-trades.ts';
import { replayStream } from '../lib/stream-alert-replay.ts';
import { createTradeDb } from '../lib/trade-db.ts';

/**
 * Scenario 2, batch vs stream: the point of the project. The same seeded hours of BTC-USD trades,
 * with spikes that cross alert thresholds and come back within a minute, go through
 *   - the batch job being replaced, made exact: every period (10 s, and the window, 10 min) read
 *     the last window's prices from the app's trade table in a temporary SQLite file, sum them
 *     as BigInt, read the last price, check every alert;
 *   - the stream engine: parseTrade, the sliding window and the alert index on every trade.
 * Ground truth: each alert's first trade (in its lifetime) after which the exact condition holds.
 * Scored per design: delay after that crossing (batch: the wait for the next run plus the run;
 * stream: the wall time of the crossing trade's processing), crossings never fired on, and CPU per
 * hour of trades. Beside it, SQLite's own AVG(price), a double, against the exact mean.
 */
const SECOND_US = 1_000_000;
const MINUTE_US = 60 * SECOND_US;
const HOUR_US = 60 * MINUTE_US;
const BAR_P99_MS = 10;

interface Config {
  spanUs: number;
  windowUs: number;
  spikes: number;
  background: number;
  rounds: number;
  /** Rounds run first and not counted, so JIT compilation is not charged to either design. */
  warmup: number;
}

const FULL: Config = { spanUs: 2 * HOUR_US, windowUs: 10 * MINUTE_US, spikes: 36, background: 1_000, rounds: 7, warmup: 1 };
const SMOKE: Config = { spanUs: 10 * MINUTE_US, windowUs: 2 * MINUTE_US, spikes: 2, background: 100, rounds: 2, warmup: 0 };
const TRADES_PER_SECOND = 4;
const LEAD_US = MINUTE_US;
const TAIL_US = MINUTE_US;
const SHORT_PERIOD_US = 10 * SECOND_US;

type DesignId = 'stream' | 'short' | 'long';

interface RoundFigures {
  cpuPerHourMs: number;
  p50: number;
  p99: number;
  max: number;
}

function every(us: number): string {
  return us >= MINUTE_US ? `${us / MINUTE_US} min` : `${us / SECOND_US} s`;
}

function figures(score: FiringScore, cpu: number, hours: number): RoundFigures {
  return { cpuPerHourMs: cpu / hours, p50: percentile(score.delaysMs, 50), p99: percentile(score.delaysMs, 99), max: score.delaysMs.length > 0 ? Math.max(...score.delaysMs) : Number.NaN };
}

function counts(score: FiringScore): string {
  return `${score.missed.last}+${score.missed.mean}/${score.early}/${score.falseFires}/${score.offTrade}`;
}

function missedOf(score: FiringScore): number {
  return score.missed.last + score.missed.mean;
}

function measure({ smoke, log }: ScenarioOptions): ScenarioResult {
  const config = smoke ? SMOKE : FULL;
  const tape = generateSpikyTrades({
    seed: 2026,
    spanUs: config.spanUs,
    tradesPerSecond: TRADES_PER_SECOND,
    spikeCount: config.spikes,
    quietStartUs: config.windowUs + 30 * SECOND_US,
    leadUs: LEAD_US,
    tailUs: TAIL_US,
  });
  const hours = (tape.endUs - tape.startUs) / HOUR_US;
  const exact = exactWindowSums(tape.trades, config.windowUs);
  const alerts: BenchAlert[] = createSpikeAlerts(tape, exact, { windowUs: config.windowUs, leadUs: LEAD_US, tailUs: TAIL_US, background: config.background, seed: 7 });
  const conditions = alerts.map((a) => a.condition);
  const spikeAlerts = alerts.filter((a) => a.spike >= 0);
  const short: BatchSchedule = { product: tape.product, windowUs: config.windowUs, periodUs: SHORT_PERIOD_US, startUs: tape.startUs, endUs: tape.endUs };
  const long: BatchSchedule = { ...short, periodUs: config.windowUs };
  const label: Record<DesignId, string> = { stream: 'stream', short: `batch every ${every(short.periodUs)}`, long: `batch every ${every(long.periodUs)}` };
  log(`${tape.trades.length} trades over ${hours.toFixed(2)} h, ${tape.spikes.length} spikes, ${spikeAlerts.length} spike alerts (${spikeAlerts.filter((a) => a.crossing).length} cross) + ${config.background} background`);

  const raws = tape.trades.map((t) => t.raw);
  const db = createTradeDb(tape.trades);
  const perRound: Record<DesignId, RoundFigures[]> = { stream: [], short: [], long: [] };
  const scores = {} as Record<DesignId, FiringScore>;
  const tradeP99: number[] = [];
  let shortJob: BatchJobResult | undefined;
  const run = (design: DesignId): { firings: ReadonlyMap<string, Firing>; cpu: number; tradeP99?: number } => {
    if (design === 'stream') {
      const replay = replayStream(raws, conditions, tape.product, config.windowUs);
      return { firings: replay.firings, cpu: replay.cpuMs, tradeP99: percentile(Array.from(replay.tradeMs), 99) };
    }
    const job = runBatchJob(db, conditions, design === 'short' ? short : long);
    if (design === 'short') shortJob = job;
    return { firings: job.firings, cpu: job.cpuMs };
  };
  try {
    for (let round = -config.warmup; round < config.rounds; round++) {
      // Each design goes first in turn, so none always runs on the heap another left behind.
      const order: DesignId[] = ['stream', 'short', 'long'];
      for (let k = 0; k < (round + 3) % 3; k++) order.push(order.shift()!);
      for (const design of order) {
        const { firings, cpu, tradeP99: p99 } = run(design);
        if (round < 0) continue;
        if (p99 !== undefined) tradeP99.push(p99);
        const score = scoreFirings(alerts, firings);
        // Which alerts fire, and when in event time, is fixed by the data: only timings may vary.
        if (scores[design] && counts(scores[design]) !== counts(score)) throw new Error(`${design}: firings changed between rounds`);
        scores[design] = score;
        perRound[design].push(figures(score, cpu, hours));
      }
      if (round < 0) continue;
      const f = (d: DesignId): string => `${perRound[d].at(-1)!.cpuPerHourMs.toFixed(0)} ms CPU/h, p99 ${perRound[d].at(-1)!.p99.toFixed(3)} ms`;
      log(`round ${round + 1}/${config.rounds}: stream ${f('stream')}; ${label.short} ${f('short')}; ${label.long} ${f('long')}`);
    }

    // The long job at every phase its runs could have (a multiple of the short period).
    const phaseMissed: number[] = [];
    for (let phaseUs = 0; phaseUs < long.periodUs; phaseUs += short.periodUs) {
      const firings = replayBatchRuns(shortJob!.runs, conditions, long, phaseUs);
      phaseMissed.push(missedOf(scoreFirings(alerts, firings)));
    }
    if (phaseMissed[0] !== missedOf(scores.long)) throw new Error('the long job replayed from the short runs disagrees with the long job');
    const atRuns = compareAvgDecisions(db, shortJob!.runs.map((r) => ({ afterUs: r.atUs - config.windowUs, toUs: r.atUs, count: r.count, sumPriceUnits: r.sumPriceUnits })), tape.product);
    // Every trade's window whose mean lies exactly on a cent: the only case a double can tip.
    const asOfTrades = tape.trades.map((t, i) => ({ afterUs: t.timeUs - config.windowUs, toUs: t.timeUs, maxTradeId: t.raw.tradeId, count: exact.count[i]!, sumPriceUnits: exact.sum[i]! }));
    const atTies = compareAvgDecisions(db, centTies(asOfTrades), tape.product);
    log(`AVG(price) vs exact: ${atRuns.differing} of ${atRuns.decisions} decisions at the runs, ${atTies.differing} of ${atTies.decisions} at ${atTies.windows} cent ties`);
    return report({ config, hours, tape, label, perRound, scores, tradeP99, phaseMissed, atRuns, atTies, spikeAlerts, smoke });
  } finally {
    db.close();
  }
}

interface ReportInput {
  config: Config;
  hours: number;
  tape: ReturnType<typeof generateSpikyTrades>;
  label: Record<DesignId, string>;
  perRound: Record<DesignId, RoundFigures[]>;
  scores: Record<DesignId, FiringScore>;
  tradeP99: number[];
  phaseMissed: number[];
  atRuns: AvgDecisions;
  atTies: AvgDecisions;
  spikeAlerts: BenchAlert[];
  smoke: boolean;
}

function report(input: ReportInput): ScenarioResult {
  const { config, hours, tape, label, perRound, scores, tradeP99, phaseMissed, atRuns, atTies, spikeAlerts, smoke } = input;
  const med = (d: DesignId, key: keyof RoundFigures): number => median(perRound[d].map((r) => r[key]));
  const runsOf = (d: DesignId, key: keyof RoundFigures): number[] => perRound[d].map((r) => r[key]);
  const stream = scores.stream;
  const crossings = stream.crossings.last + stream.crossings.mean;
  const rows: ResultRow[] = [];

  for (const batch of ['short', 'long'] as const) {
    for (const key of ['p50', 'p99', 'max'] as const) {
      rows.push({
        metric: `alert delay after the true crossing, ${key}: stream vs ${label[batch]}`,
        value: med('stream', key),
        unit: 'ms',
        baseline: { name: label[batch], value: med(batch, key) },
        ratio: med(batch, key) / med('stream', key),
        ratioLabel: 'batch / stream',
        bar: key === 'p99' ? { op: '<', value: BAR_P99_MS } : undefined,
        runs: runsOf('stream', key),
        note: `over the ${scores[batch].delaysMs.length} crossings the batch caught (stream: all ${stream.delaysMs.length}); stream = processing of the crossing trade, batch = wait for the next run + the run`,
      });
    }
  }
  for (const batch of ['short', 'long'] as const) {
    const b = scores[batch];
    const phases = batch === 'long' ? `; over all ${phaseMissed.length} phases of its schedule: ${Math.min(...phaseMissed)}–${Math.max(...phaseMissed)}, median ${median(phaseMissed)}` : '';
    rows.push({
      metric: `crossings missed: stream vs ${label[batch]}`,
      value: missedOf(stream),
      unit: `of ${crossings}`,
      baseline: { name: label[batch], value: missedOf(b) },
      bar: { op: '<=', value: 0 },
      note: `batch missed ${b.missed.last} of ${b.crossings.last} last-price and ${b.missed.mean} of ${b.crossings.mean} mean crossings${phases}; batch fired early ${b.early}, falsely ${b.falseFires}`,
    });
  }
  for (const batch of ['short', 'long'] as const) {
    rows.push({
      metric: `CPU per hour of trades: stream vs ${label[batch]}`,
      value: med('stream', 'cpuPerHourMs'),
      unit: 'ms',
      baseline: { name: label[batch], value: med(batch, 'cpuPerHourMs') },
      ratio: med('stream', 'cpuPerHourMs') / med(batch, 'cpuPerHourMs'),
      ratioLabel: 'stream / batch',
      runs: runsOf('stream', 'cpuPerHourMs'),
      note: `batch per round: ${runsOf(batch, 'cpuPerHourMs').map((v) => v.toFixed(0)).join(', ')} ms/h; storing the trades (both designs do) not counted`,
    });
  }
  rows.push({
    metric: 'stream firings not on the true-crossing trade (or early, or false)',
    value: stream.offTrade + stream.early + stream.falseFires,
    unit: 'alerts',
    bar: { op: '<=', value: 0 },
    note: `checked for all ${spikeAlerts.length} spike alerts and ${config.background} background alerts`,
  });
  rows.push({
    metric: `threshold decisions SQLite's AVG(price) takes differently from the exact mean: at the ${label.short} runs`,
    value: atRuns.differing,
    unit: `of ${atRuns.decisions}`,
    note: `the whole cents either side of the exact mean at ${atRuns.windows} runs (${atRuns.ties} exactly on a cent); largest |AVG − exact| $${atRuns.maxErrorUsd.toExponential(1)}, while a mean off a cent was never nearer to one than $${atRuns.nearestCentUsd.toExponential(1)}; AVG printed to 8 dp differs from the exact 8-dp mean at ${atRuns.printedDiffering} runs`,
  });
  rows.push({
    metric: "threshold decisions SQLite's AVG(price) takes differently from the exact mean: at windows whose mean is exactly a whole cent",
    value: atTies.differing,
    unit: `of ${atTies.decisions}`,
    note: `the ${atTies.windows} trades (of ${tape.trades.length}) whose window mean is exactly on a cent, threshold that cent, above and below (both hold exactly); largest |AVG − exact| there $${atTies.maxErrorUsd.toExponential(1)}`,
  });

  const designs: DesignId[] = ['stream', 'short', 'long'];
  const charts: ChartSpec[] = [
    {
      id: 'batch-vs-stream-delay',
      title: 'Alert delay after the true crossing (log scale)',
      unit: 'ms',
      log: true,
      bars: designs.flatMap((d) => (['p50', 'p99'] as const).map((key) => ({ label: `${label[d]} ${key}`, value: med(d, key), series: key }))),
    },
    {
      id: 'batch-vs-stream-missed',
      title: `Crossings missed, of ${stream.crossings.last} last-price and ${stream.crossings.mean} mean`,
      unit: 'missed',
      bars: designs.flatMap((d) => (['last', 'mean'] as const).map((basis) => ({ label: `${label[d]}, ${basis}`, value: scores[d].missed[basis], series: basis }))),
    },
  ];
  const spikesWithTrades = tape.spikes.filter((s) => s.end > s.first).length;
  return {
    id: 'batch-vs-stream',
    title: `Batch job vs stream (${hours.toFixed(1)} h of trades, ${crossings} alert crossings)`,
    rows,
    charts,
    notes: [
      `${tape.trades.length.toLocaleString('en-US')} seeded trades (~${TRADES_PER_SECOND}/s, simulator price walk), ${config.windowUs / MINUTE_US}-min window, ${spikesWithTrades} spikes of $400–1,000 lasting 2–55 s; ${spikeAlerts.length} spike alerts (3 levels, last and mean) + ${config.background} background alerts${smoke ? '; smoke run: sizes cut, numbers not meaningful' : ''}`,
      `${config.rounds} rounds, designs interleaved, medians; stream p99 over every trade (not just crossings): ${median(tradeP99).toFixed(4)} ms`,
      `exact batch: SELECT price over the window + BigInt sum + last price + alert index; the old AVG(price) query alone costs ${(atRuns.avgCpuMs / hours).toFixed(0)} ms CPU/h at ${every(SHORT_PERIOD_US)} (measured once)`,
    ],
  };
}

export const batchVsStream: Scenario = (options) => Promise.resolve(measure(options));
