/**
 * The offline demo in one command (`npm run demo`): starts the Coinbase Exchange simulator in
 * this process on a free port, then the app (`npm start` when a production build exists, else
 * `npm run dev`) pointed at it with FEED_SIMULATED=true, and a database of its own so simulated
 * trades never mix with real ones. Ctrl-C or SIGTERM stops both.
 * Simulator options as for `npm run sim` may follow: `npm run demo -- --rate 20 --seed 7`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createSimulator } from '../server/feed/simulator/create-simulator.ts';
import { SIMULATOR_USAGE, SimulatorArgsError, parseSimulatorArgs } from '../server/feed/simulator/parse-simulator-args.ts';

/** After a stop signal, the app gets this long to exit before it is killed. */
const APP_STOP_GRACE_MS = 10_000;
const rootDir = path.resolve(import.meta.dirname, '..');

let options;
try {
  options = parseSimulatorArgs(process.argv.slice(2), {
    port: 0,
    ratePerSecond: 5,
    products: (process.env.PRODUCTS ?? 'BTC-USD,ETH-USD').split(',').map((p) => p.trim()),
  });
} catch (error) {
  if (!(error instanceof SimulatorArgsError)) throw error;
  process.stderr.write(`demo: ${error.message}\n${SIMULATOR_USAGE}\n`);
  process.exit(2);
}

const simulator = await createSimulator(options);
const built = fs.existsSync(path.join(rootDir, '.next', 'BUILD_ID'));
const script = built ? 'start' : 'dev';
process.stdout.write(
  [
    `demo: simulated Coinbase feed on ${simulator.url} (seed ${simulator.seed}, products ${simulator.products.join(',')})`,
    `demo: move the market by hand with ${simulator.restUrl}/_control/* (see docs/simulator.md)`,
    `demo: starting the app with \`npm run ${script}\`${built ? '' : ' (no production build found; `npm run build` for a faster start)'}`,
    `demo: open http://localhost:${process.env.PORT ?? '3000'} once it is listening; Ctrl-C stops everything`,
    '',
  ].join('\n'),
);

// Its own process group, so a stop reaches npm, the shell and the server under it alike.
const app: ChildProcess = spawn('npm', ['run', script], {
  cwd: rootDir,
  stdio: 'inherit',
  detached: true,
  env: {
    ...process.env,
    FEED_SIMULATED: 'true',
    COINBASE_WS_URL: simulator.url,
    COINBASE_REST_URL: simulator.restUrl,
    PRODUCTS: simulator.products.join(','),
    DATABASE_URL: process.env.DATABASE_URL ?? 'file:./data/demo.db',
  },
});

function signalApp(signal: NodeJS.Signals, evenIfExited = false): void {
  if (app.pid === undefined || (!evenIfExited && (app.exitCode !== null || app.signalCode !== null))) return;
  try {
    process.kill(-app.pid, signal);
  } catch {
    // The group is already gone.
  }
}

let stopping = false;
function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  signalApp(signal);
  setTimeout(() => signalApp('SIGKILL'), APP_STOP_GRACE_MS).unref();
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
// Whatever ends this process, nothing it started may outlive it (npm may leave the server behind).
process.on('exit', () => signalApp('SIGKILL', true));

app.on('error', (error) => {
  process.stderr.write(`demo: cannot start the app: ${error.message}\n`);
  void simulator.close().then(() => process.exit(1));
});
app.on('exit', (code, signal) => {
  void simulator.close().then(() => {
    process.exit(stopping ? 0 : (code ?? (signal ? 1 : 0)));
  });
});
