import { parseArgs } from 'node:util';
import type { SimulatorOptions } from './simulator-types.ts';

/** Thrown for a bad command line; `message` is one line for the user. */
export class SimulatorArgsError extends Error {
  override name = 'SimulatorArgsError';
}

/** Usage text of the simulator command line (shared by `npm run sim` and `npm run demo`). */
export const SIMULATOR_USAGE = `Options:
  --port <n>            TCP port (0 = any free port)
  --host <addr>         interface to bind (default 127.0.0.1)
  --products <list>     comma-separated product ids, e.g. BTC-USD,ETH-USD
  --rate <n>            average trades per second per product (0 = only scripted trades)
  --seed <n>            seed for reproducible prices (default: random, printed at start)
  --history <n>         trades generated per product before start (default 2000; 0 = none:
                        the first trade published is the first that exists)
  --first-trade-id <n>  id of each product's first trade (default: now in ms; 1 = a new listing)
  --rest-empty          REST answers every trades request with an empty page ([], HTTP 200)
  --heartbeat-ms <n>    heartbeat period in ms (default 1000)`;

function number(name: string, text: string | undefined, min: number, max: number, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new SimulatorArgsError(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (got "${text}")`);
  }
  return value;
}

/**
 * Reads simulator options from command-line arguments (`--port 4010 --rate 5 ...`), with
 * `defaults` for anything not given. Throws `SimulatorArgsError` for unknown or bad options.
 */
export function parseSimulatorArgs(argv: string[], defaults: SimulatorOptions = {}): SimulatorOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        products: { type: 'string' },
        rate: { type: 'string' },
        seed: { type: 'string' },
        history: { type: 'string' },
        'first-trade-id': { type: 'string' },
        'rest-empty': { type: 'boolean' },
        'heartbeat-ms': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new SimulatorArgsError(error instanceof Error ? error.message : String(error));
  }
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const products = text('products')
    ?.split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (products !== undefined && products.length === 0) throw new SimulatorArgsError('--products must name at least one product');
  return {
    ...defaults,
    ...definedOnly({
      port: number('port', text('port'), 0, 65535, true),
      host: text('host'),
      products,
      ratePerSecond: number('rate', text('rate'), 0, 100_000, false),
      seed: number('seed', text('seed'), 0, 2 ** 32 - 1, true),
      history: number('history', text('history'), 0, 100_000, true),
      firstTradeId: number('first-trade-id', text('first-trade-id'), 1, Number.MAX_SAFE_INTEGER, true),
      restFailure: values['rest-empty'] === true ? ('empty' as const) : undefined,
      heartbeatIntervalMs: number('heartbeat-ms', text('heartbeat-ms'), 10, 60_000, true),
    }),
  };
}

function definedOnly<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}
