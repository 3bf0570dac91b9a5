/**
 * Runs the Coinbase Exchange simulator on its own:
 *   tsx scripts/simulator.ts --port 4010 --products BTC-USD,ETH-USD --rate 5 --seed 42
 *   tsx scripts/simulator.ts --history 0 --first-trade-id 1   # an exchange with no trades yet
 *   tsx scripts/simulator.ts --rest-empty                     # REST answers [] to everything
 * Prints the feed, REST and control URLs, then serves until SIGINT/SIGTERM.
 */
import { createSimulator } from '../server/feed/simulator/create-simulator.ts';
import { SIMULATOR_USAGE, SimulatorArgsError, parseSimulatorArgs } from '../server/feed/simulator/parse-simulator-args.ts';

if (process.argv.includes('--help')) {
  process.stdout.write(`Usage: tsx scripts/simulator.ts [options]\n${SIMULATOR_USAGE}\n`);
  process.exit(0);
}

let options;
try {
  options = parseSimulatorArgs(process.argv.slice(2), { port: 4010, ratePerSecond: 5 });
} catch (error) {
  if (!(error instanceof SimulatorArgsError)) throw error;
  process.stderr.write(`simulator: ${error.message}\n${SIMULATOR_USAGE}\n`);
  process.exit(2);
}

const simulator = await createSimulator(options).catch((error: unknown) => {
  process.stderr.write(`simulator: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

const state = simulator.state();
const modes = [
  options.history === 0 ? 'no trades before start' : null,
  state.restFailure === 'empty' ? 'REST answers empty pages' : null,
].filter((mode) => mode !== null);
process.stdout.write(
  [
    `Coinbase Exchange simulator (seed ${simulator.seed}, ${state.rate} trades/s per product: ${simulator.products.join(', ')})${modes.length > 0 ? `; ${modes.join('; ')}` : ''}`,
    `  ws:      ${simulator.url}`,
    `  rest:    ${simulator.restUrl}`,
    `  control: ${simulator.restUrl}/_control/state`,
    '',
  ].join('\n'),
);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await simulator.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
