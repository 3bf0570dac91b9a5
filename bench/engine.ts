/**
 * Throughput of the stream engine on realistic Coinbase match frames, measured side by side in one
 * run: `npm run bench:engine`. The designs run in interleaved rounds; medians are reported.
 *
 *   (a) JSON.parse + field extraction only: the practical ceiling of any design
 *   (b) (a) + parseTrade + sliding window apply: the engine
 *   (c) (a) + parseTrade + re-summing the whole window on every trade (naive)
 *   (d) (a) + decimal.js parsing + an O(1) window with decimal.js sums
 *
 * Rates are per CPU second of this process (user + system, GC threads included), so other load on
 * a shared machine disturbs them less than wall time; wall-time rates are shown beside them.
 * BENCH_FRAMES and BENCH_ROUNDS override the defaults.
 */

import Decimal from 'decimal.js';
import { parseTimeUs } from '../server/stream/parse-time.ts';
import { parseTrade } from '../server/stream/parse-trade.ts';
import { createSlidingWindow } from '../server/stream/sliding-window.ts';
import type { Trade } from '../server/stream/types.ts';
import { type MatchFrames, extractTrade, generateMatchFrames } from './coinbase-frames.ts';
import { createDecimalWindow, createNaiveWindow } from './comparison-windows.ts';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** The slow comparison designs run fewer rounds, to keep the whole run near a minute. */
const SLOW_ROUNDS = Math.min(ROUNDS, 3);
const WINDOW_US = 600_000_000;
/** The naive design is measured on this many trades once its window is full. */
const NAIVE_TRADES = 1_000;
const DECIMAL_TRADES = 100_000;
const TARGET_PER_S = 500_000;

