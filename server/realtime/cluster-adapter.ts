import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { RedisConnection } from '../redis/redis-client.ts';

/**
 * The Socket.IO adapter of a deployment with several nodes (`REDIS_URL`): Redis streams, which in
 * a trial here lost no packet across a Redis restart where the pub/sub adapter lost some. What
 * goes through it (`io.to(room).emit`, `io.serverSideEmit`) reaches the sockets of every node;
 * what must stay on this node uses `io.local` or `socket.emit` (see create-realtime-server.ts).
 *
 * While Redis is away a broadcast reaches this node's sockets at once (the publishing connection
 * fails fast) and the other nodes miss it; their users get missed hits by replay once Redis is
 * back (`RedisConnection.onRestored`).
 */
export function createClusterAdapter(redis: RedisConnection) {
  const publisher = redis.createClient('socket.io-publish', 'command');
  // The adapter duplicates its client for the blocking stream reads and the subscriptions. Those
  // must wait out an outage: its read loop retries at once, and against a connection that fails
  // at once it would spin without ever yielding to the event loop.
  publisher.duplicate = () => redis.createClient('socket.io-read', 'blocking');
  // Broadcasts that wait for acknowledgements go out with PUBLISH, whose promise the adapter
  // drops: while Redis is away each would be an unhandled rejection. Callers that await it
  // still see the failure.
  const publish = publisher.publish.bind(publisher);
  publisher.publish = (channel: string | Buffer, message: string | Buffer) => {
    const sent = publish(channel, message);
    sent.catch(() => undefined);
    return sent;
  };
  const factory = createAdapter(publisher, {
    streamName: `${redis.keyPrefix}socket.io`,
    channelPrefix: `${redis.channelPrefix}socket.io`,
    // Every payload is JSON (lib/realtime/events.ts): no binary checks.
    onlyPlaintext: true,
  });
  // Socket.IO calls this with `new`: a function, not an arrow.
  return function clusterAdapter(nsp: unknown) {
    const adapter = factory(nsp);
    // An acknowledged broadcast (alert:hit) asks how many nodes will answer, and Socket.IO never
    // handles that failing (an unhandled rejection while Redis is away). Then no other node can
    // be reached: this one alone answers, and the broadcast completes on its own sockets' acks.
    const serverCount = adapter.serverCount.bind(adapter);
    adapter.serverCount = () => serverCount().catch(() => 1);
    return adapter;
  };
}
