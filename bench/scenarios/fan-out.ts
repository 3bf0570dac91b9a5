import { createSimulator, type Simulator } from '../../server/feed/simulator/create-simulator.ts';
import type { ClientFleet } from '../lib/client-fleet.ts';
import { startClientFleet } from '../lib/client-fleet.ts';
import { paceTrades } from '../lib/pace-trades.ts';
import { readProcStats } from '../lib/proc-stats.ts';
import { receiptLatencies } from '../lib/receipt-latencies.ts';
import { type ChartSpec, type ResultRow, type Scenario, median, percentile } from '../lib/scenario.ts';
import { startSeededApp } from '../lib/seeded-app.ts';
import { wallNow } from '../lib/wall-clock.ts';

/**
 * Fan-out: 1,000, 5,000 and 10,000 authenticated clients watching BTC-USD, in client processes
 * of their own, while the simulator trades 100 times a second. Per client count: ticks delivered
 * per second (coalesced to 4 per client per second), the latency from a trade's publication to
 * each client receiving the tick of that trade, and the server's CPU and memory, read from /proc.
 */
const PRODUCT = 'BTC-USD';
const TICKS_PER_CLIENT_S = 4;
const P99_BAR_MS = 250;
const RSS_BAR_MIB = 1024;
const BAR_CLIENTS = 10_000;
/** Trading after a window's timed trades, while their last ticks are delivered. */
const TAIL_MS = 600;
const MIB = 1024 * 1024;

const FULL = { levels: [1_000, 5_000, 10_000], processes: 5, rate: 100, windows: 3, windowSeconds: 4, warmupSeconds: 2 };
const SMOKE = { levels: [10, 20], processes: 2, rate: 100, windows: 1, windowSeconds: 2, warmupSeconds: 1 };
type Config = typeof FULL;

interface Window {
  latencies: number[];
  deliveredPerS: number;
  cpuPercent: number;
  /** All client processes together: what they took of the cores the server needs. */
  clientCpuPercent: number;
  peakRssBytes: number;
}

function clientCpuSeconds(fleet: ClientFleet): number {
  return fleet.pids.reduce((sum, pid) => sum + readProcStats(pid).cpuSeconds, 0);
}

/** Trades at `rate` for `seconds`, then the ticks of those trades as the clients received them. */
async function playWindow(sim: Simulator, fleet: ClientFleet, pid: number, rate: number, seconds: number): Promise<Window> {
  const sentAt = new Map<number, number>();
  const before = readProcStats(pid);
  const clientsBefore = clientCpuSeconds(fleet);
  const started = wallNow();
  const timed = Math.round(rate * seconds);
  // Trading goes on through the tail: were it to stop, the last flush would carry a trade up to
  // a whole interval old, a quiet market's staleness rather than the fan-out's delay.
  await paceTrades({
    rate,
    count: timed + Math.round((rate * TAIL_MS) / 1000),
    send: (i) => {
      const at = wallNow();
      const { tradeId } = sim.trade(PRODUCT, { size: '0.01' });
      if (i < timed) sentAt.set(tradeId, at);
    },
  });
  const after = readProcStats(pid);
  const clientsAfter = clientCpuSeconds(fleet);
  const elapsedS = (wallNow() - started) / 1000;
  const { ticks } = await fleet.collect();
  const latencies = receiptLatencies(ticks, sentAt, false);
  return {
    latencies,
    deliveredPerS: latencies.length / seconds,
    cpuPercent: ((after.cpuSeconds - before.cpuSeconds) / elapsedS) * 100,
    clientCpuPercent: ((clientsAfter - clientsBefore) / elapsedS) * 100,
    peakRssBytes: after.peakRssBytes,
  };
}

interface Level {
  clients: number;
  windows: Window[];
  /** Server CPU ms per authenticated connection while this level's clients connected. */
  connectCpuMs: number;
  connectsPerS: number;
}

async function measure(config: Config, log: (line: string) => void): Promise<{ levels: Level[]; dropped: number }> {
  const sim = await createSimulator({ seed: 2, history: 200 });
  try {
    const top = config.levels.at(-1)!;
    const app = await startSeededApp({ users: top, feedUrl: sim.url, restUrl: sim.restUrl });
    try {
      const fleet = await startClientFleet(config.processes, Math.ceil(top / config.processes));
      try {
        const levels: Level[] = [];
        let connected = 0;
        for (const clients of config.levels) {
          const cpuBefore = readProcStats(app.server.pid).cpuSeconds;
          const started = wallNow();
          const result = await fleet.connectSocketIo(app.server.baseUrl, app.cookies.slice(connected, clients), [PRODUCT]);
          if (result.failed > 0) throw new Error(`${result.failed} clients could not connect: ${result.errors.join('; ')}`);
          const connectS = (wallNow() - started) / 1000;
          const connectCpuMs = ((readProcStats(app.server.pid).cpuSeconds - cpuBefore) * 1000) / (clients - connected);
          log(`${clients} clients connected (${clients - connected} new in ${connectS.toFixed(1)} s, ${connectCpuMs.toFixed(2)} ms server CPU each)`);
          const connectsPerS = (clients - connected) / connectS;
          connected = clients;
          // Lets the connection storm drain and the new sockets reach their first ticks.
          await playWindow(sim, fleet, app.server.pid, config.rate, config.warmupSeconds);
          const windows: Window[] = [];
          for (let w = 0; w < config.windows; w++) windows.push(await playWindow(sim, fleet, app.server.pid, config.rate, config.windowSeconds));
          const all = windows.flatMap((x) => x.latencies);
          const cpu = (key: 'cpuPercent' | 'clientCpuPercent'): string => median(windows.map((x) => x[key])).toFixed(0);
          log(`${clients} clients: p50 ${percentile(all, 50).toFixed(1)} ms, p99 ${percentile(all, 99).toFixed(1)} ms, server ${cpu('cpuPercent')}% CPU, clients ${cpu('clientCpuPercent')}%`);
          levels.push({ clients, windows, connectCpuMs, connectsPerS });
        }
        const { dropped } = await fleet.counts();
        return { levels, dropped };
      } finally {
        await fleet.close();
      }
    } finally {
      await app.close();
    }
  } finally {
    await sim.close();
  }
}