function write(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function checked(frame: string): Trade {
  const raw = extractTrade(frame);
  const parsed = raw && parseTrade(raw);
  if (!parsed?.ok) throw new Error(`bench frame refused: ${frame}`);
  return parsed.trade;
}

function tradesOf(frames: MatchFrames, from: number, to: number): Trade[] {
  const trades: Trade[] = [];
  for (let i = from; i < to; i++) trades.push(checked(frames.at(i)));
  return trades;
}

/** Index of the first frame with a full window behind it: W of event time after the first. */
function firstFullIndex(frames: MatchFrames): number {
  const startUs = checked(frames.at(0)).timeUs;
  let i = 0;
  while (i < frames.count - 1 && checked(frames.at(i)).timeUs - startUs < WINDOW_US) i++;
  return i;
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

interface Timing {
  cpuMs: number;
  wallMs: number;
}

// Results flow here so no loop can be optimized away.
let sink = 0;

function timed(loop: () => number): Timing {
  const wall = performance.now();
  const cpu = cpuMs();
  sink += loop();
  return { cpuMs: cpuMs() - cpu, wallMs: performance.now() - wall };
}

interface Design {
  label: string;
  trades: number;
  rounds: number;
  note: string;
  run(): Timing;
}

function designs(frames: MatchFrames, fullAt: number): Design[] {
  const count = frames.count;
  const naiveFrom = Math.min(fullAt, count - NAIVE_TRADES);
  const decimalTrades = Math.min(DECIMAL_TRADES, count);
  return [
    {
      label: '(a) JSON.parse + extract',
      trades: count,
      rounds: ROUNDS,
      note: 'the ceiling',
      run: () =>
        timed(() => {
          let ids = 0;
          for (let i = 0; i < count; i++) ids += extractTrade(frames.at(i))?.tradeId ?? 0;
          return ids;
        }),
    },
    {
      label: '(b) engine: + parseTrade + window',
      trades: count,
      rounds: ROUNDS,
      note: 'exact BigInt sums, O(1) amortized',
      run: () =>
        timed(() => {
          const window = createSlidingWindow('BTC-USD', WINDOW_US);
          let total = 0;
          for (let i = 0; i < count; i++) {
            const raw = extractTrade(frames.at(i));
            const parsed = raw && parseTrade(raw);
            if (parsed?.ok) total += window.apply(parsed.trade).count;
          }
          return total;
        }),
    },
    {
      label: '(c) naive: re-sum the window',
      trades: NAIVE_TRADES,
      rounds: SLOW_ROUNDS,
      note: `exact; only ${NAIVE_TRADES.toLocaleString('en-US')} trades, once the 10-min window is full`,
      run() {
        const naive = createNaiveWindow(WINDOW_US, tradesOf(frames, 0, naiveFrom));
        return timed(() => {
          let total = 0;
          for (let i = naiveFrom; i < naiveFrom + NAIVE_TRADES; i++) {
            const raw = extractTrade(frames.at(i));
            const parsed = raw && parseTrade(raw);
            if (parsed?.ok) total += naive(parsed.trade).count;
          }
          return total;
        });
      },
    },
    {
      label: '(d) decimal.js sums',
      trades: decimalTrades,
      rounds: SLOW_ROUNDS,
      note: `20 digits, not exact; first ${decimalTrades.toLocaleString('en-US')} frames`,
      run: () =>
        timed(() => {
          const window = createDecimalWindow(WINDOW_US);
          let total = 0;
          for (let i = 0; i < decimalTrades; i++) {
            const raw = extractTrade(frames.at(i));
            const timeUs = raw && parseTimeUs(raw.time);
            if (raw && timeUs !== null) total += window({ timeUs, price: new Decimal(raw.price), size: new Decimal(raw.size) }).count;
          }
          return total;
        }),
    },
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The designs must agree: engine and naive exactly on every one of a few hundred trades with a
 * full window; decimal.js is counted where its 20 digits give another 8-dp result.
 */
function crossCheck(frames: MatchFrames, fullAt: number): string {
  const end = Math.min(frames.count, fullAt + 300);
  const trades = tradesOf(frames, 0, end);
  const window = createSlidingWindow('BTC-USD', WINDOW_US);
  const naive = createNaiveWindow(WINDOW_US, trades.slice(0, fullAt));
  const decimal = createDecimalWindow(WINDOW_US);
  let decimalDiffers = 0;
  let count = 0;
  trades.forEach((trade, i) => {
    const engine = window.apply(trade);
    const d = decimal({ timeUs: trade.timeUs, price: new Decimal(trade.price), size: new Decimal(trade.size) });
    if (d.mean !== engine.mean || d.vwap !== engine.vwap) decimalDiffers++;
    if (i < fullAt) return;
    const n = naive(trade);
    if (n.mean !== engine.mean || n.vwap !== engine.vwap || n.count !== engine.count) {
      throw new Error(`engine and naive window disagree at trade ${i}: ${engine.mean}/${engine.vwap}/${engine.count} vs ${n.mean}/${n.vwap}/${n.count}`);
    }
    count = n.count;
  });
  return `check: engine = naive on trades ${fullAt}..${end - 1} (${count} trades in the window); decimal.js differs from exact on ${decimalDiffers} of ${end}`;
}

function rate(trades: number, ms: number): string {
  return Math.round(trades / (ms / 1000)).toLocaleString('en-US');
}

function main(): void {
  const started = performance.now();
  write(`generating ${FRAMES.toLocaleString('en-US')} match frames...`);
  const frames = generateMatchFrames(FRAMES);
  const fullAt = firstFullIndex(frames);
  const spanUs = checked(frames.at(frames.count - 1)).timeUs - checked(frames.at(0)).timeUs;
  write(`${(spanUs / 3.6e9).toFixed(1)} h of event time, ${(frames.count / (spanUs / 1e6)).toFixed(1)} trades/s; the 10-min window is full from trade ${fullAt}`);
  write(crossCheck(frames, fullAt));

  const list = designs(frames, fullAt);
  const timings = list.map(() => [] as Timing[]);
  for (let round = 0; round < ROUNDS; round++) {
    list.forEach((design, i) => {
      if (round < design.rounds) timings[i]?.push(design.run());
    });
  }

  write();
  write(`${'design'.padEnd(36)}${'trades'.padStart(11)}${'cpu ms'.padStart(10)}${'trades/cpu-s'.padStart(14)}${'trades/s wall'.padStart(15)}  note`);
  const rates = list.map((design, i) => {
    const cpu = median((timings[i] ?? []).map((t) => t.cpuMs));
    const wall = median((timings[i] ?? []).map((t) => t.wallMs));
    write(`${design.label.padEnd(36)}${design.trades.toLocaleString('en-US').padStart(11)}${cpu.toFixed(0).padStart(10)}${rate(design.trades, cpu).padStart(14)}${rate(design.trades, wall).padStart(15)}  ${design.note}`);
    return design.trades / (cpu / 1000);
  });
  const [a = 0, b = 0, c = 0, d = 0] = rates;
  write();
  write(`(b)/(a) = ${(b / a).toFixed(2)}   (b)/(c) = ${(b / c).toFixed(0)}x   (b)/(d) = ${(b / d).toFixed(1)}x   (medians of ${ROUNDS} rounds, ${SLOW_ROUNDS} for (c) and (d); cpu time)`);
  write(`target (b) >= ${TARGET_PER_S.toLocaleString('en-US')} trades/s: ${b >= TARGET_PER_S ? 'met' : 'missed'}; ${sink > 0 ? '' : 'no results? '}total ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main();
