/**
 * The Socket.IO contract between the server and browsers: event names, payloads and the zod
 * schemas of everything a client sends. Times are ISO-8601 strings as the feed sent them,
 * decimals are strings, trade and notification ids are numbers.
 */
import { z } from 'zod';
import type { ErrorCode } from '../errors.ts';

/** The window of one product as of trade `tradeId`. `mean`/`vwap` have exactly 8 decimals. */
export interface PriceTick {
  product: string;
  tradeId: number;
  time: string;
  last: string;
  mean: string;
  vwap: string;
  count: number;
  warm: boolean;
}

export const FEED_STATES = [
  'connecting',
  'live',
  'stale',
  'reconnecting',
  'backfilling',
  'gap-lost',
  'unavailable',
] as const;
export type FeedState = (typeof FEED_STATES)[number];

export interface FeedStatus {
  product: string;
  state: FeedState;
  since: string;
  detail?: string;
}

export type AlertBasis = 'mean' | 'vwap' | 'last';
export type AlertDirection = 'above' | 'below';
export type AlertStatus = 'armed' | 'triggered' | 'expired';
export type AlertRepeat = { mode: 'once' } | { mode: 'rearm'; band: string; cooldownSeconds: number };

/** An alert as the API and sockets show it. */
export interface Alert {
  id: string;
  product: string;
  basis: AlertBasis;
  direction: AlertDirection;
  threshold: string;
  repeat: AlertRepeat;
  note: string | null;
  status: AlertStatus;
  arming: number;
  createdAt: string;
  triggeredAt: string | null;
  expiresAt: string | null;
}

/** One firing of an alert; `value` is the basis value (8 dp) at trade `tradeId`. */
export interface AlertHit {
  notificationId: number;
  alertId: string;
  tradeId: number;
  value: string;
  time: string;
  replayed: boolean;
  alert: Alert;
}

/**
 * Alert hits not sent one by one, each listed in the inbox: those beyond the replay's cap on a
 * (re)connect (`replayed: true`), or those beyond the user's firing budget, summed up every
 * second (`replayed: false`). Acknowledging the notice counts them as delivered.
 */
export interface AlertBacklog {
  /** How many notifications this notice stands for. */
  undelivered: number;
  /** The page that lists them (the inbox). */
  inboxUrl: string;
  replayed: boolean;
}

export type AckError = { ok: false; error: { code: ErrorCode; message: string } };
export type SubscribeAck = { ok: true; snapshots: Record<string, PriceTick | null> } | AckError;

export const subscribePayloadSchema = z.object({
  products: z.array(z.string().min(1).max(32)).max(50),
});
export type SubscribePayload = z.infer<typeof subscribePayloadSchema>;

export interface ServerToClientEvents {
  'price:tick': (tick: PriceTick) => void;
  /** The client acknowledges receipt by calling `ack()` (an argument, if any, is ignored). */
  'alert:hit': (hit: AlertHit, ack: (received?: boolean) => void) => void;
  /** Acknowledged like `alert:hit`: the hits it counts are then delivered (see `AlertBacklog`). */
  'alert:backlog': (backlog: AlertBacklog, ack: (received?: boolean) => void) => void;
  'feed:status': (status: FeedStatus) => void;
  /** One of the user's alerts changed status without the user doing it (triggered, re-armed, expired). */
  'alert:update': (alert: Alert) => void;
}

export interface ClientToServerEvents {
  'price:subscribe': (payload: SubscribePayload, ack: (result: SubscribeAck) => void) => void;
}

/** What the server keeps on each authenticated socket. */
export interface SocketData {
  userId: string;
  sessionId: string;
  /** Epoch milliseconds at which the session ends unless refreshed. */
  sessionExpiresAt: number;
}
