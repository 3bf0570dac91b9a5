import WebSocket from 'ws';
import { errorFrame, subscriptionsFrame } from './feed-frames.ts';
import { type Subscriptions, applySubscribe, applyUnsubscribe, parseChannelRequest } from './subscribe-request.ts';

/** Close code used when no subscribe arrives in time (the exchange does not document one). */
export const SUBSCRIBE_TIMEOUT_CLOSE_CODE = 1008;

export interface FeedClientDeps {
  products: ReadonlySet<string>;
  /** Without a successful subscribe within this many ms, the socket is closed. */
  subscribeTimeoutMs: number;
  /** True while the simulator stalls: nothing is written, pings go unanswered. */
  stalled(): boolean;
  /** The frame to send when `channel` becomes subscribed for `product` (null: none). */
  snapshot(channel: string, product: string): string | null;
}

/** One connected feed socket and its subscriptions. */
export interface FeedClient {
  readonly socket: WebSocket;
  /** True when subscribed to `channel` for `product`. */
  has(channel: string, product: string): boolean;
  /** True when subscribed to anything at all. */
  subscribed(): boolean;
  /** Writes a frame unless stalled or closing. */
  send(text: string): void;
}

/**
 * Serves the exchange's client protocol on one socket: subscribe (within the timeout) and
 * unsubscribe, each answered with the cumulative `subscriptions`, and the one-off snapshots
 * (`ticker`, then `last_match`) for newly subscribed products. Anything else the client sends
 * gets an `error` frame; nothing a client sends can throw.
 */
export function createFeedClient(socket: WebSocket, deps: FeedClientDeps): FeedClient {
  const subs: Subscriptions = new Map();
  const timer = setTimeout(() => {
    if (subs.size === 0) socket.close(SUBSCRIBE_TIMEOUT_CLOSE_CODE, 'subscribe timeout');
  }, deps.subscribeTimeoutMs);

  const send = (text: string): void => {
    if (!deps.stalled() && socket.readyState === WebSocket.OPEN) socket.send(text);
  };

  const handle = (text: string): void => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      send(errorFrame('Malformed JSON', 'message is not valid JSON'));
      return;
    }
    const request = parseChannelRequest(json);
    if (!request) {
      send(errorFrame('Failed to subscribe', 'message must be a subscribe or unsubscribe request'));
      return;
    }
    if (request.type === 'unsubscribe') {
      applyUnsubscribe(subs, request);
      send(subscriptionsFrame(subs));
      return;
    }
    const outcome = applySubscribe(subs, request, deps.products);
    for (const reason of outcome.errors) send(errorFrame('Failed to subscribe', reason));
    if (!outcome.acknowledge) return;
    if (subs.size > 0) clearTimeout(timer);
    send(subscriptionsFrame(subs));
    // The 2026 capture shows the ticker snapshot before the last_match of the same trade.
    const ordered = [...outcome.added].sort((a, b) => Number(b.channel === 'ticker') - Number(a.channel === 'ticker'));
    for (const { channel, product } of ordered) {
      const frame = deps.snapshot(channel, product);
      if (frame !== null) send(frame);
    }
  };

  socket.on('message', (data, isBinary) => handle(isBinary ? '' : (data as Buffer).toString('utf8')));
  // Pings are answered by hand so that a stall can ignore them, like a wedged server.
  socket.on('ping', (data) => {
    if (!deps.stalled() && socket.readyState === WebSocket.OPEN) socket.pong(data);
  });
  socket.on('close', () => clearTimeout(timer));
  // Client-side socket errors end in 'close'; there is nothing else to do here.
  socket.on('error', () => undefined);

  return {
    socket,
    has: (channel, product) => subs.get(channel)?.has(product) ?? false,
    subscribed: () => subs.size > 0,
    send,
  };
}
