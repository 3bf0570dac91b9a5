import { expect } from 'vitest';
import type { PriceTick } from '../../lib/realtime/events.ts';
import type { Simulator } from '../../server/feed/simulator/create-simulator.ts';
import type { RecordingSocket } from './socket-client.ts';
import { waitFor } from './wait-for.ts';
import { oracleWindow } from './window-oracle.ts';

/**
 * Waits until `watcher`'s newest tick for `product` is the simulator's latest trade, then checks
 * it against the independent oracle: every trade the exchange made, none lost, none twice. Trades
 * below `fromTradeId` are left out of the oracle (an exchange whose REST never served them).
 */
export async function expectExactTick(
  sim: Simulator,
  watcher: RecordingSocket,
  product: string,
  windowMs: number,
  timeoutMs = 10_000,
  fromTradeId = 0,
): Promise<PriceTick> {
  const latest = sim.latest(product);
  if (!latest) throw new Error('no trade published');
  const tick = await waitFor(
    () => {
      const last = watcher.lastTick(product);
      return last?.tradeId === latest.tradeId ? last : undefined;
    },
    timeoutMs,
    `the tick of trade ${latest.tradeId}`,
  );
  const expected = oracleWindow(sim.history(product).filter((t) => t.tradeId >= fromTradeId), latest, windowMs);
  expect({ mean: tick.mean, vwap: tick.vwap, count: tick.count, last: tick.last }).toEqual({ ...expected, last: latest.price });
  return tick;
}
