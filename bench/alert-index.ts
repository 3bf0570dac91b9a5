/**
 * Cost of the alert index at scale: `npx tsx bench/alert-index.ts` (about half a minute).
 *
 *   1. bulk-load 1,000,000 conditions (2 products, every basis and direction, thresholds in
 *      cents within 30% of the start price on the side that does not hold yet) and measure the
 *      heap they take;
 *   2. 10,000 single adds and 10,000 single removes on the full index, beside a plain sorted
 *      array's splices at the same size for reference;
 *   3. replay 1,000,000 trades (a random walk, 2 ms apart, through the real sliding window with
 *      W = 60 s) and call `matching` on every window state; what fires is removed, as the
 *      evaluator does; expired conditions are removed every 1,000 trades;
 *   4. a naive scan over every live condition on a sample of 100 further states (a scan of
 *      ~1M conditions per trade is too slow to replay a million), checked against the index;
 *      200 conditions near the current prices are added first so that some match.
 *
 * BENCH_CONDITIONS and BENCH_TRADES override the sizes. Times are wall-clock (CPU time of this
 * process, GC threads included, beside the phases); per-call times include about 0.05 µs of
 * timer overhead. The load average is printed: on a busy machine every figure is slower.
 */

import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { type AlertCondition, createAlertIndex } from '../server/stream/alert-index.ts';
import { type SlidingWindow, createSlidingWindow } from '../server/stream/sliding-window.ts';
import type { Trade, WindowState } from '../server/stream/types.ts';
import { createSeededRandom } from '../lib/seeded-random.ts';

/** A seeded uniform [0, 1) source: the same data on every run. */
function createRandom(seed: number): () => number {
  return createSeededRandom(seed).next;
}

const CONDITIONS = Number(process.env.BENCH_CONDITIONS ?? 1_000_000);
const TRADES = Number(process.env.BENCH_TRADES ?? 1_000_000);
const SINGLE_OPS = 10_000;
const NAIVE_STATES = 100;
const WINDOW_US = 60_000_000;
const STEP_US = 2_000;
const T0_US = 1_800_000_000_000_000;
const PRODUCTS = [
  { product: 'BTC-USD', startCents: 6_000_000, share: 0.8 },
  { product: 'ETH-USD', startCents: 300_000, share: 0.2 },
];
const BASES = ['mean', 'vwap', 'last'] as const;
const CENT = 1_000_000n; // units of 1e-8 per cent

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function write(line = ''): void {
  process.stdout.write(`${line}\n`);
}


const random = createRandom(42);
// Ids as a database returns them: flat strings. A template literal would make each a rope of
// three strings (about 200 bytes instead of 48) and inflate the memory figures.
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const idOf = (n: number): string => decoder.decode(encoder.encode(`c${n.toString(36).padStart(24, '0')}`));
const replaySpanUs = TRADES * STEP_US;
let nextId = 0;

/** A condition that does not hold at the start price; ids shaped like 25-character cuids. */
function randomCondition(): AlertCondition {
  const { product, startCents } = random() < 0.8 ? PRODUCTS[0]! : PRODUCTS[1]!;
  const above = random() < 0.5;
  const offset = Math.max(1, Math.round(startCents * 0.3 * random()));
  const c: AlertCondition = {
    alertId: idOf(nextId++),
    product,
    basis: BASES[Math.floor(random() * 3)]!,
    direction: above ? 'above' : 'below',
    thresholdUnits: BigInt(above ? startCents + offset : startCents - offset) * CENT,
  };
  if (random() < 0.2) c.expiresAtUs = T0_US + Math.floor(random() * replaySpanUs * 2);
  if (random() < 0.01) c.notBeforeUs = T0_US + Math.floor(random() * replaySpanUs);
  return c;
}

