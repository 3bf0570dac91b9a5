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

  it('reads the modes of an exchange without older trades: --history 0, --first-trade-id, --rest-empty', () => {
    expect(parseSimulatorArgs(['--history', '0', '--first-trade-id', '1', '--rest-empty'], { history: 2000 })).toEqual({
      history: 0,
      firstTradeId: 1,
      restFailure: 'empty',
    });
    expect(parseSimulatorArgs([])).toEqual({});
  });

  it('lets a later option override an earlier one (npm run sim -- --port 0)', () => {
    expect(parseSimulatorArgs(['--port', '4010', '--port', '0']).port).toBe(0);
  });

  it.each([
    [['--port', 'x'], '--port must be an integer from 0 to 65535 (got "x")'],
    [['--rate=-1'], '--rate must be a number from 0 to 100000 (got "-1")'],
    [['--products', ','], '--products must name at least one product'],
    [['--first-trade-id', '0'], '--first-trade-id must be an integer from 1 to 9007199254740991 (got "0")'],
    [['--history=-1'], '--history must be an integer from 0 to 100000 (got "-1")'],
  ])('refuses %j with one line', (args, message) => {
    expect(() => parseSimulatorArgs(args)).toThrow(new SimulatorArgsError(message));
  });

  it('refuses unknown options, and a value for a flag', () => {
    expect(() => parseSimulatorArgs(['--colour', 'red'])).toThrow(SimulatorArgsError);
    expect(() => parseSimulatorArgs(['--rest-empty=yes'])).toThrow(SimulatorArgsError);
  });
});
