import { createSimulator, type Simulator } from '../../server/feed/simulator/create-simulator.ts';
import { type ClientFleet, startClientFleet } from '../lib/client-fleet.ts';
import { HIT_PRODUCT, type Load, type Run, hitAlerts, planRuns, playRuns } from '../lib/hit-runs.ts';
import { receiptLatencies } from '../lib/receipt-latencies.ts';
import { type ChartSpec, type ResultRow, type Scenario, percentile } from '../lib/scenario.ts';
import { startSeededApp } from '../lib/seeded-app.ts';
import { startWsRelay } from '../lib/ws-relay.ts';

/**
 * End-to-end latency of an alert hit: from the simulator publishing the trade that crosses an
 * alert to the alert:hit frame arriving at a client, across three processes (bench with the
 * simulator → app → client process), with 1,000 authenticated clients watching BTC-USD, at a
 * steady 100 trades/s and in bursts of 2,000 trades/s. The floor beside it: the same trades
 * through a bare `ws` relay process to 1,000 WebSocket clients in a client process.
 */
const PRODUCT = HIT_PRODUCT;
const P99_BAR_MS = 20;

const WARMUP: Load = { label: 'warm-up', warmup: true, rate: 100, seconds: 2, runs: 1, hitEvery: 2, settleMs: 500 };
const FULL = {
  clients: 1_000,
  loads: [
    WARMUP,
    { label: '100 trades/s', rate: 100, seconds: 8, runs: 3, hitEvery: 2, settleMs: 1_000 },
    { label: '2,000 trades/s bursts', rate: 2_000, seconds: 2, runs: 4, hitEvery: 40, settleMs: 2_000 },
  ],
};
const SMOKE = {
  clients: 20,
  loads: [
    WARMUP,
    { label: '100 trades/s', rate: 100, seconds: 2, runs: 1, hitEvery: 2, settleMs: 500 },
    { label: '2,000 trades/s bursts', rate: 2_000, seconds: 0.5, runs: 1, hitEvery: 40, settleMs: 1_000 },
  ],
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Measured {
  /** Per run: latencies of the hit trades, ms. */
  latencies: number[][];
  missing: number;
  worstLateMs: number;
}

/** Plays every run through `sim`, then matches the clients' receipts to the hit trades. */
async function measureRuns(sim: Simulator, fleet: ClientFleet, runs: Run[], kind: 'hits' | 'frames'): Promise<Measured> {
  const { sent, samples, worstLateMs } = await playRuns(sim, fleet, runs, kind);
  const latencies = sent.map((sentAt) => receiptLatencies(samples[kind], sentAt, true));
  const expected = sent.reduce((n, m) => n + m.size, 0);
  return { latencies, missing: expected - latencies.reduce((n, l) => n + l.length, 0), worstLateMs };
}

async function measureHub(sim: Simulator, runs: Run[], clients: number, log: (line: string) => void): Promise<Measured> {
  const app = await startSeededApp({ users: clients, alerts: hitAlerts(runs, clients), feedUrl: sim.url, restUrl: sim.restUrl });
  try {
    const fleet = await startClientFleet(1, clients);
    try {
      const connected = await fleet.connectSocketIo(app.server.baseUrl, app.cookies, [PRODUCT]);
      if (connected.failed > 0) throw new Error(`${connected.failed} clients could not connect: ${connected.errors.join('; ')}`);
      log(`app: ${connected.connected} clients connected (clock offset ${fleet.clockOffsets[0]!.toFixed(3)} ms)`);
      await sleep(1_000);
      await fleet.collect();
      return await measureRuns(sim, fleet, runs, 'hits');
    } finally {
      await fleet.close();
    }
  } finally {
    await app.close();
  }
}

async function measureRelay(sim: Simulator, runs: Run[], clients: number, log: (line: string) => void): Promise<Measured> {
  const relay = await startWsRelay(sim.url, PRODUCT, clients);
  try {
    const fleet = await startClientFleet(1, clients);
    try {
      const connected = await fleet.connectWs(relay.url, clients);
      if (connected.failed > 0) throw new Error(`${connected.failed} relay clients could not connect: ${connected.errors.join('; ')}`);
      log(`ws relay: ${connected.connected} clients connected`);
      await sleep(500);
      return await measureRuns(sim, fleet, runs, 'frames');
    } finally {
      await fleet.close();
    }
  } finally {
    await relay.stop();
  }
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

function rowsFor(load: Load, runs: Run[], hub: Measured, relay: Measured, clients: number): ResultRow[] {
  const mine = (m: Measured): number[][] => m.latencies.filter((_, i) => runs[i]!.load === load);
  const pooled = (m: Measured): number[] => mine(m).flat();
  return ([50, 99] as const).map((p) => {
    const value = percentile(pooled(hub), p);
    const floor = percentile(pooled(relay), p);
    return {
      metric: `alert hit latency p${p}, ${load.label}, ${clients.toLocaleString('en')} clients`,
      value: round(value),
      unit: 'ms',
      baseline: { name: 'bare ws relay', value: round(floor) },
      ratio: Math.round((value / floor) * 10) / 10,
      ratioLabel: '× the ws relay',
      ...(p === 99 && load.rate === 100 ? { bar: { op: '<' as const, value: P99_BAR_MS } } : {}),
      runs: mine(hub).map((l) => round(percentile(l, p))),
      note: `percentile of all ${pooled(hub).length} hits of ${load.runs} run(s); runs = each run's own`,
    };
  });
}

export const endToEndLatency: Scenario = async ({ smoke, log }) => {
  const config = smoke ? SMOKE : FULL;
  const runs = planRuns(config.loads);
  const sim = await createSimulator({ seed: 1, history: 200, startPrices: { [PRODUCT]: '50000.00' } });
  let hub: Measured;
  let relay: Measured;
  try {
    hub = await measureHub(sim, runs, config.clients, log);
    log(`app: ${hub.latencies.flat().length} hits measured, ${hub.missing} missing`);
    relay = await measureRelay(sim, runs, config.clients, log);
    log(`ws relay: ${relay.latencies.flat().length} frames measured, ${relay.missing} missing`);
  } finally {
    await sim.close();
  }
  const measured = config.loads.filter((load) => !load.warmup);
  const rows = measured.flatMap((load) => rowsFor(load, runs, hub, relay, config.clients));
  rows.push({ metric: 'alert hits not received', value: hub.missing, unit: 'hits', bar: { op: '<=', value: 0 } });
  const chart: ChartSpec = {
    id: 'end-to-end-latency',
    title: `Alert hit latency, trade published → alert:hit received (${config.clients.toLocaleString('en')} clients)`,
    unit: 'ms',
    log: true,
    bars: rows
      .filter((r) => r.baseline)
      .flatMap((r) => {
        const label = r.metric.replace(/^alert hit latency /, '').replace(/, [\d,]+ clients$/, '');
        return [
          { label, value: r.value, series: 'Tickwatch' },
          { label, value: r.baseline!.value, series: 'bare ws relay' },
        ];
      }),
  };
  return {
    id: 'end-to-end-latency',
    title: 'End-to-end alert latency',
    rows,
    charts: [chart],
    notes: [
      'Three processes on one machine: the bench (simulator; stamps each trade as it publishes it), the app (`node --import tsx server/index.ts`, production), and one client process holding every socket (Socket.IO spoken over `ws`; stamps each frame as it arrives). All read the same wall clock; the client process offset, measured over IPC, is subtracted.',
      `After a 2 s warm-up run (not reported), 1 trade in ${measured.map((l) => `${l.hitEvery} at ${l.label}`).join(' and 1 in ')} crosses one armed alert (basis last) of one user: about 50 hits/s either way, so the bursts differ only in trade rate. Each client also gets the coalesced price:tick (4/s).`,
      `The ws relay forwards each simulator frame, unparsed, to one of its ${config.clients.toLocaleString('en')} clients in turn (as a hit goes to one user); its latency is that of the same hit trades.`,
      'The app, the client process and the bench share the machine\'s 2 cores: client-side decoding and the bench\'s pacing compete with the server.',
      `Pacing: the worst trade went out ${round(Math.max(hub.worstLateMs, relay.worstLateMs))} ms after its due time.`,
      ...(smoke ? [`Smoke run: ${config.clients} clients, one short run per load; numbers are not meaningful.`] : []),
    ],
  };
};