function heapMb(): number {
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

const rows: [string, string][] = [];
const row = (label: string, value: string): number => rows.push([label, value]);
const fmt = (n: number, digits = 2): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Wall and CPU milliseconds of `run`. */
function timed(run: () => void): { wallMs: number; cpuMs: number } {
  const wall = performance.now();
  const cpu = cpuMs();
  run();
  return { wallMs: performance.now() - wall, cpuMs: cpuMs() - cpu };
}

const loadAverage = (): string => os.loadavg().map((n) => n.toFixed(1)).join(' ');
const startLoad = loadAverage();

// 1. Bulk load and memory.
const index = createAlertIndex();
const baseMb = heapMb();
let input: AlertCondition[] | null = Array.from({ length: CONDITIONS }, randomCondition);
const inputMb = heapMb();
const load = timed(() => index.bulkLoad(input!));
const withIndexMb = heapMb();
input = null;
const indexOnlyMb = heapMb();
row(`bulkLoad ${CONDITIONS.toLocaleString('en-US')} conditions`, `${fmt(load.wallMs, 0)} ms (CPU ${fmt(load.cpuMs, 0)} ms)`);
row('heap: index beside its input (copies, map, lists)', `${fmt(withIndexMb - inputMb, 0)} MB (${fmt(((withIndexMb - inputMb) * 1e6) / CONDITIONS, 0)} B/condition)`);
row('heap: index alone (incl. ids and thresholds)', `${fmt(indexOnlyMb - baseMb, 0)} MB (${fmt(((indexOnlyMb - baseMb) * 1e6) / CONDITIONS, 0)} B/condition)`);

// 2. Single adds and removes on the full index; a plain sorted array for reference.
const added = Array.from({ length: SINGLE_OPS }, randomCondition);
const adds = timed(() => added.forEach((c) => index.add(c)));
const removes = timed(() => added.forEach((c) => index.remove(c.alertId)));
const perOp = (t: { wallMs: number; cpuMs: number }, n: number): string => `${fmt((t.wallMs * 1000) / n)} µs each (CPU ${fmt((t.cpuMs * 1000) / n)})`;
row(`single add, ${SINGLE_OPS.toLocaleString('en-US')} into the full index`, perOp(adds, SINGLE_OPS));
row(`single remove, ${SINGLE_OPS.toLocaleString('en-US')} from the full index`, perOp(removes, SINGLE_OPS));
{
  const plain = Array.from({ length: CONDITIONS }, (_, i) => i * 2);
  const ops = 1_000;
  const splices = timed(() => {
    for (let i = 0; i < ops; i++) plain.splice(Math.floor(random() * plain.length), 0, -1);
    for (let i = 0; i < ops; i++) plain.splice(Math.floor(random() * plain.length), 1);
  });
  row(`reference: plain sorted array, splice at ${CONDITIONS.toLocaleString('en-US')}`, perOp(splices, 2 * ops));
}

// 3. Replay: random walk through the real sliding window; fire (remove) what matches.
const windows = new Map<string, SlidingWindow>(PRODUCTS.map((p) => [p.product, createSlidingWindow(p.product, WINDOW_US)]));
const cents = new Map<string, number>(PRODUCTS.map((p) => [p.product, p.startCents]));
let tradeId = 0;

function nextState(): WindowState {
  const { product } = random() < PRODUCTS[0]!.share ? PRODUCTS[0]! : PRODUCTS[1]!;
  const previous = cents.get(product)!;
  // Steps of up to ±0.02%: a drift of about ±10% over a million trades.
  const price = Math.max(1, previous + Math.round(previous * 0.0002 * (random() * 2 - 1)));
  cents.set(product, price);
  tradeId++;
  const trade: Trade = {
    product,
    tradeId,
    time: '',
    timeUs: T0_US + tradeId * STEP_US,
    price: '',
    size: '',
    side: 'buy',
    priceUnits: BigInt(price) * CENT,
    sizeUnits: BigInt(1 + Math.floor(random() * 100_000_000)),
  };
  return windows.get(product)!.apply(trade);
}

const callUs = new Float64Array(TRADES);
let matchMs = 0;
let removeMs = 0;
let fired = 0;
let maxK = 0;
let expiredCount = 0;
let expiryMs = 0;
const replayCpu = cpuMs();
const replayWall = performance.now();
for (let i = 0; i < TRADES; i++) {
  const state = nextState();
  const t0 = performance.now();
  const hits = index.matching(state);
  const t1 = performance.now();
  for (const c of hits) index.remove(c.alertId);
  const t2 = performance.now();
  callUs[i] = (t1 - t0) * 1000;
  matchMs += t1 - t0;
  removeMs += t2 - t1;
  fired += hits.length;
  if (hits.length > maxK) maxK = hits.length;
  if (i % 1000 === 999) {
    const e0 = performance.now();
    const gone = index.expired(state.timeUs);
    for (const c of gone) index.remove(c.alertId);
    expiryMs += performance.now() - e0;
    expiredCount += gone.length;
  }
}
const replayMs = { wall: performance.now() - replayWall, cpu: cpuMs() - replayCpu };
callUs.sort();
row(`replay: matching on ${TRADES.toLocaleString('en-US')} window states`, `${fmt(TRADES / (matchMs / 1000), 0)} trades/s`);
row('matching per call: median / p99 / max', `${fmt(percentile(callUs, 0.5))} / ${fmt(percentile(callUs, 0.99))} / ${fmt(callUs[callUs.length - 1]!)} µs`);
row('fired (returned, then removed): total / per trade / max', `${fired.toLocaleString('en-US')} / ${fmt(fired / TRADES)} / ${maxK}`);
row('matching + removing what fired', `${fmt(TRADES / ((matchMs + removeMs) / 1000), 0)} trades/s`);
row('expired every 1,000 trades: removed / total time', `${expiredCount.toLocaleString('en-US')} / ${fmt(expiryMs, 0)} ms`);
row('replay loop incl. sliding window and trade generation', `${fmt(replayMs.wall / 1000, 1)} s (CPU ${fmt(replayMs.cpu / 1000, 1)} s)`);

// 4. Naive scan over every live condition, on a sample.
const live: AlertCondition[] = [];
for (let id = 0; id < nextId; id++) {
  const c = index.get(idOf(id));
  if (c) live.push(c);
}

function holds(c: AlertCondition, s: WindowState): boolean {
  if (c.product !== s.product) return false;
  if (c.notBeforeUs !== undefined && c.notBeforeUs > s.timeUs) return false;
  if (c.expiresAtUs !== undefined && c.expiresAtUs <= s.timeUs) return false;
  if (c.basis !== 'last' && !s.warm) return false;
  const num = c.basis === 'last' ? s.lastUnits : c.basis === 'mean' ? s.sumPriceUnits : s.sumPvUnits;
  const den = c.basis === 'last' ? 1n : c.basis === 'mean' ? BigInt(s.count) : s.sumSizeUnits;
  return c.direction === 'above' ? c.thresholdUnits * den <= num : c.thresholdUnits * den >= num;
}

// 200 conditions within 0.05% of the current prices, so the sample has matches to compare.
for (let i = 0; i < 200; i++) {
  const c = randomCondition();
  const near = cents.get(c.product)!;
  c.thresholdUnits = BigInt(near + Math.round(near * 0.0005 * (random() * 2 - 1))) * CENT;
  delete c.notBeforeUs;
  delete c.expiresAtUs;
  index.add(c);
  live.push(c);
}

// The index runs over all sample states first, then the scan: interleaved, each scan of ~100 MB
// would leave the index a cold cache on every call, which is not how it runs in the replay.
const sample = Array.from({ length: NAIVE_STATES }, nextState);
let viaIndex: (readonly AlertCondition[])[] = [];
const indexTime = timed(() => (viaIndex = sample.map((state) => index.matching(state))));
let viaScan: AlertCondition[][] = [];
const scanTime = timed(() => (viaScan = sample.map((state) => live.filter((c) => holds(c, state)))));
let sampleK = 0;
sample.forEach((state, i) => {
  const got = new Set(viaIndex[i]!.map((c) => c.alertId));
  const want = viaScan[i]!;
  if (got.size !== want.length || want.some((c) => !got.has(c.alertId))) throw new Error(`index and scan disagree at trade ${state.tradeId}`);
  sampleK += want.length;
});
const naiveMs = scanTime.wallMs;
const indexMs = indexTime.wallMs;
row(`naive scan of all ${live.length.toLocaleString('en-US')} live conditions (${NAIVE_STATES} states)`, `${fmt((naiveMs * 1000) / NAIVE_STATES)} µs/call = ${fmt(NAIVE_STATES / (naiveMs / 1000), 0)} trades/s`);
row(`index on the same states (same results: ${sampleK} in all)`, `${fmt((indexMs * 1000) / NAIVE_STATES)} µs/call: ${fmt(naiveMs / indexMs, 0)}x faster`);

const width = Math.max(...rows.map(([label]) => label.length));
write(`alert index: ${CONDITIONS.toLocaleString('en-US')} conditions, ${TRADES.toLocaleString('en-US')} trades, node ${process.version}`);
write(`load average at start ${startLoad}, at end ${loadAverage()} (${os.cpus().length} CPUs)`);
write();
for (const [label, value] of rows) write(`${label.padEnd(width)}  ${value}`);
