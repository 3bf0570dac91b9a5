import { type Socket, io } from 'socket.io-client';
import type { ClientToServerEvents, FeedStatus, PriceTick, ServerToClientEvents, SubscribeAck } from '../../lib/realtime/events.ts';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A browser-like socket for tests that records every tick and feed status it receives. */
export interface RecordingSocket {
  socket: ClientSocket;
  ticks: PriceTick[];
  statuses: FeedStatus[];
  /** The newest tick received for `product`, if any. */
  lastTick(product: string): PriceTick | undefined;
  /** The newest feed status received for `product`, if any. */
  lastStatus(product: string): FeedStatus | undefined;
  subscribe(products: string[]): Promise<SubscribeAck>;
}

/** Connects with the session cookie and the page's Origin, over WebSocket, without reconnection. */
export async function connectRecording(baseUrl: string, cookie: string): Promise<RecordingSocket> {
  const socket: ClientSocket = io(baseUrl, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { origin: baseUrl, cookie },
  });
  const ticks: PriceTick[] = [];
  const statuses: FeedStatus[] = [];
  socket.on('price:tick', (tick) => ticks.push(tick));
  socket.on('feed:status', (status) => statuses.push(status));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return {
    socket,
    ticks,
    statuses,
    lastTick: (product) => ticks.findLast((t) => t.product === product),
    lastStatus: (product) => statuses.findLast((s) => s.product === product),
    subscribe: (products) => new Promise((resolve) => socket.emit('price:subscribe', { products }, resolve)),
  };
}