const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
const label = (clients: number): string => `${clients.toLocaleString('en')} clients`;

function rowsFor(level: Level): ResultRow[] {
  const { clients, windows } = level;
  const all = windows.flatMap((w) => w.latencies);
  const atBar = clients === BAR_CLIENTS;
  const expected = clients * TICKS_PER_CLIENT_S;
  const delivered = median(windows.map((w) => w.deliveredPerS));
  const peakMiB = Math.max(...windows.map((w) => w.peakRssBytes)) / MIB;
  const lat = (p: number): ResultRow => ({
    metric: `tick latency p${p}, ${label(clients)}`,
    value: round(percentile(all, p)),
    unit: 'ms',
    ...(p === 99 && atBar ? { bar: { op: '<' as const, value: P99_BAR_MS } } : {}),
    runs: windows.map((w) => round(percentile(w.latencies, p))),
    note: `percentile of all ${all.length} ticks received in ${windows.length} window(s); runs = each window's own`,
  });
  return [
    lat(50),
    lat(99),
    {
      metric: `ticks delivered, ${label(clients)}`,
      value: Math.round(delivered),
      unit: 'msg/s',
      baseline: { name: `${TICKS_PER_CLIENT_S} per client per second`, value: expected },
      ratio: round(delivered / expected, 2),
      ratioLabel: 'of the coalesced rate',
      runs: windows.map((w) => Math.round(w.deliveredPerS)),
    },
    { metric: `server CPU, ${label(clients)}`, value: round(median(windows.map((w) => w.cpuPercent))), unit: '% of a core', runs: windows.map((w) => round(w.cpuPercent)) },
    {
      metric: `client processes CPU, ${label(clients)}`,
      value: round(median(windows.map((w) => w.clientCpuPercent))),
      unit: '% of a core',
      runs: windows.map((w) => round(w.clientCpuPercent)),
      note: 'taken from the same 2 cores as the server',
    },
    {
      metric: `server peak RSS, ${label(clients)}`,
      value: Math.round(peakMiB),
      unit: 'MiB',
      ...(atBar ? { bar: { op: '<' as const, value: RSS_BAR_MIB } } : {}),
      note: 'VmHWM: the highest RSS since start, connection storm included',
    },
  ];
}

export const fanOut: Scenario = async ({ smoke, log }) => {
  const config = smoke ? SMOKE : FULL;
  const { levels, dropped } = await measure(config, log);
  const rows = levels.flatMap(rowsFor);
  const top = levels.at(-1)!;
  rows.push(
    { metric: `server CPU per authenticated connection (${label(top.clients)})`, value: round(top.connectCpuMs, 2), unit: 'ms', note: `${Math.round(top.connectsPerS)} connections/s accepted` },
    { metric: 'clients disconnected during the run', value: dropped, unit: 'clients', bar: { op: '<=', value: 0 } },
  );
  const byLevel = (metric: (l: Level) => number, series?: string) => levels.map((l) => ({ label: label(l.clients), value: round(metric(l)), ...(series ? { series } : {}) }));
  const charts: ChartSpec[] = [
    {
      id: 'fan-out-latency',
      title: 'Tick latency, trade published → price:tick received',
      unit: 'ms',
      bars: [
        ...byLevel((l) => percentile(l.windows.flatMap((w) => w.latencies), 50), 'p50'),
        ...byLevel((l) => percentile(l.windows.flatMap((w) => w.latencies), 99), 'p99'),
      ],
    },
    { id: 'fan-out-cpu', title: 'Server CPU while fanning out ticks (100 trades/s)', unit: '% of a core', bars: byLevel((l) => median(l.windows.map((w) => w.cpuPercent))) },
    { id: 'fan-out-rss', title: 'Server peak RSS', unit: 'MiB', bars: byLevel((l) => Math.max(...l.windows.map((w) => w.peakRssBytes)) / MIB) },
  ];
  return {
    id: 'fan-out',
    title: 'Tick fan-out',
    rows,
    charts,
    notes: [
      `The app (\`node --import tsx server/index.ts\`, production) and ${config.processes} client processes (Socket.IO spoken over \`ws\`, up to ${Math.ceil(config.levels.at(-1)! / config.processes).toLocaleString('en')} sockets each) share the machine's 2 cores with the bench: client-side work competes with the server, so latency and CPU are upper bounds.`,
      `Each client is its own user with a session written straight into the database; clients are added to reach each count. The simulator trades ${config.rate}/s; per count, a ${config.warmupSeconds} s warm-up, then ${config.windows} window(s) of ${config.windowSeconds} s.`,
      `Tick latency: from the simulator publishing a trade to a client receiving the price:tick of that trade. Ticks are coalesced every 250 ms, so the newest trade of each interval is what is timed: the figure includes its age at the flush (up to ${Math.round(1000 / config.rate)} ms at ${config.rate} trades/s) and its place in the flush, which writes the sockets one after another.`,
      'CPU and memory of the server process read from /proc/<pid>/stat and /proc/<pid>/status.',
      ...(smoke ? [`Smoke run: ${config.levels.join(' and ')} clients; numbers are not meaningful.`] : []),
    ],
  };
};
