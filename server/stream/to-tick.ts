import type { PriceTick } from '../../lib/realtime/events.ts';
import type { WindowState } from './types.ts';

/** The wire form of a window state (formats mean and vwap, so call it only for what is sent). */
export function toTick(state: WindowState): PriceTick {
  return {
    product: state.product,
    tradeId: state.tradeId,
    time: state.time,
    last: state.last,
    mean: state.mean,
    vwap: state.vwap,
    count: state.count,
    warm: state.warm,
  };
}
