/**
 * Runs one scenario in this process and prints its result as the last stdout line, after
 * RESULT_MARKER: `tsx bench/run-scenario.ts <id> [--smoke]`. `bench/run.ts` starts one process
 * per scenario so that no scenario's heap, JIT state or open sockets weigh on the next.
 */
import { RESULT_MARKER } from './lib/scenario.ts';
import { SCENARIOS } from './scenarios/index.ts';

const [id, flag] = process.argv.slice(2);
const load = id ? SCENARIOS[id] : undefined;
if (!load) {
  process.stderr.write(`unknown scenario ${JSON.stringify(id)}; one of: ${Object.keys(SCENARIOS).join(', ')}\n`);
  process.exit(2);
}
const scenario = await load();
const result = await scenario({ smoke: flag === '--smoke', log: (line) => process.stderr.write(`  [${id}] ${line}\n`) });
process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
// Scenarios close what they open; exiting here keeps a forgotten timer from holding the suite.
process.exit(0);
