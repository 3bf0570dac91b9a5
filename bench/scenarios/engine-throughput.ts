import { type AlertCondition, createAlertIndex } from '../../server/stream/alert-index.ts';
import { parseTrade } from '../../server/stream/parse-trade.ts';
import { createSlidingWindow } from '../../server/stream/sliding-window.ts';
import type { Trade, WindowState } from '../../server/stream/types.ts';
import { createSeededRandom } from '../../lib/seeded-random.ts';
import { type MatchFrames, extractTrade, generateMatchFrames } from '../coinbase-frames.ts';
import { createNaiveWindow } from '../comparison-windows.ts';
import { cpuMs } from '../lib/cpu.ts';
import { type Scenario, type ScenarioOptions, type ScenarioResult, median } from '../lib/scenario.ts';

/**
 * Scenario 1, engine throughput: the pure `server/stream` engine on one core, trades already
 * parsed, replaying a million Coinbase-shaped trades through the exact 10-minute window (mean and
 * VWAP) and an alert index holding a million armed alerts (what matches is taken out, as the
 * evaluator does). Beside it, in the same rounds: a loop that only parses the same frames
 * (JSON.parse + field extraction, the ceiling of any pipeline fed by the feed), and the naive
 * design (re-sum the window and scan every alert on every trade) on a sample of trades.
 * Rates are per CPU second of this process, so other load on the machine disturbs them less.
 */
const WINDOW_US = 600_000_000;
const BAR_PER_S = 500_000;
const CENT = 1_000_000n;
const BASES = ['mean', 'vwap', 'last'] as const;

// Results flow here so no loop can be optimized away.
let sink = 0;

function parsedTrades(frames: MatchFrames): Trade[] {
  const trades: Trade[] = [];
  for (let i = 0; i < frames.count; i++) {
    const raw = extractTrade(frames.at(i));
    const parsed = raw && parseTrade(raw);
    if (!parsed?.ok) throw new Error(`bench frame refused: ${frames.at(i)}`);
    trades.push(parsed.trade);
  }
  return trades;
}

/** Armed alerts within 30% of the start price, on the side that does not hold yet: some fire. */
function armedAlerts(count: number, startCents: number): AlertCondition[] {
  const random = createSeededRandom(7).next;
  return Array.from({ length: count }, (_, n) => {
    const above = random() < 0.5;
    const offset = Math.max(1, Math.round(startCents * 0.3 * random()));
    return {
      alertId: `a${n}`,
      product: 'BTC-USD',
      basis: BASES[n % 3]!,
      direction: above ? 'above' : 'below',
      thresholdUnits: BigInt(above ? startCents + offset : startCents - offset) * CENT,
    };
  });
}

function floorDiv(num: bigint, den: bigint): bigint {
  const q = num / den;
  return q * den > num ? q - 1n : q;
}

/** The naive evaluation: every alert compared on every update, with the same exact arithmetic. */
function scanAll(alerts: readonly AlertCondition[], state: WindowState): number {
  const bounds = {
    mean: [floorDiv(state.sumPriceUnits, BigInt(state.count)), -floorDiv(-state.sumPriceUnits, BigInt(state.count))],
    vwap: [floorDiv(state.sumPvUnits, state.sumSizeUnits), -floorDiv(-state.sumPvUnits, state.sumSizeUnits)],
    last: [state.lastUnits, state.lastUnits],
  } as const;
  let hits = 0;
  for (const a of alerts) {
    const [floor, ceil] = bounds[a.basis];
    if (a.direction === 'above' ? a.thresholdUnits <= floor : a.thresholdUnits >= ceil) hits++;
  }
  return hits;
}

function measure({ smoke, log }: ScenarioOptions): ScenarioResult {
  const tradeCount = smoke ? 20_000 : 1_000_000;
  const alertCount = smoke ? 20_000 : 1_000_000;
  const rounds = smoke ? 1 : 5;
  const naiveTrades = smoke ? 5 : 30;

  log(`generating ${tradeCount.toLocaleString('en-US')} match frames and ${alertCount.toLocaleString('en-US')} alerts`);
  const frames = generateMatchFrames(tradeCount);
  const trades = parsedTrades(frames);
  const alerts = armedAlerts(alertCount, Number(trades[0]!.priceUnits / CENT));

  const parseRates: number[] = [];
  const engineRates: number[] = [];
  const naiveRates: number[] = [];
  let fired = 0;
  for (let round = 0; round < rounds; round++) {
    let started = cpuMs();
    let ids = 0;
    for (let i = 0; i < frames.count; i++) ids += extractTrade(frames.at(i))?.tradeId ?? 0;
    parseRates.push(frames.count / ((cpuMs() - started) / 1000));
    sink += ids;

    const window = createSlidingWindow('BTC-USD', WINDOW_US);
    const index = createAlertIndex();
    index.bulkLoad(alerts);
    fired = 0;
    started = cpuMs();
    for (const trade of trades) {
      const state = window.apply(trade);
      fired += index.takeMatching(state).length;
    }
    engineRates.push(trades.length / ((cpuMs() - started) / 1000));

    // The naive design on trades from the middle of the replay, its window already full.
    const from = Math.floor(trades.length / 2);
    const naive = createNaiveWindow(WINDOW_US, trades.slice(Math.max(0, from - 30_000), from));
    const reference = createSlidingWindow('BTC-USD', WINDOW_US);
    const states = trades.slice(Math.max(0, from - 30_000), from + naiveTrades).map((t) => reference.apply(t)).slice(-naiveTrades);
    started = cpuMs();
    for (let i = 0; i < naiveTrades; i++) {
      sink += naive(trades[from + i]!).count;
      sink += scanAll(alerts, states[i]!);
    }
    naiveRates.push(naiveTrades / ((cpuMs() - started) / 1000));
    log(`round ${round + 1}/${rounds}: parse-only ${Math.round(parseRates.at(-1)!)}/s, engine ${Math.round(engineRates.at(-1)!)}/s, naive ${naiveRates.at(-1)!.toFixed(1)}/s`);
  }

  const parse = median(parseRates);
  const engine = median(engineRates);
  const naive = median(naiveRates);
  return {
    id: 'engine',
    title: 'Engine throughput (one core, trades parsed, 1M alerts)',
    rows: [
      {
        metric: `engine: window + ${alertCount.toLocaleString('en-US')}-alert index`,
        value: engine,
        unit: 'trades/s',
        baseline: { name: 'parse-only loop (JSON.parse + extract)', value: parse },
        ratio: engine / parse,
        ratioLabel: 'engine / parse-only',
        bar: { op: '>=', value: BAR_PER_S },
        runs: engineRates,
        note: `${fired.toLocaleString('en-US')} alerts fired and removed per replay`,
      },
      {
        metric: 'naive: re-sum the window, scan every alert',
        value: naive,
        unit: 'trades/s',
        baseline: { name: 'engine', value: engine },
        ratio: engine / naive,
        ratioLabel: 'engine / naive',
        runs: naiveRates,
        note: `measured on ${naiveTrades} trades per round with a full window`,
      },
    ],
    charts: [
      {
        id: 'engine-throughput',
        title: 'Trades per CPU second (log scale)',
        unit: 'trades/s',
        log: true,
        bars: [
          { label: 'parse-only ceiling', value: parse },
          { label: 'engine (window + 1M alerts)', value: engine },
          { label: 'naive (re-sum + scan)', value: naive },
        ],
      },
    ],
    notes: [`${rounds} rounds, medians; sink ${sink % 7}`],
  };
}

export const engineThroughput: Scenario = (options) => Promise.resolve(measure(options));
