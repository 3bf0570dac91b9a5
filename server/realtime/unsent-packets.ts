import type { RealtimeSocket } from './types.ts';

/**
 * Packets engine.io holds for a connection that has not taken them yet: it passes packets to the
 * WebSocket only once the previous batch reached the kernel, so a client that stops reading
 * shows up here. Its type marks the buffer private, but it is the only such measure engine.io keeps.
 */
export function unsentPackets(socket: RealtimeSocket): number {
  return (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
}
