/**
 * Several nodes on one machine, for trying them (`npm run cluster`): N identical servers
 * (`node --import tsx server/index.ts`, production mode) on consecutive ports, sharing one
 * PostgreSQL database and one Redis, each with its own NODE_ID. By default they follow the
 * bundled simulator (started here, FEED_SIMULATED=true); with `--live` the Coinbase feed.
 *
 *   npm run cluster -- [--nodes 3] [--port 3000] [--live]
 *
 * DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/tickwatch_cluster, created and
 * migrated by the first start), REDIS_URL (default redis://127.0.0.1:6379/0) and every other
 * variable are passed through. Put a load balancer in front of the ports (docs/deployment.md),
 * or open them one by one. Ctrl-C or SIGTERM stops every node and the simulator.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createSimulator } from '../server/feed/simulator/create-simulator.ts';

const rootDir = path.resolve(import.meta.dirname, '..');
const STOP_GRACE_MS = 10_000;

const { values } = parseArgs({
  options: { nodes: { type: 'string', default: '3' }, port: { type: 'string', default: process.env.PORT ?? '3000' }, live: { type: 'boolean', default: false } },
});
const count = Number(values.nodes);
const firstPort = Number(values.port);
if (!Number.isInteger(count) || count < 1 || count > 16 || !Number.isInteger(firstPort) || firstPort < 1 || firstPort + count > 65_536) {
  process.stderr.write('cluster: --nodes must be 1 to 16 and --port a port number\n');
  process.exit(2);
}

const products = process.env.PRODUCTS ?? 'BTC-USD,ETH-USD';
const simulator = values.live ? null : await createSimulator({ port: 0, ratePerSecond: 5, products: products.split(',').map((p) => p.trim()) });
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'production',
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tickwatch_cluster',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
  ...(simulator ? { FEED_SIMULATED: 'true', COINBASE_WS_URL: simulator.url, COINBASE_REST_URL: simulator.restUrl, PRODUCTS: simulator.products.join(',') } : {}),
};

const nodes: Array<{ name: string; child: ChildProcess }> = [];
let stopping = false;

function start(index: number): Promise<void> {
  const name = `node-${index + 1}`;
  const port = firstPort + index;
  // One data dir for all: every node must sign sessions with the same secret, which the first
  // writes there (on several machines, set BETTER_AUTH_SECRET instead).
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: rootDir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...env, PORT: String(port), NODE_ID: name },
  });
  nodes.push({ name, child });
  child.on('exit', (code, signal) => {
    if (!stopping) process.stdout.write(`cluster: ${name} exited (${signal ?? code}); the others go on\n`);
  });
  process.stdout.write(`cluster: ${name} on http://localhost:${port}\n`);
  return waitForHealth(port);
}

async function waitForHealth(port: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the node on port ${port} did not answer /healthz within 2 minutes`);
}

function stop(): void {
  if (stopping) return;
  stopping = true;
  for (const { child } of nodes) child.kill('SIGTERM');
  const force = setTimeout(() => nodes.forEach(({ child }) => child.kill('SIGKILL')), STOP_GRACE_MS);
  force.unref();
  const running = nodes.filter(({ child }) => child.exitCode === null && child.signalCode === null);
  void Promise.all(running.map(({ child }) => new Promise((resolve) => child.once('exit', resolve)))).then(async () => {
    await simulator?.close();
    process.exit(0);
  });
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

if (simulator) process.stdout.write(`cluster: simulated feed on ${simulator.url}; move it with ${simulator.restUrl}/_control/* (docs/simulator.md)\n`);
// The first node migrates the database and writes the auth secret; the others start after it.
try {
  await start(0);
  await Promise.all(Array.from({ length: count - 1 }, (_, i) => start(i + 1)));
  process.stdout.write(`cluster: ${count} node(s) up; /metrics of each shows tickwatch_product_leader; Ctrl-C stops them\n`);
} catch (error) {
  process.stderr.write(`cluster: ${error instanceof Error ? error.message : String(error)}\n`);
  stop();
}
