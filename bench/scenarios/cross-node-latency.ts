import { randomBytes } from 'node:crypto';
import { createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { type BenchCluster, startBenchCluster } from '../lib/bench-cluster.ts';
import { benchRedis } from '../lib/bench-redis.ts';
import { type ClientFleet, startClientFleet } from '../lib/client-fleet.ts';
import { HIT_PRODUCT, type Load, type Played, hitAlerts, planRuns, playRuns } from '../lib/hit-runs.ts';
import { createPostgresBenchDatabase } from '../lib/postgres-bench-database.ts';
import { receiptLatencies } from '../lib/receipt-latencies.ts';
import { runAll } from '../lib/run-all.ts';
import { type ResultRow, type Scenario, percentile } from '../lib/scenario.ts';
import { seedBenchDatabase } from '../lib/seed-bench-database.ts';

/**
 * Scenario 10, cross-node hit latency: three nodes (processes as `npm start`, one PostgreSQL
 * database, one Redis), 1,000 authenticated clients spread evenly over them from a client
 * process, the simulator in the bench at 100 trades/s of which every second crosses one
 * user's alert. Only the leader fires; a hit reaches a client on another node through the
 * Redis streams adapter. Measured, from the simulator publishing the trade (bench clock) to
 * the alert:hit frame at the client (its process's clock, offset measured and subtracted: one
 * machine, one clock): clients on another node than the leader, beside clients on the leader.
 */
const PRODUCT = HIT_PRODUCT;
const P99_BAR_MS = 50;

const WARMUP: Load = { label: 'warm-up', warmup: true, rate: 100, seconds: 2, runs: 1, hitEvery: 2, settleMs: 500 };
const FULL = { names: ['node-1', 'node-2', 'node-3'], clients: 1_000, loads: [WARMUP, { label: '100 trades/s', rate: 100, seconds: 8, runs: 3, hitEvery: 2, settleMs: 1_000 }] };
// Two nodes are enough to prove a hit crosses; each node more is seconds of start-up.
const SMOKE = {
  names: ['node-1', 'node-2'],
  clients: 20,
  loads: [{ ...WARMUP, seconds: 1 }, { label: '100 trades/s', rate: 100, seconds: 2, runs: 1, hitEvery: 2, settleMs: 500 }],
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const round = (ms: number): number => Math.round(ms * 100) / 100;

interface Split {
  same: number[];
  cross: number[];
  /** Hit trades of the measured runs no client received. */
  missing: number;
}

/**
 * Sorts the measured runs' hits by where their user's socket is: hit h goes to user
 * h % clients (hitAlerts), whose socket is on node (user % nodes).
 */
function splitByNode(played: Played, measured: boolean[], clients: number, nodes: number, leader: number): Split {
  const split: Split = { same: [], cross: [], missing: 0 };
  let hit = 0;
  played.sent.forEach((sentAt, run) => {
    const same = new Map<number, number>();
    const cross = new Map<number, number>();
    for (const [tradeId, at] of sentAt) {
      ((hit % clients) % nodes === leader ? same : cross).set(tradeId, at);
      hit += 1;
    }
    if (!measured[run]) return;
    const sameLatencies = receiptLatencies(played.samples.hits, same, true);
    const crossLatencies = receiptLatencies(played.samples.hits, cross, true);
    split.same.push(...sameLatencies);
    split.cross.push(...crossLatencies);
    split.missing += sentAt.size - sameLatencies.length - crossLatencies.length;
  });
  return split;
}

export const crossNodeLatency: Scenario = async ({ smoke, log }) => {
  const config = smoke ? SMOKE : FULL;
  const runs = planRuns(config.loads);
  const secret = randomBytes(32).toString('hex');
  const sim = await createSimulator({ seed: 1, history: 200, startPrices: { [PRODUCT]: '50000.00' } });
  const redis = await benchRedis();
  const postgres = await createPostgresBenchDatabase();
  let cluster: BenchCluster | null = null;
  let fleet: ClientFleet | null = null;
  let played: Played;
  let leader: number;
  let leaderAfter: number;
  try {
    const { cookies } = await seedBenchDatabase({ database: postgres.target, secret, users: config.clients, alerts: hitAlerts(runs, config.clients) });
    log(`starting ${config.names.length} nodes`);
    cluster = await startBenchCluster({ names: config.names, databaseUrl: postgres.url, redis, secret, feedUrl: sim.url, restUrl: sim.restUrl, sockets: config.clients });
    const nodes = [...cluster.nodes];
    leader = nodes.indexOf(await cluster.leader(PRODUCT));
    fleet = await startClientFleet(1, config.clients);
    for (const [n, node] of nodes.entries()) {
      const connected = await fleet.connectSocketIo(node.server.baseUrl, cookies.filter((_, user) => user % nodes.length === n), [PRODUCT]);
      if (connected.failed > 0) throw new Error(`${connected.failed} clients could not connect to ${node.name}: ${connected.errors.join('; ')}`);
    }
    log(`${config.clients} clients connected over ${nodes.length} nodes; ${nodes[leader]!.name} leads (clock offset ${fleet.clockOffsets[0]!.toFixed(3)} ms)`);
    await sleep(1_000);
    await fleet.collect();
    played = await playRuns(sim, fleet, runs, 'hits');
    leaderAfter = nodes.indexOf(await cluster.leader(PRODUCT));
  } finally {
    await runAll([() => fleet?.close(), () => cluster?.stop(), () => sim.close(), () => postgres.drop(), () => redis.cleanup()]);
  }

  const { same, cross, missing } = splitByNode(played, runs.map((r) => !r.load.warmup), config.clients, config.names.length, leader);
  log(`${cross.length} hits across nodes, ${same.length} on the leader's node, ${missing} missing`);
  const measured = config.loads.find((l) => !l.warmup)!;
  const rows: ResultRow[] = ([50, 99] as const).map((p) => {
    const value = percentile(cross, p);
    const beside = percentile(same, p);
    return {
      metric: `alert hit latency p${p}, client on another node than the leader, ${measured.label}`,
      value: round(value),
      unit: 'ms',
      baseline: { name: 'client on the leader', value: round(beside) },
      ratio: Math.round((value / beside) * 10) / 10,
      ratioLabel: 'other node / leader',
      ...(p === 99 ? { bar: { op: '<' as const, value: P99_BAR_MS } } : {}),
      note: `${cross.length} hits across nodes, ${same.length} on the leader's node`,
    };
  });
  rows.push({ metric: 'alert hits not received', value: missing, unit: 'hits', bar: { op: '<=', value: 0 } });
  return {
    id: 'cross-node-latency',
    title: `Cross-node hit latency (${config.names.length} nodes, ${config.clients.toLocaleString('en-US')} clients)`,
    rows,
    charts: [
      {
        id: 'cross-node-latency',
        title: `Trade published → alert:hit at the client, ${config.names.length} nodes (ms)`,
        unit: 'ms',
        bars: rows
          .filter((r) => r.baseline)
          .flatMap((r) => {
            const label = r.metric.startsWith('alert hit latency p50') ? 'p50' : 'p99';
            return [
              { label, value: r.value, series: 'client on another node' },
              { label, value: r.baseline!.value, series: 'client on the leader' },
            ];
          }),
      },
    ],
    notes: [
      `Client i on node i mod ${config.names.length}, all in one client process; after a ${config.loads[0]!.seconds} s warm-up (not reported), ${measured.runs} run(s) of ${measured.seconds} s at ${measured.label}, 1 trade in ${measured.hitEvery} crossing one user's alert (basis last): 50 hits/s, 1 in ${config.names.length} of them to clients on the leader.`,
      'Latency: the bench stamps each trade as its simulator publishes it (every node follows that simulator); the client process stamps each alert:hit frame as it arrives; both read the same wall clock and the client process offset, measured over IPC, is subtracted.',
      'Every node, PostgreSQL, Redis, the client process and the bench share the 2 cores.',
      `Pacing: the worst trade went out ${round(played.worstLateMs)} ms after its due time.`,
      ...(leaderAfter === leader ? [] : ['The lease moved during the run: some hits are sorted by the wrong leader.']),
      ...(smoke ? [`Smoke run: ${config.names.length} nodes, ${config.clients} clients, one short run; numbers are not meaningful.`] : []),
    ],
  };
};
