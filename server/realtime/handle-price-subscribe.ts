import { productRoom } from '../../lib/realtime/rooms.ts';
import { type PriceTick, type SubscribeAck, subscribePayloadSchema } from '../../lib/realtime/events.ts';
import type { RealtimeSocket } from './types.ts';

export interface PriceSubscribeDeps {
  products: readonly string[];
  /** The latest tick of a product, or `null` before its first trade. */
  snapshot: (product: string) => PriceTick | null;
}

/**
 * `price:subscribe`: replaces the socket's product set (an empty list unsubscribes) and answers
 * with each product's latest tick, so a chart is never blank in a quiet market. An invalid
 * payload or an unknown product is answered with an error and changes nothing.
 */
export function handlePriceSubscribe(socket: RealtimeSocket, deps: PriceSubscribeDeps) {
  return (payload: unknown, ack: unknown): void => {
    const reply = typeof ack === 'function' ? (ack as (result: SubscribeAck) => void) : () => undefined;
    const parsed = subscribePayloadSchema.safeParse(payload);
    if (!parsed.success) {
      reply({ ok: false, error: { code: 'validation_failed', message: 'Expected {"products": ["BTC-USD", ...]}.' } });
      return;
    }
    const wanted = [...new Set(parsed.data.products)];
    const unknown = wanted.filter((p) => !deps.products.includes(p));
    if (unknown.length > 0) {
      reply({
        ok: false,
        error: {
          code: 'unknown_product',
          message: `Unknown product ${unknown.join(', ')}; this server follows ${deps.products.join(', ')}.`,
        },
      });
      return;
    }
    for (const room of socket.rooms) {
      if (room.startsWith('product:') && !wanted.includes(room.slice('product:'.length))) void socket.leave(room);
    }
    for (const product of wanted) void socket.join(productRoom(product));
    reply({ ok: true, snapshots: Object.fromEntries(wanted.map((p) => [p, deps.snapshot(p)])) });
  };
}
