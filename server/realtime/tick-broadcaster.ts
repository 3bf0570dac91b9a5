import { productRoom } from '../../lib/realtime/rooms.ts';
import type { PriceTick } from '../../lib/realtime/events.ts';
import { toTick } from '../stream/to-tick.ts';
import type { WindowState } from '../stream/types.ts';
import type { RealtimeServer, RealtimeSocket } from './types.ts';
import { unsentPackets } from './unsent-packets.ts';

/** How often each product's newest tick is pushed, in milliseconds (4 per second). */
export const TICK_INTERVAL_MS = 250;
/** Sockets written per turn of the event loop during a flush. */
const FLUSH_SLICE = 250;

/**
 * Pushes `price:tick` to the sockets watching each product, coalesced: at most one tick per
 * product per interval, always the newest. A socket whose connection still has unsent data (a
 * slow client) is not written to; instead its newest tick per product is kept (one per product,
 * overwritten) and sent when its connection drains. So memory per socket stays bounded, and
 * every client still ends on the tick of the last applied trade, which a volatile emit could
 * not promise.
 *
 * Ticks are node-local: the room lookup reads this node's adapter and every write is a
 * `socket.emit` to one of this node's sockets, so nothing goes through a cluster adapter
 * (`REDIS_URL`). Each node ticks from its own window; a room broadcast would reach the sockets
 * of every node, and a client would get one copy per node.
 */
export function createTickBroadcaster(io: RealtimeServer, intervalMs = TICK_INTERVAL_MS) {
  const latest = new Map<string, WindowState>();
  const dirty = new Set<string>();
  const pending = new Map<string, Map<string, PriceTick>>();

  function deliver(socket: RealtimeSocket, tick: PriceTick): void {
    if (unsentPackets(socket) === 0) {
      socket.emit('price:tick', tick);
      return;
    }
    let mine = pending.get(socket.id);
    if (!mine) pending.set(socket.id, (mine = new Map<string, PriceTick>()));
    mine.set(tick.product, tick);
  }

  let flushing = false;

  /**
   * One interval's ticks, written `FLUSH_SLICE` sockets at a time with a turn of the event loop
   * between slices: with a thousand watchers a whole flush took about 30 ms, and an alert hit
   * fired meanwhile waited behind all of it. A slice uses the newest tick of its product, so a
   * trade applied mid-flush reaches the rest at once and the rest of the room next interval.
   */
  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      for (const product of [...dirty]) {
        dirty.delete(product);
        const ids = io.sockets.adapter.rooms.get(productRoom(product));
        let state = latest.get(product);
        if (!state || !ids) continue;
        // Formatted here, once per product and slice, not on each of a burst's trades.
        let tick = toTick(state);
        let written = 0;
        for (const id of [...ids]) {
          const socket = io.sockets.sockets.get(id);
          if (socket) deliver(socket, tick);
          if (++written % FLUSH_SLICE !== 0) continue;
          await new Promise((resolve) => setImmediate(resolve));
          if (latest.get(product) !== state) {
            state = latest.get(product)!;
            tick = toTick(state);
          }
        }
      }
    } finally {
      flushing = false;
    }
  }

  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref();

  return {
    /** Records the newest window of a product; its tick goes out on the next interval. */
    publish(state: WindowState): void {
      latest.set(state.product, state);
      dirty.add(state.product);
    },
    /** Wires a connected socket: held ticks go out when its connection drains. */
    attach(socket: RealtimeSocket): void {
      const onDrain = () => {
        const mine = pending.get(socket.id);
        if (!mine) return;
        pending.delete(socket.id);
        for (const tick of mine.values()) {
          if (socket.rooms.has(productRoom(tick.product))) socket.emit('price:tick', tick);
        }
      };
      socket.conn.on('drain', onDrain);
      socket.on('disconnect', () => {
        socket.conn.off('drain', onDrain);
        pending.delete(socket.id);
      });
    },
    /** Sockets holding ticks for a slow connection (for tests and metrics). */
    pendingSockets(): number {
      return pending.size;
    },
    close(): void {
      clearInterval(timer);
    },
  };
}

export type TickBroadcaster = ReturnType<typeof createTickBroadcaster>;

