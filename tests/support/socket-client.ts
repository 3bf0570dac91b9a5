import { type Socket, io } from 'socket.io-client';
import type { AlertBacklog, AlertHit, ClientToServerEvents, FeedStatus, PriceTick, ServerToClientEvents, SubscribeAck } from '../../lib/realtime/events.ts';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A browser-like socket for tests that records every tick and feed status it receives. */
export interface RecordingSocket {
  socket: ClientSocket;
  ticks: PriceTick[];
  statuses: FeedStatus[];
  /** Every alert:hit received (acknowledged unless `ackHits` was false). */
  hits: AlertHit[];
  /** Every alert:backlog notice received (acknowledged unless `ackHits` was false). */
  backlogs: AlertBacklog[];
  /** The newest tick received for `product`, if any. */
  lastTick(product: string): PriceTick | undefined;
  /** The newest feed status received for `product`, if any. */
  lastStatus(product: string): FeedStatus | undefined;
  subscribe(products: string[]): Promise<SubscribeAck>;
}

/** Connects with the session cookie and the page's Origin, over WebSocket, without reconnection. */
export async function connectRecording(baseUrl: string, cookie: string, ackHits = true): Promise<RecordingSocket> {
  const socket: ClientSocket = io(baseUrl, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { origin: baseUrl, cookie },
  });
  const ticks: PriceTick[] = [];
  const statuses: FeedStatus[] = [];
  socket.on('price:tick', (tick) => ticks.push(tick));
  socket.on('feed:status', (status) => statuses.push(status));
  const hits: AlertHit[] = [];
  socket.on('alert:hit', (hit, ack) => {
    hits.push(hit);
    if (ackHits) ack();
  });
  const backlogs: AlertBacklog[] = [];
  socket.on('alert:backlog', (backlog, ack) => {
    backlogs.push(backlog);
    if (ackHits) ack();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return {
    socket,
    ticks,
    statuses,
    hits,
    backlogs,
    lastTick: (product) => ticks.findLast((t) => t.product === product),
    lastStatus: (product) => statuses.findLast((s) => s.product === product),
    subscribe: (products) => new Promise((resolve) => socket.emit('price:subscribe', { products }, resolve)),
  };
}
