import { describe, expect, it } from 'vitest';
import { SimulatorArgsError, parseSimulatorArgs } from '../../../../../server/feed/simulator/parse-simulator-args.ts';

describe('parseSimulatorArgs', () => {
  it('reads every option and keeps defaults for the rest', () => {
    const args = ['--port', '4010', '--products', 'BTC-USD, ETH-USD', '--rate', '2.5', '--seed', '42'];
    expect(parseSimulatorArgs(args, { history: 10, ratePerSecond: 5 })).toEqual({
      port: 4010,
      products: ['BTC-USD', 'ETH-USD'],
      ratePerSecond: 2.5,
      seed: 42,
      history: 10,
    });
  });

  it('lets a later option override an earlier one (npm run sim -- --port 0)', () => {
    expect(parseSimulatorArgs(['--port', '4010', '--port', '0']).port).toBe(0);
  });

  it.each([
    [['--port', 'x'], '--port must be an integer from 0 to 65535 (got "x")'],
    [['--rate=-1'], '--rate must be a number from 0 to 100000 (got "-1")'],
    [['--products', ','], '--products must name at least one product'],
  ])('refuses %j with one line', (args, message) => {
    expect(() => parseSimulatorArgs(args)).toThrow(new SimulatorArgsError(message));
  });

  it('refuses unknown options', () => {
    expect(() => parseSimulatorArgs(['--colour', 'red'])).toThrow(SimulatorArgsError);
  });
});
